package benchmarks

import (
	"flag"
	"strconv"
	"testing"
	"time"
)

var (
	e2eRatioOn    = flag.Bool("nerbench.e2e-ratio", false, "run BenchmarkE2ERatio (make e2e-ratio sets it)")
	e2eRatioBatch = flag.Int("nerbench.e2e-ratio-batch", 1, "batch size of BenchmarkE2ERatio")
	e2eRatioAhead = flag.Int("nerbench.e2e-ratio-ahead", 0, "batches BenchmarkE2ERatio tokenizes at a time when it tokenizes on the calling goroutine (0: as the suite chooses, runner.AheadBatches)")
	e2eRatioSync  = flag.String("nerbench.e2e-ratio-sync", "", "true: BenchmarkE2ERatio tokenizes each batch in its own iteration; false: during the previous one; empty: as the suite chooses (runner.E2E.Sync)")
)

// BenchmarkE2ERatio sets the end-to-end mode against inference alone in
// one process, on the same texts: it alternates (A B B A A B) a block of
// the suite's inference-only iterations (runner.Batches.TimeOne on batches
// built beforehand) with a block of end-to-end iterations (runner.E2E:
// tokenize, fill the tensors, run, decode) over the same batches, and
// reports each side's docs/sec and their ratio e2e/inference. A block is a
// whole pass over the test set (the model's warmup and iterations are not
// used), so both sides time the same work.
//
//	make e2e-ratio  # go test -run='^$' -bench=E2ERatio -benchtime=1x -count=5 ./benchmarks -args -nerbench.e2e-ratio
func BenchmarkE2ERatio(b *testing.B) {
	if !*e2eRatioOn {
		b.Skip("a comparison of modes, not a model benchmark: run it with -nerbench.e2e-ratio (make e2e-ratio)")
	}
	size := *e2eRatioBatch
	mc, m, enc, batches := loadOverheadModel(b, size)
	e, err := m.PrepareE2E(enc, size)
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	switch *e2eRatioSync {
	case "true":
		e.Sync = true
	case "false":
		e.Sync = false
	}
	if *e2eRatioAhead > 0 {
		e.Ahead = *e2eRatioAhead
	}
	pass := batches.Len() // batches in a pass
	const rounds = 6
	b.Run("model="+benchNamePart(mc.Name)+"/batch="+itoa(size), func(b *testing.B) {
		// Warm both sides over a whole pass first.
		if _, err := batches.Warmup(pass); err != nil {
			b.Fatal(err)
		}
		for i := range pass {
			if _, err := e.Iterate(i); err != nil {
				b.Fatal(err)
			}
		}
		var inferNs, e2eNs, e2eInferNs float64
		next := pass // e2e iterations go on in order, so the pipeline stays primed
		for b.Loop() {
			for r := range rounds {
				inferFirst := r%4 == 0 || r%4 == 3
				for side := range 2 {
					if (side == 0) == inferFirst {
						for i := range pass {
							d, err := batches.TimeOne(i)
							if err != nil {
								b.Fatal(err)
							}
							inferNs += d
						}
					} else {
						t0 := time.Now()
						for range pass {
							st, err := e.Iterate(next)
							if err != nil {
								b.Fatal(err)
							}
							e2eInferNs += st.Infer
							next++
						}
						e2eNs += float64(time.Since(t0))
					}
				}
			}
		}
		docs := float64(b.N * rounds * pass * size)
		b.ReportMetric(docs/(inferNs/1e9), "infer-docs/sec")
		b.ReportMetric(docs/(e2eNs/1e9), "e2e-docs/sec")
		b.ReportMetric(inferNs/e2eNs, "e2e/infer")
		// The end-to-end side's own inference stage (filling the tensors
		// and Run) against the inference-only side's Run.
		b.ReportMetric(e2eInferNs/inferNs, "e2e-infer-ns/infer-ns")
		b.ReportMetric(0, "ns/op")
	})
}

func itoa(n int) string { return strconv.Itoa(n) }
