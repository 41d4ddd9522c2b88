package benchmarks

import (
	"flag"
	"testing"
	"time"
)

var gapCostOn = flag.Bool("nerbench.gap-cost", false, "run BenchmarkGapCost (make gap-cost sets it)")

// BenchmarkGapCost measures what work between two Runs costs the second
// Run, on the same batches of one model at batch size 1 (the model
// BenchmarkOverhead picks). Each variant does something before every Run
// and times the Run alone:
//
//	none    nothing: Runs back to back, as the inference-only mode runs them
//	spin10  10 µs of busy waiting on the calling goroutine
//	spin25  25 µs of the same
//	tok1    tokenizing one text (what end-to-end mode did before each Run)
//	tok16   tokenizing 16 texts before every 16th Run (runner.E2E.Ahead)
//
// and reports each variant's Run time over none's. The variants take
// turns, a whole pass each, in a rotating order, so drift hits all alike.
// Only the Run is timed: a ratio above 1 is time the model itself lost.
//
// On the 2-core development machine with ONNX Runtime's default threads
// (one per core), distilbert-shaped model, three runs: tok1 1.031–1.040,
// tok16 1.003–1.005, spin25 1.004–1.015, spin10 1.000–1.005. Tokenizing
// costs the next Run more than a busy wait of the same length; with one
// intra-op thread, exploratory runs put tokenizing one text at about
// 1.013 and a 30 µs wait at 1.00.
//
//	make gap-cost   # = go test -run='^$' -bench=GapCost -benchtime=1x -count=3 ./benchmarks -args -nerbench.gap-cost
func BenchmarkGapCost(b *testing.B) {
	if !*gapCostOn {
		b.Skip("a measurement of ONNX Runtime between Runs, not a model benchmark: run it with -nerbench.gap-cost (make gap-cost)")
	}
	mc, m, enc, batches := loadOverheadModel(b, 1)
	pass := batches.Len()
	texts := enc.Texts
	tokenize := func(i int) {
		if _, _, err := m.Tokenizer.EncodeTokens(texts[i%len(texts)], m.MaxLength, nil); err != nil {
			b.Fatal(err)
		}
	}
	spin := func(d time.Duration) func(int) {
		return func(int) {
			for t0 := time.Now(); time.Since(t0) < d; {
			}
		}
	}
	variants := []struct {
		name   string
		before func(i int)
	}{
		{"none", func(int) {}},
		{"spin10", spin(10 * time.Microsecond)},
		{"spin25", spin(25 * time.Microsecond)},
		{"tok1", func(i int) { tokenize(i + 1) }},
		{"tok16", func(i int) {
			if i%16 == 0 {
				for k := range 16 {
					tokenize(i + 1 + k)
				}
			}
		}},
	}
	b.Run("model="+benchNamePart(mc.Name)+"/batch=1", func(b *testing.B) {
		if _, err := batches.Warmup(pass); err != nil {
			b.Fatal(err)
		}
		ns := make([]float64, len(variants))
		for b.Loop() {
			for r := range 2 * len(variants) {
				for k := range variants {
					v := (k + r) % len(variants)
					for i := range pass {
						variants[v].before(i)
						d, err := batches.TimeOne(i)
						if err != nil {
							b.Fatal(err)
						}
						ns[v] += d
					}
				}
			}
		}
		for k, v := range variants {
			b.ReportMetric(ns[k]/ns[0], v.name+"/none")
		}
		b.ReportMetric(0, "ns/op")
	})
}
