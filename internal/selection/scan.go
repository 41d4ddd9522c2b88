package selection

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/nerbench/nerbench/internal/contract"
	"github.com/nerbench/nerbench/internal/selection/onnxparams"
)

// Candidate is the best trial of one backbone, with what is known of its
// speed.
type Candidate struct {
	Backbone string
	// TrialName is the trial directory's name, or for cross-validation the
	// name of its folds without the _fold<k> suffix.
	TrialName string
	// TrialDir is the trial's directory: for folds, the lowest-numbered
	// fold's.
	TrialDir string
	// Folds is the number of folds averaged, 0 for a plain trial.
	Folds int
	// Value is the trial's value of the metric (the mean over folds).
	Value float64
	// Metrics is the trial's metrics.json (for folds, the mean of each
	// numeric metric that every fold reports).
	Metrics map[string]any
	// Hyperparameters is the trial's hyperparameters.json, or empty.
	Hyperparameters map[string]any

	// LatencyMS is batch_1.mean_ms of the trial's benchmark.json, or nil:
	// of the thread count Options.Threads asks for in a threads sweep.
	LatencyMS *float64
	// Threads is the intra-op thread count LatencyMS was measured at: the
	// sweep's count read, or, for a benchmark without a sweep, its
	// intra-op-threads configuration line when Options.Threads asks for a
	// count or the best; nil otherwise (no sweep and the default setting,
	// or a count that is not recorded).
	Threads *int
	// ThreadCounts are the counts of the benchmark's threads sweep, in
	// measured order; nil without a sweep.
	ThreadCounts []int
	// ThreadsMissing says why the benchmark found was not used: it has no
	// result at the thread count asked for ("" when it was used, or none
	// was found).
	ThreadsMissing string
	// recorded is the count of the intra-op-threads line of a benchmark
	// without a sweep, when it has one, whatever the setting.
	recorded *int
	// BenchmarkPath is the benchmark.json read, if any, and
	// BenchmarkMachine the machine label it carries.
	BenchmarkPath    string
	BenchmarkMachine string
	// Workload is batch_1's workload fingerprint ("" when the file has
	// none); LatencyRuns its mean latency per run (run_values), across
	// rounds; BenchWarnings the file's noise warnings about batch 1.
	Workload      string
	LatencyRuns   []float64
	BenchWarnings []string

	// Parameters is the model's parameter count, 0 when unknown.
	Parameters int64
	// ParametersFrom is "onnx" (counted from the model's initializers) or
	// "config.json" (estimated from the model's configuration).
	ParametersFrom string
	// ParametersPath is the file Parameters came from.
	ParametersPath string
}

// trialDir is one trial_* directory with its metrics.
type trialDir struct {
	name    string // directory name
	group   string // trial name: name without _fold<k>
	num     int    // n of trial_<n>, -1 if not a number
	fold    int    // k of _fold<k>, -1 for a plain trial
	dir     string
	metrics map[string]any
	value   float64
}

var (
	foldRE  = regexp.MustCompile(`^(trial_.+)_fold(\d+)$`)
	trialRE = regexp.MustCompile(`^trial_(\d+)`)
)

// Scan reads the HPO tree o.HPODir and returns the best trial of each
// backbone (sorted by backbone), with its speed data, and warnings about
// whatever was skipped or treated as missing. It is an error when no
// backbone has a trial with the metric.
func Scan(o Options) ([]*Candidate, []string, error) {
	if err := o.validate(); err != nil {
		return nil, nil, err
	}
	ts, _ := parseThreads(o.Threads) // checked by validate
	entries, err := os.ReadDir(o.HPODir)
	if err != nil {
		return nil, nil, fmt.Errorf("reading hpo dir: %w", err)
	}
	var cands []*Candidate
	var warns []string
	warn := func(format string, args ...any) { warns = append(warns, fmt.Sprintf(format, args...)) }
	backbones := 0
	for _, e := range entries {
		if !isDir(o.HPODir, e) || strings.HasPrefix(e.Name(), ".") || strings.HasPrefix(e.Name(), "_") {
			continue
		}
		backbones++
		c, err := scanBackbone(filepath.Join(o.HPODir, e.Name()), e.Name(), o, warn)
		if err != nil {
			return nil, warns, err
		}
		if c == nil {
			continue
		}
		if err := c.speedData(o.Machine, ts, warn); err != nil {
			return nil, warns, err
		}
		cands = append(cands, c)
	}
	if o.Machine == "" {
		machines := map[string][]string{}
		for _, c := range cands {
			if c.BenchmarkMachine != "" {
				machines[c.BenchmarkMachine] = append(machines[c.BenchmarkMachine], c.Backbone)
			}
		}
		if len(machines) > 1 {
			var parts []string
			for _, m := range slices.Sorted(maps.Keys(machines)) {
				parts = append(parts, fmt.Sprintf("%s on %s", strings.Join(machines[m], ", "), m))
			}
			return nil, warns, fmt.Errorf("the candidates' benchmarks were measured on different machines (%s): latencies of different machines are not compared; give the machine to decide for (--machine)", strings.Join(parts, "; "))
		}
	}
	if len(cands) == 0 {
		if backbones == 0 {
			return nil, warns, fmt.Errorf("%s: no backbone directories", o.HPODir)
		}
		return nil, warns, fmt.Errorf("%s: no candidates: none of %d backbone directories has a trial_* directory whose metrics.json holds %q",
			o.HPODir, backbones, o.Metric)
	}
	return cands, warns, nil
}

func isDir(parent string, e fs.DirEntry) bool {
	if e.IsDir() {
		return true
	}
	if e.Type()&fs.ModeSymlink != 0 {
		fi, err := os.Stat(filepath.Join(parent, e.Name()))
		return err == nil && fi.IsDir()
	}
	return false
}

// scanBackbone returns the best trial of one backbone, or nil if none has
// the metric.
func scanBackbone(dir, backbone string, o Options, warn func(string, ...any)) (*Candidate, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("reading backbone dir: %w", err)
	}
	groups := map[string][]*trialDir{}
	seen := 0
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), "trial_") || !isDir(dir, e) {
			continue
		}
		seen++
		t := &trialDir{name: e.Name(), group: e.Name(), num: -1, fold: -1, dir: filepath.Join(dir, e.Name())}
		if m := foldRE.FindStringSubmatch(t.name); m != nil {
			t.group = m[1]
			t.fold, _ = strconv.Atoi(m[2])
		}
		if m := trialRE.FindStringSubmatch(t.group); m != nil {
			t.num, _ = strconv.Atoi(m[1])
		}
		if !t.readMetrics(o.Metric, warn) {
			continue
		}
		groups[t.group] = append(groups[t.group], t)
	}

	var trials []*Candidate
	for _, name := range slices.Sorted(maps.Keys(groups)) {
		c := trialFromDirs(backbone, name, groups[name], warn)
		trials = append(trials, c)
	}
	if len(trials) == 0 {
		if seen == 0 {
			warn("%s: no trial_* directories; backbone %q skipped", dir, backbone)
		} else {
			warn("%s: no trial has a metrics.json holding %q; backbone %q skipped", dir, o.Metric, backbone)
		}
		return nil, nil
	}
	best := slices.MinFunc(trials, func(a, b *Candidate) int {
		if c := compareValues(a.Value, b.Value, o.goal()); c != 0 {
			return c
		}
		return compareTrialNames(a.TrialName, b.TrialName)
	})
	best.Hyperparameters = readHyperparameters(best.TrialDir, warn)
	return best, nil
}

// compareValues orders a before b when a is better for goal.
func compareValues(a, b float64, goal Goal) int {
	if goal == Minimize {
		return cmp.Compare(a, b)
	}
	return cmp.Compare(b, a)
}

// compareTrialNames orders trial_2 before trial_10.
func compareTrialNames(a, b string) int {
	na, nb := -1, -1
	if m := trialRE.FindStringSubmatch(a); m != nil {
		na, _ = strconv.Atoi(m[1])
	}
	if m := trialRE.FindStringSubmatch(b); m != nil {
		nb, _ = strconv.Atoi(m[1])
	}
	return cmp.Or(cmp.Compare(na, nb), cmp.Compare(a, b))
}

// readMetrics reads t's metrics.json and its value of metric; it reports
// whether t is a usable trial, warning when it is not.
func (t *trialDir) readMetrics(metric string, warn func(string, ...any)) bool {
	path := filepath.Join(t.dir, "metrics.json")
	var err error
	t.metrics, err = readObject(path)
	if errors.Is(err, fs.ErrNotExist) {
		warn("%s: no metrics.json; not a candidate", t.dir)
		return false
	}
	if err != nil {
		warn("%v; not a candidate", err)
		return false
	}
	raw, ok := t.metrics[metric]
	if !ok {
		warn("%s: no %q (has %s); not a candidate", path, metric, strings.Join(slices.Sorted(maps.Keys(t.metrics)), ", "))
		return false
	}
	v, ok := raw.(float64)
	if !ok {
		warn("%s: %q = %v: want a number; not a candidate", path, metric, jsonText(raw))
		return false
	}
	t.value = v
	return true
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// trialFromDirs makes one trial of a plain directory or of folds.
func trialFromDirs(backbone, name string, dirs []*trialDir, warn func(string, ...any)) *Candidate {
	for _, d := range dirs {
		if d.fold < 0 {
			if len(dirs) > 1 {
				warn("%s: trial %s has both its own metrics.json and %d fold directories; the folds are ignored", d.dir, name, len(dirs)-1)
			}
			return &Candidate{Backbone: backbone, TrialName: name, TrialDir: d.dir, Value: d.value, Metrics: d.metrics}
		}
	}
	slices.SortFunc(dirs, func(a, b *trialDir) int { return cmp.Compare(a.fold, b.fold) })
	c := &Candidate{Backbone: backbone, TrialName: name, TrialDir: dirs[0].dir, Folds: len(dirs), Metrics: map[string]any{}}
	sum := 0.0
	for _, d := range dirs {
		sum += d.value
	}
	c.Value = tidy(sum / float64(len(dirs)))
	for k := range dirs[0].metrics {
		total, ok := 0.0, true
		for _, d := range dirs {
			v, isNum := d.metrics[k].(float64)
			ok = ok && isNum
			total += v
		}
		if ok {
			c.Metrics[k] = tidy(total / float64(len(dirs)))
		}
	}
	return c
}

func readHyperparameters(dir string, warn func(string, ...any)) map[string]any {
	path := filepath.Join(dir, "hyperparameters.json")
	hp, err := readObject(path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]any{}
	}
	if err != nil {
		warn("%v; hyperparameters left empty", err)
		return map[string]any{}
	}
	return hp
}

// readObject reads a JSON object from path. Errors other than a missing
// file name the file.
func readObject(path string) (map[string]any, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if err != nil {
		return nil, err // *fs.PathError names the file
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: want a JSON object, got %s", path, jsonKind(v))
	}
	return m, nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case float64:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	}
	return fmt.Sprintf("%T", v)
}

// speedData fills in c's benchmark latency and parameter count. The
// benchmark is the trial's benchmark.json, or one of its per-machine
// benchmark.<machine>.json files (contract.FilesIn): the one of machine
// when machine is given, else the only one; a trial with files of several
// machines and no machine given is an error.
func (c *Candidate) speedData(machine string, threads threadSetting, warn func(string, ...any)) error {
	for _, dir := range []string{c.TrialDir, filepath.Join(c.TrialDir, "checkpoint")} {
		var found []string // machines of the files read
		var picked string
		for _, path := range contract.FilesIn(dir) {
			f, err := contract.Read(path)
			if err != nil {
				warn("%s: %v; treated as missing", path, strings.TrimPrefix(err.Error(), path+": "))
				continue
			}
			found = append(found, f.Machine)
			if machine == "" || f.Machine == machine {
				picked = path
			}
		}
		switch {
		case len(found) == 0:
			continue
		case machine == "" && len(found) > 1:
			return fmt.Errorf("%s: benchmarks of several machines (%s): give the machine to decide for (--machine)", dir, strings.Join(found, "; "))
		case picked == "":
			warn("%s: no benchmark of machine %q (only of %s); treated as missing", dir, machine, strings.Join(found, "; "))
			continue
		}
		f, err := readBenchmark(picked)
		if err != nil {
			warn("%s: %v; treated as missing", picked, err)
			continue
		}
		at, err := pickThreads(f, threads)
		c.ThreadCounts = at.counts
		if err != nil {
			var miss *missingCount
			if errors.As(err, &miss) {
				c.ThreadsMissing = fmt.Sprintf("%s: %v", picked, err)
			}
			warn("%s: %v; treated as missing", picked, err)
			continue
		}
		ms := at.batch.MeanMS
		c.LatencyMS, c.BenchmarkPath, c.Threads, c.recorded = &ms, picked, at.threads, at.recorded
		c.BenchmarkMachine = f.Machine
		b := at.batch
		c.Workload, c.LatencyRuns, c.BenchWarnings = b.Workload(), b.RunValues[contract.KeyMean], at.warnings
		break
	}

	if path := findONNX(c.TrialDir); path != "" {
		n, err := onnxparams.File(path)
		switch {
		case err != nil:
			warn("counting parameters: %v", err)
		case n.Parameters == 0:
			warn("%s: no weights among the model's initializers; parameter count unknown", path)
		default:
			c.Parameters, c.ParametersFrom, c.ParametersPath = n.Parameters, "onnx", path
			return nil
		}
	}
	for _, path := range []string{
		filepath.Join(c.TrialDir, "checkpoint", "config.json"),
		filepath.Join(c.TrialDir, "config.json"),
	} {
		if _, err := os.Stat(path); err != nil {
			continue
		}
		n, err := estimateFile(path)
		if err != nil {
			warn("%v; no parameter count for %s", err, c.Backbone)
			return nil
		}
		c.Parameters, c.ParametersFrom, c.ParametersPath = n, "config.json", path
		return nil
	}
	return nil
}

// readBenchmark reads a benchmark.json.
func readBenchmark(path string) (*contract.File, error) {
	f, err := contract.Read(path)
	if err != nil {
		// contract.Read names the file; the caller names it too.
		return nil, errors.New(strings.TrimPrefix(err.Error(), path+": "))
	}
	return f, nil
}

// atThreads is the batch_1 entry of a benchmark.json chosen by the
// threads setting, with the count it was measured at (nil when not
// known), the file's noise warnings about it, and the counts of the
// file's sweep (nil without one).
type atThreads struct {
	batch    *contract.Batch
	threads  *int
	recorded *int // a file without a sweep: its intra-op-threads line's count
	warnings []string
	counts   []int
}

// missingCount is the error of a benchmark.json that has no result at
// the thread count asked for.
type missingCount struct{ msg string }

func (e *missingCount) Error() string { return e.msg }

// pickThreads returns the batch_1 entry of f that the setting asks for
// (see Options.Threads): of a threads sweep (contract.ThreadSweep), the
// first count's, the count's or the fastest count's; of a file without a
// sweep, its batch_1, which is measured at the count of its
// intra-op-threads line. Noise warnings are the file's about the count
// picked (the converter marks those of a count other than the first).
func pickThreads(f *contract.File, ts threadSetting) (atThreads, error) {
	sweep, counts, err := contract.ThreadSweep(f)
	if err != nil {
		return atThreads{}, err
	}
	at := atThreads{counts: counts}
	if sweep == nil || len(counts) == 0 {
		at.counts = nil
		b, err := batch1(f.Batches)
		if err != nil {
			return at, err
		}
		at.batch, at.warnings = b, f.BatchWarnings(1)
		line, known := f.Config[contract.ConfigIntraOpThreads]
		n, perr := strconv.Atoi(strings.TrimSpace(line))
		known = known && perr == nil && n >= 0
		if known {
			at.recorded = &n
		}
		if ts.first {
			return at, nil // as before the threads setting: no count shown
		}
		at.threads = at.recorded
		switch {
		case ts.best:
		case !known:
			return at, &missingCount{fmt.Sprintf("no result at %d threads: measured without a threads sweep, at a thread count it does not record (no %s line)", ts.count, contract.ConfigIntraOpThreads)}
		case n != ts.count:
			return at, &missingCount{fmt.Sprintf("no result at %d threads: measured without a threads sweep, at %s %d", ts.count, contract.ConfigIntraOpThreads, n)}
		}
		return at, nil
	}
	pick := func(t int) error {
		b, err := batch1(sweep[t])
		if err != nil {
			return fmt.Errorf("%s %d: %w", contract.KeyThreads, t, err)
		}
		at.batch, at.threads = b, &t
		if t == counts[0] {
			at.warnings = f.BatchWarnings(1)
		} else {
			at.warnings = f.ThreadBatchWarnings(t, 1)
		}
		return nil
	}
	switch {
	case ts.first:
		return at, pick(counts[0])
	case !ts.best:
		if _, ok := sweep[ts.count]; !ok {
			return at, &missingCount{fmt.Sprintf("no result at %d threads (its threads sweep has %s)", ts.count, joinInts(counts))}
		}
		return at, pick(ts.count)
	}
	best := -1
	var errs []error
	for _, t := range counts {
		b, err := batch1(sweep[t])
		if err != nil {
			errs = append(errs, fmt.Errorf("%s %d: %w", contract.KeyThreads, t, err))
			continue
		}
		if best < 0 || b.MeanMS < sweep[best][1].MeanMS {
			best = t
		}
	}
	if best < 0 {
		return at, errors.Join(errs...)
	}
	return at, pick(best)
}

// batch1 returns the usable batch_1 entry of batches: one with a positive
// mean latency (contract.KeyMean).
func batch1(batches map[int]*contract.Batch) (*contract.Batch, error) {
	b, ok := batches[1]
	if !ok || b == nil {
		var have []string
		for _, n := range slices.Sorted(maps.Keys(batches)) {
			have = append(have, contract.BatchKey(n))
		}
		return nil, fmt.Errorf("no batch_1 entry (has %s)", strings.Join(have, ", "))
	}
	v, _ := b.Metric(contract.KeyMean)
	if math.IsNaN(v) || math.IsInf(v, 0) || v <= 0 {
		return nil, fmt.Errorf("%s.%s = %v: want a positive number", contract.BatchKey(1), contract.KeyMean, v)
	}
	return b, nil
}

func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}

// findONNX returns the trial's ONNX model: model.onnx in checkpoint/ or the
// trial directory, else the only *.onnx file there; "" if none.
func findONNX(trialDir string) string {
	for _, dir := range []string{filepath.Join(trialDir, "checkpoint"), trialDir} {
		p := filepath.Join(dir, "model.onnx")
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p
		}
		matches, _ := filepath.Glob(filepath.Join(dir, "*.onnx"))
		if len(matches) == 1 {
			return matches[0]
		}
	}
	return ""
}
