package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/nerbench/nerbench/benchmarks/config"
	"github.com/nerbench/nerbench/benchmarks/dataset"
	"github.com/nerbench/nerbench/benchmarks/engine"
	"github.com/nerbench/nerbench/benchmarks/runner"
	"github.com/nerbench/nerbench/internal/contract"
)

func init() {
	commands["run"] = command{"benchmark one checkpoint with the Python tool's flags and write benchmark.json", runCmd}
}

// intList is a flag of batch sizes: "1,8,16", repeated, or (after
// expandListArgs) several values after one flag.
type intList []int

func (l *intList) String() string {
	parts := make([]string, len(*l))
	for i, n := range *l {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ",")
}

func (l *intList) Set(s string) error {
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return fmt.Errorf("%q is not a batch size (want an integer ≥ 1)", f)
		}
		*l = append(*l, n)
	}
	return nil
}

// expandListArgs turns the Python tool's "--batch-sizes 1 8 16" into
// "--batch-sizes=1,8,16", which the flag package understands.
func expandListArgs(args []string, names ...string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		name := strings.TrimLeft(a, "-")
		if !strings.HasPrefix(a, "-") || strings.Contains(name, "=") || !contains(names, name) {
			out = append(out, a)
			if a == "--" {
				return append(out, args[i+1:]...)
			}
			continue
		}
		var vals []string
		for i+1 < len(args) && isListValue(args[i+1]) {
			i++
			vals = append(vals, args[i])
		}
		if len(vals) == 0 {
			out = append(out, a) // let flag report the missing value
			continue
		}
		out = append(out, a+"="+strings.Join(vals, ","))
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func isListValue(s string) bool {
	if s == "" || strings.HasPrefix(s, "-") {
		return false
	}
	for _, f := range strings.Split(s, ",") {
		if _, err := strconv.Atoi(f); err != nil {
			return false
		}
	}
	return true
}

type runFlags struct {
	checkpoint, testData, output, device, name, format, configPath string
	batchSizes                                                     intList
	iterations, warmup, maxLength, intra, inter                    int
	keepSamples                                                    bool
}

func runCmd(stdout, stderr io.Writer, args []string) error {
	def := config.DefaultSettings()
	var f runFlags
	fs := flag.NewFlagSet("nerbench run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.checkpoint, "checkpoint", "", "checkpoint `dir`: model.onnx, tokenizer.json or vocab.txt, optional config.json (required)")
	fs.StringVar(&f.testData, "test-data", "", "test data `file`: JSON list of strings or of {\"text\": …}, or JSON Lines (required)")
	fs.Var(&f.batchSizes, "batch-sizes", "batch sizes: 1 8 16, or 1,8,16 (default 1,8,16)")
	fs.IntVar(&f.iterations, "iterations", def.Iterations, "timed iterations per batch size")
	fs.IntVar(&f.warmup, "warmup", def.Warmup, "untimed warm-up iterations per batch size")
	fs.StringVar(&f.output, "output", "", "benchmark.json `file` to write (required)")
	fs.StringVar(&f.device, "device", "auto", "cuda, cpu, or auto (CUDA when usable, else CPU)")
	fs.IntVar(&f.maxLength, "max-length", def.MaxLength, "truncate texts to this many tokens, special tokens included")
	fs.IntVar(&f.intra, "intra-op-threads", 0, "ONNX Runtime intra-op threads (0: its default)")
	fs.IntVar(&f.inter, "inter-op-threads", 0, "ONNX Runtime inter-op threads (0: its default)")
	fs.StringVar(&f.name, "name", "", "model name in results (default: the trial folder's name)")
	fs.StringVar(&f.format, "format", "table", "what to print on stdout: table, gobench (Go benchmark format, for benchstat and nerbench convert) or json")
	fs.BoolVar(&f.keepSamples, "keep-samples", false, "keep per-iteration latencies in benchmark.json (samples_ms)")
	if err := fs.Parse(expandListArgs(args, "batch-sizes")); err != nil {
		return flagError(err)
	}
	if fs.NArg() > 0 {
		return usageError("unexpected arguments %q", fs.Args())
	}
	var missing []string
	for _, req := range []struct{ name, val string }{{"--checkpoint", f.checkpoint}, {"--test-data", f.testData}, {"--output", f.output}} {
		if req.val == "" {
			missing = append(missing, req.name)
		}
	}
	if len(missing) > 0 {
		return usageError("%s required (see nerbench run -h)", strings.Join(missing, ", "))
	}
	switch f.format {
	case "table", "gobench", "json":
	default:
		return usageError("--format %q: want table, gobench or json", f.format)
	}
	s := def
	s.TestData, s.Iterations, s.Warmup, s.MaxLength = f.testData, f.iterations, f.warmup, f.maxLength
	s.Device, s.IntraOpThreads, s.InterOpThreads, s.KeepSamples = f.device, f.intra, f.inter, f.keepSamples
	if len(f.batchSizes) > 0 {
		s.BatchSizes = f.batchSizes
	}
	if err := s.Validate(); err != nil {
		return usageError("%v", err)
	}
	if f.name == "" {
		f.name = defaultName(f.checkpoint)
	}
	return measure(stdout, stderr, f.name, f.checkpoint, f.output, f.format, s)
}

// defaultName names a model after its trial folder: ".../trial_3/checkpoint"
// gives "trial_3" prefixed by the backbone folder when there is one.
func defaultName(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	base := filepath.Base(abs)
	if base == "checkpoint" || base == "model" || base == "onnx" {
		abs = filepath.Dir(abs)
		base = filepath.Base(abs)
	}
	if strings.HasPrefix(base, "trial") {
		return filepath.Base(filepath.Dir(abs)) + "_" + base
	}
	return base
}

// measure runs every batch size of s on the checkpoint and writes out.
func measure(stdout, stderr io.Writer, name, ckpt, out, format string, s config.Settings) (err error) {
	ds, err := dataset.Load(s.TestData)
	if err != nil {
		return usageError("%v", err)
	}
	version, err := engine.Init("")
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, engine.Shutdown()) }()
	m, err := runner.Open(name, ckpt, s)
	if err != nil {
		return usageError("%v", err)
	}
	defer func() { err = errors.Join(err, m.Close()) }()
	for _, w := range m.Warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	enc, err := m.Encode(ds.Texts)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "%s: %d texts (%d empty skipped, %d truncated to %d tokens) tokenized in %v on %d cores, device %s, ONNX Runtime %s\n",
		name, len(ds.Texts), ds.Skipped, enc.Truncated, m.MaxLength, enc.Elapsed.Round(10*time.Microsecond), runtime.GOMAXPROCS(0), m.Session.Device, version)
	env := runner.Env{ORTVersion: version, Device: m.Session.Device, IntraOpThreads: s.IntraOpThreads,
		InterOpThreads: s.InterOpThreads, MaxLength: m.MaxLength, Commit: runner.GitCommit()}
	if format == "gobench" {
		fmt.Fprintf(stdout, "goos: %s\ngoarch: %s\n", runtime.GOOS, runtime.GOARCH)
		fmt.Fprint(stdout, env.ConfigLines(), runner.UnitLines)
	}
	var results []runner.Result
	for _, size := range s.BatchSizes {
		fmt.Fprintf(stderr, "batch %d: %d warm-up + %d timed iterations… ", size, s.Warmup, s.Iterations)
		start := time.Now()
		bs, err := m.Prepare(enc, size, s.Warmup+s.Iterations)
		if err != nil {
			return err
		}
		r, err := runner.Measure(bs, s.Warmup, s.Iterations)
		err = errors.Join(err, bs.Close())
		if err != nil {
			return err
		}
		r.Model = name
		fmt.Fprintf(stderr, "mean %.2f ms (%v)\n", r.Summary.MeanNs/1e6, time.Since(start).Round(time.Millisecond))
		if format == "gobench" {
			if err := runner.WriteResult(stdout, r); err != nil {
				return err
			}
		}
		results = append(results, r)
	}
	f := fileOf(name, ckpt, env, results, s.KeepSamples)
	switch format {
	case "table":
		printTable(stdout, name, results)
	case "json":
		data, err := contract.Encode(f)
		if err != nil {
			return err
		}
		stdout.Write(data)
	}
	if err := contract.Write(out, f); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %s\n", out)
	return nil
}

// fileOf builds the benchmark.json of one run.
func fileOf(name, ckpt string, env runner.Env, results []runner.Result, keep bool) *contract.File {
	abs, _ := filepath.Abs(ckpt)
	f := &contract.File{Batches: map[int]*contract.Batch{}, Device: env.Device,
		Timestamp: contract.Timestamp(time.Now()), Model: name, Checkpoint: abs,
		Config: map[string]string{}}
	for _, line := range strings.Split(strings.TrimSpace(env.ConfigLines()), "\n") {
		k, v, _ := strings.Cut(line, ": ")
		f.Config[k] = v
	}
	f.Config["goos"], f.Config["goarch"] = runtime.GOOS, runtime.GOARCH
	for _, r := range results {
		s := r.Summary
		b := &contract.Batch{MeanMS: s.MeanNs / 1e6, MedianMS: s.MedianNs / 1e6, P95MS: s.P95Ns / 1e6,
			P99MS: s.P99Ns / 1e6, ThroughputDocsPerSec: s.DocsPerSec, Iterations: r.Iterations, Runs: 1}
		if keep {
			b.SamplesMS = make([]float64, len(r.SamplesNs))
			for i, ns := range r.SamplesNs {
				b.SamplesMS[i] = ns / 1e6
			}
		}
		f.Batches[r.BatchSize] = b
	}
	return f
}

func printTable(w io.Writer, name string, results []runner.Result) {
	fmt.Fprintf(w, "Benchmark results: %s\n", name)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "batch\tmean ms\tmedian ms\tp95 ms\tp99 ms\tdocs/sec\titerations\t")
	for _, r := range results {
		s := r.Summary
		fmt.Fprintf(tw, "%d\t%.2f\t%.2f\t%.2f\t%.2f\t%.1f\t%d\t\n", r.BatchSize, s.MeanNs/1e6, s.MedianNs/1e6, s.P95Ns/1e6, s.P99Ns/1e6, s.DocsPerSec, r.Iterations)
	}
	tw.Flush()
}
