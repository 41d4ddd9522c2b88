package selection

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/perf/benchmath"
)

// Goal says which way the metric is better.
type Goal string

// Goals.
const (
	Maximize Goal = "maximize"
	Minimize Goal = "minimize"
)

// Strategies, as written in selection_strategy.
const (
	StrategyThreshold    = "accuracy_first_with_threshold"
	StrategyAccuracyOnly = "accuracy_only"
)

// Speed data sources, as written in speed_data_source.
const (
	SourceBenchmark = "benchmark"       // batch_1.mean_ms of benchmark.json, in ms
	SourceProxy     = "parameter_proxy" // parameter count
	SourceNone      = "none"            // no speed data
)

// tolerance absorbs rounding when distances are compared with the settings.
const tolerance = 1e-9

// Options configures a selection.
type Options struct {
	// HPODir is the HPO output tree.
	HPODir string
	// Metric is the key of metrics.json to select on, e.g. "macro-f1".
	Metric string
	// Goal is Maximize (the default when empty) or Minimize.
	Goal Goal
	// AccuracyThreshold is the largest distance from the best at which a
	// faster candidate may be chosen; nil selects on the metric alone.
	AccuracyThreshold *float64
	// Absolute measures distances in the metric's units instead of relative
	// to the best value (the default).
	Absolute bool
	// MinAccuracyGain is the smallest distance from the best at which a
	// faster candidate may be chosen; nil means 0. Needs AccuracyThreshold.
	MinAccuracyGain *float64
	// AllowDifferentWork ranks by latencies measured on different work
	// (workload fingerprints differ); without it that is an error.
	AllowDifferentWork bool
	// Machine is the machine label to decide for: each trial's benchmark
	// of that machine is read (benchmark.json or benchmark.<machine>.json).
	// "" reads each trial's only benchmark, and refuses candidates
	// measured on different machines.
	Machine string
	// Threads says which thread count of a threads sweep's benchmark.json
	// (bench.toml's intra_op_threads given as a list) the latency is read
	// at: "" or ThreadsFirst, the sweep's first count (the file's own
	// batch_1, as without the setting); a count such as "2"; or
	// ThreadsBest, each trial's fastest count at batch 1. A benchmark
	// without a sweep was measured at the count of its intra-op-threads
	// line. A trial whose benchmark has no result at the count asked for
	// counts as having no benchmark (all candidates are then ranked by
	// parameter count, and speed_data_note says why).
	Threads string
}

// Threads settings besides a count (Options.Threads).
const (
	ThreadsFirst = "first"
	ThreadsBest  = "best"
)

// threadSetting is a parsed Options.Threads: first, best, or count.
type threadSetting struct {
	first, best bool
	count       int
}

// parseThreads parses a threads setting (see Options.Threads).
func parseThreads(s string) (threadSetting, error) {
	switch s {
	case "", ThreadsFirst:
		return threadSetting{first: true}, nil
	case ThreadsBest:
		return threadSetting{best: true}, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return threadSetting{}, fmt.Errorf("threads %q: want a thread count ≥ 0 (one of the sweep's intra_op_threads), %q (each trial at its fastest count) or %q (the sweep's first count, the default)", s, ThreadsBest, ThreadsFirst)
	}
	return threadSetting{count: n}, nil
}

// String returns the setting as written in threads_setting.
func (t threadSetting) String() string {
	switch {
	case t.first:
		return ThreadsFirst
	case t.best:
		return ThreadsBest
	}
	return strconv.Itoa(t.count)
}

// NoiseAlpha is the significance level at which a latency difference
// across rounds counts as beyond the noise, with the gate's test
// (Mann-Whitney U, benchmath.AssumeNothing); NoiseMinRuns the rounds each
// side needs for the test.
const (
	NoiseAlpha   = 0.05
	NoiseMinRuns = 4
)

// fasterBeyondNoise says whether a is faster than b by more than the noise:
// with NoiseMinRuns or more rounds each, the U test of their per-round
// mean latencies at NoiseAlpha; with fewer, it cannot tell (tested false).
func fasterBeyondNoise(a, b *ranked) (faster, tested bool, p float64) {
	if len(a.LatencyRuns) < NoiseMinRuns || len(b.LatencyRuns) < NoiseMinRuns {
		return a.score < b.score, false, math.NaN()
	}
	th := benchmath.DefaultThresholds
	th.CompareAlpha = NoiseAlpha
	sa := benchmath.NewSample(slices.Clone(a.LatencyRuns), &th)
	sb := benchmath.NewSample(slices.Clone(b.LatencyRuns), &th)
	c := benchmath.AssumeNothing.Compare(sa, sb)
	return a.score < b.score && c.P < NoiseAlpha, true, c.P
}

func (o Options) goal() Goal { return cmp.Or(o.Goal, Maximize) }

// Validate checks the settings, rejecting those that could never choose a
// faster model, with the reason.
func (o Options) Validate() error {
	if o.HPODir == "" {
		return errors.New("no hpo dir given")
	}
	return o.validate()
}

func (o Options) validate() error {
	if o.Metric == "" {
		return errors.New("no metric given")
	}
	if _, err := parseThreads(o.Threads); err != nil {
		return err
	}
	if g := o.goal(); g != Maximize && g != Minimize {
		return fmt.Errorf("goal %q: want %q or %q", o.Goal, Maximize, Minimize)
	}
	kind := "relative"
	if o.Absolute {
		kind = "absolute"
	}
	t, g := o.AccuracyThreshold, o.MinAccuracyGain
	for _, s := range []struct {
		name string
		v    *float64
	}{{"accuracy_threshold", t}, {"min_accuracy_gain", g}} {
		if s.v != nil && (math.IsNaN(*s.v) || math.IsInf(*s.v, 0) || *s.v < 0) {
			return fmt.Errorf("%s = %v: want a finite number ≥ 0", s.name, *s.v)
		}
	}
	switch {
	case t == nil && g != nil:
		return fmt.Errorf("min_accuracy_gain = %v without accuracy_threshold: it only narrows which faster candidates the threshold may choose, and without a threshold the most accurate candidate is always chosen; set accuracy_threshold, or drop min_accuracy_gain", *g)
	case t != nil && *t == 0:
		return errors.New("accuracy_threshold = 0 can never choose a faster model: a faster candidate as accurate as the best would already rank first, since ties go to the faster; use a positive threshold, or none to select on accuracy alone")
	case t != nil && g != nil && *g > *t:
		return fmt.Errorf("min_accuracy_gain = %v is larger than accuracy_threshold = %v (both %s), so these settings can never choose a faster model: "+
			"a faster candidate is chosen only when its distance from the best is at least min_accuracy_gain and at most accuracy_threshold, and no distance is both; "+
			"lower min_accuracy_gain to at most %v, or raise accuracy_threshold to at least %v",
			*g, *t, kind, *t, *g)
	}
	return nil
}

// Result is the outcome of Select.
type Result struct {
	// Selection is the document written as output.
	Selection *Selection
	// Warnings lists what was skipped or treated as missing, one line each.
	Warnings []string
}

// Select reads the HPO tree and chooses the configuration to ship.
func Select(o Options) (*Result, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	cands, warns, err := Scan(o)
	if err != nil {
		return &Result{Warnings: warns}, err
	}
	sel, more, err := Choose(cands, o)
	warns = append(warns, more...)
	if err != nil {
		return &Result{Warnings: warns}, err
	}
	return &Result{Selection: sel, Warnings: warns}, nil
}

// Selection is the output document; its keys are the original tool's, with
// a few additions (trial_dir, min_accuracy_gain, speed_data_note and, per
// candidate, trial_name, parameter_count, parameter_count_source,
// speed_sources and accuracy_diff_from_best).
type Selection struct {
	TrialName         string         `json:"trial_name"`
	TrialID           string         `json:"trial_id"`
	Backbone          string         `json:"backbone"`
	Hyperparameters   map[string]any `json:"hyperparameters"`
	Metrics           map[string]any `json:"metrics"`
	TrialDir          string         `json:"trial_dir"`
	SelectionCriteria Criteria       `json:"selection_criteria"`
}

// Criteria says how the selection was made.
type Criteria struct {
	Metric string `json:"metric"`
	Goal   Goal   `json:"goal"`
	// BestValue is the chosen trial's value of the metric (as in the
	// original: the best of its backbone, not necessarily the best overall).
	BestValue         float64 `json:"best_value"`
	Backbone          string  `json:"backbone"`
	SelectionStrategy string  `json:"selection_strategy"`
	Reason            string  `json:"reason"`
	// AccuracyThreshold and MinAccuracyGain are null when not set.
	AccuracyThreshold    *float64 `json:"accuracy_threshold"`
	UseRelativeThreshold bool     `json:"use_relative_threshold"`
	MinAccuracyGain      *float64 `json:"min_accuracy_gain"`
	// SpeedDataSource is the kind of every speed_score: "benchmark",
	// "parameter_proxy" or "none".
	SpeedDataSource string `json:"speed_data_source"`
	// SpeedDataNote explains a ranking by parameter count or the absence of
	// speed data.
	SpeedDataNote string `json:"speed_data_note,omitempty"`
	// ThreadsSetting is the threads setting (Options.Threads): "first",
	// "best" or a count; omitted when it is "first" and no candidate's
	// benchmark has a threads sweep, as before the setting existed.
	ThreadsSetting string `json:"threads_setting,omitempty"`
	// Threads is the thread count the chosen trial's latency was measured
	// at (its candidate entry's threads); omitted when not known.
	Threads *int `json:"threads,omitempty"`
	// ThreadsNote says when the candidates' latencies were measured at
	// different thread counts (as "best" may choose).
	ThreadsNote string `json:"threads_note,omitempty"`
	// AccuracyDiffFromBest is the chosen trial's distance from the best in
	// the metric's units (0 when the best is chosen).
	AccuracyDiffFromBest float64          `json:"accuracy_diff_from_best"`
	AllCandidates        []CandidateEntry `json:"all_candidates"`
}

// CandidateEntry is one candidate in all_candidates, best first.
type CandidateEntry struct {
	Backbone string `json:"backbone"`
	// Accuracy is the candidate's value of the metric, whatever the metric.
	Accuracy float64 `json:"accuracy"`
	// SpeedScore is lower for faster: milliseconds or parameters, as
	// SpeedDataSource says; null when the candidate has no speed data of
	// the kind used for ranking.
	SpeedScore         *float64 `json:"speed_score"`
	SpeedDataSource    string   `json:"speed_data_source"`
	BenchmarkLatencyMS *float64 `json:"benchmark_latency_ms"`
	// Threads is the intra-op thread count benchmark_latency_ms was
	// measured at (Candidate.Threads); omitted when not known.
	Threads *int `json:"threads,omitempty"`
	// BenchmarkThreadCounts are the counts of the benchmark's threads
	// sweep; omitted without one.
	BenchmarkThreadCounts []int `json:"benchmark_thread_counts,omitempty"`
	// BenchmarkMachine is the machine the benchmark was measured on, when
	// it says.
	BenchmarkMachine string `json:"benchmark_machine,omitempty"`
	TrialName        string `json:"trial_name"`
	ParameterCount   *int64 `json:"parameter_count"`
	// ParameterCountSource is "onnx" or "config.json".
	ParameterCountSource string `json:"parameter_count_source,omitempty"`
	// SpeedSources lists the speed data this candidate has of its own.
	SpeedSources         []string `json:"speed_sources"`
	AccuracyDiffFromBest float64  `json:"accuracy_diff_from_best"`
}

// Encode returns the indented JSON of s, ending in a newline.
func (s *Selection) Encode() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ranked is a candidate with its speed score of the ranking's kind.
type ranked struct {
	*Candidate
	score    float64
	hasScore bool
	dist     float64 // distance from the best, metric units (≥ 0)
	rel      float64 // dist / |best|
}

// Choose applies the rule (see the package documentation) to candidates,
// one per backbone. It returns the selection and warnings.
func Choose(cands []*Candidate, o Options) (*Selection, []string, error) {
	if err := o.validate(); err != nil {
		return nil, nil, err
	}
	if len(cands) == 0 {
		return nil, nil, errors.New("no candidates")
	}
	var warns []string
	ts, _ := parseThreads(o.Threads) // checked by validate
	source, note := speedSource(cands)
	if note != "" {
		warns = append(warns, note)
	}
	var threadsNote string
	if source == SourceBenchmark {
		threadsNote = threadsNoteOf(cands, ts)
		if threadsNote != "" {
			warns = append(warns, threadsNote)
		}
		work := map[string][]string{}
		for _, c := range cands {
			if c.LatencyMS != nil {
				work[c.Workload] = append(work[c.Workload], c.Backbone)
			}
			for _, w := range c.BenchWarnings {
				warns = append(warns, fmt.Sprintf("%s's batch_1 latency%s (%s): %s", c.Backbone, atText(c.Threads), c.BenchmarkPath, w))
			}
		}
		if len(work) > 1 {
			var parts []string
			for _, fp := range slices.Sorted(maps.Keys(work)) {
				name := fp
				if name == "" {
					name = "no fingerprint"
				}
				parts = append(parts, fmt.Sprintf("%s: %s", name, strings.Join(work[fp], ", ")))
			}
			msg := "the candidates' batch_1 latencies were measured on different work (" + strings.Join(parts, "; ") + ")"
			if !o.AllowDifferentWork {
				return nil, warns, errors.New(msg + "; benchmark them on the same texts and settings (nerbench select --benchmark), or allow it with --allow-different-work")
			}
			warns = append(warns, "DIFFERENT WORK: "+msg)
		}
	}
	rs := make([]*ranked, len(cands))
	for i, c := range cands {
		r := &ranked{Candidate: c}
		switch source {
		case SourceBenchmark:
			if c.LatencyMS != nil {
				r.score, r.hasScore = *c.LatencyMS, true
			}
		case SourceProxy:
			r.score, r.hasScore = float64(c.Parameters), c.Parameters > 0
		}
		rs[i] = r
	}
	goal := o.goal()
	slices.SortStableFunc(rs, func(a, b *ranked) int {
		if c := compareValues(a.Value, b.Value, goal); c != 0 {
			return c
		}
		if a.hasScore != b.hasScore {
			if a.hasScore {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(a.score, b.score), cmp.Compare(a.Backbone, b.Backbone), cmp.Compare(a.TrialName, b.TrialName))
	})
	best := rs[0]
	for _, r := range rs {
		r.dist = r.Value - best.Value
		if goal == Maximize {
			r.dist = best.Value - r.Value
		}
		r.dist = math.Max(r.dist, 0)
		if best.Value != 0 {
			r.rel = r.dist / math.Abs(best.Value)
		}
	}

	chosen, strategy := best, StrategyAccuracyOnly
	var reason string
	if o.AccuracyThreshold == nil {
		reason = fmt.Sprintf("best %s (%s, goal %s) of %s; no accuracy_threshold set, so speed was not considered",
			o.Metric, num(best.Value), goal, plural(len(rs), "candidate"))
	} else {
		strategy = StrategyThreshold
		if !o.Absolute && best.Value == 0 {
			return nil, warns, fmt.Errorf("the best %s is 0, so distances relative to it are undefined; use an absolute threshold", o.Metric)
		}
		chosen, reason = applyThreshold(rs, o, source)
	}

	sel := &Selection{
		TrialName:       chosen.TrialName,
		TrialID:         chosen.TrialName,
		Backbone:        chosen.Backbone,
		Hyperparameters: nonNil(chosen.Hyperparameters),
		Metrics:         nonNil(chosen.Metrics),
		TrialDir:        chosen.TrialDir,
		SelectionCriteria: Criteria{
			Metric:               o.Metric,
			Goal:                 goal,
			BestValue:            chosen.Value,
			Backbone:             chosen.Backbone,
			SelectionStrategy:    strategy,
			Reason:               reason,
			AccuracyThreshold:    o.AccuracyThreshold,
			UseRelativeThreshold: !o.Absolute,
			MinAccuracyGain:      o.MinAccuracyGain,
			SpeedDataSource:      source,
			SpeedDataNote:        note,
			Threads:              chosen.Threads,
			ThreadsNote:          threadsNote,
			AccuracyDiffFromBest: tidy(chosen.dist),
		},
	}
	if !ts.first || slices.ContainsFunc(cands, func(c *Candidate) bool { return c.ThreadCounts != nil }) {
		sel.SelectionCriteria.ThreadsSetting = ts.String()
	}
	for _, r := range rs {
		e := CandidateEntry{
			Backbone:              r.Backbone,
			Accuracy:              r.Value,
			SpeedDataSource:       SourceNone,
			BenchmarkLatencyMS:    r.LatencyMS,
			Threads:               r.Threads,
			BenchmarkThreadCounts: r.ThreadCounts,
			BenchmarkMachine:      r.BenchmarkMachine,
			TrialName:             r.TrialName,
			ParameterCountSource:  r.ParametersFrom,
			SpeedSources:          []string{},
			AccuracyDiffFromBest:  tidy(r.dist),
		}
		if r.hasScore {
			e.SpeedScore, e.SpeedDataSource = &r.score, source
		}
		if r.LatencyMS != nil {
			e.SpeedSources = append(e.SpeedSources, SourceBenchmark)
		}
		if r.Parameters > 0 {
			e.ParameterCount = &r.Parameters
			e.SpeedSources = append(e.SpeedSources, SourceProxy)
		}
		sel.SelectionCriteria.AllCandidates = append(sel.SelectionCriteria.AllCandidates, e)
	}
	return sel, warns, nil
}

// speedSource decides the one kind of speed score all candidates are ranked
// by, and explains it when not every candidate has a benchmark. Candidates
// without any speed data do not decide the kind: they cannot be ranked by
// either.
func speedSource(cands []*Candidate) (string, string) {
	var bench, paramsOnly, nothing, noParams []string
	for _, c := range cands {
		switch {
		case c.LatencyMS != nil:
			bench = append(bench, c.Backbone)
		case c.Parameters > 0:
			paramsOnly = append(paramsOnly, c.Backbone)
		default:
			nothing = append(nothing, c.Backbone)
		}
		if c.Parameters <= 0 {
			noParams = append(noParams, c.Backbone)
		}
	}
	switch {
	case len(bench)+len(paramsOnly) == 0:
		return SourceNone, fmt.Sprintf("no speed data: %s no usable benchmark.json and no countable model (model.onnx or config.json)",
			list(nothing, "has", "have")) + missingText(cands)
	case len(paramsOnly) == 0:
		if len(nothing) > 0 {
			return SourceBenchmark, fmt.Sprintf("%s no speed data (no usable benchmark.json, no countable model) and cannot be shown faster",
				list(nothing, "has", "have")) + missingText(cands)
		}
		return SourceBenchmark, ""
	}
	var b strings.Builder
	if len(bench) > 0 {
		fmt.Fprintf(&b, "ranked by parameter count, not latency: %s a usable benchmark.json but %s not; milliseconds are never compared with parameter counts",
			list(bench, "has", "have"), list(append(paramsOnly, nothing...), "does", "do"))
	} else {
		b.WriteString("ranked by parameter count: no candidate has a usable benchmark.json")
	}
	if len(noParams) > 0 {
		fmt.Fprintf(&b, "; %s no parameter count and cannot be shown faster", list(noParams, "has", "have"))
	}
	b.WriteString(missingText(cands))
	return SourceProxy, b.String()
}

// missingText lists the candidates whose benchmark was not used for lack
// of the thread count asked for, with why: "" when there are none.
func missingText(cands []*Candidate) string {
	var why []string
	for _, c := range cands {
		if c.LatencyMS == nil && c.ThreadsMissing != "" {
			why = append(why, c.Backbone+": "+c.ThreadsMissing)
		}
	}
	if len(why) == 0 {
		return ""
	}
	return "; not at the thread count asked for (" + strings.Join(why, "; ") + ")"
}

// threadsNoteOf says when the candidates ranked by latency were measured
// at different thread counts: always possible under "best", and under
// "first" when the sweeps' first counts differ (or differ from the count
// of a benchmark without a sweep). "" when they agree, and under "first"
// when no benchmark has a sweep.
func threadsNoteOf(cands []*Candidate, ts threadSetting) string {
	if ts.first && !slices.ContainsFunc(cands, func(c *Candidate) bool { return c.ThreadCounts != nil }) {
		return "" // no sweep: as before the setting
	}
	var parts []string
	counts := map[int]bool{} // -1: not recorded
	for _, c := range cands {
		if c.LatencyMS == nil {
			continue
		}
		n, t := -1, "an unrecorded count"
		switch {
		case c.Threads != nil:
			n, t = *c.Threads, plural(*c.Threads, "thread")
		case c.recorded != nil:
			n, t = *c.recorded, plural(*c.recorded, "thread")+" (no sweep)"
		}
		counts[n] = true
		parts = append(parts, c.Backbone+" at "+t)
	}
	if len(counts) < 2 {
		return ""
	}
	how := "each trial at its own fastest thread count (threads best)"
	if !ts.best {
		how = "each trial at the first count of its own threads sweep (threads first)"
	}
	return fmt.Sprintf("DIFFERENT THREAD COUNTS: the candidates' batch_1 latencies are compared at different intra-op thread counts, %s: %s; ship the chosen trial with its count", how, strings.Join(parts, ", "))
}

// atText is " at <n> threads", or "" for an unknown count.
func atText(t *int) string {
	if t == nil {
		return ""
	}
	return " at " + plural(*t, "thread")
}

// applyThreshold returns the candidate the threshold rule chooses and why.
func applyThreshold(rs []*ranked, o Options, source string) (*ranked, string) {
	best := rs[0]
	t := *o.AccuracyThreshold
	g := 0.0
	if o.MinAccuracyGain != nil {
		g = *o.MinAccuracyGain
	}
	distOf := func(r *ranked) float64 {
		if o.Absolute {
			return r.dist
		}
		return r.rel
	}
	head := fmt.Sprintf("best %s (%s, goal %s) is %s", o.Metric, num(best.Value), o.goal(), best.Backbone)
	switch {
	case source == SourceNone:
		return best, head + "; it is kept: no candidate has speed data, so none can be shown faster"
	case !best.hasScore && best.LatencyMS != nil:
		return best, head + "; it is kept: it has no parameter count, by which candidates are ranked (see speed_data_note), so no candidate can be shown faster"
	case !best.hasScore:
		return best, head + "; it is kept: it has no speed data, so no candidate can be shown faster"
	}
	var faster, ties []*ranked
	noise := map[*ranked]string{}
	for _, r := range rs[1:] {
		if !r.hasScore || r.score >= best.score {
			continue
		}
		if source != SourceBenchmark {
			faster = append(faster, r)
			continue
		}
		ok, tested, p := fasterBeyondNoise(r, best)
		switch {
		case ok && tested:
			faster = append(faster, r)
			noise[r] = fmt.Sprintf("; beyond the noise: p=%.3g across %d and %d rounds (Mann-Whitney U, alpha %g)", p, len(r.LatencyRuns), len(best.LatencyRuns), NoiseAlpha)
		case tested:
			ties = append(ties, r)
			noise[r] = fmt.Sprintf("p=%.3g across %d and %d rounds", p, len(r.LatencyRuns), len(best.LatencyRuns))
		default:
			faster = append(faster, r)
			noise[r] = fmt.Sprintf("; not tested against the noise: %d and %d rounds (the test needs %d each; make bench COUNT=%d)", max(len(r.LatencyRuns), 1), max(len(best.LatencyRuns), 1), NoiseMinRuns, 2*NoiseMinRuns)
		}
	}
	if len(faster) == 0 {
		if len(ties) > 0 {
			var names []string
			for _, r := range ties {
				names = append(names, fmt.Sprintf("%s (%s, %s)", r.Backbone, speedPair(r, best, source), noise[r]))
			}
			return best, fmt.Sprintf("%s; it is kept: a tie on speed with %s: the difference is within the noise, so accuracy decides", head, strings.Join(names, ", "))
		}
		return best, fmt.Sprintf("%s; it is kept: it is also the fastest (%s), so no faster candidate exists", head, speedText(best, source))
	}
	for _, r := range faster {
		d := distOf(r)
		if d <= t+tolerance && d >= g-tolerance {
			return r, fmt.Sprintf("%s chosen: faster than the best, %s (%s), and its %s %s is %s from the best %s, within accuracy_threshold %s%s%s",
				r.Backbone, best.Backbone, speedPair(r, best, source),
				o.Metric, num(r.Value), distText(r, o), num(best.Value), settingText(t, o), gainText(g, o), noise[r])
		}
	}
	// Explain with the most accurate faster candidate.
	r := faster[0]
	why := fmt.Sprintf("beyond accuracy_threshold %s", settingText(t, o))
	if distOf(r) < g-tolerance {
		why = fmt.Sprintf("below min_accuracy_gain %s, too small a difference to act on", settingText(g, o))
	}
	return best, fmt.Sprintf("%s; it is kept: no faster candidate is eligible; the most accurate faster one, %s (%s), is %s from the best, %s",
		head, r.Backbone, speedPair(r, best, source), distText(r, o), why)
}

func nonNil(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func distText(r *ranked, o Options) string {
	if o.Absolute {
		return num(r.dist)
	}
	return fmt.Sprintf("%s (%s relative)", num(r.dist), percent(r.rel))
}

func settingText(v float64, o Options) string {
	if o.Absolute {
		return num(v) + " absolute"
	}
	return percent(v) + " relative"
}

func gainText(g float64, o Options) string {
	if o.MinAccuracyGain == nil {
		return ""
	}
	return " and not below min_accuracy_gain " + settingText(g, o)
}

// speedText describes one speed score.
func speedText(r *ranked, source string) string {
	if source == SourceBenchmark {
		return ms(r.score) + " ms mean latency at batch 1" + threadsText(r.Threads)
	}
	return humanCount(r.score) + " parameters"
}

// speedPair compares two speed scores.
func speedPair(a, b *ranked, source string) string {
	if source != SourceBenchmark {
		return humanCount(a.score) + " vs " + humanCount(b.score) + " parameters"
	}
	s := ms(a.score) + " ms vs " + ms(b.score) + " ms mean latency at batch 1"
	switch {
	case a.Threads == nil && b.Threads == nil:
		return s
	case a.Threads != nil && b.Threads != nil && *a.Threads == *b.Threads:
		return s + threadsText(a.Threads)
	}
	return s + ", " + countText(a.Threads) + " vs " + countText(b.Threads)
}

// threadsText is ", <n> threads", or "" for an unknown count.
func threadsText(t *int) string {
	if t == nil {
		return ""
	}
	return ", " + plural(*t, "thread")
}

// countText is "<n> threads", or "an unrecorded thread count".
func countText(t *int) string {
	if t == nil {
		return "an unrecorded thread count"
	}
	return plural(*t, "thread")
}

func ms(v float64) string {
	s := strconv.FormatFloat(v, 'f', 3, 64)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// tidy rounds v to 12 significant digits, dropping the noise of float
// arithmetic (0.010000000000000009 → 0.01) from what is written.
func tidy(v float64) float64 {
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 12, 64), 64)
	if err != nil {
		return v
	}
	return r
}

// num formats a metric value: 4 decimals, more when needed to show it.
func num(v float64) string {
	s := strconv.FormatFloat(v, 'f', 4, 64)
	if p, _ := strconv.ParseFloat(s, 64); p != v && v != 0 && math.Abs(v) < 1e-3 {
		return strconv.FormatFloat(v, 'g', 4, 64)
	}
	return s
}

func percent(v float64) string { return strconv.FormatFloat(v*100, 'f', 2, 64) + "%" }

func humanCount(v float64) string {
	switch {
	case v >= 1e9:
		return strconv.FormatFloat(v/1e9, 'f', 2, 64) + "B"
	case v >= 1e6:
		return strconv.FormatFloat(v/1e6, 'f', 2, 64) + "M"
	case v >= 1e3:
		return strconv.FormatFloat(v/1e3, 'f', 1, 64) + "k"
	}
	return strconv.FormatFloat(v, 'f', 0, 64)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// list joins names and adds the verb agreeing with their number.
func list(names []string, one, many string) string {
	if len(names) == 1 {
		return names[0] + " " + one
	}
	return strings.Join(names, ", ") + " " + many
}
