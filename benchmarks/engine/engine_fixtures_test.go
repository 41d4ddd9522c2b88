//go:build fixtures

package engine

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/nerbench/nerbench/internal/fixtures"
)

// The golden vector of ../shared/fixtures/README.md.
func TestGoldenTinyBERT(t *testing.T) {
	s := open(t, fixtures.Path(t, "tribuo-tinybert/tinybert.onnx"))
	if len(s.Inputs) != 3 || !s.HasInput(RoleTokenTypeIDs) || !s.HasInput(RoleAttentionMask) {
		t.Fatalf("inputs = %+v, want ids, mask and token type ids", s.Inputs)
	}
	if s.Device != "cpu" || s.FixedBatch != 0 || s.FixedSeqLen != 0 {
		t.Errorf("device %q fixed %d/%d, want cpu and dynamic", s.Device, s.FixedBatch, s.FixedSeqLen)
	}
	ids := []int64{3, 114, 134, 18, 1528, 269, 297, 55, 66, 385, 1599, 6, 1}
	mask := make([]int64, len(ids))
	for i := range mask {
		mask[i] = 1
	}
	b := batch(t, s, 1, len(ids), ids, mask, make([]int64, len(ids)))
	if err := s.Run(b); err != nil {
		t.Fatal(err)
	}
	got, shape, err := b.Float32Output("output_1")
	if err != nil {
		t.Fatal(err)
	}
	if len(shape) != 2 || shape[0] != 1 || shape[1] != 50 {
		t.Fatalf("output_1 shape %v, want [1 50]", shape)
	}
	want := []float64{-0.09987275302410126, -0.08381578326225281, -0.17915815114974976,
		0.1595402956008911, 0.12995541095733643, 0.02285454422235489}
	for i, w := range want {
		if math.Abs(float64(got[i])-w) > 1e-6 {
			t.Errorf("output_1[0][%d] = %v, want %v", i, got[i], w)
		}
	}
	seq, shape, err := b.Float32Output("output_0")
	if err != nil {
		t.Fatal(err)
	}
	if len(seq) != 13*50 || shape[1] != 13 {
		t.Errorf("output_0 shape %v", shape)
	}
}

// Every fixture model runs at several batch sizes and lengths, with the
// outputs pre-allocated from the discovered shapes.
func TestFixtureModels(t *testing.T) {
	for _, tc := range []struct {
		path   string
		inputs int
		output string
		perTok int // output values per token, or per row when seqOut is false
		seqOut bool
		maxID  int64
	}{
		{"tribuo-tinybert/tinybert.onnx", 3, "output_0", 50, true, 1656},
		{"vespa-transformer/dummy_transformer_without_type_ids.onnx", 2, "output_0", 16, true, 20},
		{"optimum-tiny-distilbert/model.onnx", 2, "logits", 2, false, 30522},
	} {
		t.Run(filepath.Base(filepath.Dir(tc.path)), func(t *testing.T) {
			s := open(t, fixtures.Path(t, tc.path))
			if len(s.Inputs) != tc.inputs {
				t.Errorf("%d inputs, want %d", len(s.Inputs), tc.inputs)
			}
			for _, size := range []int{1, 3} {
				for _, seq := range []int{5, 17} {
					n := size * seq
					ids, mask := make([]int64, n), make([]int64, n)
					for i := range n {
						ids[i] = int64(i*7) % tc.maxID
						mask[i] = 1
					}
					b := batch(t, s, size, seq, ids, mask, make([]int64, n))
					if err := s.Run(b); err != nil {
						t.Fatalf("%dx%d: %v", size, seq, err)
					}
					out, _, err := b.Float32Output(tc.output)
					if err != nil {
						t.Fatal(err)
					}
					want := size * tc.perTok
					if tc.seqOut {
						want *= seq
					}
					if len(out) != want {
						t.Errorf("%dx%d: %d values, want %d", size, seq, len(out), want)
					}
					for _, v := range out {
						if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
							t.Fatalf("%dx%d: non-finite output %v", size, seq, v)
						}
					}
				}
			}
		})
	}
}
