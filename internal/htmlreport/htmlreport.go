// Package htmlreport writes one self-contained HTML page about several
// benchmark.json files: a table of the models and how they were measured,
// SVG charts of mean, p95 and p99 latency and of throughput against batch
// size (one line per model), a latency histogram per batch size where
// per-iteration samples were kept (samples_ms: keep_samples in bench.toml,
// nerbench run --keep-samples), and the comparison tables of package
// compare.
//
// The page needs nothing else: no scripts at all, styles embedded, system
// fonts only, no links or images to fetch. The charts are hand-written SVG
// (html/template escapes every name and label). Series use Okabe and Ito's
// colour-blind safe palette and each has its own marker shape; batch size
// is on a log scale when it spans a factor of 4 or more, and latency or
// throughput when it spans more than a factor of 30.
package htmlreport

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nerbench/nerbench/internal/compare"
	"github.com/nerbench/nerbench/internal/contract"
)

// DefaultTitle is the page title when Options.Title is empty.
const DefaultTitle = "nerbench report"

// Options control Render.
type Options struct {
	// Title is the page's title and heading; DefaultTitle when empty.
	Title string
	// Generated, when not zero, is shown as the time the page was made.
	Generated time.Time
	// Notes are shown above the charts: results measured on different
	// work. The files' noise warnings are added to them.
	Notes []string
}

//go:embed report.html.tmpl
var pageSource string

var pageTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"f":    func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) },
	"add":  func(vs ...any) float64 { return sum(vs, 1) },
	"sub":  func(vs ...any) float64 { return sum(vs, -1) },
	"half": func(v float64) float64 { return v / 2 },
}).Parse(pageSource))

// sum adds vs, or subtracts the rest from the first when sign is -1.
func sum(vs []any, sign float64) float64 {
	total := 0.0
	for i, v := range vs {
		var x float64
		switch v := v.(type) {
		case float64:
			x = v
		case int:
			x = float64(v)
		}
		if i > 0 {
			x *= sign
		}
		total += x
	}
	return total
}

type page struct {
	Title, Summary, Generated string
	Models                    []modelRow
	Charts                    []Chart
	Names                     []string
	Tables                    []htmlTable
	Notes                     []string
}

type modelRow struct {
	Name, Model, Color, Dash                               string
	Device, ORT, CPU, Threads, MaxLength, Iterations, Runs string
	Samples, Timestamp, Path                               string
}

type htmlTable struct {
	Title string
	Rows  []htmlRow
}

type htmlRow struct {
	BatchSize int
	Cells     []htmlCell
}

type htmlCell struct {
	Text     string
	NA, Best bool
}

// Render writes the report of models (as compare.Load reads them).
func Render(w io.Writer, models []compare.Model, opts Options) error {
	if len(models) == 0 {
		return errors.New("no models to report on")
	}
	p := build(models, opts)
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, p); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// Charts returns the charts Render draws, in order: the metrics against
// batch size, then one histogram per batch size with samples.
func Charts(models []compare.Model) []Chart {
	t := compare.Build(models)
	var charts []Chart
	for _, lc := range lineCharts {
		m, ok := contract.MetricByKey(lc.key)
		if !ok {
			panic("htmlreport: no metric " + lc.key + " in the contract's table")
		}
		charts = append(charts, metricChart(lc.id, lc.title, m, lc.about, models, t.BatchSizes))
	}
	for _, n := range samplesBatches(models) {
		if c, ok := histogramChart("hist-"+strconv.Itoa(n), n, models); ok {
			charts = append(charts, c)
		}
	}
	return charts
}

func build(models []compare.Model, opts Options) *page {
	t := compare.Build(models)
	p := &page{Title: opts.Title, Charts: Charts(models), Notes: append(slices.Clone(opts.Notes), t.Notes...)}
	if p.Title == "" {
		p.Title = DefaultTitle
	}
	if !opts.Generated.IsZero() {
		p.Generated = "Generated " + opts.Generated.UTC().Format("2006-01-02 15:04:05 UTC") + " by nerbench report."
	}
	devices := map[string]bool{}
	for i, m := range models {
		f := m.File
		devices[f.Device] = true
		cfg := func(k string) string {
			if v := strings.TrimSpace(f.Config[k]); v != "" {
				return v
			}
			return "–"
		}
		var iters, runs []int
		samples := 0
		for _, n := range f.BatchSizes() {
			b := f.Batches[n]
			if b.Iterations > 0 && !slices.Contains(iters, b.Iterations) {
				iters = append(iters, b.Iterations)
			}
			r := max(b.Runs, 1)
			if !slices.Contains(runs, r) {
				runs = append(runs, r)
			}
			samples += len(b.SamplesMS)
		}
		model := f.Model
		if model == strings.ReplaceAll(m.Name, "/", "_") {
			model = "" // says nothing the name does not
		}
		row := modelRow{Name: m.Name, Model: model, Color: styleOf(i).Color, Dash: styleOf(i).Dash, Device: f.Device,
			ORT: cfg(contract.ConfigORTVersion), CPU: strings.TrimSpace(f.Config["cpu"]),
			Threads:   cfg(contract.ConfigIntraOpThreads) + " / " + cfg(contract.ConfigInterOpThreads),
			MaxLength: cfg(contract.ConfigMaxLength), Iterations: joinInts(iters), Runs: joinInts(runs),
			Samples: "no", Timestamp: measured(f.Timestamp), Path: m.Path}
		if samples > 0 {
			row.Samples = fmt.Sprintf("%d kept", samples)
		}
		p.Models = append(p.Models, row)
		p.Names = append(p.Names, m.Name)
	}
	sizes := make([]string, len(t.BatchSizes))
	for i, n := range t.BatchSizes {
		sizes[i] = strconv.Itoa(n)
	}
	p.Summary = fmt.Sprintf("%d %s · batch sizes %s · %s", len(models), plural(len(models), "model"),
		strings.Join(sizes, ", "), strings.Join(slices.Sorted(maps.Keys(devices)), ", "))
	for _, s := range t.Sections {
		ht := htmlTable{Title: s.Title}
		for _, r := range s.Rows {
			hr := htmlRow{BatchSize: r.BatchSize}
			best := -1
			for i, c := range r.Cells {
				if !c.Valid {
					continue
				}
				if best < 0 || (s.Better == "lower" && c.Value < r.Cells[best].Value) ||
					(s.Better == "higher" && c.Value > r.Cells[best].Value) {
					best = i
				}
			}
			valid := 0
			for _, c := range r.Cells {
				if c.Valid {
					valid++
				}
			}
			for i, c := range r.Cells {
				hr.Cells = append(hr.Cells, htmlCell{Text: compare.FormatCell(s.Metric, c), NA: !c.Valid,
					Best: i == best && valid > 1})
			}
			ht.Rows = append(ht.Rows, hr)
		}
		p.Tables = append(p.Tables, ht)
	}
	return p
}

func joinInts(ns []int) string {
	if len(ns) == 0 {
		return "–"
	}
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// measured shows a benchmark.json timestamp as "2025-01-20 10:30 UTC".
func measured(ts string) string {
	t, err := time.Parse(contract.TimestampLayout, ts)
	if err != nil {
		return ts
	}
	return t.Format("2006-01-02 15:04 UTC")
}
