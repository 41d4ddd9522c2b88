package benchmarks

import (
	"bytes"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"
)

// runSuite runs the suite (the root package's BenchmarkInference, which
// calls Run) in a child go test on the tiny demo model and returns what it
// printed on stdout.
func runSuite(t *testing.T, args ...string) []byte {
	t.Helper()
	return runSuiteConfig(t, "testdata/tiny.toml", args...)
}

// runSuiteConfig is runSuite on another bench.toml of testdata.
func runSuiteConfig(t *testing.T, file string, args ...string) []byte {
	t.Helper()
	if testing.Short() {
		t.Skip("runs the suite in a child process")
	}
	config, err := filepath.Abs(file)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat("../outputs/hpo/tiny/trial_0/checkpoint/model.onnx"); err != nil {
		t.Fatalf("the tiny demo checkpoint is missing (%v): run make demo-tiny", err)
	}
	var goArgs, binArgs []string // -nerbench.* flags go to the test binary
	for _, a := range args {
		if strings.HasPrefix(a, "-nerbench.") {
			binArgs = append(binArgs, a)
		} else {
			goArgs = append(goArgs, a)
		}
	}
	cmd := exec.Command("go", append([]string{"test", "-run=^$", "-bench=.", "-count=1"}, goArgs...)...)
	cmd.Args = append(cmd.Args, "..")
	if len(binArgs) > 0 {
		cmd.Args = append(append(cmd.Args, "-args"), binArgs...)
	}
	cmd.Env = append(os.Environ(), ConfigEnv+"="+config)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go test -bench: %v\nstdout:\n%s\nstderr:\n%s", err, out, stderr.String())
	}
	return out
}

type parsed struct {
	results map[string]*benchfmt.Result
	units   benchfmt.UnitMetadataMap
	config  map[string]string
}

func parse(t *testing.T, out []byte) parsed {
	t.Helper()
	p := parsed{results: map[string]*benchfmt.Result{}, config: map[string]string{}}
	r := benchfmt.NewReader(bytes.NewReader(out), "suite output")
	for r.Scan() {
		switch rec := r.Result().(type) {
		case *benchfmt.Result:
			p.results[string(rec.Name)] = rec.Clone()
			for _, c := range rec.Config {
				p.config[c.Key] = string(c.Value)
			}
		case *benchfmt.SyntaxError:
			t.Errorf("suite output: %v", rec)
		}
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	p.units = r.Units()
	return p
}

// The suite's output carries every metric, for every model × batch size of
// the config, in a form benchfmt (and so benchstat) reads.
func TestSuiteOutput(t *testing.T) {
	out := runSuite(t, "-benchtime=5x")
	p := parse(t, out)
	for _, batch := range []struct {
		name string
		size float64
	}{{"Inference/model=tiny_trial_0/batch=1-", 1}, {"Inference/model=tiny_trial_0/batch=4-", 4}} {
		var res *benchfmt.Result
		for name, r := range p.results {
			if strings.HasPrefix(name, batch.name) {
				res = r
			}
		}
		if res == nil {
			t.Fatalf("no result %s in:\n%s", batch.name, out)
		}
		if res.Iters != 5 {
			t.Errorf("%s: %d iterations, want 5 (-benchtime=5x)", batch.name, res.Iters)
		}
		// 5 iterations are rounded up to a whole pass over the 20 timed
		// texts: 20 batches of 1, 5 batches of 4.
		if n, _ := res.Value("samples"); n != 20/batch.size*max(1, math.Ceil(5/(20/batch.size))) {
			t.Errorf("%s: %v samples, want whole passes over 20 texts", batch.name, n)
		}
		vals := map[string]float64{}
		// benchfmt tidies ns/op into sec/op, as benchstat shows it.
		for _, unit := range []string{"sec/op", "p50-sec/op", "p95-sec/op", "p99-sec/op", "docs/sec", "tokens/op", "allocs/op", "B/op",
			"padded-tokens/op", "real-share", "min-sec/op", "first-run-sec", "load-sec", "load-before", "load-after", "nivcsw/op"} { // other-cpus, steal-pct: not over a loop shorter than /proc/stat's tick
			v, ok := res.Value(unit)
			if !ok {
				t.Errorf("%s: no %s", batch.name, unit)
			}
			if math.IsNaN(v) || v < 0 {
				t.Errorf("%s: %s = %v", batch.name, unit, v)
			}
			vals[unit] = v
		}
		if !(vals["padded-tokens/op"] >= vals["tokens/op"] && vals["tokens/op"] > 0) || vals["real-share"] != vals["tokens/op"]/vals["padded-tokens/op"] && math.Abs(vals["real-share"]-vals["tokens/op"]/vals["padded-tokens/op"]) > 1e-3 {
			t.Errorf("%s: padded %v, real %v tokens per batch, real share %v", batch.name, vals["padded-tokens/op"], vals["tokens/op"], vals["real-share"])
		}
		if batch.size == 1 && vals["real-share"] != 1 {
			t.Errorf("%s: real share %v, want 1 (no padding in batches of one)", batch.name, vals["real-share"])
		}
		if !(vals["min-sec/op"] <= vals["p50-sec/op"]) || !(vals["first-run-sec"] > 0) || !(vals["load-sec"] > 0) {
			t.Errorf("%s: min %v, first run %v, session load %v", batch.name, vals["min-sec/op"], vals["first-run-sec"], vals["load-sec"])
		}
		if vals["allocs/op"] != 0 {
			t.Errorf("%s: %v allocs/op in the timed loop, want 0", batch.name, vals["allocs/op"])
		}
		if vals["sec/op"] <= 0 || !(vals["p50-sec/op"] <= vals["p95-sec/op"] && vals["p95-sec/op"] <= vals["p99-sec/op"]) {
			t.Errorf("%s: latencies out of order: %v", batch.name, vals)
		}
		// Throughput is batch size over mean latency (printed to 4 significant digits).
		want := batch.size / vals["sec/op"]
		if math.Abs(vals["docs/sec"]-want)/want > 1e-3 {
			t.Errorf("%s: docs/sec = %v, want batch/mean = %v", batch.name, vals["docs/sec"], want)
		}
	}
	known := map[string]bool{"goos": true, "goarch": true, "pkg": true, "cpu": true, "ort-version": true, "device": true,
		"intra-op-threads": true, "inter-op-threads": true, "max-length": true, "commit": true, "samples-file": true,
		"nerbench-version": true, "model-sha256": true, "tokenizer-sha256": true, "data-sha256": true, "timed-texts": true,
		"schedule": true, "batching": true, "percentile-method": true, "gomaxprocs": true, "cpu-quota": true, "ort-threads": true,
		"padding": true, "mode": true, "graph-optimization": true, "scenario": true,
		"workload": true, "machine": true, "matrix": true, "matrix-cells": true} // shard, shard-cells, shard-plan: empty, unsharded
	for key := range p.config {
		if !known[key] && !strings.HasPrefix(key, ".") {
			t.Errorf("unexpected configuration line %q: progress output must not look like key: value", key)
		}
	}
	for key, want := range map[string]string{"ort-version": "1.30.0", "device": "cpu", "intra-op-threads": "1", "max-length": "128",
		"timed-texts": "20 of 560", "schedule": "passes-v1", "percentile-method": "sorted[min(floor(n*p),n-1)]", "batching": "rotate"} {
		if got := p.config[key]; got != want {
			t.Errorf("config %s = %q, want %q", key, got, want)
		}
	}
	for unit, want := range map[string]string{"docs/sec": "higher", "p95-ns/op": "lower", "p99-ns/op": "lower", "ns/op": "lower"} {
		if got := p.units.GetBetter(unit); (want == "higher") != (got > 0) || got == 0 {
			t.Errorf("unit %s: better = %d, want %s", unit, got, want)
		}
	}
}

// Without -benchtime, testing's time target decides the iterations, and the
// suite says so; with -benchtime=1x every percentile is that one sample, and
// the suite says so too instead of passing it off as a p99.
func TestSuiteIterationCount(t *testing.T) {
	// go test merges the suite's stderr into its stdout.
	out := runSuite(t, "-bench=Inference/.*/batch=1$", "-benchtime=200ms")
	p := parse(t, out)
	if len(p.results) != 1 {
		t.Fatalf("%d results, want 1 (batch=1 only)", len(p.results))
	}
	for name, r := range p.results {
		if r.Iters < MinSamplesP99 { // the tiny model runs in about a millisecond
			t.Errorf("%s: %d iterations in 200ms", name, r.Iters)
		}
	}
	if !bytes.Contains(out, []byte("no -benchtime=Nx given")) {
		t.Errorf("no note that testing chose the count:\n%s", out)
	}
	// 1 iteration is rounded up to a pass: 20 samples, too few for a p99.
	out = runSuite(t, "-bench=Inference/.*/batch=1$", "-benchtime=1x", "-count=2")
	if !bytes.Contains(out, []byte("batch 1 : 20 samples, p99 is the largest sample")) {
		t.Errorf("-benchtime=1x: no warning that p99 is the largest sample:\n%s", out)
	}
	if p := parse(t, out); len(p.results) != 1 { // the warning must not break the result lines
		t.Errorf("-count=2: %d distinct results, want 1:\n%s", len(p.results), out)
	}
	// Noise warnings depend on the machine (see TestBusyMachineWarning);
	// with 100 samples there is no warning about their number.
	out = runSuite(t, "-bench=Inference/.*/batch=1$", "-benchtime=100x")
	if bytes.Contains(out, []byte(" samples, ")) || bytes.Contains(out, []byte("nerbench note")) {
		t.Errorf("-benchtime=100x: unexpected warning:\n%s", out)
	}
}

// Which texts are timed does not depend on the iteration count: runs of 3
// and of 45 iterations print the same workload fingerprints, one per batch
// size, and time whole passes.
func TestSuiteSameWork(t *testing.T) {
	fingerprints := func(out []byte) []string {
		var fps []string
		for line := range strings.Lines(string(out)) {
			if v, ok := strings.CutPrefix(line, "workload: "); ok {
				fps = append(fps, strings.TrimSpace(v))
			}
		}
		return fps
	}
	short, long := runSuite(t, "-benchtime=3x"), runSuite(t, "-benchtime=45x")
	a, b := fingerprints(short), fingerprints(long)
	if len(a) != 2 || a[0] == a[1] || !slices.Equal(a, b) {
		t.Errorf("workload fingerprints: %v with 3 iterations, %v with 45; want the same two, one per batch size", a, b)
	}
	for name, r := range parse(t, long).results {
		n, _ := r.Value("samples")
		pass := 20.0 // batch 1
		if strings.Contains(name, "batch=4") {
			pass = 5
		}
		if n < 45 || math.Mod(n, pass) != 0 {
			t.Errorf("%s: %v samples, want ≥ 45 in whole passes of %v", name, n, pass)
		}
	}
}

// Another module plugs the suite into its own go test with one call
// (examples/plugin: its own go.mod, a bench_test.go calling Run, a
// bench.toml), and gets the same sub-benchmarks, metrics, configuration
// and Unit lines as this repository's own entry point.
func TestPluginModule(t *testing.T) {
	if _, err := os.Stat("../outputs/hpo/tiny/trial_0/checkpoint/model.onnx"); err != nil {
		t.Fatalf("the tiny demo checkpoint is missing (%v): run make demo-tiny", err)
	}
	cmd := exec.Command("go", "test", "-run=^$", "-bench=.", "-benchtime=5x", "-count=1", ".")
	cmd.Dir = "../examples/plugin"
	cmd.Env = append(os.Environ(), "GOFLAGS=", ConfigEnv+"=") // the plugin's own bench.toml
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go test -bench in examples/plugin: %v (if go asks for go mod tidy, this module's dependencies changed: run it in examples/plugin)\nstdout:\n%s\nstderr:\n%s", err, out, stderr.String())
	}
	plugin := parse(t, out)
	own := parse(t, runSuite(t, "-benchtime=5x"))
	for _, size := range []string{"1", "8"} {
		prefix := "Inference/model=tiny/batch=" + size + "-"
		var res *benchfmt.Result
		for name, r := range plugin.results {
			if strings.HasPrefix(name, prefix) {
				res = r
			}
		}
		if res == nil {
			t.Fatalf("examples/plugin: no result %s in:\n%s", prefix, out)
		}
		if res.Iters != 5 {
			t.Errorf("%s: %d iterations, want 5", prefix, res.Iters)
		}
		for _, v := range own.results {
			for _, want := range v.Values {
				switch want.Unit { // present only with enough samples
				case "p50-lo-sec/op", "p50-hi-sec/op", "p95-lo-sec/op", "p95-hi-sec/op", "noise-pct":
					continue
				}
				if _, ok := res.Value(want.Unit); !ok {
					t.Errorf("%s: no %s, which the root suite reports", prefix, want.Unit)
				}
			}
			break
		}
	}
	for key := range own.config {
		if _, ok := plugin.config[key]; !ok && key != "pkg" {
			t.Errorf("examples/plugin: no configuration line %q", key)
		}
	}
	for unit := range own.units {
		if plugin.units.GetBetter(unit.Unit) != own.units.GetBetter(unit.Unit) {
			t.Errorf("unit %s: better = %d in examples/plugin, %d in the root suite", unit.Unit, plugin.units.GetBetter(unit.Unit), own.units.GetBetter(unit.Unit))
		}
	}
}

// The end-to-end mode reports each stage and the offline scenario the
// stream count that gave its best throughput; both report docs/sec as
// batch size ÷ mean and the peak resident memory, and say which they are
// in configuration lines.
func TestSuiteModes(t *testing.T) {
	out := runSuiteConfig(t, "testdata/modes.toml", "-benchtime=4x")
	p := parse(t, out)
	for _, model := range []string{"tiny_e2e", "tiny_offline"} {
		for _, size := range []int{1, 4} {
			name := "Inference/model=" + model + "/batch=" + strconv.Itoa(size) + "-"
			var res *benchfmt.Result
			for n, r := range p.results {
				if strings.HasPrefix(n, name) {
					res = r
				}
			}
			if res == nil {
				t.Errorf("no result %s in:\n%s", name, out)
				continue
			}
			val := func(unit string) float64 {
				v, ok := res.Value(unit)
				if !ok {
					t.Errorf("%s: no %s", name, unit)
				}
				return v
			}
			if mean, docs := val("sec/op"), val("docs/sec"); math.Abs(docs-float64(size)/mean)/docs > 1e-3 {
				t.Errorf("%s: docs/sec %v, want batch/mean %v", name, docs, float64(size)/mean)
			}
			if rss := val("peak-rss-B"); rss < 1<<20 {
				t.Errorf("%s: peak-rss-B %v", name, rss)
			}
			switch model {
			case "tiny_e2e":
				for _, unit := range []string{"tokenize-sec/op", "infer-sec/op", "decode-sec/op"} {
					if v := val(unit); !(v > 0) {
						t.Errorf("%s: %s = %v", name, unit, v)
					}
				}
			case "tiny_offline":
				if s := val("streams"); s != 1 && s != 2 {
					t.Errorf("%s: streams = %v, want 1 or 2", name, s)
				}
			}
		}
	}
	if !strings.Contains(string(out), "mode: e2e") || !strings.Contains(string(out), "scenario: offline") || !strings.Contains(string(out), "batching: sorted") {
		t.Errorf("configuration lines missing in:\n%s", out)
	}
}

// Progress lines, here one per iteration, come only before testing prints
// a leaf's name (the first -count repetition), never split a result line,
// never parse as configuration, and the output still converts.
func TestSuiteProgress(t *testing.T) {
	out := runSuite(t, "-bench=Inference/.*/batch=4$", "-benchtime=10x", "-count=2", "-nerbench.progress=1ns")
	if !bytes.Contains(out, []byte("nerbench progress model tiny/trial-0 batch 4 timed 1 of 10 iterations")) {
		t.Errorf("no progress lines:\n%s", out)
	}
	if n := bytes.Count(out, []byte("nerbench progress model tiny/trial-0 batch 4 timed 1 of")); n != 1 {
		t.Errorf("%d progress lines for the first iteration, want 1 (the first repetition only):\n%s", n, out)
	}
	p := parse(t, out)
	if len(p.results) != 1 {
		t.Fatalf("%d distinct results, want 1:\n%s", len(p.results), out)
	}
	for key := range p.config {
		if strings.Contains(key, "progress") {
			t.Errorf("configuration line %q from a progress line", key)
		}
	}
	runs := 0
	for line := range strings.Lines(string(out)) {
		if strings.HasPrefix(line, "BenchmarkInference/") {
			runs++
			if !strings.Contains(line, "ns/op") || !strings.HasSuffix(strings.TrimSpace(line), "allocs/op") {
				t.Errorf("result line split by progress output: %q", line)
			}
		}
	}
	if runs != 2 {
		t.Errorf("%d result lines, want 2 (-count=2):\n%s", runs, out)
	}
}
