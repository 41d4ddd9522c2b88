// The nerbench suite: every model × batch size of bench.toml becomes a
// sub-benchmark BenchmarkInference/model=<name>/batch=<n> that runs real
// inference on ONNX Runtime and reports mean (ns/op), p50, p95 and p99
// latency and docs/sec, in the Go benchmark format that benchstat reads.
//
//	go test -bench=. -run='^$' ./benchmarks
//	NERBENCH_CONFIG=path/to/bench.toml go test -bench=. -run='^$' ./benchmarks
//
// Without -benchtime, each sub-benchmark runs the iterations and warmup of
// bench.toml; with -benchtime=Nx or a duration, testing's own count is used
// (warmup still comes from bench.toml). See README.md, "How the numbers are
// measured".
package benchmarks

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/nerbench/nerbench/benchmarks/config"
	"github.com/nerbench/nerbench/benchmarks/dataset"
	"github.com/nerbench/nerbench/benchmarks/engine"
	"github.com/nerbench/nerbench/benchmarks/runner"
	"github.com/nerbench/nerbench/benchmarks/samplefile"
	"github.com/nerbench/nerbench/benchmarks/stats"
)

// ConfigEnv names the environment variable that points the suite at a
// bench.toml; a relative path is taken from the module root.
const ConfigEnv = "NERBENCH_CONFIG"

var (
	configFlag = flag.String("nerbench.config", "", "bench.toml to run (default $"+ConfigEnv+", else bench.toml at the module root)")
	// fromConfig is set when -benchtime was not given: iterations then
	// come from bench.toml rather than from testing's b.N.
	fromConfig bool
	ortVersion string
)

func TestMain(m *testing.M) {
	flag.Parse()
	benchtimeSet := false
	flag.Visit(func(f *flag.Flag) { benchtimeSet = benchtimeSet || f.Name == "test.benchtime" })
	if !benchtimeSet {
		// One call of each sub-benchmark function does the whole
		// measurement; it sets b.N to the iterations it ran.
		fromConfig = true
		if err := flag.Set("test.benchtime", "1x"); err != nil {
			panic(err)
		}
	}
	os.Exit(m.Run())
}

// configPath resolves the bench.toml to use.
func configPath() (string, error) {
	p := *configFlag
	if p == "" {
		p = os.Getenv(ConfigEnv)
	}
	if p == "" {
		p = "bench.toml"
	}
	if filepath.IsAbs(p) {
		return p, nil
	}
	root, err := engine.ModuleRoot()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, p), nil
}

func BenchmarkInference(b *testing.B) {
	path, err := configPath()
	if err != nil {
		b.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		b.Fatal(err)
	}
	if ortVersion, err = engine.Init(""); err != nil {
		b.Fatal(err)
	}
	defer func() {
		if err := engine.Shutdown(); err != nil {
			b.Error(err)
		}
	}()
	fmt.Print(runner.UnitLines)
	commit := runner.GitCommit()
	datasets := map[string]*dataset.Dataset{}
	for _, mc := range cfg.Models {
		b.Run("model="+benchNamePart(mc.Name), func(b *testing.B) {
			benchModel(b, mc, commit, datasets)
		})
	}
}

// benchNamePart is the model part of the sub-benchmark name.
func benchNamePart(name string) string {
	full := runner.BenchName(name, 1) // "model=<sanitized>/batch=1"
	return full[len("model=") : len(full)-len("/batch=1")]
}

// benchModel loads one model (only when its sub-benchmark is selected by
// -bench) and runs its batch sizes.
func benchModel(b *testing.B, mc config.Model, commit string, datasets map[string]*dataset.Dataset) {
	s := mc.Settings
	ds, ok := datasets[s.TestData]
	if !ok {
		var err error
		if ds, err = dataset.Load(s.TestData); err != nil {
			b.Fatal(err)
		}
		datasets[s.TestData] = ds
	}
	m, err := runner.Open(mc.Name, mc.Checkpoint, s)
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		if err := m.Close(); err != nil {
			b.Error(err)
		}
	}()
	for _, w := range m.Warnings {
		fmt.Fprintf(os.Stderr, "nerbench warning for model %s: %s\n", mc.Name, w)
	}
	enc, err := m.Encode(ds.Texts)
	if err != nil {
		b.Fatalf("model %s: %v", mc.Name, err)
	}
	// go test merges stderr into stdout: progress lines must not look like
	// "key: value" configuration lines, hence the spaces before the colon.
	fmt.Fprintf(os.Stderr, "nerbench loaded model %s, %d texts from %s (%d skipped as empty, %d truncated to %d tokens) tokenized in %v\n",
		mc.Name, len(ds.Texts), ds.Path, ds.Skipped, enc.Truncated, m.MaxLength, enc.Elapsed.Round(1e6))
	var samples *samplefile.File
	if s.KeepSamples {
		if samples, err = samplefile.Create(samplefile.Path(mc.Output)); err != nil {
			b.Fatal(err)
		}
		defer func() {
			if err := samples.Close(); err != nil {
				b.Error(err)
			}
		}()
	}
	// Configuration lines apply to the results that follow them; a
	// samples-file line is printed only when samples are kept, and an
	// empty value clears the previous model's.
	fmt.Print(runner.Env{ORTVersion: ortVersion, Device: m.Session.Device,
		IntraOpThreads: s.IntraOpThreads, InterOpThreads: s.InterOpThreads,
		MaxLength: m.MaxLength, Commit: commit, SamplesFile: samples.Path()}.ConfigLines())
	for _, size := range s.BatchSizes {
		b.Run("batch="+strconv.Itoa(size), func(b *testing.B) {
			benchBatch(b, m, enc, size, samples)
		})
	}
}

func benchBatch(b *testing.B, m *runner.Model, enc *runner.Encoded, size int, keep *samplefile.File) {
	s := m.Settings
	iterations := b.N
	if fromConfig {
		iterations = s.Iterations
	}
	batches, err := m.Prepare(enc, size, s.Warmup+iterations)
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		if err := batches.Close(); err != nil {
			b.Error(err)
		}
	}()
	samples := make([]float64, iterations)
	if err := batches.Warmup(s.Warmup); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	err = batches.Time(samples, s.Warmup)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	b.N = iterations // the iterations column; ns/op below is their mean
	r := runner.Result{Model: m.Name, BatchSize: size, Iterations: iterations,
		Summary: stats.Summarize(samples, size), MeanTokens: float64(batches.Tokens) / float64(batches.Len())}
	for _, metric := range r.Metrics() {
		b.ReportMetric(metric.Value, metric.Unit)
	}
	if keep != nil {
		if err := keep.Add(m.Name, size, samples); err != nil {
			b.Fatal(err)
		}
	}
}
