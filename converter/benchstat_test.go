package converter

import (
	"errors"
	"fmt"
	"os"
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
		`one.csv:6: BenchmarkInference/model=x/batch=4/extra=1: unexpected name part "/extra=1" (want model=<name>[/threads=<t>]/batch=<n>); row skipped`,
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
	res, _ := Convert([]Input{{Name: "few.csv", Data: []byte(in)}}, Options{Now: fixedNow})
	var got []string
	for _, f := range res.Failures {
		got = append(got, f.String())
	}
	want := "few.csv:5: BenchmarkInference/model=x/batch=4: no p95-sec/op, p99-sec/op in the new column; not a result"
	if len(got) != 1 || got[0] != want {
		t.Errorf("failures = %q, want %q", got, want)
	}
	if o := res.Files["x"]; o == nil || o.File != nil {
		t.Errorf("model x: want a failure record, got %+v", o)
	}
}

// benchstat CSV is validated column by column: a lost column is never read
// as another one, and a benchmark without a value on the new side is a
// failure, not the baseline's numbers.
func TestBenchstatColumns(t *testing.T) {
	data, err := os.ReadFile("testdata/benchstat.csv")
	if err != nil {
		t.Fatal(err)
	}
	good := string(data)
	dropCols := func(s string, from int) string { // keep the first `from` cells of every CSV row
		var out []string
		for _, l := range strings.Split(s, "\n") {
			if strings.Contains(l, ",") {
				l = strings.Join(strings.Split(l, ",")[:from], ",")
			}
			out = append(out, l)
		}
		return strings.Join(out, "\n")
	}
	noNewValues := strings.NewReplacer(",0.0020933415,1%,", ",,,").Replace(good)
	for _, c := range []struct {
		name, in, wantErr, wantFail string
	}{
		{"new side cut off, names kept", strings.ReplaceAll(dropCols(good, 3), ",testdata/benchstat/old.txt,", ",testdata/benchstat/old.txt,,testdata/benchstat/new.txt,,,"), "a column is missing", ""},
		{"short row", strings.Replace(good, ",~,p=0.818 n=6", ",~", 1), "has 6 cells, its table's header 7", ""},
		{"no value on the new side", noNewValues, "", "batch=1: no sec/op in the new column (testdata/benchstat/new.txt): it ran on the baseline only"},
	} {
		res, err := Convert([]Input{{Name: "cmp.csv", Data: []byte(c.in)}}, Options{Now: fixedNow})
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) || !errors.Is(err, ErrMalformed) {
				t.Errorf("%s: err = %v, want %q", c.name, err, c.wantErr)
			}
			continue
		}
		var fails []string
		for _, f := range res.Failures {
			fails = append(fails, f.String())
		}
		if !strings.Contains(strings.Join(fails, "\n"), c.wantFail) {
			t.Errorf("%s: failures %q, want %q", c.name, fails, c.wantFail)
		}
		if b := res.Files["tiny_trial_0"].File.Batches[1]; b != nil {
			t.Errorf("%s: batch_1 converted: %+v", c.name, b)
		}
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
