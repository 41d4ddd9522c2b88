package benchmarks

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchproc"

	"github.com/nerbench/nerbench/benchmarks/config"
	"github.com/nerbench/nerbench/benchmarks/shard"
	"github.com/nerbench/nerbench/converter"
	"github.com/nerbench/nerbench/internal/contract"
	"github.com/nerbench/nerbench/internal/contract/schematest"
)

// A threads sweep (intra_op_threads = [1, 2]) runs one session per thread
// count under a threads=<n> level, prints each count's intra-op-threads
// line before its results, gives benchstat a /threads key, and converts
// into one benchmark.json whose batch entries are the first count's and
// whose "threads" object keeps both counts apart.
func TestSuiteThreadSweep(t *testing.T) {
	out := runSuiteConfig(t, "testdata/threads.toml", "-benchtime=8x")
	var names []string
	threadsLine := map[string]string{} // result name → intra-op-threads in effect
	r := benchfmt.NewReader(bytes.NewReader(out), "suite output")
	var results []*benchfmt.Result
	for r.Scan() {
		if res, ok := r.Result().(*benchfmt.Result); ok {
			name := string(res.Name)
			names = append(names, name)
			threadsLine[name] = res.GetConfig(contract.ConfigIntraOpThreads)
			results = append(results, res.Clone())
		}
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"Inference/model=tiny_trial_0/threads=1/batch=1", "Inference/model=tiny_trial_0/threads=1/batch=4",
		"Inference/model=tiny_trial_0/threads=2/batch=1", "Inference/model=tiny_trial_0/threads=2/batch=4",
	}
	var trimmed []string
	for _, n := range names {
		trimmed = append(trimmed, n[:strings.LastIndexByte(n, '-')])
	}
	if !slices.Equal(trimmed, want) {
		t.Fatalf("results %v, want %v\n%s", trimmed, want, out)
	}
	for _, n := range names {
		th := strings.TrimPrefix(strings.Split(n, "/")[2], "threads=")
		if threadsLine[n] != th {
			t.Errorf("%s: intra-op-threads line %q, want %q", n, threadsLine[n], th)
		}
	}

	// benchstat's projection: .name /threads splits the results by
	// thread count.
	var pp benchproc.ProjectionParser
	proj, err := pp.Parse(".name /threads", nil)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, res := range results {
		k := proj.Project(res).StringValues()
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	if !slices.Equal(keys, []string{"Inference 1", "Inference 2"}) {
		t.Errorf("projection .name /threads: %q, want [Inference 1, Inference 2]", keys)
	}

	// Converted: one file, the first count's batch entries, both counts
	// kept apart under "threads".
	cfg, err := config.Load(filepath.Join("testdata", "threads.toml"))
	if err != nil {
		t.Fatal(err)
	}
	_, matrix := shard.Matrix(cfg)
	res, err := converter.Convert([]converter.Input{{Name: "threads.txt", Data: out}}, converter.Options{
		Models: converter.FromConfig(cfg), OutDir: t.TempDir(), Matrix: matrix, Expect: converter.ExpectFromConfig(cfg)})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Failures) > 0 || len(res.Files) != 1 {
		t.Fatalf("failures %v, files %v", res.Failures, res.BenchNames())
	}
	for _, w := range res.Warnings {
		t.Errorf("warning: %s", w)
	}
	f := res.Files["tiny_trial_0"].File
	data, err := contract.Encode(f)
	if err != nil {
		t.Fatal(err)
	}
	schematest.Validate(t, data)
	if _, err := contract.Decode("benchmark.json", data); err != nil {
		t.Fatalf("not a valid benchmark.json: %v", err)
	}
	var loose struct {
		Config       map[string]string                     `json:"config"`
		Batch1       json.RawMessage                       `json:"batch_1"`
		Threads      map[string]map[string]json.RawMessage `json:"threads"`
		ThreadCounts []int                                 `json:"thread_counts"`
	}
	if err := json.Unmarshal(data, &loose); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(loose.ThreadCounts, []int{1, 2}) || len(loose.Threads) != 2 {
		t.Fatalf("thread_counts %v, threads %v", loose.ThreadCounts, loose.Threads)
	}
	if got := loose.Config[contract.ConfigIntraOpThreads]; got != "1" {
		t.Errorf("config intra-op-threads %q, want the first count's, 1", got)
	}
	for _, th := range []string{"1", "2"} {
		if len(loose.Threads[th]) != 2 || loose.Threads[th]["batch_1"] == nil || loose.Threads[th]["batch_4"] == nil {
			t.Errorf("threads %s: %v, want batch_1 and batch_4", th, loose.Threads[th])
		}
	}
	var top, one, two contract.Batch
	for dst, raw := range map[*contract.Batch]json.RawMessage{&top: loose.Batch1, &one: loose.Threads["1"]["batch_1"], &two: loose.Threads["2"]["batch_1"]} {
		if err := json.Unmarshal(raw, dst); err != nil {
			t.Fatal(err)
		}
	}
	// 8 iterations over 8 texts at batch 1: one pass; each count its own
	// 8 samples, never pooled.
	if top.MeanMS != one.MeanMS || top.Iterations != 8 || two.Iterations != 8 || len(one.SamplesMS) != 8 || len(two.SamplesMS) != 8 {
		t.Errorf("batch_1 %+v; threads 1 %+v; threads 2 %+v", top, one, two)
	}
	if slices.Equal(one.SamplesMS, two.SamplesMS) {
		t.Errorf("threads 1 and 2 have the same samples: %v", one.SamplesMS)
	}
}
