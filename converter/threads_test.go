package converter

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/nerbench/nerbench/internal/contract"
)

// sweepLine is a result line of the suite's threads sweep.
func sweepLine(threads, batch string, ns string) string {
	return "BenchmarkInference/model=m/threads=" + threads + "/batch=" + batch + "-2 \t 10 \t " + ns +
		" ns/op \t 1 p50-ns/op \t 2 p95-ns/op \t 3 p99-ns/op \t 100 docs/sec\n"
}

// A threads sweep converts into one file: the first count's batch
// entries, every count's under "threads", never pooled; a count × batch
// the configuration expects and the input lacks is a failure of that
// count only.
func TestConvertThreadSweep(t *testing.T) {
	in := "device: cpu\nintra-op-threads: 2\n" + sweepLine("2", "1", "200") + sweepLine("2", "8", "800") +
		"intra-op-threads: 1\n" + sweepLine("1", "1", "300") + sweepLine("1", "8", "900")
	res, err := Convert([]Input{{Name: "sweep.txt", Data: []byte(in)}}, Options{Now: fixedNow,
		Expect: []Expected{{BenchName: "m", BatchSizes: []int{1, 8, 16}, Threads: []int{2, 1}}}})
	if err != nil {
		t.Fatal(err)
	}
	var fails []string
	for _, f := range res.Failures {
		fails = append(fails, f.String())
	}
	if want := []string{
		"BenchmarkInference/model=m/threads=2/batch=16: no result for 2 threads at batch size 16 of the configuration",
		"BenchmarkInference/model=m/threads=1/batch=16: no result for 1 threads at batch size 16 of the configuration",
	}; strings.Join(fails, "\n") != strings.Join(want, "\n") {
		t.Errorf("failures\n%s\nwant\n%s", strings.Join(fails, "\n"), strings.Join(want, "\n"))
	}
	f := res.Files["m"].File
	if f.Batches[1].MeanMS != 0.0002 || f.Config[contract.ConfigIntraOpThreads] != "2" {
		t.Errorf("batch_1 mean %v, intra-op-threads %q: want the first count's (2 threads)", f.Batches[1].MeanMS, f.Config[contract.ConfigIntraOpThreads])
	}
	sweep, counts, err := contract.ThreadSweep(f)
	if err != nil || len(counts) != 2 || counts[0] != 2 || counts[1] != 1 {
		t.Fatalf("counts %v, %v", counts, err)
	}
	for th, want := range map[int]map[int]float64{2: {1: 0.0002, 8: 0.0008}, 1: {1: 0.0003, 8: 0.0009}} {
		for n, mean := range want {
			if b := sweep[th][n]; b == nil || b.MeanMS != mean {
				t.Errorf("threads %d batch %d: %+v, want mean %v", th, n, b, mean)
			}
		}
	}
	for _, w := range res.Warnings {
		if strings.Contains(w.Msg, "runs differ") {
			t.Errorf("thread counts pooled: %s", w)
		}
	}

	// Results with and without a threads part: the newest kind is kept.
	mixed := "device: cpu\n" + strings.ReplaceAll(sweepLine("1", "1", "300"), "/threads=1", "") + sweepLine("1", "1", "500")
	res, err = Convert([]Input{{Name: "mixed.txt", Data: []byte(mixed)}}, Options{Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0].Msg, "dropping the 1 without a threads=<n> part") {
		t.Errorf("warnings %v", res.Warnings)
	}
	data, _ := json.Marshal(res.Files["m"].File)
	if !strings.Contains(string(data), `"thread_counts":[1]`) {
		t.Errorf("kept %s, want the sweep's result", data)
	}
}

// A thread count whose session failed (its threads=<n> level failed, no
// leaf ran) fails that count only; the other count's results stay.
func TestConvertThreadSweepCountFailed(t *testing.T) {
	in := "device: cpu\nintra-op-threads: 1\n" + sweepLine("1", "1", "300") +
		"--- FAIL: BenchmarkInference/model=m/threads=2\n    suite.go:1: session: out of memory\n" +
		"--- FAIL: BenchmarkInference/model=m\n--- FAIL: BenchmarkInference\n"
	res, err := Convert([]Input{{Name: "sweep.txt", Data: []byte(in)}}, Options{Now: fixedNow,
		Expect: []Expected{{BenchName: "m", BatchSizes: []int{1}, Threads: []int{1, 2}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Failures) != 1 || res.Failures[0].String() != "sweep.txt:4: BenchmarkInference/model=m/threads=2: --- FAIL: suite.go:1: session: out of memory" {
		t.Errorf("failures %v", res.Failures)
	}
	o := res.Files["m"]
	if o.File == nil || o.File.Batches[1] == nil || o.File.Batches[1].MeanMS != 0.0003 {
		t.Fatalf("threads 1's result was dropped: %+v", o)
	}
}

// Every count's noise warnings reach the sweep's file: the first count's
// as "batch_<n>: …", the others' marked "threads=<t>: batch_<n>: …".
func TestConvertThreadSweepNoise(t *testing.T) {
	steal := func(line, pct string) string {
		return strings.TrimSuffix(line, "\n") + " \t " + pct + " " + contract.UnitStealPct + "\n"
	}
	in := "device: cpu\nintra-op-threads: 2\n" + steal(sweepLine("2", "1", "200"), "0") +
		"intra-op-threads: 1\n" + steal(sweepLine("1", "1", "300"), "40")
	res, err := Convert([]Input{{Name: "sweep.txt", Data: []byte(in)}}, Options{Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	f := res.Files["m"].File
	if got := f.BatchWarnings(1); len(got) != 0 {
		t.Errorf("first count's warnings %q, want none", got)
	}
	got := f.ThreadBatchWarnings(1, 1)
	if len(got) != 1 || !strings.HasPrefix(got[0], "CPU steal 40.0%") {
		t.Errorf("threads 1 batch 1 warnings %q (file's %q), want the steal", got, f.Warnings())
	}
	if ws := f.Warnings(); len(ws) != 1 || !strings.HasPrefix(ws[0], "threads=1: batch_1: CPU steal") {
		t.Errorf("file warnings %q", ws)
	}
}
