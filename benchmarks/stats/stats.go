// Package stats summarizes the latency samples of one benchmark run.
//
// The rules are those of the original Python tool (and of MLPerf LoadGen),
// stated exactly so that results can be compared with it:
//
//   - A sample is the wall time of one session.Run on one batch, in
//     nanoseconds.
//   - Percentile p (0 ≤ p ≤ 1) of n samples sorted in ascending order is
//     sorted[min(floor(n·p), n−1)]: a value that was measured, never an
//     interpolation. floor(n·p) is computed in float64 as Python's int(n*p)
//     is, so 100·0.95 gives index 95 and 10·0.95 gives index 9.
//   - The median is the same rule with p = 0.5: sorted[floor(n/2)], which
//     for an even n is the upper of the two middle values, not their mean.
//   - P95 and P99 are the rule with p = 0.95 and p = 0.99.
//   - The mean is the arithmetic mean; Stddev is the sample standard
//     deviation (divisor n−1), 0 when n = 1.
//   - Throughput, in docs/sec, is batch size ÷ mean latency in seconds.
//
// Across repeated runs, a metric's values are summarized by [Median]: the
// middle value, or the mean of the two middle values for an even count (as
// benchstat's median). That is the one median of nerbench outside the
// per-iteration rule above; the converter, check and their tests use it.
package stats

import (
	"math"
	"slices"
)

// Percentile returns sorted[min(floor(n·p), n−1)], the p-th quantile of
// samples already sorted in ascending order (the caller sorts). p is a
// fraction: 0.95 for the 95th percentile. A p below 0 is taken as 0 and a p
// above 1 as 1. Percentile returns NaN when sorted is empty or p is NaN.
func Percentile(sorted []float64, p float64) float64 {
	n := len(sorted)
	if n == 0 || math.IsNaN(p) {
		return math.NaN()
	}
	p = min(max(p, 0), 1)
	i := int(math.Floor(float64(n) * p))
	return sorted[min(i, n-1)]
}

// Median returns the median of values, such as one metric's values across
// repeated runs: the middle value, or the mean of the two middle values for
// an even count; NaN for none. values is not changed. (The median of one
// run's per-iteration latencies is Summary.MedianNs, by the percentile rule.)
func Median(values []float64) float64 {
	n := len(values)
	if n == 0 {
		return math.NaN()
	}
	s := slices.Sorted(slices.Values(values))
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// Summary describes n latency samples, all in nanoseconds except DocsPerSec.
type Summary struct {
	N        int
	MeanNs   float64
	MedianNs float64 // Percentile(sorted, 0.5)
	P95Ns    float64 // Percentile(sorted, 0.95)
	P99Ns    float64 // Percentile(sorted, 0.99)
	MinNs    float64
	MaxNs    float64
	StddevNs float64 // sample standard deviation (n−1); 0 when N is 1
	// DocsPerSec is batchSize ÷ (MeanNs / 1e9): documents per second.
	// It is 0 when the mean is not positive.
	DocsPerSec float64
}

// Summarize computes the Summary of samplesNs, latencies in nanoseconds of
// batches of batchSize documents. It sorts a copy: the caller's slice is
// left as it was. With no samples it returns the zero Summary (N == 0),
// which callers should treat as "nothing measured".
func Summarize(samplesNs []float64, batchSize int) Summary {
	n := len(samplesNs)
	if n == 0 {
		return Summary{}
	}
	sorted := slices.Clone(samplesNs)
	slices.Sort(sorted)

	var sum float64
	for _, v := range sorted {
		sum += v
	}
	mean := sum / float64(n)

	var stddev float64
	if n > 1 {
		var ss float64
		for _, v := range sorted {
			d := v - mean
			ss += d * d
		}
		stddev = math.Sqrt(ss / float64(n-1))
	}

	var docsPerSec float64
	if mean > 0 {
		docsPerSec = float64(batchSize) / (mean / 1e9)
	}

	return Summary{
		N:          n,
		MeanNs:     mean,
		MedianNs:   Percentile(sorted, 0.5),
		P95Ns:      Percentile(sorted, 0.95),
		P99Ns:      Percentile(sorted, 0.99),
		MinNs:      sorted[0],
		MaxNs:      sorted[n-1],
		StddevNs:   stddev,
		DocsPerSec: docsPerSec,
	}
}
