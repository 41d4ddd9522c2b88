//go:build cgo

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/nerbench/nerbench/benchmarks/samplefile"
	"github.com/nerbench/nerbench/internal/contract"
	"github.com/nerbench/nerbench/internal/contract/schematest"
)

// The tiny demo checkpoint and data (make demo-tiny).
const (
	tinyCheckpoint = "../../outputs/hpo/tiny/trial_0/checkpoint"
	tinyData       = "../../data/demo/test_data.json"
)

func tinyRun(t *testing.T, out string, extra ...string) string {
	t.Helper()
	if _, err := os.Stat(filepath.Join(tinyCheckpoint, "model.onnx")); err != nil {
		t.Fatalf("the tiny demo checkpoint is missing (%v): run make demo-tiny", err)
	}
	args := append([]string{"run", "--checkpoint", tinyCheckpoint, "--test-data", tinyData, "--batch-sizes", "1,2",
		"--iterations", "3", "--warmup", "1", "--texts", "3", "--max-length", "32", "--device", "cpu", "--output", out}, extra...)
	code, stdout, stderr := runNerbench(t, args...)
	if code != 0 {
		t.Fatalf("exit %d\nstderr:\n%s", code, stderr)
	}
	return stdout
}

func readFile(t *testing.T, path string) *contract.File {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	schematest.Validate(t, data)
	f, err := contract.Decode(path, data)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// Without kept samples, the file's config has no samples-file key (it
// used to have one spelt "samples-file:", colon included); with them, it
// names the samples file, which holds what samples_ms holds.
func TestRunSamplesFileKey(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "plain", "benchmark.json")
	tinyRun(t, out)
	f := readFile(t, out)
	for k := range f.Config {
		if k == "samples-file:" || k == contract.ConfigSamplesFile {
			t.Errorf("config holds %q = %q without kept samples", k, f.Config[k])
		}
	}
	if f.Config[contract.ConfigMaxLength] != "32" || f.Config["goos"] == "" || f.Model != "tiny_trial_0" {
		t.Errorf("model %q, config %v", f.Model, f.Config)
	}
	if _, err := os.Stat(samplefile.Path(out)); !os.IsNotExist(err) {
		t.Errorf("a samples file without --keep-samples: %v", err)
	}

	out = filepath.Join(dir, "kept", "benchmark.json")
	tinyRun(t, out, "--keep-samples")
	f = readFile(t, out)
	path, err := filepath.Abs(samplefile.Path(out))
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Config[contract.ConfigSamplesFile]; got != path {
		t.Errorf("config samples-file = %q, want %q", got, path)
	}
	recs, err := samplefile.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 {
		t.Fatalf("%d records in the samples file, want 2", len(recs))
	}
	for _, r := range recs {
		b := f.Batches[r.Batch]
		// 3 iterations in whole passes over 3 texts: 3 batches of 1, 4 of 2.
		if want := map[int]int{1: 3, 2: 4}[r.Batch]; b == nil || len(b.SamplesMS) != want || len(r.SamplesNs) != want {
			t.Fatalf("batch %d: samples_ms %v, samples file %v", r.Batch, b, r.SamplesNs)
		}
		for i, ns := range r.SamplesNs {
			if b.SamplesMS[i] != ns/1e6 {
				t.Errorf("batch %d sample %d: %v ms in benchmark.json, %v ns in the samples file", r.Batch, i, b.SamplesMS[i], ns)
			}
		}
	}
}

// nerbench run builds benchmark.json as nerbench convert does from its
// Go benchmark output: the same file but for the timestamp.
func TestRunIsConvert(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "tiny_trial_0", "benchmark.json")
	stdout := tinyRun(t, out, "--format", "gobench")
	ran := readFile(t, out)

	conv := filepath.Join(dir, "converted")
	code, _, stderr := runConvert(t, stdout, "-out-dir", conv, "-")
	if code != 0 {
		t.Fatalf("convert: exit %d\n%s", code, stderr)
	}
	converted := readFile(t, filepath.Join(conv, "tiny_trial_0", "benchmark.json"))
	// convert knows neither the checkpoint nor, without bench.toml, the
	// real name; run knows both.
	abs, _ := filepath.Abs(tinyCheckpoint)
	if ran.Checkpoint != abs {
		t.Errorf("checkpoint %q, want %q", ran.Checkpoint, abs)
	}
	converted.Checkpoint, converted.Timestamp = ran.Checkpoint, ran.Timestamp
	a, _ := json.Marshal(ran)
	b, _ := json.Marshal(converted)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("nerbench run wrote\n%s\nnerbench convert of its output\n%s", a, b)
	}
	if _, ok := ran.Batches[2].Metric(contract.KeyTokens); !ok {
		t.Error("no tokens_per_op")
	}
}
