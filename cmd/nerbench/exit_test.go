package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nerbench/nerbench/internal/contract"
)

// The exit status of every command is as README.md's table says: 0 when
// all went well, 1 for a failed check or benchmark, 2 for bad usage or bad
// input wherever it is found (inputs, bench.toml, an output that is not a
// regular file, a model that cannot run its input, a benchmark.json that
// records a failure).
func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good", "benchmark.json")
	f := &contract.File{Batches: map[int]*contract.Batch{1: {MeanMS: 2, MedianMS: 2, P95MS: 3, P99MS: 3, ThroughputDocsPerSec: 500}},
		Device: "cpu", Timestamp: "2025-01-20T10:30:00Z"}
	if err := contract.Write(good, f); err != nil {
		t.Fatal(err)
	}
	failed := filepath.Join(dir, "failed", "benchmark.json")
	if err := contract.WriteFailure(failed, contract.Failure{Failures: []string{"bench.txt:3: BenchmarkInference/model=a/batch=1: --- FAIL"}, Timestamp: "2025-01-20T10:30:00Z"}); err != nil {
		t.Fatal(err)
	}
	single, err := os.ReadFile(convertTestdata + "single.txt")
	if err != nil {
		t.Fatal(err)
	}
	failing := filepath.Join(dir, "failing.txt")
	os.WriteFile(failing, []byte(string(single)+"--- FAIL: BenchmarkInference/model=tiny_trial_0/batch=32\n"), 0o644)
	old, new := checkTestdata+"old.txt", checkTestdata+"new.txt"
	toml := filepath.Join(dir, "bench.toml")
	os.WriteFile(toml, []byte("test_data = \"t.json\"\n[[model]]\nname = \"a\"\ncheckpoint = \"c\"\n"), 0o644)
	out := func(name string) string { return filepath.Join(dir, "out", name) }

	for _, c := range []struct {
		name string
		args []string
		code int
	}{
		{"no command", nil, 2},
		{"unknown command", []string{"bogus"}, 2},
		{"help", []string{"help"}, 0},

		{"convert", []string{"convert", "-out-dir", out("c0"), convertTestdata + "single.txt"}, 0},
		{"convert failed benchmark", []string{"convert", "-out-dir", out("c1"), failing}, 1},
		{"convert failed benchmark, -allow-partial", []string{"convert", "-allow-partial", "-out-dir", out("c2"), failing}, 0},
		{"convert bad input", []string{"convert", "-out-dir", out("c3"), convertTestdata + "empty.txt"}, 2},
		{"convert bad flag", []string{"convert", "-bogus"}, 2},

		{"check pass", []string{"check", old, old}, 0},
		{"check regression", []string{"check", old, new}, 1},
		{"check bad input", []string{"check", old, filepath.Join(dir, "nope.txt")}, 2},
		{"check output a device", []string{"check", "-o", "/dev/null", old, old}, 2},

		{"compare", []string{"compare", good}, 0},
		{"compare failure record", []string{"compare", good, failed}, 2},
		{"compare output a device", []string{"compare", "-o", "/dev/null", good}, 2},
		{"compare missing", []string{"compare", filepath.Join(dir, "nope")}, 2},

		{"report", []string{"report", "-o", out("r.html"), good}, 0},
		{"report failure record", []string{"report", "-o", out("r2.html"), failed}, 2},
		{"report output a device", []string{"report", "-o", "/dev/null", good}, 2},

		{"select bad config", []string{"select", "--config", filepath.Join(dir, "nope.toml")}, 2},
		{"plan", []string{"plan", "-config", toml}, 0},
		{"plan bad config", []string{"plan", "-config", filepath.Join(dir, "nope.toml")}, 2},

		{"run bad usage", []string{"run", "--checkpoint", dir}, 2},
		{"run output a device", []string{"run", "--checkpoint", dir, "--test-data", toml, "--output", "/dev/null"}, 2},
	} {
		code, _, stderr := runNerbench(t, c.args...)
		if code != c.code {
			t.Errorf("%s: nerbench %s: exit %d, want %d\n%s", c.name, strings.Join(c.args, " "), code, c.code, stderr)
		}
	}
	if fi, err := os.Stat("/dev/null"); err != nil || fi.Mode()&os.ModeDevice == 0 {
		t.Error("/dev/null is no longer a device")
	}
}
