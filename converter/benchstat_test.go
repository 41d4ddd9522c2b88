package converter

import (
	"fmt"
	"strings"
	"testing"
)

// oneColumnCSV is benchstat -format csv output of a single file, or of runs
// that differ in a configuration line (one table per side).
func oneColumnCSV(units ...string) string {
	var b strings.Builder
	b.WriteString("goos: linux\ndevice: cuda\n")
	for i, u := range units {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, ",new.txt,\n,%s,CI\nInference/model=x/batch=4-2,%v,1%%\nInference/model=x/batch=4/extra=1,1,1%%\nOther-2,5,1%%\ngeomean,0.5,\n", u, 0.0025*float64(i+1))
	}
	return b.String()
}

func TestBenchstatOneColumn(t *testing.T) {
	in := oneColumnCSV("sec/op", "p50-sec/op", "p95-sec/op", "p99-sec/op", "docs/sec")
	res, err := Convert([]Input{{Name: "one.csv", Data: []byte(in)}}, Options{Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	f := res.Files["x"].File
	b := f.Batches[4]
	if f.Device != "cuda" || b.MeanMS != 2.5 || b.MedianMS != 5 || b.P95MS != 7.5 || b.P99MS != 10 || b.ThroughputDocsPerSec != 0.0125 {
		t.Errorf("device %s, batch %+v", f.Device, b)
	}
	if len(b.Extra) != 0 || b.Runs != 0 {
		t.Errorf("comparison keys without a baseline: %v, runs %d", b.Extra, b.Runs)
	}
	var msgs []string
	for _, w := range res.Warnings {
		msgs = append(msgs, w.String())
	}
	want := []string{
		`one.csv:6: BenchmarkInference/model=x/batch=4/extra=1: unexpected name part "/extra=1" (want model=<name>/batch=<n>); row skipped`,
		"one.csv: benchstat compared nothing (one column per table); converting without a baseline. If the runs differ in a configuration line such as commit, run benchstat with -ignore commit",
	}
	if strings.Join(msgs, "\n") != strings.Join(want, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(msgs, "\n"), strings.Join(want, "\n"))
	}
	if len(res.Notes) != 1 || !strings.Contains(res.Notes[0].Msg, "ignored 1 row of other benchmarks (BenchmarkOther)") {
		t.Errorf("notes = %v", res.Notes)
	}
}

func TestBenchstatMissingUnit(t *testing.T) {
	in := oneColumnCSV("sec/op", "p50-sec/op", "docs/sec")
	res, err := Convert([]Input{{Name: "few.csv", Data: []byte(in)}}, Options{Now: fixedNow})
	if err == nil {
		t.Fatal("converted a comparison without p95 and p99")
	}
	found := false
	for _, w := range res.Warnings {
		if w.String() == "few.csv:5: model x batch_4: no p95-sec/op, p99-sec/op in the new column; skipped" {
			found = true
		}
	}
	if !found {
		t.Errorf("warnings = %v", res.Warnings)
	}
}

func TestParseConfigLine(t *testing.T) {
	for _, tc := range []struct {
		line, key, val string
		ok             bool
	}{
		{"device: cuda", "device", "cuda", true},
		{"cpu: AMD EPYC 7B13", "cpu", "AMD EPYC 7B13", true},
		{"commit:", "commit", "", true},
		{"ort-version:\t1.30.0", "ort-version", "1.30.0", true},
		{"Device: cpu", "", "", false},
		{"two words: x", "", "", false},
		{"key:value", "", "", false},
		{"PASS", "", "", false},
	} {
		k, v, ok := parseConfigLine(tc.line)
		if k != tc.key || v != tc.val || ok != tc.ok {
			t.Errorf("parseConfigLine(%q) = %q, %q, %v; want %q, %q, %v", tc.line, k, v, ok, tc.key, tc.val, tc.ok)
		}
	}
}

func TestParseP(t *testing.T) {
	for _, tc := range []struct {
		in     string
		p      float64
		n1, n2 int
		ok     bool
	}{
		{"p=0.002 n=6", 0.002, 6, 6, true},
		{"p=0.818 n=6+5", 0.818, 6, 5, true},
		{"n=10", 0, 10, 10, true},
		{"", 0, 0, 0, false},
		{"p=x n=6", 0, 0, 0, false},
	} {
		p, n1, n2, ok := parseP(tc.in)
		if p != tc.p || n1 != tc.n1 || n2 != tc.n2 || ok != tc.ok {
			t.Errorf("parseP(%q) = %v, %d, %d, %v; want %v, %d, %d, %v", tc.in, p, n1, n2, ok, tc.p, tc.n1, tc.n2, tc.ok)
		}
	}
}

func TestDetect(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want format
	}{
		{"goos: linux\nBenchmarkX 1 2 ns/op\n", formatGoBench},
		{"", formatGoBench},
		{"goos: linux\r\n,old.txt,,new.txt,,,\r\n,sec/op,CI,sec/op,CI,vs base,P\r\n", formatBenchstatCSV},
		{",a.txt,\n,sec/op,CI\nInference/model=x/batch=1,0.001,1%\n", formatBenchstatCSV},
		{"         │   old.txt   │   new.txt    │\n         │   sec/op    │   sec/op     vs base   │\n", formatBenchstatText},
	} {
		if got := detect([]byte(tc.in)); got != tc.want {
			t.Errorf("detect(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
