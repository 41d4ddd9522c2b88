package converter

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"golang.org/x/perf/benchmath"
)

func TestMedianAcrossRuns(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want float64
	}{
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 3, 2}, 2.5},
		{[]float64{2.077803, 2.1, 2.05, 2.09, 2.2}, 2.09},
		// The mean of the middle two, without floating-point noise:
		// (2.0906845 + 2.093) / 2 = 2.09184225.
		{[]float64{2.0906845, 2.093, 2.0, 2.2}, 2.09184225},
	} {
		in := slices.Clone(tc.in)
		if got := median(in); got != tc.want {
			t.Errorf("median(%v) = %v, want %v", tc.in, got, tc.want)
		}
		if !slices.Equal(in, tc.in) {
			t.Errorf("median changed its input to %v", in)
		}
	}
	if !math.IsNaN(median(nil)) {
		t.Error("median(nil) is not NaN")
	}
}

// The 95 % interval of the median of n runs is [x(k), x(n+1-k)] (order
// statistics, 1-based) for the largest k with P(Binomial(n, ½) < k) ≤ 2.5 %:
//
//	n = 6:  P(X < 1) = 1/64 = 0.0156; P(X < 2) = 7/64 = 0.109   → k = 1
//	n = 10: P(X < 2) = 11/1024 = 0.0107; P(X < 3) = 56/1024 = 0.0547 → k = 2
//	n = 5:  P(X < 1) = 1/32 = 0.03125 > 2.5 %  → no interval
func TestSummarizeRuns(t *testing.T) {
	for _, tc := range []struct {
		name   string
		in     []float64
		median float64
		ci     [2]float64
		hasCI  bool
	}{
		{"6 runs", []float64{5, 1, 4, 2, 3, 6}, 3.5, [2]float64{1, 6}, true},
		{"10 runs", []float64{10, 2, 8, 4, 6, 1, 9, 3, 7, 5}, 5.5, [2]float64{2, 9}, true},
		{"5 runs", []float64{5, 1, 4, 2, 3}, 3, [2]float64{}, false},
		{"2 runs", []float64{1.5, 2.5}, 2, [2]float64{}, false},
		{"1 run", []float64{7}, 7, [2]float64{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := slices.Clone(tc.in)
			s := SummarizeRuns(in)
			if !slices.Equal(in, tc.in) {
				t.Errorf("SummarizeRuns changed its input to %v", in)
			}
			if s.Median != tc.median {
				t.Errorf("median = %v, want %v", s.Median, tc.median)
			}
			if s.HasCI != tc.hasCI || s.CI95 != tc.ci {
				t.Errorf("ci = %v (has %v), want %v (has %v)", s.CI95, s.HasCI, tc.ci, tc.hasCI)
			}
			if tc.hasCI != (len(s.Warnings) == 0) {
				t.Errorf("warnings = %q with hasCI %v", s.Warnings, tc.hasCI)
			}
			if want := fmt.Sprintf("%d %s: a 95 %% confidence interval needs at least 6", len(tc.in), plural(len(tc.in), "run")); !tc.hasCI && (len(s.Warnings) != 1 || s.Warnings[0] != want) {
				t.Errorf("warnings = %q, want %q", s.Warnings, want)
			}
			// Same median as benchstat's (up to rounding).
			sum := benchmath.AssumeNothing.Summary(benchmath.NewSample(slices.Clone(tc.in), &benchmath.DefaultThresholds), 0.95)
			if math.Abs(sum.Center-s.Median) > 1e-12 {
				t.Errorf("benchmath's median is %v, ours %v", sum.Center, s.Median)
			}
		})
	}
}
