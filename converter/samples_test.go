package converter

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nerbench/nerbench/benchmarks/samplefile"
	"github.com/nerbench/nerbench/internal/contract"
)

// suiteOutput is what the suite prints for one model with keep_samples:
// a samples-file line before its results, two runs (-count=2).
func suiteOutput(samplesPath string) string {
	return `goos: linux
goarch: amd64
pkg: github.com/nerbench/nerbench/benchmarks
ort-version: 1.30.0
device: cpu
samples-file: ` + samplesPath + `
Unit ns/op better=lower assume=nothing
BenchmarkInference/model=tiny_trial_0/batch=1-2   3   2000000 ns/op   2000000 p50-ns/op   3000000 p95-ns/op   3000000 p99-ns/op   500 docs/sec
BenchmarkInference/model=tiny_trial_0/batch=8-2   2   9000000 ns/op   9000000 p50-ns/op   9500000 p95-ns/op   9500000 p99-ns/op   888.9 docs/sec
BenchmarkInference/model=tiny_trial_0/batch=1-2   3   2100000 ns/op   2100000 p50-ns/op   3100000 p95-ns/op   3100000 p99-ns/op   476.2 docs/sec
BenchmarkInference/model=tiny_trial_0/batch=8-2   2   9100000 ns/op   9100000 p50-ns/op   9600000 p95-ns/op   9600000 p99-ns/op   879.1 docs/sec
samples-file:
BenchmarkInference/model=other/batch=1-2   3   2000000 ns/op   2000000 p50-ns/op   3000000 p95-ns/op   3000000 p99-ns/op   500 docs/sec
`
}

func TestSamplesIngested(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "benchmark.samples.jsonl")
	sf, err := samplefile.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	// The suite writes the real model name; the results carry its bench name.
	for _, r := range []samplefile.Record{
		{Model: "tiny/trial-0", Batch: 1, SamplesNs: []float64{1500000, 2000000, 2500000}},
		{Model: "tiny/trial-0", Batch: 8, SamplesNs: []float64{8000000, 10000000}},
		{Model: "tiny/trial-0", Batch: 1, SamplesNs: []float64{2077803, 2100000, 2122197}},
		{Model: "tiny/trial-0", Batch: 8, SamplesNs: []float64{9000000, 9200000}},
		{Model: "someone else", Batch: 1, SamplesNs: []float64{1}},
	} {
		if err := sf.Add(r.Model, r.Batch, r.SamplesNs); err != nil {
			t.Fatal(err)
		}
	}
	if err := sf.Close(); err != nil {
		t.Fatal(err)
	}
	res, err := Convert([]Input{{Name: "bench.txt", Data: []byte(suiteOutput(path))}}, Options{OutDir: dir, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range res.Warnings {
		if strings.Contains(w.Msg, "samples") {
			t.Errorf("warning: %s", w)
		}
	}
	f := res.Files["tiny_trial_0"].File
	if got, want := f.Batches[1].SamplesMS, []float64{1.5, 2, 2.5, 2.077803, 2.1, 2.122197}; !slices.Equal(got, want) {
		t.Errorf("batch_1 samples_ms = %v, want %v", got, want)
	}
	if got, want := f.Batches[8].SamplesMS, []float64{8, 10, 9, 9.2}; !slices.Equal(got, want) {
		t.Errorf("batch_8 samples_ms = %v, want %v", got, want)
	}
	if f.Config[contract.ConfigSamplesFile] != path {
		t.Errorf("config %v", f.Config)
	}
	// An empty samples-file line clears it for the next model.
	other := res.Files["other"].File
	if other.Batches[1].SamplesMS != nil || other.Config[contract.ConfigSamplesFile] != "" {
		t.Errorf("other model: samples %v, config %v", other.Batches[1].SamplesMS, other.Config)
	}
}

func TestSamplesFileProblems(t *testing.T) {
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt.samples.jsonl")
	if err := os.WriteFile(corrupt, []byte(`{"model":"tiny/trial-0","batch":1,"samples_ns":[1]}`+"\n{oops\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.samples.jsonl")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.samples.jsonl")
	for _, tc := range []struct{ path, want string }{
		{missing, "samples file " + missing + ": open " + missing + ": no such file or directory; no samples_ms from it"},
		{corrupt, "samples file " + corrupt + ": " + corrupt + ":2: invalid character 'o'"},
		{empty, "model tiny_trial_0: samples file " + empty + " holds no samples of this model"},
	} {
		res, err := Convert([]Input{{Name: "bench.txt", Data: []byte(suiteOutput(tc.path))}}, Options{OutDir: dir, Now: fixedNow})
		if err != nil {
			t.Fatalf("%s: %v", tc.path, err)
		}
		var msgs []string
		for _, w := range res.Warnings {
			msgs = append(msgs, w.String())
		}
		if !slices.ContainsFunc(msgs, func(m string) bool { return strings.HasPrefix(m, tc.want) }) {
			t.Errorf("warnings %q, want one starting %q", msgs, tc.want)
		}
		f := res.Files["tiny_trial_0"].File
		if len(f.Batches) != 2 || f.Batches[1].SamplesMS != nil || f.Batches[8].SamplesMS != nil {
			t.Errorf("%s: batches %v", tc.path, f.Batches)
		}
	}
}
