package check

import (
	"math"
	"math/rand/v2"
	"testing"
)

// noisy draws n latencies around center: log-normal noise of relative
// spread sigma, and one draw in twenty slowed by an outlier of up to +30 %,
// as a busy machine gives.
func noisy(r *rand.Rand, center, sigma float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		v := center * math.Exp(sigma*r.NormFloat64())
		if r.IntN(20) == 0 {
			v *= 1 + 0.3*r.Float64()
		}
		out[i] = v
	}
	return out
}

// rate compares trials pairs drawn by draw and returns the fraction of
// each status.
func rate(t *testing.T, trials int, opts Options, draw func() (base, cand []float64)) map[Status]float64 {
	t.Helper()
	counts := map[Status]float64{}
	for range trials {
		b, c := draw()
		base, cand := NewSide(), NewSide()
		base.Add(bench1, "ns/op", SourceRuns, b...)
		cand.Add(bench1, "ns/op", SourceRuns, c...)
		rep, err := Compare(base, cand, opts)
		if err != nil {
			t.Fatal(err)
		}
		counts[rep.Rows[0].Status]++
	}
	for k := range counts {
		counts[k] /= float64(trials)
	}
	return counts
}

// A/A: both sides from one distribution. The U test is exact under that
// hypothesis, so p < alpha in the worse direction happens at most alpha/2
// of the time, and the threshold makes a false alarm rarer still.
func TestFalseAlarmRateSynthetic(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const trials = 4000
	for _, c := range []struct {
		sigma, threshold float64
		max              float64
	}{
		{0.03, 0.05, 0.01},  // the default threshold, typical noise
		{0.10, 0.05, 0.025}, // very noisy: the threshold no longer helps
		{0.03, 0, 0.03},     // no threshold: the test alone, ≈ alpha/2
	} {
		opts := DefaultOptions()
		opts.Threshold = c.threshold
		got := rate(t, trials, opts, func() ([]float64, []float64) {
			return noisy(r, 1e6, c.sigma, 10), noisy(r, 1e6, c.sigma, 10)
		})
		t.Logf("A/A, noise %.0f%%, threshold %.0f%%: %.2f%% false alarms (%.2f%% significant and worse within the threshold)",
			100*c.sigma, 100*c.threshold, 100*got[Regression], 100*got[WithinThreshold]/2)
		if got[Regression] > c.max {
			t.Errorf("noise %v, threshold %v: false-alarm rate %.3f > %.3f", c.sigma, c.threshold, got[Regression], c.max)
		}
	}
}

// Injected slowdowns on synthetic noise: what is caught, and that changes
// within the threshold are not called regressions however significant.
func TestPowerSynthetic(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const trials = 1000
	for _, c := range []struct {
		sigma, delta float64
		min, max     float64 // bounds of the regression rate
	}{
		{0.03, 0.20, 0.99, 1},
		{0.03, 0.10, 0.90, 1},
		{0.03, 0.02, 0, 0.05},
		{0.005, 0.03, 0, 0}, // significant every time, but within 5 %
	} {
		got := rate(t, trials, DefaultOptions(), func() ([]float64, []float64) {
			cand := noisy(r, 1e6, c.sigma, 10)
			for i := range cand {
				cand[i] *= 1 + c.delta
			}
			return noisy(r, 1e6, c.sigma, 10), cand
		})
		t.Logf("noise %.1f%%, slowdown %.0f%%: %.1f%% caught, %.1f%% significant within the threshold",
			100*c.sigma, 100*c.delta, 100*got[Regression], 100*got[WithinThreshold])
		if got[Regression] < c.min || got[Regression] > c.max {
			t.Errorf("noise %v, slowdown %v: caught %.3f, want %v…%v", c.sigma, c.delta, got[Regression], c.min, c.max)
		}
	}
}
