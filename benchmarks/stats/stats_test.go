package stats

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// seq returns 1, 2, …, n (in units of unit).
func seq(n int, unit float64) []float64 {
	s := make([]float64, n)
	for i := range n {
		s[i] = float64(i+1) * unit
	}
	return s
}

func TestPercentile(t *testing.T) {
	tests := []struct {
		name   string
		sorted []float64
		p      float64
		want   float64
	}{
		// Hand-computed: index = min(floor(n*p), n-1), value = index+1 for seq.
		{"n=1 p50", []float64{7}, 0.5, 7},
		{"n=1 p99", []float64{7}, 0.99, 7},
		{"n=3 p50 floor(1.5)=1", []float64{10, 20, 30}, 0.5, 20},
		{"n=3 p95 floor(2.85)=2", []float64{10, 20, 30}, 0.95, 30},
		{"n=4 p50 floor(2)=2 upper middle", []float64{1, 2, 3, 4}, 0.5, 3},
		{"n=10 p50 floor(5)=5", seq(10, 1), 0.5, 6},
		{"n=10 p95 floor(9.5)=9", seq(10, 1), 0.95, 10},
		{"n=10 p99 floor(9.9)=9", seq(10, 1), 0.99, 10},
		{"n=10 p90 floor(9)=9", seq(10, 1), 0.9, 10},
		{"n=10 p10 floor(1)=1", seq(10, 1), 0.1, 2},
		{"n=20 p95 floor(19)=19", seq(20, 1), 0.95, 20},
		{"n=50 p99 floor(49.5)=49", seq(50, 1), 0.99, 50},
		{"n=100 p50", seq(100, 1), 0.5, 51},
		{"n=100 p95 floor(95)=95", seq(100, 1), 0.95, 96},
		{"n=100 p99 floor(99)=99", seq(100, 1), 0.99, 100},
		{"n=200 p95 floor(190)=190", seq(200, 1), 0.95, 191},
		{"n=1000 p99 floor(990)=990", seq(1000, 1), 0.99, 991},
		{"p=0 is the minimum", seq(10, 1), 0, 1},
		{"p=1 is the maximum (clamped to n-1)", seq(10, 1), 1, 10},
		{"p<0 is taken as 0", seq(10, 1), -0.5, 1},
		{"p>1 is taken as 1", seq(10, 1), 1.5, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Percentile(tt.sorted, tt.p); got != tt.want {
				t.Errorf("Percentile(n=%d, %v) = %v, want %v", len(tt.sorted), tt.p, got, tt.want)
			}
		})
	}
}

func TestPercentileUndefined(t *testing.T) {
	if got := Percentile(nil, 0.5); !math.IsNaN(got) {
		t.Errorf("Percentile(empty) = %v, want NaN", got)
	}
	if got := Percentile([]float64{1, 2}, math.NaN()); !math.IsNaN(got) {
		t.Errorf("Percentile(p=NaN) = %v, want NaN", got)
	}
}

func TestSummarize(t *testing.T) {
	const ms = 1e6 // nanoseconds per millisecond
	tests := []struct {
		name    string
		samples []float64
		batch   int
		want    Summary
	}{
		{
			name:    "n=1",
			samples: []float64{4 * ms},
			batch:   1,
			want: Summary{N: 1, MeanNs: 4 * ms, MedianNs: 4 * ms, P95Ns: 4 * ms, P99Ns: 4 * ms,
				MinNs: 4 * ms, MaxNs: 4 * ms, StddevNs: 0, DocsPerSec: 250},
		},
		{
			name:    "n=3 unsorted",
			samples: []float64{30 * ms, 10 * ms, 20 * ms},
			batch:   2,
			// mean 20 ms; stddev sqrt((100+0+100)/2) = 10 ms; 2 / 0.020 s = 100.
			want: Summary{N: 3, MeanNs: 20 * ms, MedianNs: 20 * ms, P95Ns: 30 * ms, P99Ns: 30 * ms,
				MinNs: 10 * ms, MaxNs: 30 * ms, StddevNs: 10 * ms, DocsPerSec: 100},
		},
		{
			name:    "n=4 even median is the upper middle",
			samples: []float64{4, 1, 3, 2},
			batch:   1,
			// mean 2.5 ns; stddev sqrt(5/3); 1 / 2.5e-9 s.
			want: Summary{N: 4, MeanNs: 2.5, MedianNs: 3, P95Ns: 4, P99Ns: 4,
				MinNs: 1, MaxNs: 4, StddevNs: math.Sqrt(5.0 / 3), DocsPerSec: 4e8},
		},
		{
			name:    "n=10 reversed",
			samples: reversed(seq(10, ms)),
			batch:   8,
			// mean 5.5 ms; stddev of 1..10 = sqrt(82.5/9); 8 / 0.0055 s.
			want: Summary{N: 10, MeanNs: 5.5 * ms, MedianNs: 6 * ms, P95Ns: 10 * ms, P99Ns: 10 * ms,
				MinNs: 1 * ms, MaxNs: 10 * ms, StddevNs: 3.0276503540974917 * ms, DocsPerSec: 1454.5454545454547},
		},
		{
			name:    "n=100 shuffled",
			samples: shuffled(seq(100, ms)),
			batch:   16,
			// mean 50.5 ms; sample variance of 1..n is n(n+1)/12; 16 / 0.0505 s.
			want: Summary{N: 100, MeanNs: 50.5 * ms, MedianNs: 51 * ms, P95Ns: 96 * ms, P99Ns: 100 * ms,
				MinNs: 1 * ms, MaxNs: 100 * ms, StddevNs: math.Sqrt(100*101/12.0) * ms, DocsPerSec: 16 / 0.0505},
		},
		{
			name:    "all zero latencies give no throughput",
			samples: []float64{0, 0},
			batch:   1,
			want:    Summary{N: 2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := slices.Clone(tt.samples)
			got := Summarize(tt.samples, tt.batch)
			if !slices.Equal(tt.samples, before) {
				t.Errorf("Summarize reordered the caller's slice: %v, was %v", tt.samples, before)
			}
			checks := []struct {
				field     string
				got, want float64
			}{
				{"MeanNs", got.MeanNs, tt.want.MeanNs},
				{"MedianNs", got.MedianNs, tt.want.MedianNs},
				{"P95Ns", got.P95Ns, tt.want.P95Ns},
				{"P99Ns", got.P99Ns, tt.want.P99Ns},
				{"MinNs", got.MinNs, tt.want.MinNs},
				{"MaxNs", got.MaxNs, tt.want.MaxNs},
				{"StddevNs", got.StddevNs, tt.want.StddevNs},
				{"DocsPerSec", got.DocsPerSec, tt.want.DocsPerSec},
			}
			if got.N != tt.want.N {
				t.Errorf("N = %d, want %d", got.N, tt.want.N)
			}
			for _, c := range checks {
				if !near(c.got, c.want) {
					t.Errorf("%s = %v, want %v", c.field, c.got, c.want)
				}
			}
		})
	}
}

func TestSummarizeEmpty(t *testing.T) {
	if got := Summarize(nil, 8); got != (Summary{}) {
		t.Errorf("Summarize(nil) = %+v, want the zero Summary", got)
	}
	if got := Summarize([]float64{}, 8); got != (Summary{}) {
		t.Errorf("Summarize([]) = %+v, want the zero Summary", got)
	}
}

func TestSummarizeDoesNotReorderLargeInput(t *testing.T) {
	samples := shuffled(seq(1000, 1))
	before := slices.Clone(samples)
	s := Summarize(samples, 1)
	if !slices.Equal(samples, before) {
		t.Fatal("Summarize reordered the caller's slice")
	}
	if s.P99Ns != 991 || s.P95Ns != 951 || s.MedianNs != 501 {
		t.Errorf("got median %v p95 %v p99 %v, want 501 951 991", s.MedianNs, s.P95Ns, s.P99Ns)
	}
}

// near reports whether a and b agree to 1e-12 relative (exact for zero).
func near(a, b float64) bool {
	if a == b {
		return true
	}
	return math.Abs(a-b) <= 1e-12*math.Max(math.Abs(a), math.Abs(b))
}

func shuffled(s []float64) []float64 {
	r := rand.New(rand.NewPCG(1, 2))
	r.Shuffle(len(s), func(i, j int) { s[i], s[j] = s[j], s[i] })
	return s
}

func reversed(s []float64) []float64 {
	slices.Reverse(s)
	return s
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want float64
	}{
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 3, 2}, 2.5},
		{[]float64{2.077803, 2.1, 2.05, 2.09, 2.2}, 2.09},
		{[]float64{-1, 7}, 3},
	} {
		in := slices.Clone(tc.in)
		if got := Median(in); got != tc.want {
			t.Errorf("Median(%v) = %v, want %v", tc.in, got, tc.want)
		}
		if !slices.Equal(in, tc.in) {
			t.Errorf("Median changed its input to %v", in)
		}
	}
	if !math.IsNaN(Median(nil)) {
		t.Error("Median(nil) is not NaN")
	}
}

// The median's interval from 10 samples is the 2nd to the 9th order
// statistic: P(Y ≤ 1) = 11/1024 ≤ 0.025 < P(Y ≤ 2) = 56/1024 for
// Y ~ Binomial(10, 1/2). p95 from 20 samples has no upper bound at 95 %.
func TestQuantileCI(t *testing.T) {
	sorted := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	lo, hi, ok := QuantileCI(sorted, 0.5, 0.95)
	if !ok || lo != 2 || hi != 9 {
		t.Errorf("median CI of 1…10 = [%v, %v] (%v), want [2, 9]", lo, hi, ok)
	}
	if _, _, ok := QuantileCI(sorted[:5], 0.5, 0.95); ok {
		t.Error("median CI from 5 samples: want none (P(Y=0) = 1/32 > 0.025)")
	}
	twenty := make([]float64, 20)
	for i := range twenty {
		twenty[i] = float64(i)
	}
	if _, _, ok := QuantileCI(twenty, 0.95, 0.95); ok {
		t.Error("p95 CI from 20 samples: want none")
	}
	many := make([]float64, 200)
	for i := range many {
		many[i] = float64(i)
	}
	lo, hi, ok = QuantileCI(many, 0.95, 0.95)
	if !ok || !(lo < 190 && 190 < hi) || hi > 199 {
		t.Errorf("p95 CI of 0…199 = [%v, %v] (%v), want around 190", lo, hi, ok)
	}
}

// Repeat noise compares each batch with its own repeats: texts of very
// different lengths make no noise, a batch that took twice as long once
// does.
func TestRepeatNoise(t *testing.T) {
	// Two passes of three batches: 1 ms, 10 ms, 100 ms, the same each time.
	quiet := []float64{1e6, 10e6, 100e6, 1e6, 10e6, 100e6}
	if v, ok := RepeatNoise(quiet, 3); !ok || v != 0 {
		t.Errorf("RepeatNoise(same batches) = %v, %v; want 0", v, ok)
	}
	// Every batch 10 % slower in the second pass: each is 1/21 from the
	// median (the mean of the two).
	noisy := []float64{1e6, 10e6, 100e6, 1.1e6, 11e6, 110e6}
	if v, ok := RepeatNoise(noisy, 3); !ok || math.Abs(v-0.05/1.05) > 1e-12 {
		t.Errorf("RepeatNoise(10%% slower pass) = %v, %v; want %v", v, ok, 0.05/1.05)
	}
	if _, ok := RepeatNoise(quiet[:5], 3); ok {
		t.Error("RepeatNoise of less than two passes: want none")
	}
}
