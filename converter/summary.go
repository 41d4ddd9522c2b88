package converter

import (
	"fmt"
	"math"
	"slices"
	"sync"

	"golang.org/x/perf/benchmath"

	"github.com/nerbench/nerbench/benchmarks/stats"
)

// Confidence is the level of the confidence intervals written as "ci95".
const Confidence = 0.95

// median is stats.Median, the median across runs, rounded to 12
// significant digits where it is computed (the mean of the two middle
// values), so that no floating-point noise shows: (2.0906845 + 2.093) / 2
// is 2.09184225.
func median(values []float64) float64 {
	m := stats.Median(values)
	if len(values)%2 == 0 {
		m = round12(m)
	}
	return m
}

// RunSummary summarizes one metric's values across runs.
type RunSummary struct {
	Median float64
	// CI95 is a 95 % confidence interval of the median, valid when HasCI.
	CI95  [2]float64
	HasCI bool
	// Warnings say why there is no interval (too few runs).
	Warnings []string
}

// SummarizeRuns returns the median of values and, as benchstat computes it
// (benchmath.AssumeNothing), a 95 % confidence interval of the median. The
// interval's bounds are order statistics of values; with fewer than 6
// values there is none, and Warnings says so. values is not changed.
func SummarizeRuns(values []float64) RunSummary {
	s := RunSummary{Median: median(values)}
	if len(values) == 0 {
		return s
	}
	sample := benchmath.NewSample(slices.Clone(values), &benchmath.DefaultThresholds)
	sum := benchmath.AssumeNothing.Summary(sample, Confidence)
	if len(sum.Warnings) == 0 && !math.IsInf(sum.Lo, 0) && !math.IsInf(sum.Hi, 0) {
		s.CI95 = [2]float64{sum.Lo, sum.Hi}
		s.HasCI = true
		return s
	}
	// benchmath says "need >= 6 samples for confidence interval at level
	// 0.95"; say it in terms of runs.
	if need := minRunsForCI(); len(values) < need {
		s.Warnings = append(s.Warnings, fmt.Sprintf("%d %s: a 95 %% confidence interval needs at least %d", len(values), plural(len(values), "run"), need))
	} else {
		for _, w := range sum.Warnings {
			s.Warnings = append(s.Warnings, w.Error())
		}
	}
	return s
}

// minRunsForCI returns the fewest runs that give a 95 % confidence
// interval of the median under benchmath.AssumeNothing (6).
var minRunsForCI = sync.OnceValue(func() int {
	const limit = 50
	for n := 2; n < limit; n++ {
		vals := make([]float64, n)
		for i := range vals {
			vals[i] = float64(i)
		}
		sum := benchmath.AssumeNothing.Summary(benchmath.NewSample(vals, &benchmath.DefaultThresholds), Confidence)
		if len(sum.Warnings) == 0 {
			return n
		}
	}
	return limit
})
