package engine

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nerbench/nerbench/internal/testmodel"
)

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

// tinyModel writes testmodel.Tiny() (the Hugging Face interface: int64
// input_ids, attention_mask, token_type_ids → logits) into a temporary
// folder.
func tinyModel(t *testing.T) string {
	t.Helper()
	return genModel(t, "tiny", testmodel.Tiny())
}

// A golden vector of the project's own model: testmodel.Tiny() (seed 1) on
// the sample batch, as ONNX Runtime 1.30 computed it on x86-64. A change to
// the graph builder, its seeded weights or the way the engine feeds a
// batch shows here.
func TestGoldenOwnModel(t *testing.T) {
	s := open(t, tinyModel(t))
	if len(s.Inputs) != 3 || !s.HasInput(RoleTokenTypeIDs) || !s.HasInput(RoleAttentionMask) {
		t.Fatalf("inputs = %+v, want ids, mask and token type ids", s.Inputs)
	}
	if s.Device != "cpu" || s.FixedBatch != 0 || s.FixedSeqLen != 0 {
		t.Errorf("device %q fixed %d/%d, want cpu and dynamic", s.Device, s.FixedBatch, s.FixedSeqLen)
	}
	got := runSample(t, s, sample.seq)
	L := len(testmodel.Labels)
	// logits[0][0][:L] and logits[1][4][:L] (the last real token of row 1).
	want := [][]float64{
		{0.0366368405520916, 0.016604164615273476, -0.05012810230255127, 0.13517464697360992, 0.06263881921768188,
			0.052630919963121414, -0.09463866800069809, 0.02379375696182251, -0.017180388793349266},
		{0.003464863169938326, 0.17983943223953247, -0.0012239590287208557, 0.00613742507994175, -0.018466714769601822,
			-0.024406827986240387, -0.03925955295562744, 0.08233436942100525, 0.10768332332372665},
	}
	for i, row := range [][]float32{got[:L], got[(sample.seq+4)*L : (sample.seq+5)*L]} {
		for j, w := range want[i] {
			if math.Abs(float64(row[j])-w) > 1e-5 {
				t.Errorf("logits %d[%d] = %v, want %v", i, j, row[j], w)
			}
		}
	}
}

// Generated models of both families run at several batch sizes and
// lengths, with the outputs pre-allocated from the discovered shapes.
func TestGeneratedModelsShapes(t *testing.T) {
	distil := testmodel.Tiny()
	distil.ModelType, distil.TypeVocab, distil.Layers = "distilbert", 0, 2
	for name, spec := range map[string]testmodel.Spec{"bert": testmodel.Tiny(), "distilbert": distil} {
		t.Run(name, func(t *testing.T) {
			s := open(t, genModel(t, name, spec))
			if len(s.Inputs) != len(spec.InputNames()) {
				t.Errorf("%d inputs, want %d", len(s.Inputs), len(spec.InputNames()))
			}
			for _, size := range []int{1, 3} {
				for _, seq := range []int{5, 17} {
					n := size * seq
					ids, mask := make([]int64, n), make([]int64, n)
					for i := range n {
						ids[i] = int64(i*7) % int64(spec.Vocab)
						mask[i] = 1
					}
					b := batch(t, s, size, seq, ids, mask, make([]int64, n))
					if err := s.Run(b); err != nil {
						t.Fatalf("%dx%d: %v", size, seq, err)
					}
					out, _, err := b.Float32Output("logits")
					if err != nil {
						t.Fatal(err)
					}
					if want := size * seq * len(testmodel.Labels); len(out) != want {
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
	s := open(t, tinyModel(t))
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

// Device cuda fails, saying what to do, where the library has no usable
// CUDA execution provider (the npm package's build), and auto falls back to
// the CPU; where it has one, both use it.
func TestCUDADevice(t *testing.T) {
	path := tinyModel(t)
	auto, err := Open(path, Options{Device: "auto"})
	if err != nil {
		t.Fatal(err)
	}
	defer auto.Destroy()
	s, err := Open(path, Options{Device: "cuda"})
	if err == nil {
		defer s.Destroy()
		if s.Device != "cuda" || auto.Device != "cuda" {
			t.Errorf("a usable CUDA provider: device cuda gives %q, auto %q; want cuda for both", s.Device, auto.Device)
		}
		return
	}
	if !strings.Contains(err.Error(), "CUDA") || !strings.Contains(err.Error(), "device cpu") {
		t.Errorf("error %q should say CUDA is missing and suggest device cpu", err)
	}
	if auto.Device != "cpu" {
		t.Errorf("auto picked %q on a machine without CUDA, want cpu", auto.Device)
	}
}

func TestBadBatches(t *testing.T) {
	s := open(t, tinyModel(t))
	if _, err := s.NewBatch(2, 3, make([]int64, 5), make([]int64, 6), make([]int64, 6)); err == nil {
		t.Error("wrong data length: no error")
	}
	if _, err := Open(filepath.Join(t.TempDir(), "missing.onnx"), Options{}); err == nil || !strings.Contains(err.Error(), "missing.onnx") {
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

// Every graph optimization level opens and gives the same logits (within
// float error); an unknown level is an error that names the valid ones.
// Fill writes a new batch into a bound one in place.
func TestGraphOptimizationAndFill(t *testing.T) {
	path := tinyModel(t)
	var ref []float32
	for _, level := range []string{"all", "extended", "basic", "disabled"} {
		s, err := Open(path, Options{Device: "cpu", IntraOpThreads: 1, GraphOptimization: level})
		if err != nil {
			t.Fatalf("%s: %v", level, err)
		}
		t.Cleanup(func() {
			if err := s.Destroy(); err != nil {
				t.Error(err)
			}
		})
		got := slices.Clone(runSample(t, s, sample.seq))
		if ref == nil {
			ref = got
		}
		for i := range ref {
			if math.Abs(float64(got[i]-ref[i])) > 1e-4 {
				t.Fatalf("level %s: logit %d = %v, level all gives %v", level, i, got[i], ref[i])
			}
		}
	}
	if _, err := Open(path, Options{GraphOptimization: "most"}); err == nil || !strings.Contains(err.Error(), "want all, extended, basic or disabled") {
		t.Errorf("level most: %v", err)
	}

	s := open(t, path)
	ids := []int64{2, 5, 6, 3, 2, 7, 3, 0}
	mask := []int64{1, 1, 1, 1, 1, 1, 1, 0}
	types := make([]int64, 8)
	b := batch(t, s, 2, 4, ids, mask, types)
	fresh := batch(t, s, 2, 4, []int64{2, 9, 3, 0, 2, 8, 8, 3}, []int64{1, 1, 1, 0, 1, 1, 1, 1}, types)
	if err := b.Fill([]int64{2, 9, 3, 0, 2, 8, 8, 3}, []int64{1, 1, 1, 0, 1, 1, 1, 1}, types); err != nil {
		t.Fatal(err)
	}
	for _, x := range []*Batch{b, fresh} {
		if err := s.Run(x); err != nil {
			t.Fatal(err)
		}
	}
	got, _, _ := b.Float32Output(s.Outputs[0].Name)
	want, _, _ := fresh.Float32Output(s.Outputs[0].Name)
	if !slices.Equal(got, want) {
		t.Error("a refilled batch gives other logits than a new one")
	}
	if err := b.Fill(ids[:4], mask, types); err == nil {
		t.Error("Fill with 4 ids for a 2x4 batch: no error")
	}
}
