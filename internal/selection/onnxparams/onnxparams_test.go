package onnxparams

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/nerbench/nerbench/internal/testmodel"
	"github.com/nerbench/nerbench/internal/testmodel/onnxpb"
)

// bertParams is the weight count of a BERT encoder (embeddings with
// LayerNorm, layers of self-attention, feed-forward and two LayerNorms),
// written out from the architecture.
func bertParams(vocab, hidden, layers, inter, maxPos, typeVocab int64) int64 {
	emb := (vocab+maxPos+typeVocab)*hidden + 2*hidden
	attn := 4 * (hidden*hidden + hidden)
	ffn := hidden*inter + inter + inter*hidden + hidden
	norms := 2 * 2 * hidden
	return emb + layers*(attn+ffn+norms)
}

// reference counts a model held in memory with protowire's slice functions,
// independently of the streaming decoder.
func reference(t *testing.T, data []byte) Count {
	t.Helper()
	var c Count
	each := func(b []byte, fn func(num protowire.Number, typ protowire.Type, v []byte)) {
		for len(b) > 0 {
			num, typ, n := protowire.ConsumeField(b)
			if n < 0 {
				t.Fatalf("reference: %v", protowire.ParseError(n))
			}
			_, _, tn := protowire.ConsumeTag(b)
			fn(num, typ, b[tn:n])
			b = b[n:]
		}
	}
	tensor := func(v []byte) (dt uint64, elems int64) {
		elems = 1
		payload, _ := protowire.ConsumeBytes(v)
		each(payload, func(num protowire.Number, typ protowire.Type, f []byte) {
			switch {
			case num == 1 && typ == protowire.VarintType:
				x, _ := protowire.ConsumeVarint(f)
				elems *= int64(x)
			case num == 1 && typ == protowire.BytesType:
				p, _ := protowire.ConsumeBytes(f)
				for len(p) > 0 {
					x, k := protowire.ConsumeVarint(p)
					elems *= int64(x)
					p = p[k:]
				}
			case num == 2:
				dt, _ = protowire.ConsumeVarint(f)
			}
		})
		return dt, elems
	}
	each(data, func(num protowire.Number, typ protowire.Type, v []byte) {
		if num != 7 {
			return
		}
		graph, _ := protowire.ConsumeBytes(v)
		each(graph, func(num protowire.Number, typ protowire.Type, v []byte) {
			if num != 5 {
				return
			}
			c.Initializers++
			dt, n := tensor(v)
			if isWeightType(dt) {
				c.Parameters += n
			} else {
				c.Other += n
			}
		})
	})
	return c
}

// generated writes models of the project's graph builder: BERT and
// DistilBERT, with the interface variants (int32 inputs, a float16 output)
// that change the graph but not the weights.
func generated(t *testing.T) map[string]testmodel.Spec {
	t.Helper()
	distil := testmodel.Tiny()
	distil.ModelType, distil.TypeVocab, distil.Layers, distil.Vocab = "distilbert", 0, 2, 100
	int32In := testmodel.Tiny()
	int32In.InputType = onnxpb.Int32
	fp16 := testmodel.Tiny()
	fp16.OutputType, fp16.Intermediate = onnxpb.Float16, 24
	return map[string]testmodel.Spec{"bert": testmodel.Tiny(), "distilbert": distil, "int32": int32In, "fp16": fp16}
}

func writeSpec(t *testing.T, name string, spec testmodel.Spec) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name+".onnx")
	if err := testmodel.WriteFile(path, spec); err != nil {
		t.Fatal(err)
	}
	return path
}

// The count of a generated model is what its architecture says (a token
// classification head on a BERT encoder without pooler) and what the
// builder says it wrote.
func TestGeneratedAgainstArchitecture(t *testing.T) {
	for name, spec := range generated(t) {
		t.Run(name, func(t *testing.T) {
			c, err := File(writeSpec(t, name, spec))
			if err != nil {
				t.Fatal(err)
			}
			H, L := int64(spec.Hidden), int64(len(testmodel.Labels))
			want := bertParams(int64(spec.Vocab), H, int64(spec.Layers), int64(spec.Intermediate), int64(spec.MaxPos), int64(spec.TypeVocab)) + H*L + L
			if c.Parameters != want || c.Parameters != spec.NumParams() {
				t.Errorf("Parameters = %d, want %d (NumParams %d)", c.Parameters, want, spec.NumParams())
			}
			if c.Initializers != len(spec.Params()) || c.Other != 0 || c.SparseInitializers != 0 {
				t.Errorf("count %+v, want %d float initializers only", c, len(spec.Params()))
			}
		})
	}
}

func TestGeneratedAgainstReference(t *testing.T) {
	for name, spec := range generated(t) {
		t.Run(name, func(t *testing.T) {
			testAgainstReference(t, writeSpec(t, name, spec))
		})
	}
}

// testAgainstReference counts the model at p with File, with Read on a
// reader that cannot seek, and with the reference decoder.
func testAgainstReference(t *testing.T, p string) {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	want := reference(t, data)
	got, err := File(p)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("File = %+v, reference = %+v", got, want)
	}
	if got.Parameters == 0 || got.Initializers == 0 {
		t.Errorf("File = %+v, want weights", got)
	}
	// A reader that cannot seek reads the same.
	got2, err := Read(struct{ io.Reader }{bytes.NewReader(data)})
	if err != nil || got2 != want {
		t.Errorf("Read (no seeking) = %+v, %v; want %+v", got2, err, want)
	}
}

// Building blocks for synthetic models.

func bytesField(b []byte, num protowire.Number, v []byte) []byte {
	return protowire.AppendBytes(protowire.AppendTag(b, num, protowire.BytesType), v)
}

func varintField(b []byte, num protowire.Number, v uint64) []byte {
	return protowire.AppendVarint(protowire.AppendTag(b, num, protowire.VarintType), v)
}

// tensorProto encodes a TensorProto; packed chooses the encoding of dims.
func tensorProto(name string, dataType uint64, dims []int64, packed bool, raw []byte) []byte {
	var b []byte
	if packed {
		var p []byte
		for _, d := range dims {
			p = protowire.AppendVarint(p, uint64(d))
		}
		b = bytesField(b, 1, p)
	} else {
		for _, d := range dims {
			b = varintField(b, 1, uint64(d))
		}
	}
	b = varintField(b, 2, dataType)
	b = bytesField(b, 8, []byte(name))
	b = bytesField(b, 9, raw)
	return b
}

func model(graph ...[]byte) []byte {
	var b []byte
	b = varintField(b, 1, 8)             // ir_version
	b = bytesField(b, 2, []byte("test")) // producer_name
	b = protowire.AppendTag(b, 3, protowire.Fixed32Type)
	b = protowire.AppendFixed32(b, 0) // a fixed32 field the reader must skip
	var g []byte
	g = bytesField(g, 2, []byte("g")) // name
	for _, f := range graph {
		g = append(g, f...)
	}
	return bytesField(b, 7, g)
}

func TestSynthetic(t *testing.T) {
	big := make([]byte, 300<<10) // larger than the reader's buffer
	sparse := bytesField(nil, 1, tensorProto("s", 1, []int64{3}, false, nil))
	sparse = bytesField(sparse, 2, tensorProto("s_idx", 7, []int64{3}, false, nil))
	for _, d := range []int64{10, 20} {
		sparse = varintField(sparse, 3, uint64(d))
	}
	data := model(
		bytesField(nil, 1, []byte("node bytes to skip")),
		bytesField(nil, 5, tensorProto("w", 1, []int64{4, 5}, false, big)),
		bytesField(nil, 5, tensorProto("q", 3, []int64{2, 3, 7}, true, nil)), // int8
		bytesField(nil, 5, tensorProto("shape", 7, []int64{2}, true, nil)),   // int64
		bytesField(nil, 5, tensorProto("scalar", 1, nil, false, []byte{0, 0, 0, 0})),
		bytesField(nil, 5, tensorProto("empty", 1, []int64{0, 9}, false, nil)),
		bytesField(nil, 15, sparse),
	)
	want := Count{Parameters: 20 + 42 + 1 + 0 + 200, Other: 2, Initializers: 5, SparseInitializers: 1}

	path := filepath.Join(t.TempDir(), "m.onnx")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := File(path); err != nil || got != want {
		t.Errorf("File = %+v, %v; want %+v", got, err, want)
	}
	if got, err := Read(struct{ io.Reader }{bytes.NewReader(data)}); err != nil || got != want {
		t.Errorf("Read (no seeking) = %+v, %v; want %+v", got, err, want)
	}
}

func TestErrors(t *testing.T) {
	good := model(bytesField(nil, 5, tensorProto("w", 1, []int64{4, 5}, false, make([]byte, 80))))
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "empty file"},
		{"truncated in raw_data", good[:len(good)-10], "overruns"},
		{"truncated top level", append(append([]byte{}, good...), 0x3a, 0x20, 1), "truncated"},
		{"negative dim", model(bytesField(nil, 5, tensorProto("neg", 1, []int64{4, -1}, false, nil))), `initializer 0 "neg": dims[1] = -1 is negative`},
		{"overflow", model(bytesField(nil, 5, tensorProto("huge", 1, []int64{1 << 40, 1 << 40}, true, nil))), "overflows"},
		{"text", []byte("this is not a protobuf file at all\n"), "not an ONNX"},
		{"group", protowire.AppendTag(nil, 4, protowire.StartGroupType), "not used by ONNX"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bad.onnx")
			if err := os.WriteFile(path, tt.data, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := File(path)
			if err == nil {
				t.Fatalf("File succeeded, want error containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("error %q: want it to name the file and contain %q", err, tt.want)
			}
			if _, err := Read(struct{ io.Reader }{bytes.NewReader(tt.data)}); err == nil {
				t.Errorf("Read (no seeking) succeeded, want error")
			}
		})
	}
}
