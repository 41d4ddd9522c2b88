//go:build cgo

// Proof that the regression gate works on real measurements: ONNX Runtime
// runs of the demo checkpoints, measured the way the suite measures them
// (runner.Measure) and interleaved A B A B …, then judged by check.Compare.
//
//   - TestAANoRegression: the tiny model against itself, several times:
//     no regression (at most one false alarm in five, see below).
//   - TestSlowerCandidateCaught: the tiny model truncating at 128 tokens
//     against the same model truncating at 32: a really slower candidate,
//     caught at every batch size.
//   - TestABScript: scripts/ab.sh end to end, two checkpoints A/A.
//   - TestBertSlowerThanDistilbert (-proof.heavy): the bert-base-shaped
//     demo checkpoint against the distilbert-shaped one.
//
// These tests need the ONNX Runtime library (make ort) and the tiny demo
// checkpoint (make demo-tiny); -short skips them. Package check itself stays
// free of cgo: only this test package loads ONNX Runtime.
package proof_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nerbench/nerbench/benchmarks/config"
	"github.com/nerbench/nerbench/benchmarks/dataset"
	"github.com/nerbench/nerbench/benchmarks/engine"
	"github.com/nerbench/nerbench/benchmarks/runner"
	"github.com/nerbench/nerbench/internal/check"
)

var heavy = flag.Bool("proof.heavy", false, "also compare the bert-base-shaped demo model with the distilbert-shaped one (loads 700 MB of models)")

const (
	root = "../../.."
	tiny = root + "/outputs/hpo/tiny/trial_0/checkpoint"
)

// texts returns the first n texts of the demo test data.
func texts(t *testing.T, n int) []string {
	t.Helper()
	ds, err := dataset.Load(root + "/data/demo/test_data.json")
	if err != nil {
		t.Fatalf("%v: run make demo-tiny", err)
	}
	return ds.Texts[:min(n, len(ds.Texts))]
}

func needModel(t *testing.T, dir string) {
	t.Helper()
	if testing.Short() {
		t.Skip("measures real inference")
	}
	if _, err := os.Stat(filepath.Join(dir, "model.onnx")); err != nil {
		t.Fatalf("demo checkpoint missing (%v): run make demo (or make demo-tiny for the tiny one)", err)
	}
	if _, err := engine.Init(""); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := engine.Shutdown(); err != nil {
			t.Error(err)
		}
	})
}

// arm is one side of an A/B measurement: a loaded model and its batches.
type arm struct {
	model   *runner.Model
	batches []*runner.Batches
	warmup  int
	iters   int
	out     bytes.Buffer // Go benchmark format, as the suite prints it
}

func openArm(t *testing.T, name, dir string, s config.Settings, texts []string) *arm {
	t.Helper()
	m, err := runner.Open(name, dir, s)
	if err != nil {
		t.Fatal(err)
	}
	a := &arm{model: m, warmup: s.Warmup, iters: s.Iterations}
	t.Cleanup(func() {
		var errs []error
		for i := len(a.batches) - 1; i >= 0; i-- {
			errs = append(errs, a.batches[i].Close())
		}
		if err := errors.Join(append(errs, m.Close())...); err != nil {
			t.Error(err)
		}
	})
	enc, err := m.Encode(texts)
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range s.BatchSizes {
		bs, err := m.Prepare(enc, size)
		if err != nil {
			t.Fatal(err)
		}
		a.batches = append(a.batches, bs)
	}
	a.out.WriteString(runner.UnitLines)
	return a
}

// run measures every batch size once: one run, one result line each.
func (a *arm) run(t *testing.T) {
	t.Helper()
	for _, bs := range a.batches {
		r, err := runner.Measure(bs, a.warmup, a.iters)
		if err != nil {
			t.Fatal(err)
		}
		r.Model = a.model.Name
		if err := runner.WriteResult(&a.out, r); err != nil {
			t.Fatal(err)
		}
	}
}

// interleave runs a and b alternately for rounds rounds and compares them.
func interleave(t *testing.T, a, b *arm, rounds int, opts check.Options) *check.Report {
	t.Helper()
	a.out.Truncate(len(runner.UnitLines))
	b.out.Truncate(len(runner.UnitLines))
	for range rounds {
		a.run(t)
		b.run(t)
	}
	base, cand := check.NewSide(), check.NewSide()
	if err := base.Read("A", a.out.Bytes()); err != nil {
		t.Fatal(err)
	}
	if err := cand.Read("B", b.out.Bytes()); err != nil {
		t.Fatal(err)
	}
	rep, err := check.Compare(base, cand, opts)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// gateOptions are the settings of the demo bench.toml's [check] table.
func gateOptions() check.Options {
	o := check.DefaultOptions()
	o.Thresholds = map[string]float64{"p99-ns/op": 0.10}
	return o
}

func tinySettings() config.Settings {
	s := config.DefaultSettings()
	s.BatchSizes = []int{1, 4}
	s.Iterations, s.Warmup, s.MaxLength = 30, 3, 128
	s.Texts = 32 // whole passes: 32 batches of 1, 8 of 4
	s.Device = "cpu"
	return s
}

func logReport(t *testing.T, rep *check.Report) {
	t.Helper()
	var buf bytes.Buffer
	if err := check.Text(&buf, rep); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + buf.String())
}

// The same model on both sides (two sessions, interleaved), five times
// over. With the A/A false-alarm rate measured at a few per cent per
// comparison (README, "Regression checks"), two or more false alarms in
// five happen about once in a hundred runs of this test; one is tolerated.
func TestAANoRegression(t *testing.T) {
	needModel(t, tiny)
	txt := texts(t, 96)
	s := tinySettings()
	a := openArm(t, "tiny_trial_0", tiny, s, txt)
	b := openArm(t, "tiny_trial_0", tiny, s, txt)
	const comparisons, rounds = 5, 10
	alarms := 0
	for i := range comparisons {
		rep := interleave(t, a, b, rounds, gateOptions())
		if rep.Inconclusive > 0 {
			t.Errorf("comparison %d: %d inconclusive rows with %d runs per side", i, rep.Inconclusive, rounds)
		}
		if rep.Verdict() == check.VerdictRegression {
			alarms++
			t.Logf("comparison %d: false alarm:", i)
			logReport(t, rep)
		}
	}
	t.Logf("%d false alarms in %d A/A comparisons", alarms, comparisons)
	if alarms > 1 {
		t.Errorf("%d false alarms in %d A/A comparisons, want ≤ 1", alarms, comparisons)
	}
}

// A really slower candidate: the same model reading up to 128 tokens per
// text instead of 8 (the demo texts average about 50 tokens, and batches
// pad to their longest text). The gate must fail, and at each batch size
// the typical latency (mean or median) must be among the regressions: the
// test runs beside other packages' tests, so no single noisy metric is
// required.
func TestSlowerCandidateCaught(t *testing.T) {
	needModel(t, tiny)
	txt := texts(t, 96)
	fast := tinySettings()
	fast.MaxLength = 8
	slow := tinySettings()
	a := openArm(t, "tiny_trial_0", tiny, fast, txt)
	b := openArm(t, "tiny_trial_0", tiny, slow, txt)
	rep := interleave(t, a, b, 10, gateOptions())
	logReport(t, rep)
	if rep.Verdict() != check.VerdictRegression {
		t.Fatalf("verdict %s, want regression", rep.Verdict())
	}
	caught := map[int]bool{}
	for _, r := range rep.Rows {
		if (r.Unit == "ns/op" || r.Unit == "p50-ns/op") && r.Status == check.Regression {
			caught[r.Batch] = true
		}
	}
	for _, batch := range fast.BatchSizes {
		if !caught[batch] {
			t.Errorf("batch %d: neither the mean nor the median latency is a regression", batch)
		}
	}
}

// The bert-base-shaped demo model (12 layers) against the
// distilbert-shaped one (6 layers).
func TestBertSlowerThanDistilbert(t *testing.T) {
	if !*heavy {
		t.Skip("loads 700 MB of demo models; run with -args -proof.heavy")
	}
	distil, bert := root+"/outputs/hpo/distilbert/trial_1/checkpoint", root+"/outputs/hpo/bert/trial_1/checkpoint"
	needModel(t, distil)
	needModel(t, bert)
	txt := texts(t, 32)
	s := tinySettings()
	s.BatchSizes, s.Iterations, s.Warmup = []int{1}, 8, 2
	a := openArm(t, "distilbert_trial_1", distil, s, txt)
	b := openArm(t, "bert_trial_1", bert, s, txt)
	rep := interleave(t, a, b, 5, gateOptions())
	logReport(t, rep)
	if rep.Verdict() != check.VerdictRegression || len(rep.Pairs) != 1 || rep.Pairs[0].How != "only model on each side" {
		t.Fatalf("verdict %s, pairs %+v", rep.Verdict(), rep.Pairs)
	}
}

// scripts/ab.sh end to end: two checkpoints (the same one: A/A), a few
// short rounds, then nerbench check's three outputs.
func TestABScript(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the suite")
	}
	if _, err := os.Stat(filepath.Join(tiny, "model.onnx")); err != nil {
		t.Fatalf("tiny demo checkpoint missing (%v): run make demo-tiny", err)
	}
	lib, err := engine.LibraryPath()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	data, err := json.Marshal(texts(t, 48))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "texts.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "ab")
	cmd := exec.Command("bash", root+"/scripts/ab.sh", "-n", "4", "-b", "1,4", "-i", "20", "-w", "2",
		"-d", filepath.Join(dir, "texts.json"), "-o", out, "checkpoints", tiny, tiny)
	cmd.Env = append(os.Environ(), "ONNXRUNTIME_LIB="+lib)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	code := cmd.ProcessState.ExitCode()
	if code != 0 && code != 1 {
		t.Fatalf("ab.sh: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	t.Logf("ab.sh exit %d:\n%s", code, stdout.String())
	for _, f := range []string{"old.txt", "new.txt", "check.txt", "check.md", "check.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
	var rep struct {
		Verdict     string `json:"verdict"`
		Comparisons []struct {
			Baseline struct{ N int } `json:"baseline"`
		} `json:"comparisons"`
	}
	js, err := os.ReadFile(filepath.Join(out, "check.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(js, &rep); err != nil {
		t.Fatal(err)
	}
	want := map[int]string{0: "pass", 1: "regression"}[code]
	if rep.Verdict != want || len(rep.Comparisons) == 0 || rep.Comparisons[0].Baseline.N != 4 {
		t.Errorf("check.json: verdict %q (exit %d), %d comparisons, first n %d", rep.Verdict, code, len(rep.Comparisons), rep.Comparisons[0].Baseline.N)
	}
	if md, _ := os.ReadFile(filepath.Join(out, "check.md")); !strings.HasPrefix(string(md), check.MarkdownMarker) {
		t.Errorf("check.md starts %q", fmt.Sprintf("%.40s", md))
	}
}
