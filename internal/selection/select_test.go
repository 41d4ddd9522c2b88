package selection

import (
	"strings"
	"testing"
)

func f(v float64) *float64 { return &v }

// cand makes an in-memory candidate; latency < 0 means no benchmark and
// params 0 no parameter count.
func cand(backbone string, value, latency float64, params int64) *Candidate {
	c := &Candidate{Backbone: backbone, TrialName: "trial_0", Value: value, Parameters: params}
	if latency >= 0 {
		c.LatencyMS = f(latency)
	}
	if params > 0 {
		c.ParametersFrom = "onnx"
	}
	return c
}

func TestChoose(t *testing.T) {
	const none = -1
	type want struct {
		backbone string
		strategy string
		source   string
		order    string   // backbones of all_candidates, best first
		reason   []string // substrings of the reason
		note     string   // substring of speed_data_note ("" = none)
	}
	tests := []struct {
		name  string
		cands []*Candidate
		opts  Options
		want  want
	}{
		{
			name:  "accuracy only",
			cands: []*Candidate{cand("distilbert", 0.84, 10, 66e6), cand("deberta", 0.85, 40, 184e6)},
			opts:  Options{Metric: "macro-f1"},
			want: want{backbone: "deberta", strategy: StrategyAccuracyOnly, source: SourceBenchmark, order: "deberta distilbert",
				reason: []string{"best macro-f1 (0.8500, goal maximize) of 2 candidates", "no accuracy_threshold"}},
		},
		{
			name:  "all benchmarked: faster within threshold",
			cands: []*Candidate{cand("deberta", 0.85, 40, 184e6), cand("distilbert", 0.84, 10, 66e6), cand("bert", 0.70, 20, 110e6)},
			opts:  Options{Metric: "macro-f1", AccuracyThreshold: f(0.015)},
			want: want{backbone: "distilbert", strategy: StrategyThreshold, source: SourceBenchmark, order: "deberta distilbert bert",
				reason: []string{"distilbert chosen", "(10 ms vs 40 ms mean latency at batch 1)", "0.0100 (1.18% relative) from the best 0.8500", "within accuracy_threshold 1.50% relative"}},
		},
		{
			name:  "all benchmarked: the most accurate eligible, not the fastest",
			cands: []*Candidate{cand("deberta", 0.85, 40, 184e6), cand("fast", 0.842, 5, 20e6), cand("mid", 0.845, 20, 66e6)},
			opts:  Options{Metric: "macro-f1", AccuracyThreshold: f(0.015)},
			want:  want{backbone: "mid", strategy: StrategyThreshold, source: SourceBenchmark, order: "deberta mid fast"},
		},
		{
			name:  "all benchmarked: faster ones beyond the threshold",
			cands: []*Candidate{cand("deberta", 0.85, 40, 184e6), cand("distilbert", 0.80, 10, 66e6)},
			opts:  Options{Metric: "macro-f1", AccuracyThreshold: f(0.015)},
			want: want{backbone: "deberta", strategy: StrategyThreshold, source: SourceBenchmark,
				reason: []string{"it is kept", "distilbert", "0.0500 (5.88% relative) from the best, beyond accuracy_threshold 1.50% relative"}},
		},
		{
			name:  "all benchmarked: best is the fastest",
			cands: []*Candidate{cand("distilbert", 0.85, 10, 66e6), cand("deberta", 0.849, 40, 184e6)},
			opts:  Options{Metric: "macro-f1", AccuracyThreshold: f(0.015)},
			want:  want{backbone: "distilbert", strategy: StrategyThreshold, source: SourceBenchmark, reason: []string{"also the fastest"}},
		},
		{
			name:  "none benchmarked: ranked by parameters",
			cands: []*Candidate{cand("deberta", 0.85, none, 184e6), cand("distilbert", 0.845, none, 66e6)},
			opts:  Options{Metric: "macro-f1", AccuracyThreshold: f(0.015)},
			want: want{backbone: "distilbert", strategy: StrategyThreshold, source: SourceProxy,
				reason: []string{"66.00M vs 184.00M parameters"}, note: "no candidate has a usable benchmark.json"},
		},
		{
			// deberta measured 5 ms, distilbert has no benchmark: comparing
			// 5 ms with 66M parameters would keep deberta; by parameter
			// count distilbert is faster.
			name:  "some benchmarked: all ranked by parameters",
			cands: []*Candidate{cand("deberta", 0.85, 5, 184e6), cand("distilbert", 0.845, none, 66e6)},
			opts:  Options{Metric: "macro-f1", AccuracyThreshold: f(0.015)},
			want: want{backbone: "distilbert", strategy: StrategyThreshold, source: SourceProxy,
				note: "deberta has a usable benchmark.json but distilbert does not; milliseconds are never compared with parameter counts"},
		},
		{
			name:  "best without any speed data",
			cands: []*Candidate{cand("mystery", 0.85, none, 0), cand("distilbert", 0.845, 3, 66e6)},
			opts:  Options{Metric: "macro-f1", AccuracyThreshold: f(0.015)},
			want: want{backbone: "mystery", strategy: StrategyThreshold, source: SourceBenchmark,
				reason: []string{"it has no speed data"}, note: "mystery has no speed data"},
		},
		{
			name:  "some benchmarked, best without a parameter count",
			cands: []*Candidate{cand("measured", 0.85, 3, 0), cand("distilbert", 0.845, none, 66e6)},
			opts:  Options{Metric: "macro-f1", AccuracyThreshold: f(0.015)},
			want: want{backbone: "measured", strategy: StrategyThreshold, source: SourceProxy,
				reason: []string{"it has no parameter count, by which candidates are ranked"}, note: "measured has no parameter count"},
		},
		{
			name:  "no speed data at all",
			cands: []*Candidate{cand("a", 0.85, none, 0), cand("b", 0.845, none, 0)},
			opts:  Options{Metric: "macro-f1", AccuracyThreshold: f(0.015)},
			want: want{backbone: "a", strategy: StrategyThreshold, source: SourceNone,
				reason: []string{"no candidate has speed data"}, note: "no speed data"},
		},
		{
			name:  "tie on the metric goes to the faster",
			cands: []*Candidate{cand("slow", 0.85, 40, 0), cand("fast", 0.85, 10, 0)},
			opts:  Options{Metric: "macro-f1"},
			want:  want{backbone: "fast", strategy: StrategyAccuracyOnly, source: SourceBenchmark, order: "fast slow"},
		},
		{
			name:  "tie on metric and speed goes to the name",
			cands: []*Candidate{cand("zeta", 0.85, 10, 0), cand("alpha", 0.85, 10, 0), cand("nospeed", 0.85, none, 0)},
			opts:  Options{Metric: "macro-f1"},
			want: want{backbone: "alpha", strategy: StrategyAccuracyOnly, source: SourceBenchmark, order: "alpha zeta nospeed",
				note: "nospeed has no speed data (no usable benchmark.json, no countable model) and cannot be shown faster"},
		},
		{
			name:  "tie: a candidate without speed data ranks after those with",
			cands: []*Candidate{cand("nospeed", 0.85, none, 0), cand("zeta", 0.85, none, 10)},
			opts:  Options{Metric: "macro-f1"},
			want: want{backbone: "zeta", strategy: StrategyAccuracyOnly, source: SourceProxy, order: "zeta nospeed",
				note: "nospeed has no parameter count"},
		},
		{
			name:  "minimize: smallest is best, distance is value − best",
			cands: []*Candidate{cand("big", 0.20, 40, 0), cand("small", 0.21, 10, 0), cand("worse", 0.30, 1, 0)},
			opts:  Options{Metric: "loss", Goal: Minimize, AccuracyThreshold: f(0.02), Absolute: true},
			want: want{backbone: "small", strategy: StrategyThreshold, source: SourceBenchmark, order: "big small worse",
				reason: []string{"loss 0.2100 is 0.0100 from the best 0.2000, within accuracy_threshold 0.0200 absolute"}},
		},
		{
			name:  "minimize: accuracy only",
			cands: []*Candidate{cand("a", 0.30, 40, 0), cand("b", 0.21, 10, 0)},
			opts:  Options{Metric: "loss", Goal: Minimize},
			want:  want{backbone: "b", strategy: StrategyAccuracyOnly, source: SourceBenchmark, order: "b a"},
		},
		{
			name:  "absolute threshold: exact boundary counts despite rounding",
			cands: []*Candidate{cand("deberta", 0.85, 40, 0), cand("distilbert", 0.835, 10, 0)},
			opts:  Options{Metric: "macro-f1", AccuracyThreshold: f(0.015), Absolute: true},
			want:  want{backbone: "distilbert", strategy: StrategyThreshold, source: SourceBenchmark},
		},
		{
			name: "min_accuracy_gain: a faster one too close is passed over",
			cands: []*Candidate{cand("deberta", 0.85, 40, 0), cand("close", 0.849, 30, 0),
				cand("distilbert", 0.84, 10, 0)},
			opts: Options{Metric: "macro-f1", AccuracyThreshold: f(0.02), MinAccuracyGain: f(0.005)},
			want: want{backbone: "distilbert", strategy: StrategyThreshold, source: SourceBenchmark,
				reason: []string{"and not below min_accuracy_gain 0.50% relative"}},
		},
		{
			name:  "min_accuracy_gain: all faster ones too close",
			cands: []*Candidate{cand("deberta", 0.85, 40, 0), cand("close", 0.849, 30, 0)},
			opts:  Options{Metric: "macro-f1", AccuracyThreshold: f(0.02), MinAccuracyGain: f(0.005)},
			want: want{backbone: "deberta", strategy: StrategyThreshold, source: SourceBenchmark,
				reason: []string{"below min_accuracy_gain 0.50% relative, too small a difference to act on"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sel, _, err := Choose(tt.cands, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			c := sel.SelectionCriteria
			if sel.Backbone != tt.want.backbone || c.Backbone != tt.want.backbone {
				t.Errorf("chose %s, want %s (reason: %s)", sel.Backbone, tt.want.backbone, c.Reason)
			}
			if c.SelectionStrategy != tt.want.strategy {
				t.Errorf("strategy %s, want %s", c.SelectionStrategy, tt.want.strategy)
			}
			if c.SpeedDataSource != tt.want.source {
				t.Errorf("speed_data_source %s, want %s", c.SpeedDataSource, tt.want.source)
			}
			var order []string
			for _, e := range c.AllCandidates {
				order = append(order, e.Backbone)
				if e.SpeedScore != nil && e.SpeedDataSource != c.SpeedDataSource {
					t.Errorf("%s: speed_data_source %s, want %s", e.Backbone, e.SpeedDataSource, c.SpeedDataSource)
				}
			}
			if tt.want.order != "" && strings.Join(order, " ") != tt.want.order {
				t.Errorf("all_candidates order %v, want %s", order, tt.want.order)
			}
			for _, s := range tt.want.reason {
				if !strings.Contains(c.Reason, s) {
					t.Errorf("reason %q\nwant it to contain %q", c.Reason, s)
				}
			}
			if (tt.want.note == "") != (c.SpeedDataNote == "") || !strings.Contains(c.SpeedDataNote, tt.want.note) {
				t.Errorf("speed_data_note %q, want %q", c.SpeedDataNote, tt.want.note)
			}
		})
	}
}

func TestChooseCandidateSources(t *testing.T) {
	cands := []*Candidate{cand("deberta", 0.85, 5, 184e6), cand("distilbert", 0.845, -1, 66e6), cand("x", 0.5, -1, 0)}
	sel, warns, err := Choose(cands, Options{Metric: "macro-f1", AccuracyThreshold: f(0.015)})
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) != 1 || !strings.Contains(warns[0], "ranked by parameter count") {
		t.Errorf("warnings %q, want one about the ranking", warns)
	}
	e := sel.SelectionCriteria.AllCandidates
	if got := strings.Join(e[0].SpeedSources, ","); got != "benchmark,parameter_proxy" || *e[0].BenchmarkLatencyMS != 5 || *e[0].SpeedScore != 184e6 {
		t.Errorf("deberta: sources %s, latency %v, score %v", got, *e[0].BenchmarkLatencyMS, *e[0].SpeedScore)
	}
	if got := strings.Join(e[1].SpeedSources, ","); got != "parameter_proxy" || e[1].BenchmarkLatencyMS != nil {
		t.Errorf("distilbert: sources %s, latency %v", got, e[1].BenchmarkLatencyMS)
	}
	if len(e[2].SpeedSources) != 0 || e[2].SpeedScore != nil || e[2].SpeedDataSource != SourceNone {
		t.Errorf("x: %+v, want no speed data", e[2])
	}
	if d := sel.SelectionCriteria.AccuracyDiffFromBest; d < 0.00499 || d > 0.00501 {
		t.Errorf("accuracy_diff_from_best %v, want 0.005", d)
	}
}

func TestSettingsErrors(t *testing.T) {
	cands := []*Candidate{cand("a", 0.85, 40, 0), cand("b", 0.84, 10, 0)}
	tests := []struct {
		name string
		opts Options
		want []string
	}{
		{"the original's contradictory settings", Options{Metric: "m", AccuracyThreshold: f(0.015), MinAccuracyGain: f(0.02)},
			[]string{"min_accuracy_gain = 0.02 is larger than accuracy_threshold = 0.015 (both relative)", "can never choose a faster model",
				"at least min_accuracy_gain and at most accuracy_threshold", "lower min_accuracy_gain to at most 0.015, or raise accuracy_threshold to at least 0.02"}},
		{"min gain without threshold", Options{Metric: "m", MinAccuracyGain: f(0.01)}, []string{"without accuracy_threshold"}},
		{"zero threshold", Options{Metric: "m", AccuracyThreshold: f(0)}, []string{"can never choose a faster model", "ties go to the faster"}},
		{"negative threshold", Options{Metric: "m", AccuracyThreshold: f(-0.1)}, []string{"accuracy_threshold = -0.1: want a finite number ≥ 0"}},
		{"bad goal", Options{Metric: "m", Goal: "max"}, []string{`goal "max"`}},
		{"no metric", Options{}, []string{"no metric"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Choose(cands, tt.opts)
			if err == nil {
				t.Fatal("no error")
			}
			for _, s := range tt.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q\nwant it to contain %q", err, s)
				}
			}
		})
	}
	// Equal settings leave a window of one distance: allowed.
	if _, _, err := Choose(cands, Options{Metric: "m", AccuracyThreshold: f(0.02), MinAccuracyGain: f(0.02)}); err != nil {
		t.Errorf("equal threshold and gain: %v", err)
	}
	// Relative distances from a best of 0 are undefined.
	zero := []*Candidate{cand("a", 0, 40, 0), cand("b", 0.1, 10, 0)}
	if _, _, err := Choose(zero, Options{Metric: "loss", Goal: Minimize, AccuracyThreshold: f(0.1)}); err == nil || !strings.Contains(err.Error(), "absolute") {
		t.Errorf("relative threshold with best 0: %v", err)
	}
}

// A candidate is faster only when its latency across rounds differs
// beyond the noise (the gate's U test); otherwise it is a tie on speed and
// accuracy decides. Latencies of different work are refused unless
// allowed; noise warnings of the benchmarks are passed on.
func TestChooseNoiseAndWork(t *testing.T) {
	withRuns := func(c *Candidate, fp string, runs ...float64) *Candidate {
		c.Workload, c.LatencyRuns = fp, runs
		return c
	}
	opts := Options{Metric: "macro-f1", AccuracyThreshold: f(0.03)}
	// Overlapping rounds: 29–33 ms against 28–34 ms.
	tie := []*Candidate{
		withRuns(cand("bert", 0.90, 31, 110e6), "w", 28, 34, 30, 33, 29, 32),
		withRuns(cand("distilbert", 0.89, 30, 66e6), "w", 29, 33, 31, 30, 32, 29.5),
	}
	sel, _, err := Choose(tie, opts)
	if err != nil {
		t.Fatal(err)
	}
	if r := sel.SelectionCriteria.Reason; sel.Backbone != "bert" || !strings.Contains(r, "a tie on speed") || !strings.Contains(r, "accuracy decides") {
		t.Errorf("overlapping rounds: chose %s, reason %q; want bert on a tie", sel.Backbone, r)
	}
	apart := []*Candidate{
		withRuns(cand("bert", 0.90, 61, 110e6), "w", 60, 61, 62, 63, 59, 61),
		withRuns(cand("distilbert", 0.89, 30, 66e6), "w", 29, 30, 31, 30, 32, 29.5),
	}
	sel, _, err = Choose(apart, opts)
	if err != nil {
		t.Fatal(err)
	}
	if r := sel.SelectionCriteria.Reason; sel.Backbone != "distilbert" || !strings.Contains(r, "beyond the noise: p=") {
		t.Errorf("separate rounds: chose %s, reason %q; want distilbert, beyond the noise", sel.Backbone, r)
	}
	other := []*Candidate{withRuns(cand("bert", 0.90, 61, 110e6), "w1"), withRuns(cand("distilbert", 0.89, 30, 66e6), "w2")}
	other[0].BenchWarnings = []string{"busy machine: other processes used 1.20 CPUs during the timed loop (threshold 0.25)"}
	if _, warns, err := Choose(other, opts); err == nil || !strings.Contains(err.Error(), "different work") || !strings.Contains(strings.Join(warns, "\n"), "busy machine") {
		t.Errorf("different work: err %v, warnings %q; want a refusal and bert's busy-machine warning", err, warns)
	}
	opts.AllowDifferentWork = true
	if _, warns, err := Choose(other, opts); err != nil || !strings.Contains(strings.Join(warns, "\n"), "DIFFERENT WORK") {
		t.Errorf("different work, allowed: err %v, warnings %q", err, warns)
	}
}
