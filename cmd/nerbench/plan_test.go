package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// nerbench plan gives every model its own iterations, and a pattern that
// selects that model's sub-benchmarks and no other's, matched part by part
// the way testing matches -bench.
func TestPlan(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "bench.toml")
	toml := `test_data = "data.json"
iterations = 40
batch_sizes = [1, 8]
[[model]]
name = "a"
checkpoint = "a"
[[model]]
name = "a.b/trial-1"
checkpoint = "ab"
output = "ab.json"
iterations = 7
batch_sizes = [4]
`
	if err := os.WriteFile(cfg, []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runNerbench(t, "plan", "-config", cfg)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want := "a\t1\t-test.bench=^BenchmarkInference$/^model=a$/^batch=1$\t-test.benchtime=40x\n" +
		"a\t8\t-test.bench=^BenchmarkInference$/^model=a$/^batch=8$\t-test.benchtime=40x\n" +
		"a.b/trial-1\t4\t-test.bench=^BenchmarkInference$/^model=a\\.b_trial_1$/^batch=4$\t-test.benchtime=7x\n"
	if stdout != want {
		t.Fatalf("plan printed\n%s\nwant\n%s", stdout, want)
	}
	// testing splits -bench at '/' and matches each part against the same
	// level of the benchmark name.
	matches := func(pattern, name string) bool {
		pats, parts := strings.Split(pattern, "/"), strings.Split(name, "/")
		for i, p := range pats {
			if i < len(parts) && !regexp.MustCompile(p).MatchString(parts[i]) {
				return false
			}
		}
		return true
	}
	for _, tc := range []struct {
		model, name string
		want        bool
	}{
		{"a", "BenchmarkInference/model=a/batch=8", true},
		{"a", "BenchmarkInference/model=a_b_trial_1/batch=8", false},
		{"a.b/trial-1", "BenchmarkInference/model=a.b_trial_1/batch=1", true},
		{"a.b/trial-1", "BenchmarkInference/model=aXb_trial_1/batch=1", false},
	} {
		if got := matches(benchPattern(tc.model), tc.name); got != tc.want {
			t.Errorf("pattern of %q on %s: %v, want %v", tc.model, tc.name, got, tc.want)
		}
	}
	if code, _, stderr := runNerbench(t, "plan", "-config", filepath.Join(dir, "missing.toml")); code != 2 || !strings.Contains(stderr, "missing.toml") {
		t.Errorf("missing config: exit %d, stderr %q; want 2 naming the file", code, stderr)
	}
}

// With -shard, plan prints the models that have cells in that shard; the
// shards together print every model, and more shards than cells is an
// error.
func TestPlanShard(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "bench.toml")
	toml := `test_data = "data.json"
batch_sizes = [1, 8]
[[model]]
name = "a"
checkpoint = "a"
[[model]]
name = "b"
checkpoint = "b"
output = "b.json"
[[model]]
name = "c"
checkpoint = "c"
output = "c.json"
batch_sizes = [4]
`
	if err := os.WriteFile(cfg, []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, spec := range []string{"1/3", "2/3", "3/3"} {
		code, stdout, stderr := runNerbench(t, "plan", "-config", cfg, "-shard", spec)
		if code != 0 || !strings.Contains(stderr, "shard "+spec+" of matrix") {
			t.Fatalf("-shard %s: exit %d\n%s", spec, code, stderr)
		}
		for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
			name, _, _ := strings.Cut(line, "\t")
			seen[name] = true
		}
	}
	if len(seen) != 3 {
		t.Errorf("models over all shards: %v, want a, b, c", seen)
	}
	if code, _, stderr := runNerbench(t, "plan", "-config", cfg, "-shard", "1/6"); code != 2 || !strings.Contains(stderr, "only 5 cells") {
		t.Errorf("-shard 1/6 of 5 cells: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := runNerbench(t, "plan", "-config", cfg, "-shard", "0/3"); code != 2 || !strings.Contains(stderr, "want i/n") {
		t.Errorf("-shard 0/3: exit %d\n%s", code, stderr)
	}
}

// A threads sweep prints a line per model × thread count × batch size, its
// pattern with the threads level; shards split those cells.
func TestPlanThreadSweep(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "bench.toml")
	toml := `test_data = "data.json"
iterations = 5
batch_sizes = [1, 8]
[[model]]
name = "a"
checkpoint = "a"
intra_op_threads = [2, 1]
[[model]]
name = "b"
checkpoint = "b"
output = "b.json"
intra_op_threads = 4
`
	if err := os.WriteFile(cfg, []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runNerbench(t, "plan", "-config", cfg)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want := "a\t1\t-test.bench=^BenchmarkInference$/^model=a$/^threads=2$/^batch=1$\t-test.benchtime=5x\n" +
		"a\t8\t-test.bench=^BenchmarkInference$/^model=a$/^threads=2$/^batch=8$\t-test.benchtime=5x\n" +
		"a\t1\t-test.bench=^BenchmarkInference$/^model=a$/^threads=1$/^batch=1$\t-test.benchtime=5x\n" +
		"a\t8\t-test.bench=^BenchmarkInference$/^model=a$/^threads=1$/^batch=8$\t-test.benchtime=5x\n" +
		"b\t1\t-test.bench=^BenchmarkInference$/^model=b$/^batch=1$\t-test.benchtime=5x\n" +
		"b\t8\t-test.bench=^BenchmarkInference$/^model=b$/^batch=8$\t-test.benchtime=5x\n"
	if stdout != want {
		t.Fatalf("plan printed\n%s\nwant\n%s", stdout, want)
	}
	var all []string
	for _, spec := range []string{"1/3", "2/3", "3/3"} {
		code, stdout, stderr := runNerbench(t, "plan", "-config", cfg, "-shard", spec)
		if code != 0 || !strings.Contains(stderr, "of 6 cells") {
			t.Fatalf("-shard %s: exit %d\n%s", spec, code, stderr)
		}
		all = append(all, strings.Split(strings.TrimSpace(stdout), "\n")...)
	}
	if len(all) != 6 {
		t.Errorf("lines over all shards: %q, want the 6 cells once each", all)
	}
	for _, line := range strings.Split(strings.TrimSpace(want), "\n") {
		if !slices.Contains(all, line) {
			t.Errorf("no shard prints %q", line)
		}
	}
}
