// Package converter turns the output of the nerbench benchmark suite into
// benchmark.json files (see package internal/contract), one per model.
//
// # Input
//
// An input is either the Go benchmark format (what go test -bench prints,
// read with golang.org/x/perf/benchfmt) or the CSV output of
//
//	benchstat -format csv old.txt new.txt
//
// which is detected by its column header row (",sec/op,CI,…"). Inputs may
// hold one run or many (go test -count=N, several files, outputs of several
// go test invocations concatenated). Results of other benchmarks are ignored
// with a note; names that look like ours but cannot be parsed are warnings
// that name the input file and line.
//
// # Failures
//
// A failed benchmark is never a result (Result.Failures, type Failure): a
// "--- FAIL: BenchmarkInference/…" line, a "panic:" line, a result line cut
// short at the end of an input, a result of ours with a missing or
// malformed metric, a benchstat row without a value in the new column,
// and each model and batch size of Options.Expect without a result. The
// observations they cover are left out; Write records the failures (a
// failure record, contract.WriteFailure, for a model that failed
// entirely; a "failures" key otherwise) and WriteFailures writes only the
// failure records. A benchstat CSV whose columns do not line up with its
// names row is malformed (ErrMalformed).
//
// Our results are named
//
//	BenchmarkInference/model=<bench name>/batch=<n>[-GOMAXPROCS]
//
// and carry the metrics of the contract's table (contract.Metrics), which
// gives each one's key in benchmark.json and its conversion:
//
//	ns/op      mean_ms                  (the mean latency of one batch)
//	p50-ns/op  median_ms
//	p95-ns/op  p95_ms
//	p99-ns/op  p99_ms
//	docs/sec   throughput_docs_per_sec
//	tokens/op  tokens_per_op            (optional)
//
// The required ones must all be there; an optional one is written when
// every run of a batch size has it.
//
// # Output
//
// Each model's file goes to the output given for it in bench.toml (looked up
// by its bench name through Options.Models), or to
// <Options.OutDir>/<bench name>/benchmark.json when OutDir is set (OutDir
// wins over bench.toml; the bench names "." and ".." are refused, so that
// no file lands outside OutDir). The top-level keys are "device" (from the
// device: configuration line; "cpu" with a warning when there is none),
// "timestamp" (the conversion time, UTC, 2025-01-20T10:30:00Z form),
// "model" (the real model name, or the bench name without bench.toml),
// "checkpoint" (from bench.toml) and "config" (the runs' configuration
// lines: goos, goarch, pkg, cpu, ort-version, device, intra-op-threads,
// inter-op-threads, max-length, commit, …; the newest value of each).
//
// With one run of a batch size its entry holds that run's values and
// "iterations" (the result's iteration count). With several runs each value
// is the median across runs (the middle value, or the mean of the two middle
// values) and the entry also holds:
//
//	runs        number of runs
//	run_values  each run's values, per key, in input order
//	ci95        per key, a 95 % confidence interval [low, high] of the
//	            median (benchmath.AssumeNothing, as benchstat computes it);
//	            only when there are enough runs (6 or more)
//	warnings    why there is no ci95, when there is none
//	iterations  the median of the runs' iteration counts
//
// When the suite kept per-iteration latencies (keep_samples in bench.toml),
// a "samples-file: <path>" configuration line before a model's results
// names the JSON Lines file that holds them (package
// benchmarks/samplefile). Each batch entry made from runs then also holds
//
//	samples_ms  every kept latency of the model at that batch size, in ms:
//	            all runs' samples, in the order the file holds them
//
// A samples file that is missing or cannot be read is a warning that names
// it; the rest of the conversion goes on without its samples.
//
// Runs of one model made on different devices are not mixed: the newest
// run's device wins and runs on other devices are dropped with a warning.
// Other configuration lines that differ between runs are a warning; the
// newest values are recorded.
//
// # Shards and machines
//
// The outputs of the shards of a sharded run (package benchmarks/shard:
// machine, matrix, matrix-cells, shard, shard-cells and shard-plan
// configuration lines), from any number of machines and files, are merged
// into the files one unsplit run gives; a missing shard, a shard given
// twice, shards of different matrices, plans or configurations, and a
// shard without a result for one of its cells are errors that name them
// (see shards.go). Results of different machines are never pooled into one
// number: the file's "machine" key is the machine's label (or the labels,
// with each batch entry's own "machine", when the shards ran on different
// machines), and a model measured on several machines gets a file per
// machine, benchmark.<machine>.json (contract.MachinePath). The per-shard
// lines (shard, shard-cells, machine) are not copied into "config".
//
// # Comparisons
//
// From benchstat CSV output the file describes the new (last) column. Each
// batch entry holds the new side's values (benchstat's medians, converted
// from seconds to milliseconds), "runs" (the new side's n) and, when there
// is a baseline column:
//
//	baseline       {"mean_ms": …, …}  the baseline's values
//	baseline_runs  the baseline's n
//	change_pct     {"mean_ms": …, …}  (new/baseline − 1) × 100
//	p_value        {"mean_ms": …, …}  the Mann-Whitney U test's p-value as
//	               benchstat prints it (three decimals)
//	significant    {"mean_ms": …, …}  false where benchstat shows "~"
//
// The file-level "comparison" key names the baseline and new columns. If the
// runs differ in a configuration line such as commit, benchstat puts them
// in separate tables and compares nothing: run it with -ignore commit.
//
// Values are rounded to 12 significant digits to drop floating-point noise
// from unit conversions.
package converter

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/nerbench/nerbench/benchmarks/config"
	"github.com/nerbench/nerbench/internal/contract"
)

// ErrMalformed is wrapped by Convert's error for input that is not what
// it claims to be (a benchstat CSV whose columns do not line up).
var ErrMalformed = errors.New("malformed input")

// Input is one input, read whole.
type Input struct {
	// Name is used in warnings and errors, as in "bench.txt:12: …".
	Name string
	Data []byte
}

// ReadInputs reads the named files; "-" (or no names at all) reads stdin.
func ReadInputs(paths []string, stdin io.Reader) ([]Input, error) {
	if len(paths) == 0 {
		paths = []string{"-"}
	}
	var ins []Input
	for _, p := range paths {
		var (
			data []byte
			err  error
			name = p
		)
		if p == "-" {
			name = "<stdin>"
			data, err = io.ReadAll(stdin)
		} else {
			data, err = os.ReadFile(p)
		}
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", name, err)
		}
		ins = append(ins, Input{Name: name, Data: data})
	}
	return ins, nil
}

// Model is what bench.toml says about a model.
type Model struct {
	Name       string // real model name
	Checkpoint string // checkpoint folder
	Output     string // where its benchmark.json goes
	// Threads are the thread counts of its threads sweep, in bench.toml
	// order (the first is the one of the file's batch_<n> entries); nil
	// without one.
	Threads []int
}

// ModelFunc looks a model up by its bench name (the sanitized name in
// BenchmarkInference/model=<bench name>/…).
type ModelFunc func(benchName string) (Model, bool)

// Options control Convert.
type Options struct {
	// Models looks models up in bench.toml; nil when there is none.
	Models ModelFunc
	// OutDir, when set, is the folder that receives
	// <OutDir>/<bench name>/benchmark.json for every model.
	OutDir string
	// Now returns the conversion time, written as "timestamp";
	// nil means time.Now.
	Now func() time.Time
	// Expect lists the models and batch sizes that must have results
	// (bench.toml's matrix, see ExpectFromConfig): each one missing is a
	// Failure.
	Expect []Expected
	// Matrix is bench.toml's matrix fingerprint (shard.Matrix); shards of
	// another matrix are refused. "" checks nothing.
	Matrix string
}

// Warning is a problem that did not stop the conversion.
type Warning struct {
	File string // input name; "" when not tied to an input
	Line int    // 1-based line; 0 when not tied to a line
	Msg  string
}

func (w Warning) String() string {
	switch {
	case w.File != "" && w.Line > 0:
		return fmt.Sprintf("%s:%d: %s", w.File, w.Line, w.Msg)
	case w.File != "":
		return w.File + ": " + w.Msg
	}
	return w.Msg
}

// Output is one model's benchmark.json, ready to write.
type Output struct {
	BenchName string // the model's bench name
	// Machine is the machine label when the file is one machine's among
	// several of the model (benchmark.<machine>.json); "" otherwise.
	Machine string
	// Path is where the file goes; "" when neither bench.toml nor
	// Options.OutDir gives a place (Write skips it, with a warning made by
	// Convert).
	Path string
	// File is nil for a model that failed entirely: Write then records
	// its failure at Path instead of results.
	File *contract.File
	// Failures are the model's failed benchmarks; with a File they are
	// recorded in it under "failures".
	Failures []Failure
	// Model and Checkpoint name the model of a failure record.
	Model, Checkpoint string
}

// Result is what Convert found.
type Result struct {
	// Files maps a model's bench name to its file; a file of one machine
	// among several is keyed "<bench name>@<machine slug>".
	Files map[string]*Output
	// Warnings are problems in the input, in input order, then per model.
	Warnings []Warning
	// Notes are harmless remarks, such as ignored benchmarks of other
	// packages.
	Notes []Warning
	// Noise are the results measured on a busy or noisy machine
	// (contract.NoiseWarnings), per model: not a problem of the input, but
	// numbers to read with care. They are also in each file's "warnings".
	Noise []Warning
	// Failures are the benchmarks that failed or produced no result, in
	// input order, then the missing ones of Options.Expect. None of them
	// is a result.
	Failures []Failure

	timestamp string // the conversion time, for failure records
}

// BenchNames returns the keys of Files in order.
func (r *Result) BenchNames() []string { return slices.Sorted(maps.Keys(r.Files)) }

// Convert reads inputs and builds one benchmark.json per model. It returns
// an error when the inputs hold no usable result of ours; the Result is
// non-nil even then, so that its warnings can be shown.
func Convert(inputs []Input, opts Options) (*Result, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	c := newCollector()
	if len(inputs) == 0 {
		return c.res, errors.New("no input")
	}
	seen := map[string]bool{}
	for _, in := range inputs {
		if seen[in.Name] && in.Name != "<stdin>" {
			c.warn(in.Name, 0, "given twice; read once")
			continue
		}
		seen[in.Name] = true
		switch detect(in.Data) {
		case formatBenchstatCSV:
			c.addBenchstatCSV(in)
		case formatBenchstatText:
			c.warn(in.Name, 0, "this is benchstat's text output; run benchstat with -format csv")
		default:
			fails, data := scanFailures(in)
			c.res.Failures = append(c.res.Failures, fails...)
			c.addGoBench(Input{Name: in.Name, Data: data})
		}
	}
	if len(c.errs) > 0 {
		return c.res, fmt.Errorf("%w: %s", ErrMalformed, strings.Join(c.errs, "; "))
	}
	c.res.Failures = append(c.res.Failures, c.expectFailures(opts.Expect)...)
	c.dropFailed()
	if opts.OutDir != "" {
		var bad []string
		for name := range c.models {
			if !safeName(name) {
				bad = append(bad, fmt.Sprintf("%q", name))
			}
		}
		if len(bad) > 0 {
			slices.Sort(bad)
			return c.res, fmt.Errorf("model %s cannot name a folder under %s: it would leave it", strings.Join(bad, ", "), opts.OutDir)
		}
	}
	c.dropMixedThreads()
	if err := c.splitSets(opts.Matrix); err != nil {
		return c.res, err
	}
	c.build(opts)
	c.failedOutputs(opts)
	if len(c.res.Files) == 0 {
		return c.res, c.noResultsError(inputs)
	}
	return c.res, nil
}

// ExpectFromConfig lists every model and batch size of a loaded bench.toml.
func ExpectFromConfig(cfg *config.Config) []Expected {
	var out []Expected
	for _, m := range cfg.Models {
		out = append(out, Expected{BenchName: m.BenchName(), BatchSizes: slices.Clone(m.Settings.BatchSizes), Threads: slices.Clone(m.Settings.ThreadSweep)})
	}
	return out
}

// Write writes every output that has a path, in bench-name order, each
// atomically (contract.Write): an existing file is replaced only by a complete
// new one. A model that failed entirely gets a failure record
// (contract.WriteFailure) instead, so that no older file stays in place
// looking current. It goes on after a failure and returns the outputs
// written and the failures joined.
func Write(res *Result) ([]*Output, error) {
	return write(res, false)
}

// WriteFailures writes only the failure records of the models with
// failures, in place of their files, and none of the results: what
// nerbench convert writes when a benchmark failed and -allow-partial was
// not given.
func WriteFailures(res *Result) ([]*Output, error) {
	return write(res, true)
}

func write(res *Result, failuresOnly bool) ([]*Output, error) {
	byPath := map[string]string{}
	for _, name := range res.BenchNames() {
		o := res.Files[name]
		if o.Path == "" {
			continue
		}
		p := filepath.Clean(o.Path)
		if other, ok := byPath[p]; ok {
			return nil, fmt.Errorf("models %q and %q would both be written to %s", other, name, o.Path)
		}
		byPath[p] = name
	}
	var (
		written []*Output
		errs    []error
	)
	for _, name := range res.BenchNames() {
		o := res.Files[name]
		if o.Path == "" || failuresOnly && len(o.Failures) == 0 {
			continue
		}
		var err error
		switch {
		case o.File == nil || failuresOnly:
			err = contract.WriteFailure(o.Path, o.failureRecord(res, failuresOnly))
		default:
			if len(o.Failures) > 0 {
				if o.File.Extra == nil {
					o.File.Extra = map[string]json.RawMessage{}
				}
				o.File.Extra["failures"] = mustJSON(failureTexts(o.Failures))
			}
			err = contract.Write(o.Path, o.File)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("model %s: %w", name, err))
			continue
		}
		written = append(written, o)
	}
	return written, errors.Join(errs...)
}

func (c *collector) noResultsError(inputs []Input) error {
	names := make([]string, len(inputs))
	for i, in := range inputs {
		names[i] = in.Name
	}
	where := strings.Join(names, ", ")
	switch {
	case c.ours > 0:
		return fmt.Errorf("no usable nerbench results in %s (see the warnings)", where)
	case c.others > 0:
		return fmt.Errorf("no nerbench results (BenchmarkInference/model=…/batch=…) in %s, only %d of other benchmarks", where, c.others)
	}
	return fmt.Errorf("no benchmark results in %s", where)
}

func failureTexts(fs []Failure) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.String()
	}
	return out
}

// failureRecord is what Write records for a model that failed.
func (o *Output) failureRecord(res *Result, all bool) contract.Failure {
	r := contract.Failure{Model: o.Model, Checkpoint: o.Checkpoint, Failures: failureTexts(o.Failures)}
	if o.File != nil {
		r.Model, r.Checkpoint, r.Timestamp = o.File.Model, o.File.Checkpoint, o.File.Timestamp
		if all {
			r.Failures = append(r.Failures, "the results of the other batch sizes were not written (no -allow-partial)")
		}
	}
	if r.Timestamp == "" {
		r.Timestamp = res.timestamp
	}
	return r
}
