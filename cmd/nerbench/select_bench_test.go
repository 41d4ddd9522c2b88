//go:build cgo

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nerbench/nerbench/internal/contract"
)

// select --benchmark finds each backbone's best trial, benchmarks those
// without a usable benchmark.json in interleaved rounds on the texts of
// --config, and then selects; a second run reuses what the first wrote.
// Both backbones here are the tiny demo model, so their speed is a tie
// within the noise (or, on a busy machine, a difference the rounds show),
// and every benchmark.json holds the same workload fingerprint.
func TestSelectBenchmark(t *testing.T) {
	if _, err := os.Stat(filepath.Join(tinyCheckpoint, "model.onnx")); err != nil {
		t.Fatalf("the tiny demo checkpoint is missing (%v): run make demo-tiny", err)
	}
	ckpt, err := filepath.Abs(tinyCheckpoint)
	if err != nil {
		t.Fatal(err)
	}
	data, err := filepath.Abs(tinyData)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	hpo := filepath.Join(dir, "hpo")
	for backbone, f1 := range map[string]float64{"a": 0.80, "b": 0.79} {
		trial := filepath.Join(hpo, backbone, "trial_0")
		if err := os.MkdirAll(trial, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(ckpt, filepath.Join(trial, "checkpoint")); err != nil {
			t.Fatal(err)
		}
		m, _ := json.Marshal(map[string]float64{"macro-f1": f1})
		if err := os.WriteFile(filepath.Join(trial, "metrics.json"), m, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg := filepath.Join(dir, "bench.toml")
	toml := `test_data = "` + data + `"
batch_sizes = [1]
iterations = 8
warmup = 1
texts = 8
max_length = 32
device = "cpu"
intra_op_threads = 1

[selection]
hpo_dir = "hpo"
metric = "macro-f1"
accuracy_threshold = 0.05
`
	if err := os.WriteFile(cfg, []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runNerbench(t, "select", "--benchmark", "--rounds", "4", "--config", cfg)
	if code != 0 {
		t.Fatalf("exit %d\nstderr:\n%s", code, stderr)
	}
	var workloads []string
	for _, b := range []string{"a", "b"} {
		f := readFile(t, filepath.Join(hpo, b, "trial_0", "benchmark.json"))
		b1 := f.Batches[1]
		if b1 == nil || b1.Runs != 4 || len(b1.RunValues[contract.KeyMean]) != 4 || b1.Workload() == "" {
			t.Fatalf("%s: batch_1 %+v; want 4 rounds and a workload fingerprint", b, b1)
		}
		workloads = append(workloads, b1.Workload())
	}
	if workloads[0] != workloads[1] {
		t.Errorf("workloads %v: the same texts and settings must give the same fingerprint", workloads)
	}
	if !strings.Contains(stderr, "benchmarking a trial_0: no benchmark.json") || !strings.Contains(stderr, "round 4 of 4 done") {
		t.Errorf("stderr should say what is benchmarked and why, round by round:\n%s", stderr)
	}
	var sel struct {
		Criteria struct {
			Reason string `json:"reason"`
		} `json:"selection_criteria"`
	}
	if err := json.Unmarshal([]byte(stdout), &sel); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	t.Logf("reason: %s", sel.Criteria.Reason)
	if r := sel.Criteria.Reason; !strings.Contains(r, "across 4 and 4 rounds") && !strings.Contains(r, "the fastest") {
		t.Errorf("reason %q: want the speed difference tested across rounds", r)
	}
	// A second run finds both up to date.
	code, _, stderr = runNerbench(t, "select", "--benchmark", "--config", cfg)
	if code != 0 || strings.Contains(stderr, "benchmarking") || !strings.Contains(stderr, "measured the same work on this machine; kept") {
		t.Errorf("second run: exit %d, stderr:\n%s", code, stderr)
	}
}
