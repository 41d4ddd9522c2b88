package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// selectTree writes a small HPO tree: bert is the most accurate and slow,
// distilbert 1.1 % behind and faster, tiny far behind and fastest.
func selectTree(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	bench := func(ms string) string {
		return `{"batch_1": {"mean_ms": ` + ms + `, "median_ms": 1, "p95_ms": 1, "p99_ms": 1, "throughput_docs_per_sec": 1},
			"device": "cpu", "timestamp": "2025-01-20T10:30:00Z"}`
	}
	files := map[string]string{
		"bert/trial_0/metrics.json":         `{"macro-f1": 0.90}`,
		"bert/trial_1/metrics.json":         `{"macro-f1": 0.905}`,
		"bert/trial_1/benchmark.json":       bench("40"),
		"distilbert/trial_0/metrics.json":   `{"macro-f1": 0.895}`,
		"distilbert/trial_0/benchmark.json": bench("20"),
		"tiny/trial_0/metrics.json":         `{"macro-f1": 0.62}`,
		"tiny/trial_0/benchmark.json":       bench("2"),
	}
	for rel, content := range files {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func runSelect(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(&o, &e, append([]string{"select"}, args...))
	return code, o.String(), e.String()
}

type selectOut struct {
	Backbone  string `json:"backbone"`
	TrialName string `json:"trial_name"`
	Criteria  struct {
		Strategy  string   `json:"selection_strategy"`
		Relative  bool     `json:"use_relative_threshold"`
		Threshold *float64 `json:"accuracy_threshold"`
		Source    string   `json:"speed_data_source"`
		Reason    string   `json:"reason"`
	} `json:"selection_criteria"`
}

func decodeSelect(t *testing.T, data string) selectOut {
	t.Helper()
	var s selectOut
	if err := json.Unmarshal([]byte(data), &s); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, data)
	}
	return s
}

func TestSelectStdout(t *testing.T) {
	root := selectTree(t)
	code, stdout, stderr := runSelect("--hpo-dir", root, "--metric", "macro-f1", "--accuracy-threshold", "0.015")
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	s := decodeSelect(t, stdout)
	if s.Backbone != "distilbert" || s.Criteria.Strategy != "accuracy_first_with_threshold" || s.Criteria.Source != "benchmark" || !s.Criteria.Relative {
		t.Errorf("got %+v", s)
	}
	// Without a threshold, the most accurate.
	code, stdout, _ = runSelect("--hpo-dir", root, "--metric", "macro-f1")
	if s := decodeSelect(t, stdout); code != 0 || s.Backbone != "bert" || s.TrialName != "trial_1" || s.Criteria.Strategy != "accuracy_only" {
		t.Errorf("exit %d, got %+v", code, s)
	}
	// An absolute threshold of 0.005 is too small for distilbert.
	code, stdout, _ = runSelect("--hpo-dir", root, "--metric", "macro-f1", "--accuracy-threshold", "0.005", "--absolute")
	if s := decodeSelect(t, stdout); code != 0 || s.Backbone != "bert" || s.Criteria.Relative {
		t.Errorf("exit %d, got %+v", code, s)
	}
}

func TestSelectOutputFileAndWarnings(t *testing.T) {
	root := selectTree(t)
	bad := filepath.Join(root, "tiny", "trial_0", "benchmark.json")
	if err := os.WriteFile(bad, []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "sub", "best_configuration.json")
	code, stdout, stderr := runSelect("--hpo-dir", root, "--metric", "macro-f1", "--accuracy-threshold", "0.015", "--output", out)
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	if stdout != "" {
		t.Errorf("stdout = %q, want nothing", stdout)
	}
	if !strings.Contains(stderr, "warning: "+bad+": invalid character") || !strings.Contains(stderr, "treated as missing") {
		t.Errorf("stderr lacks the warning naming %s:\n%s", bad, stderr)
	}
	if !strings.Contains(stderr, "wrote "+out+": distilbert trial_0 (macro-f1 0.895)") {
		t.Errorf("stderr = %q", stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	// tiny's benchmark counts as missing and no model can be counted, so
	// bert and distilbert are ranked by latency and tiny has no speed data.
	if s := decodeSelect(t, string(data)); s.Backbone != "distilbert" || s.Criteria.Source != "benchmark" {
		t.Errorf("got %+v", s)
	}
}

func TestSelectConfig(t *testing.T) {
	root := selectTree(t)
	dir := t.TempDir()
	toml := filepath.Join(dir, "bench.toml")
	rel, err := filepath.Rel(dir, root)
	if err != nil {
		t.Fatal(err)
	}
	write := func(s string) {
		if err := os.WriteFile(toml, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("[selection]\nhpo_dir = \"" + filepath.ToSlash(rel) + "\"\nmetric = \"macro-f1\"\naccuracy_threshold = 0.015\noutput = \"best.json\"\n")
	code, _, stderr := runSelect("--config", toml)
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	data, err := os.ReadFile(filepath.Join(dir, "best.json"))
	if err != nil {
		t.Fatal(err)
	}
	if s := decodeSelect(t, string(data)); s.Backbone != "distilbert" || *s.Criteria.Threshold != 0.015 {
		t.Errorf("got %+v", s)
	}
	// Flags override the file: an absolute threshold, to stdout.
	code, stdout, stderr := runSelect("--config", toml, "--absolute", "--accuracy-threshold", "0.001", "--output", "-")
	if s := decodeSelect(t, stdout); code != 0 || s.Backbone != "bert" || s.Criteria.Relative || *s.Criteria.Threshold != 0.001 {
		t.Errorf("exit %d, stderr %s, got %+v", code, stderr, s)
	}
	// Contradictory settings in the file are an error naming it.
	write("[selection]\nhpo_dir = \"x\"\nmetric = \"macro-f1\"\naccuracy_threshold = 0.015\nmin_accuracy_gain = 0.02\n")
	code, _, stderr = runSelect("--config", toml)
	if code != 2 || !strings.Contains(stderr, toml+": [selection]: min_accuracy_gain = 0.02 is larger than accuracy_threshold = 0.015") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
}

func TestSelectBadUsage(t *testing.T) {
	root := selectTree(t)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--metric", "macro-f1"}, "no HPO dir"},
		{[]string{"--hpo-dir", root}, "no metric"},
		{[]string{"--hpo-dir", root, "--metric", "m", "--relative", "--absolute"}, "not both"},
		{[]string{"--hpo-dir", root, "--metric", "m", "--accuracy-threshold", "lots"}, `"lots" is not a number`},
		{[]string{"--hpo-dir", root, "--metric", "m", "--goal", "up"}, `goal "up"`},
		{[]string{"--hpo-dir", root, "--metric", "macro-f1", "--accuracy-threshold", "0.015", "--min-accuracy-gain", "0.02"},
			"can never choose a faster model"},
		{[]string{"--hpo-dir", filepath.Join(root, "nope"), "--metric", "m"}, "reading hpo dir"},
		{[]string{"--hpo-dir", root, "--metric", "f1"}, `no candidates`},
		{[]string{"--hpo-dir", root, "--metric", "m", "extra"}, `unexpected argument "extra"`},
	}
	for _, tt := range tests {
		code, stdout, stderr := runSelect(tt.args...)
		if code != 2 || stdout != "" || !strings.Contains(stderr, tt.want) {
			t.Errorf("%q: exit %d, stdout %q, stderr:\n%s\nwant exit 2 and %q", tt.args, code, stdout, stderr, tt.want)
		}
	}
}
