package contract

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// The table is consistent: units and keys are unique, required metrics
// have a typed field of Batch, and benchmark.schema.json requires exactly
// the required keys and describes every metric.
func TestMetricTable(t *testing.T) {
	units, keys := map[string]bool{}, map[string]bool{}
	for _, m := range Metrics() {
		if units[m.Unit] || keys[m.Key] {
			t.Errorf("%s / %s: unit or key given twice", m.Unit, m.Key)
		}
		units[m.Unit], keys[m.Key] = true, true
		if m.Unit == "" || m.Key == "" || m.JSONUnit == "" || m.Label == "" || !(m.Scale > 0) {
			t.Errorf("%+v: empty unit, key, JSON unit or label, or no scale", m)
		}
		if m.Required && m.field == nil {
			t.Errorf("%s is required but has no typed field of Batch", m.Key)
		}
		if m.Assume != "nothing" && m.Assume != "exact" {
			t.Errorf("%s: assume=%q, want nothing or exact", m.Unit, m.Assume)
		}
		if got, ok := MetricByUnit(m.Unit); !ok || got.Key != m.Key {
			t.Errorf("MetricByUnit(%q) = %v, %v", m.Unit, got.Key, ok)
		}
		if got, ok := MetricByKey(m.Key); !ok || got.Unit != m.Unit {
			t.Errorf("MetricByKey(%q) = %v, %v", m.Key, got.Unit, ok)
		}
	}
	var schema struct {
		Defs struct {
			Batch struct {
				Required   []string                   `json:"required"`
				Properties map[string]json.RawMessage `json:"properties"`
			} `json:"batch"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(Schema(), &schema); err != nil {
		t.Fatal(err)
	}
	if got, want := schema.Defs.Batch.Required, RequiredKeys(); !slices.Equal(got, want) {
		t.Errorf("benchmark.schema.json requires %v in a batch entry, the table %v", got, want)
	}
	for _, m := range Metrics() {
		if _, ok := schema.Defs.Batch.Properties[m.Key]; !ok {
			t.Errorf("benchmark.schema.json does not describe %q", m.Key)
		}
	}
}

func TestUnitLines(t *testing.T) {
	const want = `Unit ns/op better=lower assume=nothing
Unit p50-ns/op better=lower assume=nothing
Unit p95-ns/op better=lower assume=nothing
Unit p99-ns/op better=lower assume=nothing
Unit docs/sec better=higher assume=nothing
Unit tokens/op assume=exact
Unit samples assume=exact
Unit padded-tokens/op assume=exact
Unit real-share assume=exact
Unit min-ns/op assume=nothing
Unit stddev-ns/op assume=nothing
Unit cv assume=nothing
Unit noise-pct assume=nothing
Unit p50-lo-ns/op assume=nothing
Unit p50-hi-ns/op assume=nothing
Unit p95-lo-ns/op assume=nothing
Unit p95-hi-ns/op assume=nothing
Unit first-run-ns assume=nothing
Unit load-ns assume=nothing
Unit load-before assume=nothing
Unit load-after assume=nothing
Unit other-cpus assume=nothing
Unit steal-pct assume=nothing
Unit nivcsw/op assume=nothing
Unit throttled-pct assume=nothing
Unit tokenize-ns/op better=lower assume=nothing
Unit infer-ns/op better=lower assume=nothing
Unit decode-ns/op better=lower assume=nothing
Unit peak-rss-B better=lower assume=nothing
Unit streams assume=exact
`
	if got := UnitLines(); got != want {
		t.Errorf("UnitLines() =\n%s\nwant\n%s", got, want)
	}
}

func TestConversions(t *testing.T) {
	// The same float64 operations as before the table: ns / 1e6, ms * 1e6
	// (variables, so that the compiler does not fold them exactly).
	m, _ := MetricByUnit(UnitP95)
	ns, ms := 2077803.0, 2.077803
	if got := m.JSONValue(ns); got != ns/1e6 {
		t.Errorf("2077803 ns = %v ms", got)
	}
	if got := m.GoValue(ms); got != ms*1e6 {
		t.Errorf("2.077803 ms = %v ns", got)
	}
	if m, _ := MetricByUnit(UnitThroughput); m.JSONValue(481.3) != 481.3 || m.Better != HigherIsBetter {
		t.Errorf("docs/sec: %+v", m)
	}
}

// Metric and SetMetric reach the typed fields and, for other metrics of
// the table, Extra; they refuse keys that are no metric.
func TestBatchMetric(t *testing.T) {
	var b Batch
	for i, k := range RequiredKeys() {
		if !b.SetMetric(k, float64(i+1)) {
			t.Errorf("SetMetric(%q) = false", k)
		}
	}
	if b.MeanMS != 1 || b.MedianMS != 2 || b.P95MS != 3 || b.P99MS != 4 || b.ThroughputDocsPerSec != 5 {
		t.Errorf("typed fields %+v", b)
	}
	if _, ok := b.Metric(KeyTokens); ok {
		t.Error("tokens_per_op found in a batch without it")
	}
	if !b.SetMetric(KeyTokens, 23.25) {
		t.Error("SetMetric(tokens_per_op) = false")
	}
	if v, ok := b.Metric(KeyTokens); !ok || v != 23.25 {
		t.Errorf("Metric(tokens_per_op) = %v, %v", v, ok)
	}
	if b.SetMetric("gpu_mem_mb", 1) {
		t.Error("SetMetric of a key that is no metric")
	}
	if _, ok := b.Metric("iterations"); ok {
		t.Error("Metric(iterations): not a metric")
	}
	data, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"tokens_per_op":23.25`) {
		t.Errorf("tokens_per_op not written: %s", data)
	}
	var back Batch
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if v, ok := back.Metric(KeyTokens); !ok || v != 23.25 {
		t.Errorf("read back: tokens_per_op = %v, %v", v, ok)
	}
}

// Quiet conditions give no warning; each threshold crossed gives one, and
// the spread across texts (cv) is never one.
func TestNoiseWarnings(t *testing.T) {
	quiet := &Batch{}
	for k, v := range map[string]float64{KeyOtherCPUs: 0.05, KeyStealPct: 0, KeyRepeatNoise: 1.2, KeyCV: 0.9, KeyLoadBefore: 3} {
		quiet.SetMetric(k, v)
	}
	if w := NoiseWarnings(quiet); len(w) != 0 {
		t.Errorf("quiet run: warnings %q", w)
	}
	for key, v := range map[string]float64{KeyOtherCPUs: 1.3, KeyStealPct: 8, KeyRepeatNoise: 12, KeyThrottled: 4} {
		b := &Batch{}
		b.SetMetric(key, v)
		if w := NoiseWarnings(b); len(w) != 1 {
			t.Errorf("%s = %v: warnings %q, want one", key, v, w)
		}
	}
}

func TestPercentileIsMax(t *testing.T) {
	for _, tc := range []struct {
		n        float64
		p95, p99 bool
	}{{19, true, true}, {20, false, true}, {99, false, true}, {100, false, false}} {
		b := &Batch{}
		b.SetMetric(KeySamples, tc.n)
		if PercentileIsMax(b, KeyP95) != tc.p95 || PercentileIsMax(b, KeyP99) != tc.p99 {
			t.Errorf("%v samples: p95 is max %v, p99 %v; want %v, %v", tc.n, PercentileIsMax(b, KeyP95), PercentileIsMax(b, KeyP99), tc.p95, tc.p99)
		}
	}
}
