package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const checkTestdata = "../../internal/check/testdata/"

func runCheck(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(&o, &e, append([]string{"check"}, args...))
	return code, o.String(), e.String()
}

func TestCheckExitStatus(t *testing.T) {
	old, new := checkTestdata+"old.txt", checkTestdata+"new.txt"
	one := filepath.Join(t.TempDir(), "one.txt")
	data, err := os.ReadFile(old)
	if err != nil {
		t.Fatal(err)
	}
	// The header and the first result of each batch size: one run.
	var keep []string
	seen := map[string]bool{}
	for _, l := range strings.Split(string(data), "\n") {
		f := strings.Fields(l)
		if len(f) > 0 && strings.HasPrefix(f[0], "Benchmark") {
			if seen[f[0]] {
				continue
			}
			seen[f[0]] = true
		}
		keep = append(keep, l)
	}
	if err := os.WriteFile(one, []byte(strings.Join(keep, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name        string
		args        []string
		code        int
		out, errOut string
	}{
		{"regression", []string{"-baseline", old, "-candidate", new}, 1, "REGRESSION", "nerbench check: FAIL: 1 regression in 16 comparisons"},
		{"positional", []string{old, new}, 1, "FAIL: 1 regression", ""},
		{"same", []string{old, old}, 0, "PASS: no regression in 16 comparisons", ""},
		{"threshold flag", []string{"-threshold", "20%", old, new}, 0, "worse, within threshold", ""},
		{"per-metric flag", []string{"-threshold", "0.2", "-threshold-metric", "ns/op=0.1", old, new}, 1, "FAIL: 1 regression in", ""},
		{"metrics", []string{"-metrics", "tokens/op", old, new}, 0, "PASS", ""},
		{"too few", []string{old, one}, 0, "INCONCLUSIVE: 14 of 16", "WARNING: INCONCLUSIVE"},
		{"too few strict", []string{"-strict", old, one}, 1, "INCONCLUSIVE", "(-strict)"},
		{"min samples", []string{"-min-samples", "1", "-alpha", "0.5", old, one}, 0, "PASS", ""},
		{"json", []string{"-format", "json", old, new}, 1, `"verdict": "regression"`, "FAIL"},
		{"markdown", []string{"-format", "markdown", old, new}, 1, "<!-- nerbench-check -->", ""},
		{"missing file", []string{old, "nope.txt"}, 2, "", "candidate: open nope.txt"},
		{"no files", []string{"-baseline", old}, 2, "", "need -baseline and -candidate"},
		{"three files", []string{old, new, new}, 2, "", "unexpected arguments"},
		{"bad format", []string{"-format", "xml", old, new}, 2, "", `-format "xml"`},
		{"bad alpha", []string{"-alpha", "2", old, new}, 2, "", "alpha 2: want 0 < alpha < 1"},
		{"bad threshold", []string{"-threshold", "x", old, new}, 2, "", "is not a number"},
		{"bad model map", []string{"-model-map", "a=b", old, new}, 2, "", "no model a in the baseline"},
		{"missing config", []string{"-config", "nope.toml", old, new}, 2, "", "nope.toml"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := runCheck(t, c.args...)
			if code != c.code || !strings.Contains(stdout, c.out) || !strings.Contains(stderr, c.errOut) {
				t.Errorf("exit %d, want %d; stdout contains %q: %v; stderr contains %q: %v\nstdout:\n%s\nstderr:\n%s",
					code, c.code, c.out, strings.Contains(stdout, c.out), c.errOut, strings.Contains(stderr, c.errOut), stdout, stderr)
			}
		})
	}
}

// The [check] table of bench.toml sets the thresholds, even when the rest
// of the file names checkpoints that are not there; its own errors are
// errors.
func TestCheckConfig(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "bench.toml")
	write := func(s string) {
		if err := os.WriteFile(cfg, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	old, new := checkTestdata+"old.txt", checkTestdata+"new.txt"
	write(`test_data = "nope.json"
[[model]]
name = "x"
checkpoint = "nope"
[check]
threshold = 0.20
`)
	code, stdout, stderr := runCheck(t, "-config", cfg, old, new)
	if code != 0 || !strings.Contains(stdout, "worse by more than 20%") || strings.Contains(stderr, "nope") {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	// Flags win over the file.
	code, _, stderr = runCheck(t, "-config", cfg, "-threshold", "0.05", old, new)
	if code != 1 {
		t.Errorf("with -threshold: exit %d, stderr:\n%s", code, stderr)
	}
	write("[check]\nalpha = 2\n")
	code, _, stderr = runCheck(t, "-config", cfg, old, new)
	if code != 2 || !strings.Contains(stderr, "bench.toml:2") || !strings.Contains(stderr, "alpha") {
		t.Errorf("bad alpha: exit %d, stderr:\n%s", code, stderr)
	}
	write("[check]\nthreshold = 0.05\n[check.thresholds]\n\"ns/op\" = 0.5\n\"median_ms\" = 0.5\n\"p50_ms\" = 0.5\n\"p95-sec/op\" = 0.5\n\"p99-ns/op\" = 0.5\n\"docs/sec\" = 0.5\n")
	code, stdout, stderr = runCheck(t, "-config", cfg, old, new)
	if code != 0 || !strings.Contains(stdout, "threshold for p50_ms: no such metric") {
		t.Errorf("per-metric thresholds: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
}

func TestCheckOutputFile(t *testing.T) {
	out := filepath.Join(t.TempDir(), "check.json")
	code, stdout, stderr := runCheck(t, "-format", "json", "-o", out, checkTestdata+"old.txt", checkTestdata+"old.txt")
	if code != 0 || stdout != "" || !strings.Contains(stderr, "PASS") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Verdict     string `json:"verdict"`
		Comparisons []struct {
			Status string `json:"status"`
		} `json:"comparisons"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	if v.Verdict != "pass" || len(v.Comparisons) != 16 {
		t.Errorf("verdict %q, %d comparisons", v.Verdict, len(v.Comparisons))
	}
}

// Two checkpoints have two model names: one model a side pairs them.
func TestCheckTwoModels(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile(checkTestdata + "new.txt")
	if err != nil {
		t.Fatal(err)
	}
	renamed := filepath.Join(dir, "other.txt")
	if err := os.WriteFile(renamed, bytes.ReplaceAll(data, []byte("model=tiny_trial_0"), []byte("model=tiny_trial_1")), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, _ := runCheck(t, checkTestdata+"old.txt", renamed)
	if code != 1 || !strings.Contains(stdout, "baseline model tiny_trial_0 compared with candidate model tiny_trial_1 (only model on each side)") {
		t.Errorf("exit %d\n%s", code, stdout)
	}
	code, stdout, _ = runCheck(t, "-model-map", "tiny_trial_0=tiny_trial_1", checkTestdata+"old.txt", renamed)
	if code != 1 || !strings.Contains(stdout, "(model map)") {
		t.Errorf("exit %d\n%s", code, stdout)
	}
}

// A benchmark that ran on the baseline but failed (or is missing) on the
// candidate is a warning, and fails the check under -strict.
func TestCheckStrictFailsOnFailedCandidate(t *testing.T) {
	old := checkTestdata + "old.txt"
	data, err := os.ReadFile(old)
	if err != nil {
		t.Fatal(err)
	}
	var failed, missing []string
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, "BenchmarkInference/model=tiny_trial_0/batch=8") {
			continue
		}
		failed = append(failed, l)
		missing = append(missing, l)
	}
	failed = append(failed, "--- FAIL: BenchmarkInference/model=tiny_trial_0/batch=8", "    suite.go:1: out of memory")
	dir := t.TempDir()
	failedPath, missingPath := filepath.Join(dir, "failed.txt"), filepath.Join(dir, "missing.txt")
	os.WriteFile(failedPath, []byte(strings.Join(failed, "\n")), 0o644)
	os.WriteFile(missingPath, []byte(strings.Join(missing, "\n")), 0o644)
	for _, c := range []struct {
		args   []string
		code   int
		errOut string
	}{
		{[]string{old, failedPath}, 0, ""},
		{[]string{"-strict", old, failedPath}, 1, "batch=8"},
		{[]string{"-strict", old, missingPath}, 1, "missing or failed on the candidate (Inference/model=tiny_trial_0/batch=8)"},
		{[]string{"-strict", old, old}, 0, ""},
	} {
		code, stdout, stderr := runCheck(t, c.args...)
		if code != c.code || !strings.Contains(stderr, c.errOut) {
			t.Errorf("check %v: exit %d, want %d; stderr should contain %q:\n%s\n%s", c.args, code, c.code, c.errOut, stdout, stderr)
		}
	}
}
