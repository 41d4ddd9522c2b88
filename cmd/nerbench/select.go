package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"

	"github.com/nerbench/nerbench/benchmarks/config"
	"github.com/nerbench/nerbench/internal/contract"
	"github.com/nerbench/nerbench/internal/selection"
)

func init() {
	commands["select"] = command{"pick the configuration to ship from an HPO tree, trading accuracy against measured speed", selectCmd}
}

// optFloat is a float flag that remembers whether it was given.
type optFloat struct{ v *float64 }

func (f *optFloat) String() string {
	if f == nil || f.v == nil {
		return ""
	}
	return strconv.FormatFloat(*f.v, 'g', -1, 64)
}

func (f *optFloat) Set(s string) error {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("%q is not a number", s)
	}
	f.v = &v
	return nil
}

func selectCmd(stdout, stderr io.Writer, args []string) error {
	fs := flag.NewFlagSet("nerbench select", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "", "read settings from the [selection] table of bench.toml `file`; flags override them")
	hpoDir := fs.String("hpo-dir", "", "the HPO output `dir`: <dir>/<backbone>/trial_*/metrics.json")
	metric := fs.String("metric", "", "the metrics.json `key` to select on, such as macro-f1")
	goal := fs.String("goal", "", "maximize or minimize the metric (default maximize)")
	var threshold, minGain optFloat
	fs.Var(&threshold, "accuracy-threshold", "choose a faster candidate whose distance from the best metric value is at most `x` (default: select on the metric alone)")
	relative := fs.Bool("relative", true, "measure distances relative to the best value")
	absolute := fs.Bool("absolute", false, "measure distances in the metric's units")
	fs.Var(&minGain, "min-accuracy-gain", "choose only a faster candidate whose distance from the best is at least `x` (default 0)")
	output := fs.String("output", "", "write the selection to `file`, atomically (default stdout)")
	bench := fs.Bool("benchmark", false, "first benchmark, in interleaved rounds on the texts and settings of --config, the best trials whose benchmark.json is missing, measured on other work or on another machine (needs cgo)")
	rounds := fs.Int("rounds", 4, "rounds of --benchmark; 4 or more let select test speed differences against the noise")
	allowDifferent := fs.Bool("allow-different-work", false, "rank by latencies measured on different work (workload fingerprints differ); they are marked in the warnings")
	threads := fs.String("threads", "", "read a threads sweep's benchmark.json at this intra-op thread `count`, or best (each trial at its own fastest count at batch 1), or first (the sweep's first count; the default); a trial without a result at the count is treated as not benchmarked")
	machine := fs.String("machine", "", "decide for the machine of this `label`: read each trial's benchmark of that machine (benchmark.json or benchmark.<machine>.json); needed when trials were benchmarked on several machines")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `usage: nerbench select --hpo-dir DIR --metric NAME [--goal maximize|minimize]
                       [--accuracy-threshold X [--min-accuracy-gain X]] [--relative|--absolute]
                       [--output FILE] [--config bench.toml] [--machine LABEL]
                       [--threads N|best|first]

Takes the best trial of each backbone of an HPO tree by the metric and picks
the one to ship: the best, or with --accuracy-threshold the most accurate
faster candidate within the threshold of it. Speed is batch_1.mean_ms of each
trial's benchmark.json when every candidate has one, and otherwise the
parameter count of each trial's model.onnx (or its config.json), never a mix.
Latencies measured on different work (workload fingerprints) are refused
unless --allow-different-work. A candidate is faster only when its latency
across rounds (make bench COUNT=n, n ≥ 4) differs beyond the noise
(Mann-Whitney U, p < 0.05, the gate's test); otherwise speed is a tie and
accuracy decides; with fewer rounds the reason says the difference was not
tested. Noise warnings of the benchmark.json files are passed on.
With a threads sweep (intra_op_threads = [1, 2]), latencies are those of
the sweep's first count unless --threads names a count, or best: each
trial's fastest count, which may differ between trials (the output says
so). Each candidate's threads says the count its latency was measured at.
Writes the selection as JSON; warnings go to stderr.

`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return flagError(err)
	}
	if fs.NArg() > 0 {
		return usageError("unexpected argument %q (flags only; see nerbench select -h)", fs.Arg(0))
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if given["relative"] && given["absolute"] {
		return usageError("give --relative or --absolute, not both")
	}

	sel := config.DefaultSelection()
	var settings config.Settings
	if *configPath != "" {
		cfg, err := config.LoadTables(*configPath)
		if err != nil {
			return usageError("%v", err)
		}
		sel, settings = cfg.Selection, cfg.Defaults
	}
	if *bench && (*configPath == "" || settings.TestData == "") {
		return usageError("--benchmark needs --config bench.toml with test_data (and the other settings) at its top level; its [[model]] tables are not needed")
	}
	if *rounds < 1 {
		return usageError("--rounds %d: want ≥ 1", *rounds)
	}
	if given["hpo-dir"] {
		sel.HPODir = *hpoDir
	}
	if given["metric"] {
		sel.Metric = *metric
	}
	if given["goal"] {
		sel.Goal = *goal
	}
	if given["accuracy-threshold"] {
		sel.AccuracyThreshold = threshold.v
	}
	if given["min-accuracy-gain"] {
		sel.MinAccuracyGain = minGain.v
	}
	if given["relative"] {
		sel.Relative = *relative
	}
	if given["absolute"] {
		sel.Relative = !*absolute
	}
	if given["output"] {
		sel.Output = *output
	}
	if given["threads"] {
		sel.Threads = *threads
	}
	if *bench && sel.Threads != "" && sel.Threads != selection.ThreadsFirst {
		return usageError("--benchmark with threads %q: --benchmark measures at the first intra_op_threads of --config and writes benchmark.json without a threads sweep; run it without a threads setting, or benchmark the sweep with make bench and select with --threads", sel.Threads)
	}
	if sel.Output == "-" {
		sel.Output = ""
	}
	switch {
	case sel.HPODir == "":
		return usageError("no HPO dir: give --hpo-dir DIR (or hpo_dir in [selection] of --config bench.toml)")
	case sel.Metric == "":
		return usageError("no metric: give --metric NAME, such as macro-f1 (or metric in [selection] of --config bench.toml)")
	}

	opts := selection.Options{
		HPODir:            sel.HPODir,
		Metric:            sel.Metric,
		Goal:              selection.Goal(sel.Goal),
		AccuracyThreshold: sel.AccuracyThreshold,
		Absolute:          !sel.Relative,
		MinAccuracyGain:   sel.MinAccuracyGain,
		Machine:           *machine,
		Threads:           sel.Threads,

		AllowDifferentWork: *allowDifferent,
	}
	if err := opts.Validate(); err != nil {
		if *configPath != "" && !given["accuracy-threshold"] && !given["min-accuracy-gain"] {
			return usageError("%s: [selection]: %v", *configPath, err)
		}
		return usageError("%v", err)
	}
	if *bench {
		if err := benchmarkCandidates(stderr, opts, settings, *rounds); err != nil {
			return err
		}
	}
	res, err := selection.Select(opts)
	if res != nil {
		for _, w := range res.Warnings {
			fmt.Fprintf(stderr, "warning: %s\n", w)
		}
	}
	if err != nil {
		return usageError("%v", err)
	}
	data, err := res.Selection.Encode()
	if err != nil {
		return err
	}
	if sel.Output == "" {
		_, err := stdout.Write(data)
		return err
	}
	if err := contract.WriteFileAtomic(sel.Output, data, 0o644); err != nil {
		return fmt.Errorf("writing selection: %w", err)
	}
	c := res.Selection.SelectionCriteria
	at := ""
	if c.Threads != nil {
		at = fmt.Sprintf(", latency at %d intra-op threads", *c.Threads)
	}
	fmt.Fprintf(stderr, "wrote %s: %s %s (%s %s%s)\n", sel.Output, res.Selection.Backbone, res.Selection.TrialName,
		c.Metric, strconv.FormatFloat(c.BestValue, 'g', -1, 64), at)
	return nil
}
