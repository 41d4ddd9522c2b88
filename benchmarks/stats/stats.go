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

// CV returns the coefficient of variation, StddevNs / MeanNs: the spread
// of the samples relative to their mean; 0 when the mean is not positive.
func (s Summary) CV() float64 {
	if s.MeanNs <= 0 {
		return 0
	}
	return s.StddevNs / s.MeanNs
}

// QuantileCI returns a distribution-free confidence interval, of level
// conf (0.95), for the p-quantile of the population that samples were
// drawn from: order statistics sorted[l] and sorted[u] (0-based) such that
// the number Y ~ Binomial(n, p) of samples below the quantile has
// P(Y < l+1) ≤ (1−conf)/2 and P(Y ≥ u+1) ≤ (1−conf)/2. It makes no
// assumption on the distribution, only that samples are independent. ok is
// false when n is too small for such an interval (a p95 needs 59 samples
// for its upper bound at 95 %, a median 6).
func QuantileCI(sorted []float64, p, conf float64) (lo, hi float64, ok bool) {
	n := len(sorted)
	if n == 0 || !(p > 0 && p < 1) || !(conf > 0 && conf < 1) {
		return 0, 0, false
	}
	tail := (1 - conf) / 2
	cdf := binomCDF(n, p) // cdf[i] = P(Y ≤ i)
	// l: the largest order (1-based) with P(Y ≤ l−1) ≤ tail.
	l := 0
	for i := 1; i <= n; i++ {
		if cdf[i-1] <= tail {
			l = i
		}
	}
	// u: the smallest order (1-based) with P(Y ≥ u) = 1 − P(Y ≤ u−1) ≤ tail.
	u := 0
	for i := n; i >= 1; i-- {
		if 1-cdf[i-1] <= tail {
			u = i
		}
	}
	if l == 0 || u == 0 || l > u {
		return 0, 0, false
	}
	return sorted[l-1], sorted[u-1], true
}

// binomCDF returns P(Y ≤ i) for i = 0 … n, Y ~ Binomial(n, p).
func binomCDF(n int, p float64) []float64 {
	out := make([]float64, n+1)
	lp, lq := math.Log(p), math.Log1p(-p)
	lgN, _ := math.Lgamma(float64(n + 1))
	var sum float64
	for i := 0; i <= n; i++ {
		lgI, _ := math.Lgamma(float64(i + 1))
		lgR, _ := math.Lgamma(float64(n - i + 1))
		sum += math.Exp(lgN - lgI - lgR + float64(i)*lp + float64(n-i)*lq)
		out[i] = min(sum, 1)
	}
	return out
}

// RepeatNoise measures noise apart from the workload: samplesNs hold whole
// passes of passLen batches in run order, so sample j + k·passLen is the
// k-th timing of batch j. For every sample it takes the relative distance
// to the median of its own batch's timings, and returns the median of those
// distances (0.03 for 3 %). Texts of different lengths do not add to it;
// a machine that is busy at some moments and not at others does. ok is
// false with fewer than two whole passes.
func RepeatNoise(samplesNs []float64, passLen int) (float64, bool) {
	if passLen <= 0 || len(samplesNs) < 2*passLen {
		return 0, false
	}
	passes := len(samplesNs) / passLen
	devs := make([]float64, 0, passes*passLen)
	vals := make([]float64, passes)
	for j := range passLen {
		for k := range passes {
			vals[k] = samplesNs[j+k*passLen]
		}
		med := Median(vals)
		if med <= 0 {
			continue
		}
		for _, v := range vals {
			devs = append(devs, math.Abs(v-med)/med)
		}
	}
	if len(devs) == 0 {
		return 0, false
	}
	return Median(devs), true
}
