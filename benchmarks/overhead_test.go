package benchmarks

import (
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/nerbench/nerbench/benchmarks/config"
	"github.com/nerbench/nerbench/benchmarks/dataset"
	"github.com/nerbench/nerbench/benchmarks/engine"
	"github.com/nerbench/nerbench/benchmarks/runner"
)

var (
	overheadOn    = flag.Bool("nerbench.overhead", false, "run BenchmarkOverhead (make overhead sets it)")
	overheadBatch = flag.Int("nerbench.overhead-batch", 1, "batch size of BenchmarkOverhead")
	overheadIters = flag.Int("nerbench.overhead-iterations", 0, "iterations per side and round of BenchmarkOverhead (0: the model's iterations in bench.toml)")
	overheadModel = flag.String("nerbench.overhead-model", "", "model of bench.toml that BenchmarkOverhead measures (default: the first whose name contains \"distilbert\", else the first)")
)

// BenchmarkOverhead checks that the suite's timing costs nothing: on the
// same batches of one model at batch size 1 (-nerbench.overhead-batch), it
// alternates (A B B A …) the
// suite's timed loop (runner.Batches.Time: a clock read around every Run)
// with a bare loop of Session.Run timed as a whole, and reports both means
// and their ratio suite/bare. A ratio of 1.00 means the suite adds nothing
// measurable.
//
// Each b.Loop iteration is one whole A B B A A B experiment, so
// -benchtime=1x runs one.
//
//	make overhead   # = go test -run='^$' -bench=Overhead -benchtime=1x -count=5 ./benchmarks -args -nerbench.overhead
func BenchmarkOverhead(b *testing.B) {
	if !*overheadOn {
		b.Skip("a check of the suite itself, not a model benchmark: run it with -nerbench.overhead (make overhead)")
	}
	size := *overheadBatch
	mc, _, _, batches := loadOverheadModel(b, size)
	per := mc.Settings.Iterations
	if *overheadIters > 0 {
		per = *overheadIters
	}
	const rounds = 6 // A B B A A B: drift hits both sides alike
	b.Run("model="+benchNamePart(mc.Name)+"/batch="+itoa(size), func(b *testing.B) {
		// Warm every batch once, so neither side meets a cold one.
		if _, err := batches.Warmup(batches.Len()); err != nil {
			b.Fatal(err)
		}
		samples := make([]float64, per)
		var suiteNs, bareNs, n float64
		for b.Loop() {
			for r := range rounds {
				suiteFirst := r%4 == 0 || r%4 == 3
				for side := range 2 {
					if (side == 0) == suiteFirst {
						if err := batches.Time(samples, 0); err != nil {
							b.Fatal(err)
						}
						for _, s := range samples {
							suiteNs += s
						}
					} else {
						t0 := time.Now()
						for i := range per {
							if err := batches.Run(i); err != nil {
								b.Fatal(err)
							}
						}
						bareNs += float64(time.Since(t0))
					}
				}
			}
			n += float64(rounds * per)
		}
		b.ReportMetric(suiteNs/n, "suite-ns/op")
		b.ReportMetric(bareNs/n, "bare-ns/op")
		b.ReportMetric(suiteNs/bareNs, "suite/bare")
		b.ReportMetric(0, "ns/op")
	})
}

// loadOverheadModel loads the model of bench.toml that BenchmarkOverhead,
// BenchmarkE2ERatio and BenchmarkGapCost measure (pickOverheadModel), with
// ONNX Runtime, tokenizes its test data and builds its batches of size
// size; everything is freed when b ends.
func loadOverheadModel(b *testing.B, size int) (config.Model, *runner.Model, *runner.Encoded, *runner.Batches) {
	path, err := ConfigPath("bench.toml")
	if err != nil {
		b.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		b.Fatal(err)
	}
	mc := pickOverheadModel(b, cfg)
	if _, err := engine.Init(""); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = engine.Shutdown() })
	ds, err := dataset.Load(mc.Settings.TestData)
	if err != nil {
		b.Fatal(err)
	}
	m, err := runner.Open(mc.Name, mc.Checkpoint, mc.Settings)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = m.Close() })
	enc, err := m.Encode(ds.Texts)
	if err != nil {
		b.Fatal(err)
	}
	batches, err := m.Prepare(enc, size)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = batches.Close() })
	return mc, m, enc, batches
}

func pickOverheadModel(b *testing.B, cfg *config.Config) config.Model {
	if len(cfg.Models) == 0 {
		b.Fatalf("%s lists no models", cfg.Path)
	}
	if *overheadModel != "" {
		m, ok := cfg.Model(*overheadModel)
		if !ok {
			b.Fatalf("-nerbench.overhead-model %q: no such model in %s", *overheadModel, cfg.Path)
		}
		return *m
	}
	for _, m := range cfg.Models {
		if strings.Contains(m.Name, "distilbert") {
			return m
		}
	}
	return cfg.Models[0]
}
