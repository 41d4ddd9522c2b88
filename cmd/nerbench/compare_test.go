package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const compareTestdata = "../../internal/compare/testdata/"

var (
	cmpTiny = compareTestdata + "tiny/trial_0/benchmark.json"
	cmpDB   = compareTestdata + "distilbert/trial_1/benchmark.json"
	cmpBert = compareTestdata + "bert/trial_1/benchmark.json"
)

func TestCompareGolden(t *testing.T) {
	for _, tc := range []struct{ format, golden string }{
		{"", "three.txt"},
		{"text", "three.txt"},
		{"markdown", "three.md"},
		{"md", "three.md"},
		{"csv", "three.csv"},
		{"json", "three.json"},
	} {
		args := []string{"compare"}
		if tc.format != "" {
			args = append(args, "-format", tc.format)
		}
		// Flags may follow the files.
		args = append(args, cmpDB, cmpBert, cmpTiny)
		code, stdout, stderr := runNerbench(t, args...)
		if code != 0 {
			t.Fatalf("%q: exit %d, stderr %s", args, code, stderr)
		}
		want, err := os.ReadFile(compareTestdata + "golden/" + tc.golden)
		if err != nil {
			t.Fatal(err)
		}
		// The JSON golden holds paths relative to the compare package.
		got := strings.ReplaceAll(stdout, compareTestdata, "testdata/")
		if got != string(want) {
			t.Errorf("format %q: stdout differs from %s:\n%s", tc.format, tc.golden, stdout)
		}
	}
}

func TestCompareNamesAndOutput(t *testing.T) {
	out := filepath.Join(t.TempDir(), "cmp.md")
	code, stdout, stderr := runNerbench(t, "compare", cmpTiny, "--names", "tiny, distilbert", cmpDB, "--format=md", "-o", out)
	if code != 0 || stdout != "" || !strings.Contains(stderr, "wrote "+out) {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "| Batch Size | tiny | distilbert |") {
		t.Errorf("%s:\n%s", out, data)
	}
}

func TestCompareErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"names count", []string{"--names", "a,b,c", cmpTiny, cmpDB}, "nerbench compare: 3 names for 2 files"},
		{"no files", nil, "no benchmark.json files given"},
		{"missing file", []string{cmpTiny, "nope.json"}, "reading nope.json: no such file or directory"},
		{"invalid file", []string{compareTestdata + "garbage.json"}, compareTestdata + "garbage.json: invalid character"},
		{"format", []string{"-format", "xml", cmpTiny}, `-format "xml": want text, markdown, csv or json`},
		{"flag", []string{"-bogus", cmpTiny}, "flag provided but not defined: -bogus"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runNerbench(t, append([]string{"compare"}, tc.args...)...)
			if code != 2 || stdout != "" || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 2 and %q", code, stdout, stderr, tc.want)
			}
		})
	}
}

// Results measured on different work are refused side by side, unless
// -allow-different-work, which marks them; noise warnings are shown.
func TestCompareDifferentWork(t *testing.T) {
	dir := t.TempDir()
	write := func(name, workload string, extra string) string {
		p := filepath.Join(dir, name, "benchmark.json")
		data := `{"batch_1": {"mean_ms": 2, "median_ms": 2, "p95_ms": 3, "p99_ms": 3, "throughput_docs_per_sec": 500, "samples": 560, "workload": "` + workload + `"}` + extra + `, "device": "cpu", "timestamp": "2026-01-01T00:00:00Z"}`
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a := write("a", "sha256:aaaa", `, "warnings": ["batch_1: busy machine: other processes used 1.20 CPUs during the timed loop (threshold 0.25)"]`)
	b := write("b", "sha256:bbbb", "")
	c := write("c", "sha256:aaaa", "")
	code, _, stderr := runNerbench(t, "compare", a, b)
	if code != 2 || !strings.Contains(stderr, "batch 1: different work") || !strings.Contains(stderr, "-allow-different-work") {
		t.Errorf("different work: exit %d, stderr %q; want 2 and a refusal naming the flag", code, stderr)
	}
	code, stdout, stderr := runNerbench(t, "compare", "-allow-different-work", a, b)
	if code != 0 || !strings.Contains(stdout, "DIFFERENT WORK: batch 1") {
		t.Errorf("-allow-different-work: exit %d, stdout %q, stderr %q; want the table, marked", code, stdout, stderr)
	}
	code, stdout, stderr = runNerbench(t, "compare", a, c)
	if code != 0 || strings.Contains(stdout, "DIFFERENT WORK") || !strings.Contains(stdout, "warning: a batch_1: busy machine") {
		t.Errorf("same work: exit %d, stdout %q, stderr %q; want the table with a's warning", code, stdout, stderr)
	}
	code, _, stderr = runNerbench(t, "report", "-o", filepath.Join(dir, "r.html"), a, b)
	if code != 2 || !strings.Contains(stderr, "different work") {
		t.Errorf("report on different work: exit %d, stderr %q; want a refusal", code, stderr)
	}
}
