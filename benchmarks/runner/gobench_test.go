package runner

import (
	"bytes"
	"slices"
	"testing"

	"golang.org/x/perf/benchfmt"

	"github.com/nerbench/nerbench/benchmarks/stats"
	"github.com/nerbench/nerbench/internal/contract"
)

// The suite reports every metric the contract requires.
func TestEveryRequiredMetricIsMeasured(t *testing.T) {
	for _, m := range contract.Metrics() {
		if _, ok := measured[m.Key]; m.Required && !ok {
			t.Errorf("the contract requires %s (%s) but the suite does not compute it", m.Key, m.Unit)
		}
	}
	for k := range measured {
		if _, ok := contract.MetricByKey(k); !ok {
			t.Errorf("the suite computes %s, which is not in the contract's table", k)
		}
	}
}

func testResult() Result {
	return Result{Model: "tiny/trial-0", BatchSize: 8, Iterations: 20, MeanTokens: 53.35,
		Summary: stats.Summary{MeanNs: 449384.35, MedianNs: 328506, P95Ns: 953717, P99Ns: 2216243, DocsPerSec: 17802.07712}}
}

func TestMetrics(t *testing.T) {
	var units []string
	var values []float64
	for _, m := range testResult().Metrics() {
		units, values = append(units, m.Unit), append(values, m.Value)
	}
	if want := []string{"ns/op", "p50-ns/op", "p95-ns/op", "p99-ns/op", "docs/sec", "tokens/op"}; !slices.Equal(units, want) {
		t.Errorf("units %v, want %v", units, want)
	}
	if want := []float64{449384.35, 328506, 953717, 2216243, 17802.07712, 53.35}; !slices.Equal(values, want) {
		t.Errorf("values %v, want %v", values, want)
	}
}

func TestConfigLines(t *testing.T) {
	env := Env{ORTVersion: "1.30.0", Device: "cpu", InterOpThreads: 1, MaxLength: 128}
	const fixed = "schedule: passes-v1\npercentile-method: sorted[min(floor(n*p),n-1)]\n"
	const want = "ort-version: 1.30.0\ndevice: cpu\nintra-op-threads: default\ninter-op-threads: 1\nmax-length: 128\nbatching: rotate\npadding: longest\nmode: inference\ngraph-optimization: all\nscenario: single\nsamples-file: \nnerbench-version: devel\n" + fixed
	if got := env.ConfigLines(); got != want {
		t.Errorf("ConfigLines() =\n%q\nwant\n%q", got, want)
	}
	env.Commit, env.SamplesFile = "412c071b1274", "/x/benchmark.samples.jsonl"
	env.ModelSHA, env.TokenizerSHA, env.DataSHA, env.TimedTexts = "aa", "bb", "cc", "64 of 560"
	env.GOMAXPROCS, env.CPUQuota, env.ORTThreads = 2, "none", 2
	const want2 = "ort-version: 1.30.0\ndevice: cpu\nintra-op-threads: default\ninter-op-threads: 1\nmax-length: 128\nbatching: rotate\npadding: longest\nmode: inference\ngraph-optimization: all\nscenario: single\ncommit: 412c071b1274\nsamples-file: /x/benchmark.samples.jsonl\n" +
		"nerbench-version: devel\nmodel-sha256: aa\ntokenizer-sha256: bb\ndata-sha256: cc\ntimed-texts: 64 of 560\n" + fixed + "gomaxprocs: 2\ncpu-quota: none\nort-threads: 2\n"
	if got := env.ConfigLines(); got != want2 {
		t.Errorf("ConfigLines() =\n%q\nwant\n%q", got, want2)
	}
}

// WriteResult's line reads back, with benchfmt, as the same name and the
// same float64 values.
func TestWriteResult(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteResult(&buf, testResult()); err != nil {
		t.Fatal(err)
	}
	const want = "BenchmarkInference/model=tiny_trial_0/batch=8 20 449384.35 ns/op 328506 p50-ns/op 953717 p95-ns/op 2.216243e+06 p99-ns/op 17802.07712 docs/sec 53.35 tokens/op\n"
	if buf.String() != want {
		t.Errorf("WriteResult wrote\n%q\nwant\n%q", buf.String(), want)
	}
	r := benchfmt.NewReader(&buf, "result.txt")
	if !r.Scan() {
		t.Fatalf("no result: %v", r.Err())
	}
	res, ok := r.Result().(*benchfmt.Result)
	if !ok {
		t.Fatalf("read %v", r.Result())
	}
	if string(res.Name) != "Inference/model=tiny_trial_0/batch=8" || res.Iters != 20 {
		t.Errorf("name %q, %d iterations", res.Name, res.Iters)
	}
	for _, m := range testResult().Metrics() {
		found := false
		for _, v := range res.Values {
			if v.OrigUnit == m.Unit && v.OrigValue == m.Value || v.OrigUnit == "" && v.Unit == m.Unit && v.Value == m.Value {
				found = true
			}
		}
		if !found {
			t.Errorf("%v %s not read back from %q", m.Value, m.Unit, want)
		}
	}
}
