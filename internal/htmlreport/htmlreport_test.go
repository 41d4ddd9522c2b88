package htmlreport

import (
	"bytes"
	"encoding/xml"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nerbench/nerbench/internal/compare"
	"github.com/nerbench/nerbench/internal/contract"
)

// The inputs are benchmark.json files of the demo models as nerbench wrote
// them with keep_samples, samples_ms included.
var testFiles = []string{
	"testdata/distilbert/trial_1/benchmark.json",
	"testdata/bert/trial_1/benchmark.json",
	"testdata/tiny/trial_0/benchmark.json",
}

func load(t *testing.T, names []string, withSamples bool) []compare.Model {
	t.Helper()
	models, err := compare.Load(testFiles, names)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range models {
		for _, b := range m.File.Batches {
			if len(b.SamplesMS) == 0 {
				t.Fatalf("%s: testdata without samples_ms", m.Path)
			}
			if !withSamples {
				b.SamplesMS = nil
			}
		}
	}
	return models
}

func render(t *testing.T, models []compare.Model, opts Options) string {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(&buf, models, opts); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestSelfContained(t *testing.T) {
	html := render(t, load(t, nil, true), Options{})
	lower := strings.ToLower(html)
	for _, bad := range []string{"<script", "<link", "<img", "<iframe", "<object", "<embed", "url(", "@import",
		"@font-face", "src=", "href=", "http:", "https:", "//fonts."} {
		if strings.Contains(lower, bad) {
			i := strings.Index(lower, bad)
			t.Errorf("report holds %q (an external resource or script): …%s…", bad, html[max(0, i-60):min(len(html), i+60)])
		}
	}
	if !strings.Contains(html, "<style>") {
		t.Error("no embedded <style>")
	}
}

var svgRE = regexp.MustCompile(`(?s)<svg\b.*?</svg>`)

func TestChartsWithSamples(t *testing.T) {
	models := load(t, nil, true)
	html := render(t, models, Options{Title: "Demo <models>", Generated: time.Date(2025, 1, 20, 10, 30, 0, 0, time.UTC)})
	svgs := svgRE.FindAllString(html, -1)
	// Mean, p95, p99, throughput, and a histogram per batch size (1, 8, 16).
	if len(svgs) != 7 || strings.Count(html, "<svg") != 7 {
		t.Fatalf("%d charts, want 7", len(svgs))
	}
	for i, want := range []string{"Mean latency", "P95 latency", "P99 latency", "Throughput",
		"Latency distribution, batch size 1", "Latency distribution, batch size 8", "Latency distribution, batch size 16"} {
		if !strings.Contains(svgs[i], "<title id=\"t-") || !strings.Contains(svgs[i], ">"+want+"</title>") {
			t.Errorf("chart %d is not %q", i+1, want)
		}
		wellFormed(t, svgs[i])
		for j := range models {
			if !strings.Contains(svgs[i], Palette[j]) {
				t.Errorf("chart %q: no series in %s", want, Palette[j])
			}
		}
	}
	for _, want := range []string{"<title>Demo &lt;models&gt;</title>", "<h1>Demo &lt;models&gt;</h1>",
		"Generated 2025-01-20 10:30:00 UTC", "Relative Speed (vs distilbert/trial_1)", "55.38x",
		"Batch size (log scale)", "90 kept"} {
		if !strings.Contains(html, want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

func TestNoHistogramWithoutSamples(t *testing.T) {
	html := render(t, load(t, nil, false), Options{})
	if n := strings.Count(html, "<svg"); n != 4 {
		t.Errorf("%d charts without samples, want 4", n)
	}
	if strings.Contains(html, "Latency distribution") || strings.Contains(html, "histogram") {
		t.Error("a histogram without samples")
	}
	// Samples for one model at one batch size give one histogram.
	models := load(t, nil, false)
	models[2].File.Batches[8].SamplesMS = []float64{6.1, 6.3, 6.2, 7.5}
	html = render(t, models, Options{})
	if n := strings.Count(html, "<svg"); n != 5 || !strings.Contains(html, "Latency distribution, batch size 8") {
		t.Errorf("%d charts with samples at one batch size, want 5", n)
	}
}

func TestEscapedNames(t *testing.T) {
	html := render(t, load(t, []string{`<script>alert(1)</script>`, `a "quoted" & b`, "tiny"}, true), Options{})
	if strings.Contains(html, "<script>") {
		t.Error("a model name was not escaped")
	}
	for _, svg := range svgRE.FindAllString(html, -1) {
		wellFormed(t, svg)
	}
}

// wellFormed checks that svg parses as XML, as hand-written SVG should.
func wellFormed(t *testing.T, svg string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(svg))
	d.Strict = true
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Errorf("SVG is not well-formed XML: %v\n%.300s", err, svg)
			return
		}
	}
}

func TestRenderNoModels(t *testing.T) {
	if err := Render(io.Discard, nil, Options{}); err == nil {
		t.Error("no error for no models")
	}
}

func TestOneModelOneBatch(t *testing.T) {
	models := load(t, []string{"a", "b", "c"}, true)[:1]
	for n := range models[0].File.Batches {
		if n != 8 {
			delete(models[0].File.Batches, n)
		}
	}
	html := render(t, models, Options{})
	if n := strings.Count(html, "<svg"); n != 5 {
		t.Errorf("%d charts, want 5", n)
	}
	if strings.Contains(html, "NaN") || strings.Contains(html, "Inf") {
		t.Error("NaN or Inf in the report")
	}
}

func TestTicks(t *testing.T) {
	labels := func(ts []tick) string {
		var s []string
		for _, x := range ts {
			s = append(s, x.label)
		}
		return strings.Join(s, " ")
	}
	lo, hi, ts := linearTicks(0, 47, 5, true)
	if lo != 0 || hi != 50 || labels(ts) != "0 10 20 30 40 50" {
		t.Errorf("linear 0..47: [%v, %v] %s", lo, hi, labels(ts))
	}
	_, hi, ts = linearTicks(0, 0.023, 5, true)
	if hi != 0.025 || labels(ts) != "0 0.005 0.010 0.015 0.020 0.025" {
		t.Errorf("linear 0..0.023: %v %s", hi, labels(ts))
	}
	_, _, ts = linearTicks(0, 12000, 5, true)
	if labels(ts) != "0 2,500 5,000 7,500 10,000 12,500" {
		t.Errorf("linear 0..12000: %s", labels(ts))
	}
	lo, hi, ts = logTicks(0.58, 2397, 250)
	if lo != 0.5 || hi != 5000 || labels(ts) != "1 10 100 1,000 5,000" {
		t.Errorf("log 0.58..2397 in 250 px: [%v, %v] %s", lo, hi, labels(ts))
	}
	lo, hi, ts = logTicks(6.6, 1730, 250)
	if lo != 5 || hi != 2000 || labels(ts) != "5 10 20 50 100 200 500 1,000 2,000" {
		t.Errorf("log 6.6..1730 in 250 px: [%v, %v] %s", lo, hi, labels(ts))
	}
	if s, ts := batchScale([]int{16, 1, 8}, 0, 100); !s.log || labels(ts) != "1 8 16" || s.pos(1) != 0 || s.pos(16) != 100 {
		t.Errorf("batch scale 1, 8, 16: %+v %s", s, labels(ts))
	}
	if s, _ := batchScale([]int{8, 16}, 0, 100); s.log {
		t.Error("batch scale 8, 16 should be linear")
	}
	if s, _ := batchScale([]int{8}, 0, 100); s.pos(8) != 50 {
		t.Errorf("one batch size is not centred: %v", s.pos(8))
	}
}

// A model measured on two machines (a benchmark.<machine>.json each, as
// nerbench convert writes them) is two series, one per machine.
func TestSeriesPerMachine(t *testing.T) {
	f, err := contract.Read(testFiles[0])
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "bert", "trial_1")
	for _, label := range []string{"cpu box x4", "gpu box x8 + cuda A10G"} {
		f.Machine = label
		if err := contract.Write(contract.MachinePath(filepath.Join(dir, "benchmark.json"), label), f); err != nil {
			t.Fatal(err)
		}
	}
	models, err := compare.Load([]string{dir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range Charts(models)[0].Series {
		names = append(names, s.Name)
	}
	if want := []string{"trial_1 @ cpu box x4", "trial_1 @ gpu box x8 + cuda A10G"}; len(names) != 2 || !strings.HasSuffix(names[0], want[0]) || !strings.HasSuffix(names[1], want[1]) {
		t.Errorf("series %q, want one per machine %q", names, want)
	}
	if page := render(t, models, Options{}); !strings.Contains(page, "trial_1 @ gpu box x8") {
		t.Error("the page does not name the machines")
	}
}
