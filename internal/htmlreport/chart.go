package htmlreport

import (
	"fmt"
	"math"
	"slices"
	"strings"

	benchstats "github.com/nerbench/nerbench/benchmarks/stats"
	"github.com/nerbench/nerbench/internal/compare"
	"github.com/nerbench/nerbench/internal/contract"
)

// Palette is the series colours, in order: Okabe and Ito's colour-blind
// safe palette without its yellow, which is too light on white. Series
// beyond it repeat the colours with dashed lines; every series also has
// its own marker shape.
var Palette = []string{"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"}

var dashes = []string{"", "6 4", "2 3", "8 3 2 3"}

// Chart geometry, in SVG user units (about CSS pixels).
const (
	chartW     = 600
	chartH     = 360
	marginL    = 68
	marginR    = 20
	marginB    = 54
	legendTop  = 14
	legendRow  = 20
	charWidth  = 6.6 // average width of a 12px sans-serif character
	markerSize = 4.5
)

// style is how one model is drawn.
type style struct {
	Color, Dash string
	marker      int
}

func styleOf(i int) style {
	return style{Color: Palette[i%len(Palette)], Dash: dashes[(i/len(Palette))%len(dashes)], marker: i % len(markerShapes)}
}

// markerShapes draw a marker of size r around (x, y) as path data.
var markerShapes = []func(x, y, r float64) string{
	func(x, y, r float64) string { // circle
		return fmt.Sprintf("M%.1f,%.1fa%.1f,%.1f 0 1,0 %.1f,0a%.1f,%.1f 0 1,0 %.1f,0Z", x-r, y, r, r, 2*r, r, r, -2*r)
	},
	func(x, y, r float64) string { // square
		r *= 0.9
		return fmt.Sprintf("M%.1f,%.1fh%.1fv%.1fh%.1fZ", x-r, y-r, 2*r, 2*r, -2*r)
	},
	func(x, y, r float64) string { // triangle
		r *= 1.2
		return fmt.Sprintf("M%.1f,%.1fL%.1f,%.1fL%.1f,%.1fZ", x, y-r, x+r*0.95, y+r*0.7, x-r*0.95, y+r*0.7)
	},
	func(x, y, r float64) string { // diamond
		r *= 1.25
		return fmt.Sprintf("M%.1f,%.1fL%.1f,%.1fL%.1f,%.1fL%.1f,%.1fZ", x, y-r, x+r, y, x, y+r, x-r, y)
	},
	func(x, y, r float64) string { // inverted triangle
		r *= 1.2
		return fmt.Sprintf("M%.1f,%.1fL%.1f,%.1fL%.1f,%.1fZ", x, y+r, x+r*0.95, y-r*0.7, x-r*0.95, y-r*0.7)
	},
}

// Chart is one SVG chart, laid out: every coordinate is in user units.
type Chart struct {
	ID, Title string
	// Desc describes the chart in words, for screen readers (<desc>).
	Desc         string
	W, H         int
	X, Y, PW, PH float64 // plot area
	XTicks       []Tick
	YTicks       []Tick
	XLabel       string
	YLabel       string
	Series       []Series
	Legend       []LegendItem
	// Kind is "line" or "histogram".
	Kind string
	// Note is a line under the title, such as "Lower is better".
	Note string
}

// Tick is a labelled grid line at Pos (x for XTicks, y for YTicks).
type Tick struct {
	Pos   float64
	Label string
}

// Series is one model's line (or histogram outline and area).
type Series struct {
	Name   string
	Color  string
	Dash   string
	Line   string // path data
	Area   string // path data, histograms only
	Points []Point
}

// Point is a marker with a tooltip.
type Point struct {
	Path  string
	Title string
}

// LegendItem is one entry of a chart's legend, at (X, Y) (the sample's
// left end, on the text's middle line).
type LegendItem struct {
	X, Y   float64
	Name   string
	Color  string
	Dash   string
	Marker string // path data; "" for histograms (a filled box)
	TextX  float64
	Box    bool
}

// layoutLegend places names in rows across the top of a chart and returns
// the items and the height they take.
func layoutLegend(names []string, styles []style, box bool) ([]LegendItem, float64) {
	const sample = 26
	x, row := float64(marginL), 0
	items := make([]LegendItem, len(names))
	for i, n := range names {
		w := sample + 6 + float64(len([]rune(n)))*charWidth + 18
		if x+w > chartW-marginR && x > marginL {
			x, row = marginL, row+1
		}
		y := legendTop + float64(row)*legendRow
		it := LegendItem{X: x, Y: y, Name: n, Color: styles[i].Color, Dash: styles[i].Dash, TextX: x + sample + 6, Box: box}
		if !box {
			it.Marker = markerShapes[styles[i].marker](x+sample/2, y, markerSize)
		}
		items[i] = it
		x += w
	}
	return items, float64(row+1)*legendRow + 10
}

// metricChart plots the metric m of every model against batch size; the
// y axis is labelled with m's label, and the note says what m is (about)
// and which way is better.
func metricChart(id, title string, m contract.Metric, about string, models []compare.Model, sizes []int) Chart {
	key, ylabel, unit := m.Key, m.Label, m.JSONUnit
	note := about + "; " + m.Better.String() + " is better"
	names := make([]string, len(models))
	styles := make([]style, len(models))
	var vals []float64
	for i, m := range models {
		names[i], styles[i] = m.Name, styleOf(i)
		for _, b := range m.File.Batches {
			v, _ := b.Metric(key)
			vals = append(vals, v)
		}
	}
	legend, lh := layoutLegend(names, styles, false)
	c := Chart{ID: id, Title: title, Note: note, W: chartW, H: chartH, Kind: "line", Legend: legend,
		X: marginL, Y: legendTop + lh, XLabel: "Batch size", YLabel: ylabel}
	c.PW, c.PH = chartW-marginL-marginR, chartH-marginB-c.Y
	xs, xticks := batchScale(sizes, c.X+16, c.X+c.PW-16)
	ys, yticks := valueScale(vals, c.Y+c.PH, c.Y, true)
	for _, t := range xticks {
		c.XTicks = append(c.XTicks, Tick{xs.pos(t.v), t.label})
	}
	for _, t := range yticks {
		c.YTicks = append(c.YTicks, Tick{ys.pos(t.v), t.label})
	}
	if xs.log {
		c.XLabel += " (log scale)"
	}
	if ys.log {
		c.YLabel += " (log scale)"
	}
	var desc []string
	anyMax := false
	for i, m := range models {
		s := Series{Name: m.Name, Color: styles[i].Color, Dash: styles[i].Dash}
		var line strings.Builder
		var pts []string
		for _, n := range m.File.BatchSizes() {
			v, _ := m.File.Batches[n].Metric(key)
			isMax := contract.PercentileIsMax(m.File.Batches[n], key)
			anyMax = anyMax || isMax
			maxNote := ""
			if isMax {
				maxNote = " (max: too few samples for this percentile)"
			}
			x, y := xs.pos(float64(n)), ys.pos(v)
			if line.Len() == 0 {
				fmt.Fprintf(&line, "M%.1f,%.1f", x, y)
			} else {
				fmt.Fprintf(&line, "L%.1f,%.1f", x, y)
			}
			s.Points = append(s.Points, Point{
				Path:  markerShapes[styles[i].marker](x, y, markerSize),
				Title: fmt.Sprintf("%s, batch %d: %s %s%s", m.Name, n, formatValue(v), unit, maxNote),
			})
			pts = append(pts, fmt.Sprintf("batch %d %s%s", n, formatValue(v), maxNote))
		}
		s.Line = line.String()
		c.Series = append(c.Series, s)
		desc = append(desc, m.Name+": "+strings.Join(pts, ", "))
	}
	c.Desc = fmt.Sprintf("%s against batch size, %s. %s.", ylabel, unit, strings.Join(desc, "; "))
	if anyMax {
		c.Note += fmt.Sprintf(" · some points are only the largest sample (a p95 needs %d samples, a p99 %d)", contract.MinSamplesP95, contract.MinSamplesP99)
	}
	return c
}

// histogramChart plots the distribution of the kept per-iteration
// latencies of every model at one batch size, as the share of iterations
// per bin. Bins are shared by all models: equal in width, or in ratio on a
// log scale when the latencies span more than a factor of 10.
func histogramChart(id string, batch int, models []compare.Model) (Chart, bool) {
	var names []string
	var styles []style
	var samples [][]float64
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, m := range models {
		b := m.File.Batches[batch]
		if b == nil || len(b.SamplesMS) == 0 {
			continue
		}
		var ok []float64
		for _, v := range b.SamplesMS {
			if v > 0 && !math.IsInf(v, 0) && !math.IsNaN(v) {
				ok = append(ok, v)
				lo, hi = min(lo, v), max(hi, v)
			}
		}
		if len(ok) == 0 {
			continue
		}
		names = append(names, m.Name)
		styles = append(styles, styleOf(i))
		samples = append(samples, ok)
	}
	if len(samples) == 0 {
		return Chart{}, false
	}
	legend, lh := layoutLegend(names, styles, true)
	c := Chart{ID: id, Title: fmt.Sprintf("Latency distribution, batch size %d", batch), W: chartW, H: chartH,
		Kind: "histogram", Legend: legend, X: marginL, Y: legendTop + lh,
		Note:   "Every kept iteration, as a share of the model's iterations; ▲ marks the median",
		XLabel: "Latency of one batch (ms)", YLabel: "Share of iterations (%)"}
	c.PW, c.PH = chartW-marginL-marginR, chartH-marginB-c.Y

	logX := hi/lo > 10
	var xs scale
	var xticks []tick
	if logX {
		dLo, dHi, t := logTicks(lo, hi, c.PW*0.7) // labels side by side need more room
		xs, xticks = scale{lo: dLo, hi: dHi, p0: c.X, p1: c.X + c.PW, log: true}, t
		c.XLabel += " (log scale)"
	} else {
		pad := (hi - lo) * 0.05
		if pad == 0 {
			pad = hi * 0.05
		}
		dLo, dHi, t := linearTicks(max(0, lo-pad), hi+pad, 6, false)
		xs, xticks = scale{lo: dLo, hi: dHi, p0: c.X, p1: c.X + c.PW}, t
	}
	// Bin edges over the data's range, in the scale's space. Each model
	// asks for about √n bins (5 to 15) across the middle 90 % of its
	// latencies; the most demanding model wins, within 10 to 80 bins.
	tr, inv := func(v float64) float64 { return v }, func(v float64) float64 { return v }
	if logX {
		tr, inv = math.Log10, func(v float64) float64 { return math.Pow(10, v) }
	}
	bLo, bHi := tr(lo), tr(hi)
	if bHi == bLo {
		bLo, bHi = bLo-0.5, bHi+0.5
		if !logX {
			bLo, bHi = tr(lo*0.98), tr(hi*1.02)
		}
	}
	nbins := 10
	for _, s := range samples {
		sorted := slices.Sorted(slices.Values(s))
		q := func(p float64) float64 { return tr(benchstats.Percentile(sorted, p)) }
		want := min(15, max(5, math.Sqrt(float64(len(s)))))
		if spread := q(0.95) - q(0.05); spread > 0 {
			nbins = max(nbins, int(math.Ceil(want*(bHi-bLo)/spread)))
		} else {
			nbins = max(nbins, int(math.Round(want)))
		}
	}
	nbins = min(nbins, 80)
	width := (bHi - bLo) / float64(nbins)
	edges := make([]float64, nbins+1)
	for i := range edges {
		edges[i] = inv(bLo + float64(i)*width)
	}
	shares := make([][]float64, len(samples))
	top := 0.0
	for i, s := range samples {
		counts := make([]float64, nbins)
		for _, v := range s {
			k := int((tr(v) - bLo) / width)
			counts[min(max(k, 0), nbins-1)]++
		}
		for k := range counts {
			counts[k] = counts[k] / float64(len(s)) * 100
			top = max(top, counts[k])
		}
		shares[i] = counts
	}
	_, yTop, yticks := linearTicks(0, top, 5, true)
	ys := scale{lo: 0, hi: yTop, p0: c.Y + c.PH, p1: c.Y}
	for _, t := range xticks {
		c.XTicks = append(c.XTicks, Tick{xs.pos(t.v), t.label})
	}
	for _, t := range yticks {
		c.YTicks = append(c.YTicks, Tick{ys.pos(t.v), t.label})
	}
	var desc []string
	for i, s := range samples {
		sorted := slices.Sorted(slices.Values(s))
		p := func(q float64) float64 { return benchstats.Percentile(sorted, q) } // the suite's rule
		se := Series{Name: names[i], Color: styles[i].Color, Dash: styles[i].Dash}
		// One outline per run of non-empty bins, so that empty stretches
		// leave the axis alone.
		var line, area strings.Builder
		base := ys.pos(0)
		for k := 0; k < nbins; k++ {
			if shares[i][k] == 0 {
				continue
			}
			var seg strings.Builder
			fmt.Fprintf(&seg, "M%.1f,%.1f", xs.pos(edges[k]), base)
			for ; k < nbins && shares[i][k] > 0; k++ {
				fmt.Fprintf(&seg, "V%.1fH%.1f", ys.pos(shares[i][k]), xs.pos(edges[k+1]))
			}
			fmt.Fprintf(&seg, "V%.1f", base)
			line.WriteString(seg.String())
			area.WriteString(seg.String() + "Z")
		}
		se.Line, se.Area = line.String(), area.String()
		// A marker at the median, on the axis, with the summary as tooltip.
		mx := xs.pos(p(0.5))
		se.Points = []Point{{
			Path: fmt.Sprintf("M%.1f,%.1fl5,8h-10Z", mx, base),
			Title: fmt.Sprintf("%s, batch %d: %d iterations, median %s ms, p95 %s ms, p99 %s ms, max %s ms",
				names[i], batch, len(s), formatValue(p(0.5)), formatValue(p(0.95)), formatValue(p(0.99)), formatValue(sorted[len(sorted)-1])),
		}}
		c.Series = append(c.Series, se)
		desc = append(desc, fmt.Sprintf("%s: %d iterations from %s to %s ms, median %s ms",
			names[i], len(s), formatValue(sorted[0]), formatValue(sorted[len(sorted)-1]), formatValue(p(0.5))))
	}
	c.Desc = fmt.Sprintf("Histogram of per-iteration latency at batch size %d. %s.", batch, strings.Join(desc, "; "))
	return c, true
}

// samplesBatches returns the batch sizes at which any model kept samples.
func samplesBatches(models []compare.Model) []int {
	var sizes []int
	for _, m := range models {
		for n, b := range m.File.Batches {
			if len(b.SamplesMS) > 0 && !slices.Contains(sizes, n) {
				sizes = append(sizes, n)
			}
		}
	}
	slices.Sort(sizes)
	return sizes
}

// lineCharts are the charts of metrics against batch size: a chart's
// title and what its metric is; the contract's table gives the rest.
var lineCharts = []struct{ id, title, key, about string }{
	{"mean", "Mean latency", contract.KeyMean, "Latency of one batch"},
	{"p95", "P95 latency", contract.KeyP95, "95 % of batches finish within this"},
	{"p99", "P99 latency", contract.KeyP99, "99 % of batches finish within this"},
	{"throughput", "Throughput", contract.KeyThroughput, "Batch size ÷ mean latency"},
}
