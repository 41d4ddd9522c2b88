package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const reportTestdata = "../../internal/htmlreport/testdata/"

func TestReportWritesPage(t *testing.T) {
	out := filepath.Join(t.TempDir(), "sub", "report.html")
	code, stdout, stderr := runNerbench(t, "report", "-title", "Demo models", reportTestdata+"tiny/trial_0/benchmark.json",
		reportTestdata+"bert/trial_1", "-names", "tiny,bert", "-o", out)
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	if stdout != out+"\n" {
		t.Errorf("stdout %q, want the path written", stdout)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	html := string(data)
	for _, want := range []string{"<title>Demo models</title>", "Relative Speed (vs tiny)", "Latency distribution, batch size 16"} {
		if !strings.Contains(html, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if n := strings.Count(html, "<svg"); n != 7 {
		t.Errorf("%d charts, want 7", n)
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".*tmp*"))
	if len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestReportErrors(t *testing.T) {
	tiny := reportTestdata + "tiny/trial_0/benchmark.json"
	out := filepath.Join(t.TempDir(), "r.html")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no output", []string{tiny}, "-o report.html required"},
		{"no files", []string{"-o", out}, "no benchmark.json files given"},
		{"names count", []string{"-o", out, "-names", "a", tiny, tiny}, "1 name for 2 files"},
		{"bad file", []string{"-o", out, compareTestdata + "invalid.json"}, `invalid.json: batch_1: missing key "median_ms"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runNerbench(t, append([]string{"report"}, tc.args...)...)
			if code != 2 || stdout != "" || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 2 and %q", code, stdout, stderr, tc.want)
			}
			if _, err := os.Stat(out); err == nil {
				t.Error("a report was written")
			}
		})
	}
}
