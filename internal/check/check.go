// Package check is the regression gate: it compares a baseline and a
// candidate set of benchmark measurements and says, with statistics,
// whether the candidate made anything slower.
//
// # What is compared
//
// Each side is a [Side]: for every benchmark (a model and batch size of the
// nerbench suite, or any other Go benchmark) and every metric (a unit such
// as ns/op, p95-ns/op or docs/sec) it holds a [Series] of repeated values,
// normally one value per run (go test -count=N, or N interleaved runs of
// scripts/ab.sh). [ReadFiles] reads a side from files in the Go benchmark
// format or from benchmark.json files; [Side.Add] builds one in code.
//
// For each metric present on both sides, [Compare] computes, as benchstat
// does (golang.org/x/perf/benchmath):
//
//   - each side's median and its 95 % confidence interval
//     (benchmath.AssumeNothing: a distribution-free interval from order
//     statistics; it needs 6 or more values, otherwise it is ±∞);
//   - the p-value of the two-sided Mann-Whitney U test that both sides come
//     from the same distribution.
//
// A unit's "Unit <unit> assume=exact" line makes it exact
// (benchmath.AssumeExact); without one, the contract's table does (for
// tokens/op). Then any difference counts as significant and one value per
// side is enough.
//
// # What a regression is
//
// Which way is better comes from the "Unit <unit> better=higher|lower" lines
// of the input (the candidate's lines win over the baseline's). Without one,
// the suite's metrics go by the contract's table (contract.Metrics: its
// latencies are better lower, docs/sec higher), other units ns/op, sec/op
// and their named variants (p95-ns/op), B/op and allocs/op are better
// lower, and MB/s and B/s better higher. A unit with no known direction,
// such as the suite's tokens/op (a description of the workload, not a
// cost), is compared and shown but never a regression.
//
// A metric regressed when the change of the medians is significant
// (p < Alpha, default 0.05) and worse by more than the metric's threshold
// (default 5 %), where the change is candidate/baseline − 1 of the medians:
// above +threshold for a lower-is-better metric, below −threshold for a
// higher-is-better one. A significant change in the good direction beyond
// the threshold is an improvement; a significant change within the
// threshold is reported as such and is not a regression. Requiring both
// keeps a noisy machine from raising false alarms: significance alone would
// flag tiny but real differences (a warmer cache) once there are many
// samples, and size alone would flag noise.
//
// # Too few samples
//
// A comparison with fewer than MinSamples (default 4) values on either side,
// or whose sample sizes cannot reach p < Alpha at all (with 3 and 3 values
// the smallest possible p-value is 0.1), is [Inconclusive]: it is neither a
// pass nor a regression, and every reporter says so loudly. [Report.Verdict]
// is VerdictInconclusive when any comparison is inconclusive and none
// regressed.
//
// # Per-iteration samples
//
// A benchmark.json with one run (no run_values) but with samples_ms (the
// per-iteration latencies kept by keep_samples) gives one value per metric,
// which is too few. For the median latency (median_ms, p50-ns/op) the
// iteration latencies themselves are then the sample: their median is that
// run's p50 and the U test compares the two runs' latency distributions.
// The other metrics (mean, p95, p99, throughput) are properties of a whole
// run, not of one iteration, and stay inconclusive. Iterations of one run
// share the state of one process on one machine, so such p-values ignore
// run-to-run variation and are too optimistic; rows computed this way say
// "iterations" as their source. Prefer repeated runs.
package check

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchmath"
	"golang.org/x/perf/benchproc"
	"golang.org/x/perf/benchunit"

	"github.com/nerbench/nerbench/benchmarks/benchname"
	"github.com/nerbench/nerbench/internal/contract"
)

// Source says what the values of a Series are.
type Source string

const (
	// SourceRuns: one value per run of the benchmark.
	SourceRuns Source = "runs"
	// SourceIterations: the per-iteration latencies of a single run.
	SourceIterations Source = "iterations"
)

// Series is the repeated values of one metric of one benchmark on one side.
type Series struct {
	// Name is the benchmark name without "Benchmark" and without the
	// GOMAXPROCS suffix: "Inference/model=tiny_trial_0/batch=8".
	Name string
	// Model and Batch are the values of Name's model= and batch= parts
	// ("" and 0 when it has none).
	Model string
	Batch int
	// Unit is the metric's unit as written in the input: "ns/op",
	// "p95-ns/op", "docs/sec".
	Unit   string
	Values []float64
	Source Source
	// Pos is where the first value came from, "file:line" or "file".
	Pos string
}

// Side is one side of a comparison.
type Side struct {
	// Files are the inputs read, in order.
	Files []string
	// Series are in the order first seen.
	Series []*Series
	// Units holds the inputs' Unit lines.
	Units benchfmt.UnitMetadataMap
	// Config holds the distinct values of each configuration line
	// (commit, cpu, device, max-length, …), in the order seen.
	Config map[string][]string
	// Failed lists what the inputs say failed: the benchmarks of
	// "--- FAIL: Benchmark…" lines and "panic:" lines, each "file:line: …".
	Failed []string

	index map[seriesKey]*Series
	// workloads holds the workload fingerprints of each benchmark, by
	// name (the workload configuration line, or a batch's "workload").
	workloads map[string][]string
	// iters holds per-iteration latencies (ns) of single runs, by name.
	iters map[string][][]float64
	// filter, when set, keeps only the results it matches; jsonUnits
	// holds the units it kept of the benchmark.json batch being read.
	filter    *benchproc.Filter
	jsonUnits map[string]bool
}

type seriesKey struct{ name, unit string }

// NewSide returns an empty side.
func NewSide() *Side {
	return &Side{Units: benchfmt.UnitMetadataMap{}, Config: map[string][]string{},
		index: map[seriesKey]*Series{}, iters: map[string][][]float64{}, workloads: map[string][]string{}}
}

// Add appends values of unit to the series of the benchmark name (as in
// Series.Name, "Benchmark" prefix and GOMAXPROCS suffix allowed), creating
// it with source src if needed. It returns the series.
func (s *Side) Add(name, unit string, src Source, values ...float64) *Series {
	name = benchname.Trim(name)
	k := seriesKey{name, unit}
	sr, ok := s.index[k]
	if !ok {
		model, batch := benchname.Fields(name)
		sr = &Series{Name: name, Model: model, Batch: batch, Unit: unit, Source: src}
		s.index[k] = sr
		s.Series = append(s.Series, sr)
	}
	sr.Values = append(sr.Values, values...)
	return sr
}

// addWorkload records a workload fingerprint of the benchmark name.
func (s *Side) addWorkload(name, fp string) {
	name = benchname.Trim(name)
	if fp != "" && !slices.Contains(s.workloads[name], fp) {
		s.workloads[name] = append(s.workloads[name], fp)
	}
}

// addConfig records a configuration line's value.
func (s *Side) addConfig(key, val string) {
	if !slices.Contains(s.Config[key], val) {
		s.Config[key] = append(s.Config[key], val)
	}
}

// models returns the distinct non-empty model names in order.
func (s *Side) models() []string {
	var out []string
	for _, sr := range s.Series {
		if sr.Model != "" && !slices.Contains(out, sr.Model) {
			out = append(out, sr.Model)
		}
	}
	return out
}

// Options control Compare. Start from DefaultOptions.
type Options struct {
	// Alpha is the significance level of the U test, 0 < Alpha < 1.
	Alpha float64
	// Threshold is the relative change of the median that counts as a
	// regression, ≥ 0 (0.05 is 5 %).
	Threshold float64
	// Thresholds overrides Threshold per metric, keyed by the unit as
	// written ("p99-ns/op"), as benchstat shows it ("p99-sec/op") or by
	// its benchmark.json key ("p99_ms").
	Thresholds map[string]float64
	// MinSamples is the number of values each side needs, ≥ 1.
	MinSamples int
	// Confidence is the level of the medians' confidence intervals.
	Confidence float64
	// ModelMap pairs a baseline model (bench name) with a candidate model
	// of another name, for A/B comparisons of two checkpoints. Without it,
	// models are paired by name, and when each side holds exactly one
	// model, those two are paired whatever their names.
	ModelMap map[string]string
	// Metrics, when not empty, limits the comparison to these units (or
	// benchmark.json keys).
	Metrics []string
	// Primary is the one metric whose regression fails the gate, as a unit
	// or benchmark.json key; default the mean latency (ns/op, mean_ms).
	// The other metrics are compared and reported but do not vote: with
	// ten metrics voting at alpha 0.05, false alarms add up (see
	// README.md, the gate's numbers). "all" lets every metric vote, as
	// before, without a multiple-comparison correction.
	Primary string
	// AllowDifferentWork compares benchmarks whose work changed (workload
	// fingerprint, tokens/op) as if it had not, the change in their
	// reason; without it they are inconclusive.
	AllowDifferentWork bool
}

// votes reports whether a regression of unit fails the gate.
func (o *Options) votes(unit string) bool {
	p := o.Primary
	if p == "" {
		p = contract.UnitMean
	}
	if p == "all" {
		return true
	}
	for _, name := range metricNames(unit) {
		if name == p || tidyUnit(p) == name {
			return true
		}
		if m, ok := contract.MetricByKey(p); ok && (m.Unit == name || tidyUnit(m.Unit) == name) {
			return true
		}
	}
	return false
}

// DefaultOptions returns the defaults: alpha 0.05, threshold 5 %, 4
// samples per side, 95 % confidence intervals.
func DefaultOptions() Options {
	return Options{Alpha: 0.05, Threshold: 0.05, MinSamples: 4, Confidence: 0.95}
}

func (o *Options) validate() error {
	var errs []error
	if !(o.Alpha > 0 && o.Alpha < 1) {
		errs = append(errs, fmt.Errorf("alpha %v: want 0 < alpha < 1", o.Alpha))
	}
	if !(o.Threshold >= 0) || math.IsInf(o.Threshold, 0) {
		errs = append(errs, fmt.Errorf("threshold %v: want a finite number ≥ 0", o.Threshold))
	}
	for _, k := range slices.Sorted(maps.Keys(o.Thresholds)) {
		if t := o.Thresholds[k]; !(t >= 0) || math.IsInf(t, 0) {
			errs = append(errs, fmt.Errorf("threshold of %s %v: want a finite number ≥ 0", k, t))
		}
	}
	if o.MinSamples < 1 {
		errs = append(errs, fmt.Errorf("min samples %d: want ≥ 1", o.MinSamples))
	}
	if !(o.Confidence > 0 && o.Confidence < 1) {
		errs = append(errs, fmt.Errorf("confidence %v: want 0 < confidence < 1", o.Confidence))
	}
	return errors.Join(errs...)
}

// ThresholdFor returns the threshold of unit.
func (o *Options) ThresholdFor(unit string) float64 {
	for _, name := range metricNames(unit) {
		if t, ok := o.Thresholds[name]; ok {
			return t
		}
	}
	return o.Threshold
}

// wants reports whether unit is among Metrics (or Metrics is empty).
func (o *Options) wants(unit string) bool {
	if len(o.Metrics) == 0 {
		return true
	}
	for _, name := range metricNames(unit) {
		if slices.Contains(o.Metrics, name) {
			return true
		}
	}
	return false
}

// metricNames returns the names a metric may be given by: its unit, its
// tidied unit and its benchmark.json key.
func metricNames(unit string) []string {
	names := []string{unit}
	if t := tidyUnit(unit); t != unit {
		names = append(names, t)
	}
	if k := jsonKey(unit); k != "" {
		names = append(names, k)
	}
	return names
}

func tidyUnit(unit string) string {
	_, u := benchunit.Tidy(1, unit)
	return u
}

// Status is the outcome of one comparison.
type Status int

const (
	// Unchanged: no significant difference (benchstat's "~").
	Unchanged Status = iota
	// WithinThreshold: a significant change no larger than the threshold.
	WithinThreshold
	// Improvement: significantly better by more than the threshold.
	Improvement
	// Regression: significantly worse by more than the threshold.
	Regression
	// Inconclusive: too few samples to tell.
	Inconclusive
	// Changed: a significant change of a metric whose better direction is
	// unknown; never a regression.
	Changed
	// Worse: significantly worse by more than the threshold, in a metric
	// that does not vote (only the primary metric, the mean latency,
	// decides a regression; see Options.Primary).
	Worse
)

var statusNames = [...]string{"unchanged", "within-threshold", "improvement", "regression", "inconclusive", "changed", "worse-not-voting"}

// String returns the status as JSON output writes it.
func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// Stats summarizes one side of a comparison.
type Stats struct {
	N int
	// Center is the median (the mode for an exact unit); Lo and Hi bound
	// its confidence interval and are ±Inf when there are too few values
	// for one.
	Center, Lo, Hi float64
	Confidence     float64
	Source         Source
	// Values are the values compared, sorted.
	Values []float64
}

// hasCI reports whether Lo and Hi are finite.
func (s Stats) hasCI() bool { return !math.IsInf(s.Lo, 0) && !math.IsInf(s.Hi, 0) && s.N > 0 }

// Row is the comparison of one metric of one benchmark.
type Row struct {
	// Name is the candidate's benchmark name; BaselineName the
	// baseline's (different when models were paired across names).
	Name, BaselineName string
	// Model and BaselineModel are the models compared.
	Model, BaselineModel string
	Batch                int
	// Unit is the metric as written in the input.
	Unit string
	// Better is +1 when higher is better, -1 when lower is, 0 unknown.
	Better int
	// Exact is set for units assumed exact (assume=exact).
	Exact               bool
	Baseline, Candidate Stats
	// Change is candidate/baseline − 1 of the centers (NaN when the
	// baseline's is 0 and the candidate's is not).
	Change float64
	// P is the U test's p-value (0 for exact units, NaN when not tested).
	P         float64
	Alpha     float64
	Threshold float64
	// Significant is set when the difference is significant at Alpha.
	Significant bool
	Status      Status
	// Reason explains an inconclusive row.
	Reason string
	// Warnings are benchmath's remarks on this row.
	Warnings []string
}

// Pair is a baseline model compared with a candidate model.
type Pair struct {
	Baseline, Candidate string
	// How they were paired: "same name", "model map", or "only model on
	// each side".
	How string
}

// SideInfo describes a side in a report.
type SideInfo struct {
	Files  []string
	Config map[string][]string
	// Runs is the largest number of runs of any compared series
	// (per-iteration samples do not count).
	Runs int
}

// Report is the result of Compare.
type Report struct {
	Options             Options
	Baseline, Candidate SideInfo
	Pairs               []Pair
	Rows                []Row
	// Warnings are problems that did not stop the comparison: benchmarks
	// or metrics found on one side only, configuration that differs
	// between the sides, ….
	Warnings []string

	Regressions, Improvements, Inconclusive int
	// Missing are the benchmarks that ran on the baseline but have no
	// result on the candidate (missing, or failed there); they make the
	// verdict inconclusive, which fails the gate under -strict.
	Missing []string
}

// Verdict is a report's conclusion.
type Verdict string

const (
	VerdictPass         Verdict = "pass"
	VerdictRegression   Verdict = "regression"
	VerdictInconclusive Verdict = "inconclusive"
)

// Verdict returns VerdictRegression when any row regressed, else
// VerdictInconclusive when any row is inconclusive, else VerdictPass.
func (r *Report) Verdict() Verdict {
	switch {
	case r.Regressions > 0:
		return VerdictRegression
	case r.Inconclusive > 0, len(r.Missing) > 0:
		return VerdictInconclusive
	}
	return VerdictPass
}

// ErrNoMatch is returned (wrapped) by Compare when no benchmark of the
// candidate has a counterpart in the baseline.
var ErrNoMatch = errors.New("nothing to compare")

// configKeysThatMatter are configuration lines whose difference between
// the sides makes a comparison suspect.
var configKeysThatMatter = []string{"goos", "goarch", "cpu", contract.ConfigDevice, contract.ConfigORTVersion,
	contract.ConfigIntraOpThreads, contract.ConfigInterOpThreads, contract.ConfigMaxLength, contract.ConfigMachine,
	contract.ConfigBatching, contract.ConfigPadding, contract.ConfigMode, contract.ConfigGraphOptimization, contract.ConfigScenario}

// Compare compares candidate against baseline. It returns an error for
// invalid options, for a model map that names models not present, and
// (wrapping ErrNoMatch) when nothing can be compared.
func Compare(baseline, candidate *Side, opts Options) (*Report, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	baseline.resolveIterations()
	candidate.resolveIterations()
	rep := &Report{Options: opts,
		Baseline:  SideInfo{Files: baseline.Files, Config: baseline.Config},
		Candidate: SideInfo{Files: candidate.Files, Config: candidate.Config}}
	pairs, err := pairModels(baseline.models(), candidate.models(), opts.ModelMap, rep)
	if err != nil {
		return nil, err
	}
	rep.Pairs = pairs
	toBase := map[string]string{}
	for _, p := range pairs {
		toBase[p.Candidate] = p.Baseline
	}
	units := benchfmt.UnitMetadataMap{}
	maps.Copy(units, baseline.Units)
	for k, v := range candidate.Units {
		if old, ok := units[k]; ok && old.Value != v.Value {
			rep.warnf("Unit %s %s=%s in the baseline but %s=%s in the candidate; using the candidate's", k.Unit, k.Key, old.Value, k.Key, v.Value)
		}
		units[k] = v
	}

	used := map[*Series]bool{}
	for _, cs := range candidate.Series {
		if !opts.wants(cs.Unit) {
			continue
		}
		bname := cs.Name
		if cs.Model != "" {
			bm, ok := toBase[cs.Model]
			if !ok {
				continue // model unpaired: warned about in pairModels
			}
			bname = benchname.WithModel(cs.Name, bm)
		}
		bs, ok := baseline.index[seriesKey{bname, cs.Unit}]
		if !ok {
			continue
		}
		used[bs], used[cs] = true, true
		rep.Rows = append(rep.Rows, compareSeries(bs, cs, units, &opts))
	}
	if len(rep.Rows) == 0 {
		return rep, fmt.Errorf("%w: no benchmark and metric of the candidate (%s) is in the baseline (%s)",
			ErrNoMatch, describeNames(candidate), describeNames(baseline))
	}
	rep.markWorkChanges(baseline, candidate, toBase)
	rep.Missing = missingOnCandidate(baseline, candidate, toBase)
	rep.warnUnused("baseline", baseline, used, &opts, toBase)
	rep.warnUnused("candidate", candidate, used, &opts, toBase)
	for _, f := range candidate.Failed {
		rep.warnf("the candidate failed: %s", f)
		rep.Missing = append(rep.Missing, f)
	}
	rep.warnConfig(baseline, candidate)
	rep.warnNoise("baseline", baseline)
	rep.warnNoise("candidate", candidate)
	rep.warnPercentiles(baseline, candidate)
	rep.warnUnknownMetrics(candidate, baseline)
	rep.sortRows(candidate)
	for _, r := range rep.Rows {
		switch r.Status {
		case Regression:
			rep.Regressions++
		case Improvement:
			rep.Improvements++
		case Inconclusive:
			rep.Inconclusive++
		}
		if r.Baseline.Source == SourceRuns {
			rep.Baseline.Runs = max(rep.Baseline.Runs, r.Baseline.N)
		}
		if r.Candidate.Source == SourceRuns {
			rep.Candidate.Runs = max(rep.Candidate.Runs, r.Candidate.N)
		}
	}
	return rep, nil
}

func (r *Report) warnf(format string, args ...any) {
	r.Warnings = append(r.Warnings, fmt.Sprintf(format, args...))
}

func describeNames(s *Side) string {
	var names []string
	for _, sr := range s.Series {
		if !slices.Contains(names, sr.Name) {
			names = append(names, sr.Name)
		}
	}
	if len(names) == 0 {
		return "no benchmarks"
	}
	if len(names) > 4 {
		return strings.Join(names[:4], ", ") + fmt.Sprintf(" and %d more", len(names)-4)
	}
	return strings.Join(names, ", ")
}

// pairModels pairs baseline models with candidate models.
func pairModels(base, cand []string, modelMap map[string]string, rep *Report) ([]Pair, error) {
	var pairs []Pair
	bDone, cDone := map[string]bool{}, map[string]bool{}
	var errs []error
	for _, old := range slices.Sorted(maps.Keys(modelMap)) {
		nw := modelMap[old]
		switch {
		case !slices.Contains(base, old):
			errs = append(errs, fmt.Errorf("model map %s=%s: no model %s in the baseline (models: %s)", old, nw, old, listOrNone(base)))
		case !slices.Contains(cand, nw):
			errs = append(errs, fmt.Errorf("model map %s=%s: no model %s in the candidate (models: %s)", old, nw, nw, listOrNone(cand)))
		case cDone[nw]:
			errs = append(errs, fmt.Errorf("model map %s=%s: candidate model %s is mapped twice", old, nw, nw))
		default:
			pairs = append(pairs, Pair{old, nw, "model map"})
			bDone[old], cDone[nw] = true, true
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	for _, m := range cand {
		if !cDone[m] && !bDone[m] && slices.Contains(base, m) {
			pairs = append(pairs, Pair{m, m, "same name"})
			bDone[m], cDone[m] = true, true
		}
	}
	if len(modelMap) == 0 && len(base) == 1 && len(cand) == 1 && base[0] != cand[0] {
		pairs = append(pairs, Pair{base[0], cand[0], "only model on each side"})
		bDone[base[0]], cDone[cand[0]] = true, true
	}
	for _, m := range base {
		if !bDone[m] {
			rep.warnf("model %s is only in the baseline (pair it with -model-map %s=<candidate model>)", m, m)
		}
	}
	for _, m := range cand {
		if !cDone[m] {
			rep.warnf("model %s is only in the candidate (pair it with -model-map <baseline model>=%s)", m, m)
		}
	}
	// Pairs in candidate order.
	slices.SortStableFunc(pairs, func(a, b Pair) int {
		return slices.Index(cand, a.Candidate) - slices.Index(cand, b.Candidate)
	})
	return pairs, nil
}

func listOrNone(l []string) string {
	if len(l) == 0 {
		return "none"
	}
	return strings.Join(l, ", ")
}

// markWorkChanges makes the primary row of every benchmark whose work
// changed inconclusive, unless it regressed (which still fails): its workload fingerprints differ between the
// sides, or its tokens/op (an exact description of the work) changed. A
// faster run of other work says nothing about a regression, so it is
// never counted as unchanged.
func (r *Report) markWorkChanges(base, cand *Side, toBase map[string]string) {
	changed := map[string]string{} // candidate name → why
	for _, row := range r.Rows {
		if row.Unit == contract.UnitTokens && row.Status == Changed {
			changed[row.Name] = fmt.Sprintf("workload changed: tokens/op %v → %v", row.Baseline.Center, row.Candidate.Center)
		}
	}
	for name, cw := range cand.workloads {
		bname := name
		if model, _ := benchname.Fields(name); model != "" {
			if bm, ok := toBase[model]; ok {
				bname = benchname.WithModel(name, bm)
			}
		}
		bw := base.workloads[bname]
		if len(bw) == 0 && len(cw) == 0 {
			continue
		}
		if !slices.Equal(slices.Sorted(slices.Values(bw)), slices.Sorted(slices.Values(cw))) {
			changed[name] = fmt.Sprintf("workload changed: fingerprint %s → %s (other texts, max_length or schedule)", listOrNone(bw), listOrNone(cw))
		}
	}
	for i := range r.Rows {
		row := &r.Rows[i]
		why, ok := changed[row.Name]
		if !ok || !r.Options.votes(row.Unit) {
			continue
		}
		if row.Status == Regression || r.Options.AllowDifferentWork { // compared, marked
			row.Reason = why
			continue
		}
		row.Status, row.Reason = Inconclusive, why
	}
}

// missingOnCandidate returns the benchmarks of paired models (or without
// a model) that the baseline has and the candidate has not.
func missingOnCandidate(base, cand *Side, toBase map[string]string) []string {
	have := map[string]bool{}
	for _, sr := range cand.Series {
		name := sr.Name
		if sr.Model != "" {
			bm, ok := toBase[sr.Model]
			if !ok {
				continue
			}
			name = benchname.WithModel(sr.Name, bm)
		}
		have[name] = true
	}
	paired := map[string]bool{}
	for _, b := range toBase {
		paired[b] = true
	}
	var out []string
	for _, sr := range base.Series {
		if sr.Model != "" && !paired[sr.Model] && len(toBase) > 0 {
			continue
		}
		if !have[sr.Name] && !slices.Contains(out, sr.Name) {
			out = append(out, sr.Name)
		}
	}
	return out
}

// warnPercentiles marks the rows of p95 and p99 that are only each run's
// largest sample, for lack of samples (the samples unit of the suite: a
// p95 from fewer than 20, a p99 from fewer than 100), with a warning.
func (r *Report) warnPercentiles(base, cand *Side) {
	need := map[string]int{contract.UnitP95: contract.MinSamplesP95, contract.UnitP99: contract.MinSamplesP99}
	for i := range r.Rows {
		row := &r.Rows[i]
		n, ok := need[row.Unit]
		if !ok {
			for u, m := range need {
				if tidyUnit(u) == row.Unit {
					n, ok = m, true
				}
			}
		}
		if !ok {
			continue
		}
		for _, side := range []struct {
			name  string
			s     *Side
			bench string
		}{{"baseline", base, row.BaselineName}, {"candidate", cand, row.Name}} {
			sr := side.s.index[seriesKey{side.bench, contract.UnitSamples}]
			if sr == nil || len(sr.Values) == 0 {
				continue
			}
			if least := slices.Min(sr.Values); least < float64(n) {
				msg := fmt.Sprintf("%s: %s is only the largest sample (max) on the %s: %v samples per run, it needs %d", side.bench, row.Unit, side.name, least, n)
				row.Warnings = append(row.Warnings, msg)
				r.warnf("%s", msg)
			}
		}
	}
}

// warnNoise warns about the runs of a side that were measured on a busy
// or noisy machine, by the contract's thresholds (contract.NoiseWarnings)
// applied to each run's conditions (other-cpus, steal-pct, noise-pct).
func (r *Report) warnNoise(side string, s *Side) {
	var names []string
	for _, sr := range s.Series {
		if !slices.Contains(names, sr.Name) {
			names = append(names, sr.Name)
		}
	}
	units := []string{contract.UnitOtherCPUs, contract.UnitStealPct, contract.UnitRepeatNoise, contract.UnitThrottled}
	for _, name := range names {
		busy, runs := 0, 0
		for i := 0; ; i++ {
			b := new(contract.Batch)
			found := false
			for _, u := range units {
				if sr := s.index[seriesKey{name, u}]; sr != nil && i < len(sr.Values) {
					m, _ := contract.MetricByUnit(u)
					b.SetMetric(m.Key, m.JSONValue(sr.Values[i]))
					found = true
				}
			}
			if !found {
				break
			}
			runs++
			if len(contract.NoiseWarnings(b)) > 0 {
				busy++
			}
		}
		if busy > 0 {
			r.warnf("%s: %s: %d of %d runs measured on a busy, throttled or noisy machine (other processes' CPU > %.2f, steal > %.0f%%, throttled > %.0f%% or repeat noise > %.0f%%)",
				side, name, busy, runs, contract.MaxOtherCPUs, contract.MaxStealPct, contract.MaxThrottledPct, contract.MaxRepeatNoisePct)
		}
	}
}

// warnUnused warns about series of one side that were not compared.
func (r *Report) warnUnused(side string, s *Side, used map[*Series]bool, opts *Options, toBase map[string]string) {
	paired := map[string]bool{}
	for c, b := range toBase {
		paired[c], paired[b] = true, true
	}
	onlyUnits := map[string][]string{}
	var names []string
	for _, sr := range s.Series {
		if used[sr] || !opts.wants(sr.Unit) || (sr.Model != "" && !paired[sr.Model]) {
			continue
		}
		if _, ok := onlyUnits[sr.Name]; !ok {
			names = append(names, sr.Name)
		}
		onlyUnits[sr.Name] = append(onlyUnits[sr.Name], sr.Unit)
	}
	for _, n := range names {
		r.warnf("only in the %s: %s (%s)", side, n, strings.Join(onlyUnits[n], ", "))
	}
}

// warnUnknownMetrics warns about thresholds and metrics of the options
// that name no metric of the inputs: most likely a typo.
func (r *Report) warnUnknownMetrics(sides ...*Side) {
	known := map[string]bool{}
	for _, s := range sides {
		for _, sr := range s.Series {
			for _, n := range metricNames(sr.Unit) {
				known[n] = true
			}
		}
	}
	for _, k := range slices.Sorted(maps.Keys(r.Options.Thresholds)) {
		if !known[k] {
			r.warnf("threshold for %s: no such metric in the inputs (metrics are units such as p99-ns/op or benchmark.json keys such as p99_ms)", k)
		}
	}
	for _, m := range r.Options.Metrics {
		if !known[m] {
			r.warnf("metric %s: no such metric in the inputs", m)
		}
	}
}

// warnConfig warns about configuration lines that differ between sides.
func (r *Report) warnConfig(base, cand *Side) {
	for _, k := range configKeysThatMatter {
		b, c := base.Config[k], cand.Config[k]
		if len(b) == 0 || len(c) == 0 {
			continue
		}
		if !slices.Equal(slices.Sorted(slices.Values(b)), slices.Sorted(slices.Values(c))) {
			r.warnf("%s differs: baseline %s, candidate %s", k, strings.Join(b, ", "), strings.Join(c, ", "))
		}
	}
}

// unitRank orders the suite's metrics first, in the order of the
// contract's table, then the allocation metrics of go test.
var unitRank = func() []string {
	var units []string
	for _, m := range contract.Metrics() {
		units = append(units, m.Unit)
	}
	return append(units, "B/op", "allocs/op")
}()

func (r *Report) sortRows(cand *Side) {
	models := cand.models()
	rank := func(u string) int {
		if i := slices.Index(unitRank, u); i >= 0 {
			return i
		}
		return len(unitRank)
	}
	slices.SortStableFunc(r.Rows, func(a, b Row) int {
		if d := slices.Index(models, a.Model) - slices.Index(models, b.Model); d != 0 {
			return d
		}
		if a.Model != b.Model {
			return strings.Compare(a.Model, b.Model)
		}
		if a.Batch != b.Batch {
			return a.Batch - b.Batch
		}
		if a.Name != b.Name {
			return strings.Compare(a.Name, b.Name)
		}
		if d := rank(a.Unit) - rank(b.Unit); d != 0 {
			return d
		}
		return strings.Compare(a.Unit, b.Unit)
	})
}

// Better returns which way is better for unit: +1 higher, -1 lower, 0
// unknown. Unit lines win, then the contract's table for the suite's
// metrics; see the package documentation for the other defaults.
func Better(units benchfmt.UnitMetadataMap, unit string) int {
	if units.Get(unit, "better") != nil {
		return units.GetBetter(unit)
	}
	if m, ok := contract.MetricByUnit(unit); ok && m.Better != contract.NoDirection {
		return int(m.Better)
	}
	switch {
	case IsLatency(unit), unit == "B/op", unit == "allocs/op":
		return -1
	case unit == "MB/s", unit == "B/s":
		return 1
	}
	return units.GetBetter(unit)
}

// IsLatency reports whether unit is a time per operation: ns/op, sec/op,
// or a named variant such as p95-ns/op.
func IsLatency(unit string) bool {
	return unit == "ns/op" || unit == "sec/op" || strings.HasSuffix(unit, "-ns/op") || strings.HasSuffix(unit, "-sec/op")
}

// assumption returns the statistical assumption for unit: exact when a
// Unit line says assume=exact or, without one, when the contract's table
// does (tokens/op).
func assumption(units benchfmt.UnitMetadataMap, unit string) benchmath.Assumption {
	if units.Get(unit, "assume") == nil {
		if m, ok := contract.MetricByUnit(unit); ok && m.Assume == "exact" {
			return benchmath.AssumeExact
		}
	}
	return units.GetAssumption(unit)
}

// MinP returns the smallest p-value a two-sided Mann-Whitney U test can
// give for samples of sizes n1 and n2 (no ties): 2 / C(n1+n2, n1), at
// most 1.
func MinP(n1, n2 int) float64 {
	if n1 < 1 || n2 < 1 {
		return 1
	}
	// log C(n1+n2, n1)
	lc, _ := math.Lgamma(float64(n1 + n2 + 1))
	a, _ := math.Lgamma(float64(n1 + 1))
	b, _ := math.Lgamma(float64(n2 + 1))
	return math.Min(1, 2*math.Exp(-(lc-a-b)))
}

func compareSeries(bs, cs *Series, units benchfmt.UnitMetadataMap, opts *Options) Row {
	row := Row{Name: cs.Name, BaselineName: bs.Name, Model: cs.Model, BaselineModel: bs.Model,
		Batch: cs.Batch, Unit: cs.Unit, Better: Better(units, cs.Unit), Alpha: opts.Alpha,
		Threshold: opts.ThresholdFor(cs.Unit), P: math.NaN(), Change: math.NaN()}
	assume := assumption(units, cs.Unit)
	row.Exact = assume == benchmath.AssumeExact
	th := benchmath.DefaultThresholds
	th.CompareAlpha = opts.Alpha
	bSample := benchmath.NewSample(slices.Clone(bs.Values), &th)
	cSample := benchmath.NewSample(slices.Clone(cs.Values), &th)
	row.Baseline = summarize(bSample, assume, opts.Confidence, bs.Source)
	row.Candidate = summarize(cSample, assume, opts.Confidence, cs.Source)
	addWarnings := func(ws []error) {
		for _, w := range ws {
			if !slices.Contains(row.Warnings, w.Error()) {
				row.Warnings = append(row.Warnings, w.Error())
			}
		}
	}
	nb, nc := len(bs.Values), len(cs.Values)
	if nb > 0 && nc > 0 {
		row.Change = relChange(row.Baseline.Center, row.Candidate.Center)
	}
	minN := opts.MinSamples
	if row.Exact {
		minN = 1
	}
	switch {
	case nb == 0 || nc == 0:
		row.Status, row.Reason = Inconclusive, "no values"
		return row
	case bs.Source != cs.Source:
		row.Status = Inconclusive
		row.Reason = fmt.Sprintf("baseline values are %s, candidate values are %s: not comparable", describeSource(bs.Source), describeSource(cs.Source))
		return row
	case nb < minN || nc < minN:
		row.Status = Inconclusive
		row.Reason = fmt.Sprintf("too few samples: %d baseline, %d candidate (need ≥ %d per side)", nb, nc, minN)
		return row
	}
	cmp := assume.Compare(bSample, cSample)
	addWarnings(cmp.Warnings)
	if row.Exact {
		row.P = 0
		row.Significant = row.Baseline.Center != row.Candidate.Center
		for _, sm := range []Stats{row.Baseline, row.Candidate} {
			if sm.Values[0] != sm.Values[len(sm.Values)-1] {
				row.Warnings = append(row.Warnings, fmt.Sprintf("exact values expected, but they range from %v to %v", sm.Values[0], sm.Values[len(sm.Values)-1]))
			}
		}
	} else {
		if mp := MinP(nb, nc); mp >= opts.Alpha {
			row.Status = Inconclusive
			row.Reason = fmt.Sprintf("with %d and %d samples the smallest possible p-value is %.3g, not below alpha %g", nb, nc, mp, opts.Alpha)
			return row
		}
		row.P = cmp.P
		row.Significant = cmp.P < opts.Alpha
	}
	row.Status = judge(row)
	if row.Status == Regression && !opts.votes(row.Unit) {
		row.Status = Worse
	}
	return row
}

func describeSource(s Source) string {
	if s == SourceIterations {
		return "per-iteration latencies of one run"
	}
	return "per-run values"
}

// judge returns the status of a conclusive row.
func judge(r Row) Status {
	if !r.Significant {
		return Unchanged
	}
	if r.Better == 0 {
		return Changed
	}
	ch := r.Change
	if math.IsNaN(ch) {
		ch = math.Inf(1) // from 0 to something: an unbounded change
		if r.Candidate.Center < r.Baseline.Center {
			ch = math.Inf(-1)
		}
	}
	if math.Abs(ch) <= r.Threshold {
		return WithinThreshold
	}
	worse := (r.Better < 0 && ch > 0) || (r.Better > 0 && ch < 0)
	if worse {
		return Regression
	}
	return Improvement
}

// relChange returns new/old − 1, 0 when both are 0, NaN when only old is.
func relChange(old, new float64) float64 {
	if old == new {
		return 0
	}
	if old == 0 {
		return math.NaN()
	}
	return new/old - 1
}

func summarize(s *benchmath.Sample, assume benchmath.Assumption, confidence float64, src Source) Stats {
	st := Stats{N: len(s.Values), Source: src, Values: s.Values,
		Center: math.NaN(), Lo: math.Inf(-1), Hi: math.Inf(1)}
	if len(s.Values) == 0 {
		return st
	}
	sum := assume.Summary(s, confidence)
	st.Center, st.Lo, st.Hi, st.Confidence = sum.Center, sum.Lo, sum.Hi, sum.Confidence
	return st
}
