package engine

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const fixtures = "../../../shared/fixtures"

func TestMain(m *testing.M) {
	if _, err := Init(""); err != nil {
		// The library is part of the test set-up (make test installs it):
		// a missing one fails loudly rather than skipping.
		os.Stderr.WriteString("engine tests: " + err.Error() + "\n")
		os.Exit(1)
	}
	code := m.Run()
	if err := Shutdown(); err != nil {
		os.Stderr.WriteString("engine tests: " + err.Error() + "\n")
		code = 1
	}
	os.Exit(code)
}

func open(t *testing.T, path string) *Session {
	t.Helper()
	s, err := Open(path, Options{Device: "cpu", IntraOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Destroy(); err != nil {
			t.Error(err)
		}
	})
	return s
}

func batch(t *testing.T, s *Session, size, seq int, ids, mask, types []int64) *Batch {
	t.Helper()
	b, err := s.NewBatch(size, seq, ids, mask, types)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := b.Destroy(); err != nil {
			t.Error(err)
		}
	})
	return b
}

// The golden vector of ../shared/fixtures/README.md.
func TestGoldenTinyBERT(t *testing.T) {
	s := open(t, filepath.Join(fixtures, "tribuo-tinybert/tinybert.onnx"))
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
			s := open(t, filepath.Join(fixtures, tc.path))
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

// The timed call makes no Go allocation.
func TestRunDoesNotAllocate(t *testing.T) {
	s := open(t, filepath.Join(fixtures, "tribuo-tinybert/tinybert.onnx"))
	n := 2 * 9
	ids, mask := make([]int64, n), make([]int64, n)
	for i := range n {
		ids[i], mask[i] = int64(i+3), 1
	}
	b := batch(t, s, 2, 9, ids, mask, make([]int64, n))
	var err error
	allocs := testing.AllocsPerRun(50, func() { err = s.Run(b) })
	if err != nil {
		t.Fatal(err)
	}
	if allocs != 0 {
		t.Errorf("Run makes %v allocations per call, want 0", allocs)
	}
}

func TestCUDAWithoutProvider(t *testing.T) {
	_, err := Open(filepath.Join(fixtures, "tribuo-tinybert/tinybert.onnx"), Options{Device: "cuda"})
	if err == nil {
		t.Skip("this machine has a usable CUDA execution provider")
	}
	if !strings.Contains(err.Error(), "CUDA") || !strings.Contains(err.Error(), "device cpu") {
		t.Errorf("error %q should say CUDA is missing and suggest device cpu", err)
	}
	s, err := Open(filepath.Join(fixtures, "tribuo-tinybert/tinybert.onnx"), Options{Device: "auto"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Destroy()
	if s.Device != "cpu" {
		t.Errorf("auto picked %q on a machine without CUDA, want cpu", s.Device)
	}
}

func TestBadBatches(t *testing.T) {
	s := open(t, filepath.Join(fixtures, "tribuo-tinybert/tinybert.onnx"))
	if _, err := s.NewBatch(2, 3, make([]int64, 5), make([]int64, 6), make([]int64, 6)); err == nil {
		t.Error("wrong data length: no error")
	}
	if _, err := Open(filepath.Join(fixtures, "missing.onnx"), Options{}); err == nil || !strings.Contains(err.Error(), "missing.onnx") {
		t.Errorf("missing model: error %v should name the file", err)
	}
}

func TestRoleOf(t *testing.T) {
	for name, want := range map[string]Role{
		"input_ids": RoleInputIDs, "input_ids:0": RoleInputIDs, "attention_mask": RoleAttentionMask,
		"input_mask": RoleAttentionMask, "token_type_ids": RoleTokenTypeIDs, "segment_ids": RoleTokenTypeIDs,
	} {
		if got, ok := roleOf(name); !ok || got != want {
			t.Errorf("roleOf(%q) = %v %v, want %v", name, got, ok, want)
		}
	}
	if _, ok := roleOf("pixel_values"); ok {
		t.Error("pixel_values accepted")
	}
}

func TestLibraryPathErrors(t *testing.T) {
	t.Setenv(LibraryEnv, "/nonexistent/libonnxruntime.so")
	_, err := LibraryPath()
	if err == nil || !strings.Contains(err.Error(), "/nonexistent/libonnxruntime.so") || !strings.Contains(err.Error(), "setup-ort.sh") {
		t.Errorf("error %v should name the path and the set-up command", err)
	}
	t.Setenv(LibraryEnv, "")
	t.Chdir(t.TempDir())
	if _, err := LibraryPath(); err == nil || !strings.Contains(err.Error(), "setup-ort.sh") {
		t.Errorf("outside the checkout: error %v should name the set-up command", err)
	}
}
