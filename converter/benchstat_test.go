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
