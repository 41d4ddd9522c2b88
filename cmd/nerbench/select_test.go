package main

import (
	"bytes"
	"encoding/json"
	"fmt"
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

// selectSweepTree is selectTree with benchmarks of a threads sweep [1, 2],
// written by nerbench convert from the suite's output: bert 40 ms at 1
// thread and 22 ms at 2, distilbert 20 ms and 25 ms, tiny 2 ms and 1.5 ms.
func selectSweepTree(t *testing.T) string {
	t.Helper()
	root := selectTree(t)
	for trial, ms := range map[string][2]float64{
		"bert/trial_1": {40, 22}, "distilbert/trial_0": {20, 25}, "tiny/trial_0": {2, 1.5},
	} {
		var in strings.Builder
		in.WriteString("device: cpu\n")
		for i, th := range []int{1, 2} {
			ns := ms[i] * 1e6
			fmt.Fprintf(&in, "intra-op-threads: %d\nBenchmarkInference/model=m/threads=%d/batch=1-2 \t 10 \t %.0f ns/op \t %.0f p50-ns/op \t %.0f p95-ns/op \t %.0f p99-ns/op \t 100 docs/sec\n",
				th, th, ns, ns, ns, ns)
		}
		txt := filepath.Join(t.TempDir(), "sweep.txt")
		if err := os.WriteFile(txt, []byte(in.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		var o, e bytes.Buffer
		if code := run(&o, &e, []string{"convert", "-out-dir", dir, txt}); code != 0 {
			t.Fatalf("convert: exit %d\n%s", code, e.String())
		}
		data, err := os.ReadFile(filepath.Join(dir, "m", "benchmark.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, trial, "benchmark.json"), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

type sweepSelectOut struct {
	Backbone string `json:"backbone"`
	Criteria struct {
		Source     string `json:"speed_data_source"`
		Note       string `json:"speed_data_note"`
		Setting    string `json:"threads_setting"`
		Threads    *int   `json:"threads"`
		ThreadNote string `json:"threads_note"`
		Reason     string `json:"reason"`
		All        []struct {
			Backbone string `json:"backbone"`
			Threads  *int   `json:"threads"`
		} `json:"all_candidates"`
	} `json:"selection_criteria"`
}

func TestSelectThreads(t *testing.T) {
	root := selectSweepTree(t)
	tests := []struct {
		args     []string
		backbone string
		setting  string
		threads  int            // the chosen trial's; -1: none
		at       map[string]int // per candidate; -1: none
		source   string
		want     string // in the reason, threads_note or speed_data_note
	}{
		{nil, "distilbert", "first", 1, map[string]int{"bert": 1, "distilbert": 1, "tiny": 1}, "benchmark",
			"20 ms vs 40 ms mean latency at batch 1, 1 thread"},
		{[]string{"--threads", "1"}, "distilbert", "1", 1, map[string]int{"bert": 1, "distilbert": 1, "tiny": 1}, "benchmark",
			"20 ms vs 40 ms mean latency at batch 1, 1 thread"},
		{[]string{"--threads", "2"}, "bert", "2", 2, map[string]int{"bert": 2, "distilbert": 2, "tiny": 2}, "benchmark",
			"tiny (1.5 ms vs 22 ms mean latency at batch 1, 2 threads)"},
		{[]string{"--threads", "best"}, "distilbert", "best", 1, map[string]int{"bert": 2, "distilbert": 1, "tiny": 2}, "benchmark",
			"DIFFERENT THREAD COUNTS"},
		// No model file to count: with no usable benchmark there is no
		// speed data at all, and the note says why.
		{[]string{"--threads", "4"}, "bert", "4", -1, map[string]int{"bert": -1, "distilbert": -1, "tiny": -1}, "none",
			"no result at 4 threads (its threads sweep has 1, 2)"},
	}
	for _, tt := range tests {
		args := append([]string{"--hpo-dir", root, "--metric", "macro-f1", "--accuracy-threshold", "0.015"}, tt.args...)
		code, stdout, stderr := runSelect(args...)
		if code != 0 {
			t.Fatalf("%q: exit %d\n%s", tt.args, code, stderr)
		}
		var s sweepSelectOut
		if err := json.Unmarshal([]byte(stdout), &s); err != nil {
			t.Fatal(err)
		}
		c := s.Criteria
		if s.Backbone != tt.backbone || c.Setting != tt.setting || c.Source != tt.source || intOrNone(c.Threads) != tt.threads {
			t.Errorf("%q: chose %s by %s, threads_setting %q, threads %d; want %s by %s, %q, %d", tt.args, s.Backbone, c.Source, c.Setting, intOrNone(c.Threads),
				tt.backbone, tt.source, tt.setting, tt.threads)
		}
		for _, e := range c.All {
			if intOrNone(e.Threads) != tt.at[e.Backbone] {
				t.Errorf("%q: %s at %d threads, want %d", tt.args, e.Backbone, intOrNone(e.Threads), tt.at[e.Backbone])
			}
		}
		if all := c.Reason + "\n" + c.ThreadNote + "\n" + c.Note; !strings.Contains(all, tt.want) {
			t.Errorf("%q: want %q in\n%s", tt.args, tt.want, all)
		}
		if tt.setting == "best" && !strings.Contains(stderr, "warning: DIFFERENT THREAD COUNTS") {
			t.Errorf("--threads best: stderr lacks the warning:\n%s", stderr)
		}
		if tt.setting == "4" && !strings.Contains(stderr, "no result at 4 threads (its threads sweep has 1, 2); treated as missing") {
			t.Errorf("--threads 4: stderr lacks the warning:\n%s", stderr)
		}
	}

	// [selection] threads, and the summary line names the count.
	dir := t.TempDir()
	toml := filepath.Join(dir, "bench.toml")
	out := filepath.Join(dir, "best.json")
	if err := os.WriteFile(toml, []byte("[selection]\nhpo_dir = \""+filepath.ToSlash(root)+"\"\nmetric = \"macro-f1\"\naccuracy_threshold = 0.015\nthreads = 2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runSelect("--config", toml, "--output", out)
	if code != 0 || !strings.Contains(stderr, "wrote "+out+": bert trial_1 (macro-f1 0.905, latency at 2 intra-op threads)") {
		t.Errorf("[selection] threads = 2: exit %d\n%s", code, stderr)
	}
	// The flag overrides the file.
	code, stdout, stderr := runSelect("--config", toml, "--threads", "best", "--output", "-")
	if code != 0 || !strings.Contains(stdout, `"threads_setting": "best"`) {
		t.Errorf("--threads best over the file: exit %d\n%s", code, stderr)
	}

	// --benchmark writes benchmarks without a sweep: not with a count.
	if err := os.WriteFile(toml, []byte("test_data = \"x.json\"\n[selection]\nhpo_dir = \""+filepath.ToSlash(root)+"\"\nmetric = \"macro-f1\"\nthreads = \"best\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runSelect("--config", toml, "--benchmark"); code != 2 || !strings.Contains(stderr, `--benchmark with threads "best"`) {
		t.Errorf("--benchmark with threads best: exit %d\n%s", code, stderr)
	}

	for _, bad := range [][]string{
		{"--threads", "many"},
		{"--threads", "-2"},
	} {
		code, _, stderr := runSelect(append([]string{"--hpo-dir", root, "--metric", "macro-f1"}, bad...)...)
		if code != 2 || !strings.Contains(stderr, "want a thread count ≥ 0") {
			t.Errorf("%q: exit %d\n%s", bad, code, stderr)
		}
	}
}

func intOrNone(p *int) int {
	if p == nil {
		return -1
	}
	return *p
}
