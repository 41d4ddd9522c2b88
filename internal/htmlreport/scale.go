package htmlreport

import (
	"math"
	"slices"
	"strconv"
	"strings"
)

// scale maps data values in [lo, hi] to pixels in [p0, p1], linearly or
// on a base-10 logarithm.
type scale struct {
	lo, hi float64
	p0, p1 float64
	log    bool
}

func (s scale) pos(v float64) float64 {
	lo, hi := s.lo, s.hi
	if s.log {
		v, lo, hi = math.Log10(v), math.Log10(lo), math.Log10(hi)
	}
	if hi == lo {
		return (s.p0 + s.p1) / 2
	}
	return s.p0 + (v-lo)/(hi-lo)*(s.p1-s.p0)
}

// tick is one labelled value of an axis.
type tick struct {
	v     float64
	label string
}

// niceStep returns a step of the form {1, 2, 2.5, 5} × 10^k near span/n.
func niceStep(span float64, n int) float64 {
	raw := span / float64(n)
	if raw <= 0 || math.IsNaN(raw) || math.IsInf(raw, 0) {
		return 1
	}
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if raw <= m*mag*1.0000001 {
			return m * mag
		}
	}
	return 10 * mag
}

// linearTicks returns a domain [0 or lo, hi'] that starts at zero when
// fromZero, ends on a nice value at or above hi, and its ticks (about n).
func linearTicks(lo, hi float64, n int, fromZero bool) (float64, float64, []tick) {
	if fromZero || lo > hi {
		lo = 0
	}
	if hi <= lo {
		hi = lo + 1
		if lo > 0 {
			lo, hi = lo*0.9, lo*1.1
		}
	}
	step := niceStep(hi-lo, n)
	start := math.Floor(lo/step+1e-9) * step
	end := math.Ceil(hi/step-1e-9) * step
	decimals := max(0, -int(math.Floor(math.Log10(step)+1e-9)))
	if step*math.Pow10(decimals) != math.Round(step*math.Pow10(decimals)) { // 2.5 × 10^k
		decimals++
	}
	var ticks []tick
	for i := 0; ; i++ {
		v := start + float64(i)*step
		if v > end+step/1e6 {
			break
		}
		v = math.Round(v/step) * step
		label := formatNumber(v, decimals)
		if v == 0 {
			label = "0"
		}
		ticks = append(ticks, tick{v, label})
	}
	return start, end, ticks
}

// logTicks returns a domain snapped outwards to the 1-2-5 sequence around
// [lo, hi] (both > 0) and its ticks: 1, 2, 5 × 10^k when a decade gets at
// least 80 of the axis's px pixels, otherwise only the powers of ten and
// the domain's ends (an end within 0.45 of a decade of a power of ten is
// left unlabelled, so that labels do not crowd).
func logTicks(lo, hi, px float64) (float64, float64, []tick) {
	kLo := int(math.Floor(math.Log10(lo))) - 1
	kHi := int(math.Ceil(math.Log10(hi))) + 1
	var all []float64
	for k := kLo; k <= kHi; k++ {
		p := math.Pow10(k)
		all = append(all, p, 2*p, 5*p)
	}
	// Snap: the largest value ≤ lo, the smallest ≥ hi.
	dLo, dHi := all[0], all[len(all)-1]
	for _, v := range all {
		if v <= lo*(1+1e-9) {
			dLo = v
		}
	}
	for i := len(all) - 1; i >= 0; i-- {
		if all[i] >= hi*(1-1e-9) {
			dHi = all[i]
		}
	}
	var in []float64
	for _, v := range all {
		if v >= dLo*(1-1e-9) && v <= dHi*(1+1e-9) {
			in = append(in, v)
		}
	}
	if decades := math.Log10(dHi / dLo); px/decades < 80 {
		var pow []float64
		for _, v := range in {
			if isPow10(v) {
				pow = append(pow, v)
			}
		}
		far := func(end float64) bool {
			for _, p := range pow {
				if math.Abs(math.Log10(end/p)) < 0.45 {
					return false
				}
			}
			return true
		}
		if !isPow10(dLo) && far(dLo) {
			pow = append([]float64{dLo}, pow...)
		}
		if !isPow10(dHi) && far(dHi) {
			pow = append(pow, dHi)
		}
		in = pow
	}
	ticks := make([]tick, len(in))
	for i, v := range in {
		ticks[i] = tick{v, formatNumber(v, max(0, -int(math.Floor(math.Log10(v)+1e-9))))}
	}
	return dLo, dHi, ticks
}

func isPow10(v float64) bool {
	l := math.Log10(v)
	return math.Abs(l-math.Round(l)) < 1e-9
}

// formatNumber writes v with the given decimals and thousands separators.
func formatNumber(v float64, decimals int) string {
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if hasFrac {
		b.WriteString("." + frac)
	}
	return b.String()
}

// formatValue writes a measured value for a tooltip or table: about four
// significant digits, at most two decimals above 10.
func formatValue(v float64) string {
	switch a := math.Abs(v); {
	case a >= 100:
		return formatNumber(v, 1)
	case a >= 10:
		return formatNumber(v, 2)
	case a >= 1:
		return formatNumber(v, 3)
	case a == 0:
		return "0"
	}
	d := min(6, 3-int(math.Floor(math.Log10(math.Abs(v)))))
	return formatNumber(v, d)
}

// batchScale is the x scale of batch sizes: logarithmic when the sizes
// span a factor of 4 or more (1, 8, 16, 32 are then evenly readable),
// linear otherwise, with a tick at every batch size.
func batchScale(sizes []int, p0, p1 float64) (scale, []tick) {
	sizes = slices.Sorted(slices.Values(sizes))
	ticks := make([]tick, len(sizes))
	for i, n := range sizes {
		ticks[i] = tick{float64(n), strconv.Itoa(n)}
	}
	lo, hi := float64(sizes[0]), float64(sizes[len(sizes)-1])
	s := scale{lo: lo, hi: hi, p0: p0, p1: p1}
	if hi/lo >= 4 {
		s.log = true
	}
	if lo == hi {
		s.lo, s.hi = lo-1, hi+1
		if lo <= 1 {
			s.lo, s.hi = 0, 2*hi
		}
	}
	return s, ticks
}

// valueScale is the y scale of positive values: linear from zero, or
// logarithmic when the values span more than a factor of 30 (a 0.5 ms model
// beside a 2 s one) so that every series stays readable.
func valueScale(vals []float64, p0, p1 float64, allowLog bool) (scale, []tick) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range vals {
		lo, hi = min(lo, v), max(hi, v)
	}
	if len(vals) == 0 {
		lo, hi = 0, 1
	}
	if allowLog && lo > 0 && hi/lo > 30 {
		dLo, dHi, ticks := logTicks(lo, hi, math.Abs(p1-p0))
		return scale{lo: dLo, hi: dHi, p0: p0, p1: p1, log: true}, ticks
	}
	dLo, dHi, ticks := linearTicks(0, hi, 5, true)
	return scale{lo: dLo, hi: dHi, p0: p0, p1: p1}, ticks
}
