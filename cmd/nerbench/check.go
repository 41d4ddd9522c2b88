package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/perf/benchproc"

	"github.com/nerbench/nerbench/benchmarks/config"
	"github.com/nerbench/nerbench/internal/check"
	"github.com/nerbench/nerbench/internal/contract"
)

func init() {
	commands["check"] = command{"regression gate: compare baseline and candidate runs with statistics (exit 1 on a regression)", checkCmd}
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }
func (l *stringList) Set(s string) error {
	*l = append(*l, s)
	return nil
}

// fraction is a flag holding a fraction, written 0.05 or 5%.
type fraction struct {
	v   float64
	set bool
}

func (f *fraction) String() string { return strconv.FormatFloat(f.v, 'g', -1, 64) }
func (f *fraction) Set(s string) error {
	v, err := parseFraction(s)
	if err != nil {
		return err
	}
	f.v, f.set = v, true
	return nil
}

func parseFraction(s string) (float64, error) {
	t := strings.TrimSpace(s)
	pct := strings.HasSuffix(t, "%")
	v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(t, "%")), 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number (want 0.05 or 5%%)", s)
	}
	if pct {
		v /= 100
	}
	return v, nil
}

// metricThresholds is the repeatable -threshold-metric UNIT=VALUE flag.
type metricThresholds map[string]float64

func (m metricThresholds) String() string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, k+"="+strconv.FormatFloat(m[k], 'g', -1, 64))
	}
	return strings.Join(parts, ",")
}

func (m metricThresholds) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return fmt.Errorf("%q: want METRIC=THRESHOLD, as in p99-ns/op=0.10", s)
	}
	f, err := parseFraction(v)
	if err != nil {
		return err
	}
	m[k] = f
	return nil
}

// modelMap is the repeatable -model-map OLD=NEW flag.
type modelMap map[string]string

func (m modelMap) String() string { return fmt.Sprint(map[string]string(m)) }
func (m modelMap) Set(s string) error {
	old, nw, ok := strings.Cut(s, "=")
	if !ok || old == "" || nw == "" {
		return fmt.Errorf("%q: want BASELINE_MODEL=CANDIDATE_MODEL", s)
	}
	if _, dup := m[old]; dup {
		return fmt.Errorf("%q: baseline model %s is mapped twice", s, old)
	}
	m[old] = nw
	return nil
}

const checkUsage = `usage: nerbench check [flags] -baseline OLD... -candidate NEW...
       nerbench check [flags] OLD NEW

Compares the candidate's measurements with the baseline's, for every model,
batch size and metric: medians with 95 % confidence intervals and the
Mann-Whitney U test's p-value, as benchstat computes them. Inputs are Go
benchmark output (go test -bench -count=N, nerbench run -format gobench,
scripts/ab.sh) or benchmark.json files; repeat -baseline and -candidate for
several files per side, whose runs are pooled.

A regression is a change of the primary metric (-primary, default the mean
latency ns/op) that is significant (p < alpha) and worse by more than its
threshold. The other metrics are compared and shown ("worse (does not
vote)") but do not fail the gate: ten metrics voting at alpha 0.05 would
add up their false alarms. A benchmark whose work changed (workload
fingerprint or tokens/op) is INCONCLUSIVE, never unchanged, and so is a
benchmark of the baseline missing (or failed) on the candidate. Which way is worse comes from the inputs'
"Unit ... better=" lines (default: *ns/op lower, docs/sec higher).
Settings come from the [check] table of bench.toml, and flags override it.

Exit status: 0 no regression, 1 regression (or, with -strict, too few samples or a benchmark of the baseline that the candidate failed or lacks),
2 bad usage or input. Too few samples to conclude (fewer than
-min-samples per side) is reported as INCONCLUSIVE, loudly, on stdout and
stderr: it is not a pass, but exits 0 unless -strict.

Models are paired by name. A/B comparisons of two checkpoints have two
names: when each side has one model they are paired automatically (and the
report says so); otherwise use -model-map OLD=NEW.

`

func checkCmd(stdout, stderr io.Writer, args []string) error {
	fs := flag.NewFlagSet("nerbench check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		baseline, candidate stringList
		alpha, threshold    fraction
		perMetric           = metricThresholds{}
		models              = modelMap{}
	)
	fs.Var(&baseline, "baseline", "baseline `file` (Go benchmark output or benchmark.json); repeatable")
	fs.Var(&candidate, "candidate", "candidate `file` (Go benchmark output or benchmark.json); repeatable")
	fs.Var(&alpha, "alpha", "significance level of the U test (default 0.05, or [check] alpha)")
	fs.Var(&threshold, "threshold", "relative change that counts, 0.05 or 5% (default 0.05, or [check] threshold)")
	fs.Var(perMetric, "threshold-metric", "per-metric threshold `METRIC=T`, e.g. p99-ns/op=0.10; repeatable")
	minSamples := fs.Int("min-samples", 0, "samples needed per side for a verdict (default 4, or [check] min_samples)")
	configPath := fs.String("config", "", "bench.toml `file` whose [check] table gives the settings (default: ./bench.toml when present)")
	format := fs.String("format", "text", "output format: text, markdown or json")
	outPath := fs.String("o", "", "write the report to `file` instead of stdout")
	fs.Var(models, "model-map", "pair baseline model `OLD=NEW` with a candidate model of another name; repeatable")
	metrics := fs.String("metrics", "", "compare only these comma-separated `units` or benchmark.json keys (default all)")
	filterQuery := fs.String("filter", "", "keep only the results this benchstat-style `query` matches, e.g. '/batch:(1 OR 8)' or '/model:tiny_trial_0' (golang.org/x/perf/benchproc)")
	strict := fs.Bool("strict", false, "exit 1 when the result is inconclusive (too few samples, changed work, a benchmark missing on the candidate or failed there)")
	allowDifferent := fs.Bool("allow-different-work", false, "compare benchmarks whose work changed (workload fingerprint, tokens/op) instead of calling them inconclusive; the change is shown as their reason")
	primary := fs.String("primary", "", "the `metric` whose regression fails the gate (unit or benchmark.json key; default ns/op, the mean); all: every metric votes, without a multiple-comparison correction")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), checkUsage)
		fs.PrintDefaults()
	}
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return flagError(err)
	}
	switch {
	case len(baseline) == 0 && len(candidate) == 0 && len(files) == 2:
		baseline, candidate = stringList{files[0]}, stringList{files[1]}
	case len(files) > 0:
		return usageError("unexpected arguments %q: give -baseline and -candidate, or exactly two files OLD NEW", files)
	case len(baseline) == 0 || len(candidate) == 0:
		return usageError("need -baseline and -candidate files (see nerbench check -h)")
	}
	write := check.Reporters[*format]
	if *format == "md" {
		write = check.Markdown
	}
	if write == nil {
		return usageError("-format %q: want text, markdown or json", *format)
	}

	cc, err := loadCheckConfig(*configPath)
	if err != nil {
		return usageError("%v", err)
	}
	opts := check.DefaultOptions()
	opts.Alpha, opts.Threshold, opts.MinSamples = cc.Alpha, cc.Threshold, cc.MinSamples
	opts.Thresholds = map[string]float64{}
	maps.Copy(opts.Thresholds, cc.Thresholds)
	if alpha.set {
		opts.Alpha = alpha.v
	}
	if threshold.set {
		opts.Threshold = threshold.v
	}
	for k, v := range perMetric {
		opts.Thresholds[k] = v
	}
	if len(opts.Thresholds) == 0 {
		opts.Thresholds = nil
	}
	if *minSamples != 0 {
		opts.MinSamples = *minSamples
	}
	if len(models) > 0 {
		opts.ModelMap = models
	}
	opts.Primary = *primary
	opts.AllowDifferentWork = *allowDifferent
	for _, m := range strings.Split(*metrics, ",") {
		if m = strings.TrimSpace(m); m != "" {
			opts.Metrics = append(opts.Metrics, m)
		}
	}

	var filter *benchproc.Filter
	if *filterQuery != "" {
		if filter, err = benchproc.NewFilter(*filterQuery); err != nil {
			return usageError("-filter: %v", err)
		}
	}
	base, err := check.ReadFilesFiltered(baseline, filter)
	if err != nil {
		return usageError("baseline: %v", err)
	}
	cand, err := check.ReadFilesFiltered(candidate, filter)
	if err != nil {
		return usageError("candidate: %v", err)
	}
	rep, err := check.Compare(base, cand, opts)
	if err != nil {
		return usageError("%v", err)
	}
	var buf bytes.Buffer
	if err := write(&buf, rep); err != nil {
		return err
	}
	if *outPath != "" {
		if err := contract.WriteFileAtomic(*outPath, buf.Bytes(), 0o644); err != nil {
			return err
		}
	} else if _, err := stdout.Write(buf.Bytes()); err != nil {
		return err
	}
	headline := check.Headline(rep)
	switch rep.Verdict() {
	case check.VerdictRegression:
		return failure(errors.New(headline))
	case check.VerdictInconclusive:
		if *strict {
			return failure(errors.New(headline + " (-strict)"))
		}
		fmt.Fprintf(stderr, "nerbench check: WARNING: %s\n", headline)
		return nil
	}
	if *format != "text" || *outPath != "" {
		fmt.Fprintf(stderr, "nerbench check: %s\n", headline)
	}
	return nil
}

// loadCheckConfig returns the [check] table of the bench.toml at path, or
// of ./bench.toml when path is "" and that file exists, or the defaults.
// Checkpoints and test data the file names need not exist here: the check
// reads only [check].
func loadCheckConfig(path string) (config.Check, error) {
	if path == "" {
		path = "bench.toml"
		if _, err := os.Stat(path); err != nil {
			return config.DefaultCheck(), nil
		}
	}
	cfg, err := config.LoadTables(path)
	if err != nil {
		return config.Check{}, err
	}
	return cfg.Check, nil
}
