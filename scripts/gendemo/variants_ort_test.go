package main

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/nerbench/nerbench/internal/testmodel"
	"github.com/nerbench/nerbench/internal/testmodel/onnxpb"
	"github.com/nerbench/nerbench/internal/testmodel/wordpiece"
	ort "github.com/yalue/onnxruntime_go"
)

// TestSpecVariantsORT runs the interface variants bertonnx builds (int32
// inputs, other input names, no token types, no mask, fixed dimensions, an
// output of hidden size) with ONNX Runtime, letting it allocate the
// outputs, and checks each against the Go reference forward pass.
func TestSpecVariantsORT(t *testing.T) {
	initORT(t)
	// The arch whose spec(1) is testmodel.Tiny(), for the reference.
	tiny := arch{Backbone: "tiny-spec", ModelType: "bert", Layers: 1, Hidden: 16, Heads: 2, Intermediate: 32,
		Vocab: 32, MaxPos: 64, TypeVocab: 2, LayerNormEps: 1e-12}
	const seed = 1
	if got, want := tiny.spec(seed).Params(), testmodel.Tiny().Params(); !slices.EqualFunc(got, want, func(a, b testmodel.Param) bool {
		return a.Name == b.Name && slices.Equal(a.Dims, b.Dims)
	}) {
		t.Fatal("the reference arch does not match testmodel.Tiny()")
	}
	noTypes := tiny
	noTypes.TypeVocab = 0

	rows := [][]int64{{2, 9, 17, 30, 4, 11, 3}, {2, 21, 8, 5, 3}}
	types := [][]int64{{0, 0, 0, 0, 1, 1, 1}, {0, 0, 0, 0, 0}}
	L := len(labels)
	for _, tc := range []struct {
		name string
		edit func(*testmodel.Spec)
		ref  arch
		seq  int // pad to; 0: the longest row
		mask bool
	}{
		{"default", func(*testmodel.Spec) {}, tiny, 0, true},
		{"int32", func(s *testmodel.Spec) { s.InputType = onnxpb.Int32 }, tiny, 0, true},
		{"tf-names", func(s *testmodel.Spec) { s.MaskName, s.TypeIDsName = "input_mask", "segment_ids" }, tiny, 0, true},
		{"no-types", func(s *testmodel.Spec) { s.TypeVocab = 0 }, noTypes, 0, true},
		{"no-mask", func(s *testmodel.Spec) { s.NoMask = true }, tiny, 0, false},
		{"fixed-2x64", func(s *testmodel.Spec) { s.Batch, s.SeqLen = 2, 64 }, tiny, 64, true},
		{"unknown-labels-dim", func(s *testmodel.Spec) { s.OutputLabelsParam = "num_labels" }, tiny, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec := testmodel.Tiny()
			tc.edit(&spec)
			path := filepath.Join(t.TempDir(), "model.onnx")
			if err := testmodel.WriteFile(path, spec); err != nil {
				t.Fatal(err)
			}
			var tt [][]int64
			if spec.TypeVocab > 0 {
				tt = types
			}
			S, ids, mask, tti := batch(rows, tt)
			if tc.seq > 0 {
				S, ids, mask, tti = padTo(rows, tt, tc.seq)
			}
			if !tc.mask {
				// Without a mask input every position attends: the reference
				// with an all-ones mask.
				mask = slices.Repeat([]int64{1}, len(mask))
			}
			feeds := map[string][]int64{"input_ids": ids, "attention_mask": mask, "input_mask": mask,
				"token_type_ids": tti, "segment_ids": tti}
			opts, err := ort.NewSessionOptions()
			if err != nil {
				t.Fatal(err)
			}
			defer opts.Destroy()
			if err := opts.SetIntraOpNumThreads(1); err != nil {
				t.Fatal(err)
			}
			sess, err := ort.NewDynamicAdvancedSession(path, spec.InputNames(), []string{"logits"}, opts)
			if err != nil {
				t.Fatal(err)
			}
			defer sess.Destroy()
			shape := ort.NewShape(2, int64(S))
			var ins []ort.Value
			defer func() {
				for _, v := range ins {
					v.Destroy()
				}
			}()
			for _, name := range spec.InputNames() {
				var v ort.Value
				if spec.InputType == onnxpb.Int32 {
					d := make([]int32, len(feeds[name]))
					for i, x := range feeds[name] {
						d[i] = int32(x)
					}
					v, err = ort.NewTensor(shape, d)
				} else {
					v, err = ort.NewTensor(shape, slices.Clone(feeds[name]))
				}
				if err != nil {
					t.Fatal(err)
				}
				ins = append(ins, v)
			}
			outs := []ort.Value{nil}
			if err := sess.Run(ins, outs); err != nil {
				t.Fatal(err)
			}
			defer outs[0].Destroy()
			out, ok := outs[0].(*ort.Tensor[float32])
			if !ok {
				t.Fatalf("logits are %T", outs[0])
			}
			if got := out.GetShape(); !slices.Equal(got, ort.NewShape(2, int64(S), int64(L))) {
				t.Fatalf("logits shape %v, want [2 %d %d]", got, S, L)
			}
			ref := newRefModel(tc.ref, seed)
			logits := out.GetData()
			for r := range 2 {
				var want []float64
				for _, row := range ref.forward(ids[r*S:(r+1)*S], tti[r*S:(r+1)*S], mask[r*S:(r+1)*S]) {
					want = append(want, row...)
				}
				if d := maxAbsDiff(logits[r*S*L:(r+1)*S*L], want); d > 1e-4 {
					t.Errorf("row %d: ORT vs Go reference max |Δlogit| = %g", r, d)
				}
			}
		})
	}
}

// padTo pads rows on the right to seq, as batch pads to the longest.
func padTo(seqs, types [][]int64, seq int) (int, []int64, []int64, []int64) {
	var ids, mask, tt []int64
	for i, s := range seqs {
		for j := range seq {
			id, m, ty := int64(wordpiece.PadID), int64(0), int64(0)
			if j < len(s) {
				id, m = s[j], 1
				if types != nil {
					ty = types[i][j]
				}
			}
			ids, mask, tt = append(ids, id), append(mask, m), append(tt, ty)
		}
	}
	return seq, ids, mask, tt
}
