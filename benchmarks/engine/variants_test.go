package engine

import (
	"encoding/binary"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nerbench/nerbench/internal/testmodel"
	"github.com/nerbench/nerbench/internal/testmodel/onnxpb"
	ort "github.com/yalue/onnxruntime_go"
)

// The tests below generate BERT-shaped models with the interfaces real
// exports have (int32 inputs, TF-style input names, no token types, fixed
// dimensions …) and check that the engine feeds each one, or refuses it
// with an error that says why.

// genModel writes the model of spec into a temporary folder.
func genModel(t *testing.T, name string, spec testmodel.Spec) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name+".onnx")
	if err := testmodel.WriteFile(path, spec); err != nil {
		t.Fatal(err)
	}
	return path
}

// sample is a 2×7 batch: row 0 has 7 tokens with token types 0 then 1,
// row 1 has 5 tokens and 2 pad positions.
var sample = struct {
	size, seq          int
	ids, mask, typeIDs []int64
}{
	size:    2,
	seq:     7,
	ids:     []int64{2, 9, 17, 30, 4, 11, 3, 2, 21, 8, 5, 3, 0, 0},
	mask:    []int64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0},
	typeIDs: []int64{0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0},
}

// runSample runs the sample batch (at sequence length seq ≥ 7, padded) and
// returns a copy of the float32 output.
func runSample(t *testing.T, s *Session, seq int) []float32 {
	t.Helper()
	ids, mask, types := padSample(seq)
	b := batch(t, s, sample.size, seq, ids, mask, types)
	if err := s.Run(b); err != nil {
		t.Fatal(err)
	}
	out, shape, err := b.Float32Output(s.Outputs[0].Name)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int64{int64(sample.size), int64(seq), int64(len(testmodel.Labels))}; !slices.Equal(shape, want) {
		t.Fatalf("output shape %v, want %v", shape, want)
	}
	for _, v := range out {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			t.Fatalf("non-finite output %v", v)
		}
	}
	return slices.Clone(out)
}

// padSample returns the sample's rows padded to seq.
func padSample(seq int) (ids, mask, types []int64) {
	for r := range sample.size {
		row := func(x []int64) []int64 {
			return append(slices.Clone(x[r*sample.seq:(r+1)*sample.seq]), make([]int64, seq-sample.seq)...)
		}
		ids, mask, types = append(ids, row(sample.ids)...), append(mask, row(sample.mask)...), append(types, row(sample.typeIDs)...)
	}
	return ids, mask, types
}

// int64Reference is the output of the default (Hugging Face–shaped) tiny
// model on the sample; variants with other interfaces but the same weights
// must reproduce it.
func int64Reference(t *testing.T) []float32 {
	t.Helper()
	return runSample(t, open(t, genModel(t, "int64", testmodel.Tiny())), sample.seq)
}

func TestInt32Inputs(t *testing.T) {
	spec := testmodel.Tiny()
	spec.InputType = onnxpb.Int32
	s := open(t, genModel(t, "int32", spec))
	if len(s.Inputs) != 3 {
		t.Fatalf("inputs %+v, want 3", s.Inputs)
	}
	for _, in := range s.Inputs {
		if !in.Int32 {
			t.Errorf("input %q: Int32 = false for an int32 input", in.Name)
		}
	}
	got, want := runSample(t, s, sample.seq), int64Reference(t)
	if !slices.Equal(got, want) {
		t.Errorf("int32 model's output differs from the int64 model's on the same ids:\n got %v\nwant %v", got[:9], want[:9])
	}
}

func TestTFStyleInputNames(t *testing.T) {
	spec := testmodel.Tiny()
	spec.MaskName, spec.TypeIDsName = "input_mask", "segment_ids"
	s := open(t, genModel(t, "tf-names", spec))
	roles := map[string]Role{}
	for _, in := range s.Inputs {
		roles[in.Name] = in.Role
		if in.Int32 {
			t.Errorf("input %q: Int32 = true for an int64 input", in.Name)
		}
	}
	if want := map[string]Role{"input_ids": RoleInputIDs, "input_mask": RoleAttentionMask, "segment_ids": RoleTokenTypeIDs}; !equalMaps(roles, want) {
		t.Errorf("roles %v, want %v", roles, want)
	}
	// Same weights, inputs fed by role: the same output as the
	// attention_mask/token_type_ids model. The mask and the token types both
	// matter on the sample, so swapped roles would show.
	if got, want := runSample(t, s, sample.seq), int64Reference(t); !slices.Equal(got, want) {
		t.Errorf("input_mask/segment_ids model's output differs from the reference:\n got %v\nwant %v", got[:9], want[:9])
	}
}

func equalMaps[K comparable, V comparable](a, b map[K]V) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestWithoutTokenTypes(t *testing.T) {
	spec := testmodel.Tiny()
	spec.TypeVocab = 0
	s := open(t, genModel(t, "no-types", spec))
	if len(s.Inputs) != 2 || s.HasInput(RoleTokenTypeIDs) || !s.HasInput(RoleAttentionMask) {
		t.Fatalf("inputs %+v, want input_ids and attention_mask", s.Inputs)
	}
	runSample(t, s, sample.seq)

	// Input ids alone (no mask either) are enough.
	spec.NoMask = true
	s = open(t, genModel(t, "ids-only", spec))
	if len(s.Inputs) != 1 || s.Inputs[0].Role != RoleInputIDs {
		t.Fatalf("inputs %+v, want input_ids only", s.Inputs)
	}
	runSample(t, s, sample.seq)
}

func TestMasksAndTypesMatter(t *testing.T) {
	// The reference comparisons above would pass vacuously if the tiny
	// model ignored its mask or token types: check that it does not.
	s := open(t, genModel(t, "int64", testmodel.Tiny()))
	ref := runSample(t, s, sample.seq)
	for _, which := range []string{"mask", "types"} {
		ids, mask, types := padSample(sample.seq)
		if which == "mask" {
			mask = slices.Repeat([]int64{1}, len(mask))
		} else {
			types = make([]int64, len(types))
		}
		b := batch(t, s, sample.size, sample.seq, ids, mask, types)
		if err := s.Run(b); err != nil {
			t.Fatal(err)
		}
		out, _, _ := b.Float32Output("logits")
		if slices.Equal(out, ref) {
			t.Errorf("changing the %s leaves the output unchanged", which)
		}
	}
}

func TestFixedSequenceLength(t *testing.T) {
	for _, batchDim := range []int{0, 1} {
		spec := testmodel.Tiny()
		spec.SeqLen, spec.Batch = 64, batchDim
		s := open(t, genModel(t, "seq64", spec))
		if s.FixedSeqLen != 64 || s.FixedBatch != batchDim {
			t.Fatalf("[%d, 64] model: fixed batch %d, sequence %d", batchDim, s.FixedBatch, s.FixedSeqLen)
		}
		if !slices.Equal(s.Outputs[0].Dims, []int64{int64(orDyn(batchDim)), 64, int64(len(testmodel.Labels))}) {
			t.Errorf("output dims %v", s.Outputs[0].Dims)
		}
		if batchDim == 0 {
			// Padding to 64 changes nothing at the real positions.
			got, ref := runSample(t, s, 64), int64Reference(t)
			L := len(testmodel.Labels)
			for r := range sample.size {
				for i := range 5 * L { // the 5 real tokens both rows have
					if d := math.Abs(float64(got[r*64*L+i] - ref[r*sample.seq*L+i])); d > 1e-4 {
						t.Fatalf("row %d value %d: padded to 64 gives %v, unpadded %v", r, i, got[r*64*L+i], ref[r*sample.seq*L+i])
					}
				}
			}
		}
		n := 50
		if _, err := s.NewBatch(1, n, make([]int64, n), make([]int64, n), make([]int64, n)); err == nil {
			t.Error("sequence length 50 on a model fixed at 64: no error")
		} else if msg := err.Error(); !strings.Contains(msg, "sequence length at 64") || !strings.Contains(msg, "got 50") || !strings.Contains(msg, s.Path) {
			t.Errorf("error %q should name the model, its sequence length 64 and the 50 asked for", msg)
		}
	}
}

// orDyn returns v, or -1 (dynamic) when v is 0.
func orDyn(v int) int {
	if v == 0 {
		return -1
	}
	return v
}

func TestFixedBatchSize(t *testing.T) {
	spec := testmodel.Tiny()
	spec.Batch = 1
	s := open(t, genModel(t, "batch1", spec))
	if s.FixedBatch != 1 || s.FixedSeqLen != 0 {
		t.Fatalf("fixed batch %d, sequence %d; want 1 and dynamic", s.FixedBatch, s.FixedSeqLen)
	}
	ids, mask, types := padSample(sample.seq)
	n := sample.seq
	b := batch(t, s, 1, n, ids[:n], mask[:n], types[:n])
	if err := s.Run(b); err != nil {
		t.Fatal(err)
	}
	if _, shape, _ := b.Float32Output("logits"); !slices.Equal(shape, []int64{1, int64(n), int64(len(testmodel.Labels))}) {
		t.Errorf("output shape %v", shape)
	}
	_, err := s.NewBatch(2, n, ids, mask, types)
	if err == nil {
		t.Fatal("batch size 2 on a model fixed at batch 1: no error")
	}
	if msg := err.Error(); !strings.Contains(msg, "batch size") || !strings.Contains(msg, "at 1") || !strings.Contains(msg, "batch size 2") || !strings.Contains(msg, s.Path) {
		t.Errorf("error %q should name the model, its batch size 1 and the batch size 2 asked for", msg)
	}
}

func TestUnfeedableInput(t *testing.T) {
	spec := testmodel.Tiny()
	spec.ExtraInputs = []onnxpb.ValueInfo{{Name: "pixel_values", ElemType: onnxpb.Float,
		Dims: []onnxpb.Dim{{Param: "batch"}, {Value: 3}, {Value: 8}, {Value: 8}}}}
	path := genModel(t, "vision", spec)
	s, err := Open(path, Options{Device: "cpu", IntraOpThreads: 1})
	if err == nil {
		s.Destroy()
		t.Fatal("a model with a pixel_values input opened")
	}
	if msg := err.Error(); !strings.Contains(msg, `"pixel_values"`) || !strings.Contains(msg, path) {
		t.Errorf("error %q should name the input pixel_values and the model file", msg)
	}
}

// An output whose third dimension is symbolic cannot be pre-allocated:
// NewBatch says so, naming the model, the output and the dimension.
func TestOutputWithUnknownDimension(t *testing.T) {
	spec := testmodel.Tiny()
	spec.OutputLabelsParam = "num_labels"
	s := open(t, genModel(t, "dyn-labels", spec))
	if !slices.Equal(s.Outputs[0].Dims, []int64{-1, -1, -1}) {
		t.Fatalf("output dims %v, want [-1 -1 -1]", s.Outputs[0].Dims)
	}
	ids, mask, types := padSample(sample.seq)
	b, err := s.NewBatch(sample.size, sample.seq, ids, mask, types)
	if err == nil {
		b.Destroy()
		t.Fatal("NewBatch pre-allocated an output of unknown shape")
	}
	if msg := err.Error(); !strings.Contains(msg, `"logits"`) || !strings.Contains(msg, "dimension 2") || !strings.Contains(msg, s.Path) {
		t.Errorf("error %q should name the model, the output and its dimension 2", msg)
	}
}

func TestFloat16Output(t *testing.T) {
	spec := testmodel.Tiny()
	spec.OutputType = onnxpb.Float16
	s := open(t, genModel(t, "fp16", spec))
	if s.Outputs[0].DataType != ort.TensorElementDataTypeFloat16 {
		t.Fatalf("output type %v, want float16", s.Outputs[0].DataType)
	}
	ids, mask, types := padSample(sample.seq)
	b := batch(t, s, sample.size, sample.seq, ids, mask, types)
	if err := s.Run(b); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.Float32Output("logits"); err == nil || !strings.Contains(err.Error(), "not float32") {
		t.Errorf("Float32Output on a float16 output: error %v, want one saying it is not float32", err)
	}
	// The pre-allocated float16 buffer holds the float32 logits, rounded.
	raw, ok := b.outputs[0].(*ort.CustomDataTensor)
	if !ok {
		t.Fatalf("float16 output is a %T", b.outputs[0])
	}
	data := raw.GetData()
	ref := int64Reference(t)
	if len(data) != 2*len(ref) {
		t.Fatalf("float16 output has %d bytes, want %d", len(data), 2*len(ref))
	}
	for i, want := range ref {
		got := halfToFloat(binary.LittleEndian.Uint16(data[2*i:]))
		if d := math.Abs(got - float64(want)); d > 1e-3*max(1, math.Abs(float64(want))) {
			t.Fatalf("value %d: float16 %v, float32 %v", i, got, want)
		}
	}
}

// halfToFloat decodes an IEEE 754 half-precision number.
func halfToFloat(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	exp, frac := int(h>>10)&0x1f, float64(h&0x3ff)
	switch exp {
	case 0:
		return sign * frac / 1024 * math.Pow(2, -14)
	case 0x1f:
		if frac == 0 {
			return sign * math.Inf(1)
		}
		return math.NaN()
	}
	return sign * (1 + frac/1024) * math.Pow(2, float64(exp-15))
}
