package selection

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nerbench/nerbench/converter"
	"github.com/nerbench/nerbench/internal/contract"
)

// sweepBench returns the benchmark.json the converter writes from the Go
// benchmark output of a threads sweep (bench.toml's intra_op_threads =
// counts, in that order) whose batch_1 mean latency at count counts[i] is
// ms[i]; batch 8 takes five times as long.
func sweepBench(t *testing.T, counts []int, ms []float64) string {
	t.Helper()
	var in strings.Builder
	in.WriteString("goos: linux\ngoarch: amd64\ndevice: cpu\n")
	for i, th := range counts {
		fmt.Fprintf(&in, "intra-op-threads: %d\n", th)
		for _, b := range []struct {
			n     int
			scale float64
		}{{1, 1}, {8, 5}} {
			ns := ms[i] * b.scale * 1e6
			fmt.Fprintf(&in, "BenchmarkInference/model=m/threads=%d/batch=%d-2 \t 10 \t %.0f ns/op \t %.0f p50-ns/op \t %.0f p95-ns/op \t %.0f p99-ns/op \t 100 docs/sec\n",
				th, b.n, ns, ns, ns, ns)
		}
	}
	return convertOne(t, in.String(), counts)
}

// plainBench is sweepBench for a run without a sweep, at intra-op-threads
// threads.
func plainBench(t *testing.T, threads int, ms float64) string {
	t.Helper()
	ns := ms * 1e6
	in := fmt.Sprintf("device: cpu\nintra-op-threads: %d\nBenchmarkInference/model=m/batch=1-2 \t 10 \t %.0f ns/op \t %.0f p50-ns/op \t %.0f p95-ns/op \t %.0f p99-ns/op \t 100 docs/sec\n",
		threads, ns, ns, ns, ns)
	return convertOne(t, in, nil)
}

func convertOne(t *testing.T, in string, counts []int) string {
	t.Helper()
	res, err := converter.Convert([]converter.Input{{Name: "bench.txt", Data: []byte(in)}}, converter.Options{
		Now:    func() time.Time { return time.Date(2025, 1, 20, 10, 30, 0, 0, time.UTC) },
		Expect: []converter.Expected{{BenchName: "m", BatchSizes: []int{1}, Threads: counts}},
	})
	if err != nil || len(res.Failures) > 0 {
		t.Fatalf("convert: %v %v", err, res.Failures)
	}
	data, err := contract.Encode(res.Files["m"].File)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// sweepTree is demoTree with the benchmarks of a threads sweep [1, 2]:
// bert 40 ms at 1 thread and 22 ms at 2; distilbert 20 ms at 1 and 25 ms
// at 2 (too small a model to gain from a second thread); tiny 2 and 1.5.
// At the first count (1) and at each trial's best, distilbert is faster
// than bert; at 2 threads, bert is.
func sweepTree(t *testing.T) string {
	root := demoTree(t, nil)
	writeTree(t, root, map[string]string{
		"bert/trial_1/benchmark.json":                  sweepBench(t, []int{1, 2}, []float64{40, 22}),
		"distilbert/trial_0/checkpoint/benchmark.json": sweepBench(t, []int{1, 2}, []float64{20, 25}),
		"tiny/trial_0/benchmark.json":                  sweepBench(t, []int{1, 2}, []float64{2, 1.5}),
	})
	return root
}

func TestSelectThreads(t *testing.T) {
	root := sweepTree(t)
	type want struct {
		backbone string
		source   string
		setting  string
		chosenAt int            // -1: none
		at       map[string]int // each candidate's threads (-1: none)
		reason   string
		note     string // substring of threads_note, "" for none
		dataNote string // substring of speed_data_note, "" for none
	}
	tests := []struct {
		threads string
		want    want
	}{
		{"", want{backbone: "distilbert", source: SourceBenchmark, setting: "first", chosenAt: 1,
			at:     map[string]int{"bert": 1, "distilbert": 1, "tiny": 1},
			reason: "(20 ms vs 40 ms mean latency at batch 1, 1 thread)"}},
		{"first", want{backbone: "distilbert", source: SourceBenchmark, setting: "first", chosenAt: 1,
			at:     map[string]int{"bert": 1, "distilbert": 1, "tiny": 1},
			reason: "(20 ms vs 40 ms mean latency at batch 1, 1 thread)"}},
		{"1", want{backbone: "distilbert", source: SourceBenchmark, setting: "1", chosenAt: 1,
			at:     map[string]int{"bert": 1, "distilbert": 1, "tiny": 1},
			reason: "(20 ms vs 40 ms mean latency at batch 1, 1 thread)"}},
		{"2", want{backbone: "bert", source: SourceBenchmark, setting: "2", chosenAt: 2,
			at:     map[string]int{"bert": 2, "distilbert": 2, "tiny": 2},
			reason: "the most accurate faster one, tiny (1.5 ms vs 22 ms mean latency at batch 1, 2 threads)"}},
		{"best", want{backbone: "distilbert", source: SourceBenchmark, setting: "best", chosenAt: 1,
			at:     map[string]int{"bert": 2, "distilbert": 1, "tiny": 2},
			reason: "(20 ms vs 22 ms mean latency at batch 1, 1 thread vs 2 threads)",
			note:   "DIFFERENT THREAD COUNTS: the candidates' batch_1 latencies are compared at different intra-op thread counts, each trial at its own fastest thread count (threads best): bert at 2 threads, distilbert at 1 thread, tiny at 2 threads"}},
		// No trial has 4 threads: none counts as benchmarked, and all are
		// ranked by parameter count, saying why.
		{"4", want{backbone: "distilbert", source: SourceProxy, setting: "4", chosenAt: -1,
			at:       map[string]int{"bert": -1, "distilbert": -1, "tiny": -1},
			reason:   "62.2k vs 121.2k parameters",
			dataNote: "ranked by parameter count: no candidate has a usable benchmark.json; not at the thread count asked for (bert: " + root + "/bert/trial_1/benchmark.json: no result at 4 threads (its threads sweep has 1, 2); distilbert: "}},
	}
	for _, tt := range tests {
		t.Run("threads="+tt.threads, func(t *testing.T) {
			res, err := Select(Options{HPODir: root, Metric: "macro-f1", AccuracyThreshold: f(0.015), Threads: tt.threads})
			if err != nil {
				t.Fatal(err)
			}
			c, w := res.Selection.SelectionCriteria, tt.want
			if res.Selection.Backbone != w.backbone || c.SpeedDataSource != w.source || c.ThreadsSetting != w.setting {
				t.Errorf("chose %s by %s, threads_setting %q; want %s by %s, %q", res.Selection.Backbone, c.SpeedDataSource, c.ThreadsSetting, w.backbone, w.source, w.setting)
			}
			if got := intOr(c.Threads); got != w.chosenAt {
				t.Errorf("threads %d, want %d", got, w.chosenAt)
			}
			for _, e := range c.AllCandidates {
				if got := intOr(e.Threads); got != w.at[e.Backbone] {
					t.Errorf("%s: threads %d, want %d", e.Backbone, got, w.at[e.Backbone])
				}
				if strings.Join(strings.Fields(fmt.Sprint(e.BenchmarkThreadCounts)), " ") != "[1 2]" {
					t.Errorf("%s: benchmark_thread_counts %v", e.Backbone, e.BenchmarkThreadCounts)
				}
			}
			if !strings.Contains(c.Reason, w.reason) {
				t.Errorf("reason %q\nwant %q in it", c.Reason, w.reason)
			}
			if (w.note == "") != (c.ThreadsNote == "") || !strings.Contains(c.ThreadsNote, w.note) {
				t.Errorf("threads_note %q, want %q", c.ThreadsNote, w.note)
			}
			if w.note != "" && !strings.Contains(strings.Join(res.Warnings, "\n"), w.note) {
				t.Errorf("warnings %q lack the threads note", res.Warnings)
			}
			if (w.dataNote == "") != (c.SpeedDataNote == "") || !strings.Contains(c.SpeedDataNote, w.dataNote) {
				t.Errorf("speed_data_note %q\nwant %q", c.SpeedDataNote, w.dataNote)
			}
		})
	}
	if _, err := Select(Options{HPODir: root, Metric: "macro-f1", Threads: "fastest"}); err == nil || !strings.Contains(err.Error(), `threads "fastest": want a thread count`) {
		t.Errorf("threads fastest: %v", err)
	}
}

func intOr(p *int) int {
	if p == nil {
		return -1
	}
	return *p
}

// Benchmarks without a sweep: the default setting shows no thread count
// (the output is as before the setting); a count is matched against the
// file's intra-op-threads line; one trial lacking the count sends all to
// the parameter proxy, naming it.
func TestSelectThreadsWithoutSweep(t *testing.T) {
	root := demoTree(t, nil)
	writeTree(t, root, map[string]string{
		"bert/trial_1/benchmark.json":                  plainBench(t, 2, 40),
		"distilbert/trial_0/checkpoint/benchmark.json": plainBench(t, 2, 20),
		"tiny/trial_0/benchmark.json":                  plainBench(t, 1, 2),
	})
	sel := func(threads string) *Criteria {
		t.Helper()
		res, err := Select(Options{HPODir: root, Metric: "macro-f1", AccuracyThreshold: f(0.015), Threads: threads})
		if err != nil {
			t.Fatal(err)
		}
		return &res.Selection.SelectionCriteria
	}
	c := sel("")
	if c.ThreadsSetting != "" || c.Threads != nil || c.ThreadsNote != "" || c.AllCandidates[0].Threads != nil || strings.Contains(c.Reason, "thread") {
		t.Errorf("default without a sweep shows threads: %+v", c)
	}
	c = sel("2")
	if c.SpeedDataSource != SourceProxy || c.ThreadsSetting != "2" ||
		!strings.Contains(c.SpeedDataNote, "tiny: "+filepath.Join(root, "tiny/trial_0/benchmark.json")+": no result at 2 threads: measured without a threads sweep, at intra-op-threads 1") {
		t.Errorf("threads 2: %s: %s", c.SpeedDataSource, c.SpeedDataNote)
	}
	c = sel("best")
	if c.SpeedDataSource != SourceBenchmark || intOr(c.Threads) != 2 || !strings.Contains(c.ThreadsNote, "tiny at 1 thread") {
		t.Errorf("threads best: %s, threads %d, note %q", c.SpeedDataSource, intOr(c.Threads), c.ThreadsNote)
	}
	// Without the tiny trial, 2 threads is every benchmark's count.
	if err := os.RemoveAll(filepath.Join(root, "tiny")); err != nil {
		t.Fatal(err)
	}
	c = sel("2")
	if c.SpeedDataSource != SourceBenchmark || intOr(c.Threads) != 2 || c.ThreadsNote != "" || !strings.Contains(c.Reason, "20 ms vs 40 ms mean latency at batch 1, 2 threads") {
		t.Errorf("threads 2 without tiny: %+v", c)
	}
}

// A sweep whose first count differs between trials ([2, 1] and [1, 2]):
// the default compares them at different counts, and says so.
func TestSelectThreadsFirstCountsDiffer(t *testing.T) {
	root := sweepTree(t)
	writeTree(t, root, map[string]string{"bert/trial_1/benchmark.json": sweepBench(t, []int{2, 1}, []float64{22, 40})})
	res, err := Select(Options{HPODir: root, Metric: "macro-f1"})
	if err != nil {
		t.Fatal(err)
	}
	c := res.Selection.SelectionCriteria
	if !strings.Contains(c.ThreadsNote, "the first count of its own threads sweep (threads first): bert at 2 threads, distilbert at 1 thread") || intOr(c.Threads) != 2 {
		t.Errorf("threads %d, note %q", intOr(c.Threads), c.ThreadsNote)
	}
}

func TestSelectThreadsGolden(t *testing.T) {
	for _, threads := range []string{"best", "4"} {
		t.Run(threads, func(t *testing.T) {
			root := sweepTree(t)
			res, err := Select(Options{HPODir: root, Metric: "macro-f1", AccuracyThreshold: f(0.015), Threads: threads})
			if err != nil {
				t.Fatal(err)
			}
			out, err := res.Selection.Encode()
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, "sweep_threads_"+threads+".json", root, out)
			checkGolden(t, "sweep_threads_"+threads+".warnings.txt", root, []byte(strings.Join(append(res.Warnings, ""), "\n")))
		})
	}
}

// The noise warnings select reads are those of the count it picks: the
// converter marks a count's other than the first, and pickThreads finds
// them.
func TestPickThreadsWarnings(t *testing.T) {
	line := func(th int, ns, steal string) string {
		return fmt.Sprintf("intra-op-threads: %d\nBenchmarkInference/model=m/threads=%d/batch=1-2 \t 10 \t %s ns/op \t %s p50-ns/op \t %s p95-ns/op \t %s p99-ns/op \t 100 docs/sec \t %s %s\n",
			th, th, ns, ns, ns, ns, steal, contract.UnitStealPct)
	}
	data := convertOne(t, "device: cpu\n"+line(2, "2000000", "0")+line(1, "3000000", "40"), []int{2, 1})
	f, err := contract.Decode("benchmark.json", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		ts   threadSetting
		want int
	}{{threadSetting{first: true}, 0}, {threadSetting{count: 2}, 0}, {threadSetting{count: 1}, 1}} {
		at, err := pickThreads(f, tc.ts)
		if err != nil {
			t.Fatal(err)
		}
		if len(at.warnings) != tc.want || (tc.want == 1 && !strings.HasPrefix(at.warnings[0], "CPU steal 40.0%")) {
			t.Errorf("%+v: warnings %q, want %d", tc.ts, at.warnings, tc.want)
		}
	}
}
