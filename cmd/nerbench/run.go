package main

// The run command measures with ONNX Runtime, through cgo: it is built
// from run_cgo.go, and from run_nocgo.go (which only says so) when cgo is
// off. This file holds what needs no cgo: its flags.

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/nerbench/nerbench/benchmarks/config"
	"github.com/nerbench/nerbench/benchmarks/shard"
)

// runSummary is the run command's line in nerbench's usage.
const runSummary = "benchmark one checkpoint with the Python tool's flags and write benchmark.json"

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

// threadList is the --intra-op-threads flag: one thread count, or several
// ("1,2", repeated, or after expandListArgs "1 2"), a threads sweep.
type threadList []int

func (l *threadList) String() string { return (*intList)(l).String() }

func (l *threadList) Set(s string) error {
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		n, err := strconv.Atoi(f)
		if err != nil || n < 0 {
			return fmt.Errorf("%q is not a thread count (want an integer ≥ 0; 0 lets ONNX Runtime choose)", f)
		}
		*l = append(*l, n)
	}
	return nil
}

// streamList is the --offline-streams flag: stream counts, "1,2",
// repeated, or after expandListArgs "1 2", as offline_streams = [1, 2] in
// bench.toml; Settings.Validate checks them as it checks the key.
type streamList []int

func (l *streamList) String() string { return (*intList)(l).String() }

func (l *streamList) Set(s string) error {
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		n, err := strconv.Atoi(f)
		if err != nil {
			return fmt.Errorf("%q is not a stream count (want an integer ≥ 1)", f)
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
	checkpoint, testData, output, device, name, format, memoryLimit string
	shard, durations, machine                                       string
	batchSizes                                                      intList
	intra                                                           threadList
	streams                                                         streamList
	iterations, warmup, texts, maxLength, inter                     int
	keepSamples                                                     bool
	batching, padding, graph, mode, scenario                        string
}

// runArgs is what the run command's flags ask for.
type runArgs struct {
	name, checkpoint, output, format string
	settings                         config.Settings
	shard                            shard.Spec
	durations                        map[string]float64 // nil: cost estimates
	machine                          string             // "": the default label
	memoryLimit                      int64              // 0: runner's default
}

// parseRunArgs parses and checks the run command's flags.
func parseRunArgs(stderr io.Writer, args []string) (*runArgs, error) {
	def := config.DefaultSettings()
	var f runFlags
	fs := flag.NewFlagSet("nerbench run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.checkpoint, "checkpoint", "", "checkpoint `dir`: model.onnx, tokenizer.json or vocab.txt, optional config.json (required)")
	fs.StringVar(&f.testData, "test-data", "", "test data `file`: JSON list of strings or of {\"text\": …}, or JSON Lines (required)")
	fs.Var(&f.batchSizes, "batch-sizes", "batch sizes: 1 8 16, or 1,8,16 (default 1,8,16)")
	fs.IntVar(&f.iterations, "iterations", def.Iterations, "timed iterations per batch size, rounded up to whole passes over the texts (--mode e2e: exactly this many; --scenario offline: this many passes over the texts, shared out among the stream counts)")
	fs.IntVar(&f.warmup, "warmup", def.Warmup, "untimed warm-up iterations per batch size, rounded up to whole passes (at least one); --mode e2e: exactly this many; --scenario offline: one pass before each stream count's when > 0")
	fs.IntVar(&f.texts, "texts", def.Texts, "time this many texts, spread evenly over the test data (0: all); iterations are rounded up to whole passes over them")
	fs.StringVar(&f.output, "output", "", "benchmark.json `file` to write (required)")
	fs.StringVar(&f.device, "device", "auto", "cuda, cpu, or auto (CUDA when usable, else CPU)")
	fs.IntVar(&f.maxLength, "max-length", def.MaxLength, "truncate texts to this many tokens, special tokens included")
	fs.Var(&f.intra, "intra-op-threads", "ONNX Runtime intra-op threads (0: its default); several, 1 2 or 1,2, are a threads sweep: one session per count, kept apart in benchmark.json (default 0)")
	fs.IntVar(&f.inter, "inter-op-threads", 0, "ONNX Runtime inter-op threads (0: its default)")
	fs.StringVar(&f.name, "name", "", "model name in results (default: the trial folder's name)")
	fs.StringVar(&f.format, "format", "table", "what to print on stdout: table, gobench (Go benchmark format, for benchstat and nerbench convert) or json")
	fs.StringVar(&f.batching, "batching", def.Batching, "rotate (batch k takes texts k·b…) or sorted (texts grouped by token length, batches in a fixed shuffled order)")
	fs.StringVar(&f.padding, "padding", def.Padding, "longest (each batch padded to its longest text) or max_length")
	fs.StringVar(&f.mode, "mode", def.Mode, "what one iteration times: inference (Session.Run on a batch built beforehand) or e2e (tokenize the batch's texts, run it and decode its entities; also reports each stage's mean; needs id2label in config.json), as mode in bench.toml")
	fs.StringVar(&f.scenario, "scenario", def.Scenario, "single (one batch at a time, each timed) or offline (throughput: each iteration is one pass over the texts by several concurrent streams; the best docs/sec is reported with its stream count), as scenario in bench.toml")
	fs.Var(&f.streams, "offline-streams", "stream counts --scenario offline tries, each ≥ 1 and listed once: 1 2 or 1,2, as offline_streams in bench.toml (default 1,2)")
	fs.StringVar(&f.graph, "graph-optimization", def.GraphOptimization, "ONNX Runtime graph optimization level: all, extended, basic or disabled")
	fs.StringVar(&f.memoryLimit, "memory-limit", "", "most memory the batches of one batch size may take, such as 8G (default: half the available memory)")
	fs.BoolVar(&f.keepSamples, "keep-samples", false, "keep per-iteration latencies in benchmark.json (samples_ms), and in the samples file beside it (<output>.samples.jsonl)")
	fs.StringVar(&f.shard, "shard", "", "measure only shard `i/n` of the batch sizes (split by expected cost), and write its Go benchmark output beside --output for nerbench convert to merge")
	fs.StringVar(&f.durations, "shard-durations", "", "Go benchmark output `file` of a previous run: split the shards by its durations")
	fs.StringVar(&f.machine, "machine", "", "machine `label` recorded with the results (default: the CPU model and core count, and the GPU)")
	if err := fs.Parse(expandListArgs(args, "batch-sizes", "intra-op-threads", "offline-streams")); err != nil {
		return nil, flagError(err)
	}
	if fs.NArg() > 0 {
		return nil, usageError("unexpected arguments %q", fs.Args())
	}
	var missing []string
	for _, req := range []struct{ name, val string }{{"--checkpoint", f.checkpoint}, {"--test-data", f.testData}, {"--output", f.output}} {
		if req.val == "" {
			missing = append(missing, req.name)
		}
	}
	if len(missing) > 0 {
		return nil, usageError("%s required (see nerbench run -h)", strings.Join(missing, ", "))
	}
	switch f.format {
	case "table", "gobench", "json":
	default:
		return nil, usageError("--format %q: want table, gobench or json", f.format)
	}
	s := def
	s.TestData, s.Iterations, s.Warmup, s.MaxLength, s.Texts = f.testData, f.iterations, f.warmup, f.maxLength, f.texts
	s.Device, s.InterOpThreads, s.KeepSamples = f.device, f.inter, f.keepSamples
	switch len(f.intra) {
	case 0:
	case 1:
		s.IntraOpThreads = f.intra[0]
	default: // a threads sweep, as intra_op_threads = [1, 2] in bench.toml
		s.IntraOpThreads, s.ThreadSweep = f.intra[0], []int(f.intra)
	}
	s.Batching, s.Padding, s.GraphOptimization = f.batching, f.padding, f.graph
	s.Mode, s.Scenario = f.mode, f.scenario
	if len(f.batchSizes) > 0 {
		s.BatchSizes = f.batchSizes
	}
	if f.streams != nil {
		s.OfflineStreams = f.streams
	}
	if err := s.Validate(); err != nil {
		return nil, usageError("%v", settingsFlagError(err))
	}
	if f.streams != nil && s.Scenario != "offline" {
		return nil, usageError("--offline-streams needs --scenario offline")
	}
	if s.KeepSamples && s.Scenario == "offline" {
		return nil, usageError("--keep-samples with --scenario offline: the offline scenario keeps no per-iteration samples")
	}
	if f.name == "" {
		f.name = defaultName(f.checkpoint)
	}
	a := &runArgs{name: f.name, checkpoint: f.checkpoint, output: f.output, format: f.format, settings: s, machine: f.machine}
	var err error
	if f.memoryLimit != "" {
		if a.memoryLimit, err = config.ParseBytes(f.memoryLimit); err != nil {
			return nil, usageError("--memory-limit: %v", err)
		}
	}
	if a.shard, err = shard.ParseSpec(f.shard); err != nil {
		return nil, usageError("--shard: %v", err)
	}
	if f.durations != "" {
		if a.shard.IsZero() {
			return nil, usageError("--shard-durations needs --shard")
		}
		if a.durations, err = shard.ReadDurations(f.durations); err != nil {
			return nil, usageError("%v", err)
		}
	}
	if f.machine != "" {
		if err := shard.CheckMachine(f.machine); err != nil {
			return nil, usageError("--machine: %v", err)
		}
	}
	return a, nil
}

// settingsFlagError rewrites the problems of Settings.Validate, each
// "key: message" with its bench.toml key, as "--flag: message" with the
// run command's flag for that key (offline_streams: --offline-streams):
// the suite's message, naming the flag that set the value.
func settingsFlagError(err error) error {
	lines := strings.Split(err.Error(), "\n")
	for i, l := range lines {
		if key, msg, ok := strings.Cut(l, ": "); ok && !strings.ContainsAny(key, " .") {
			lines[i] = "--" + strings.ReplaceAll(key, "_", "-") + ": " + msg
		}
	}
	return errors.New(strings.Join(lines, "\n"))
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

// plan returns the shard plan of a run: its matrix is the one checkpoint
// at every batch size; nil for an unsharded run.
func (a *runArgs) plan() (*shard.Plan, error) {
	ckpt, err := filepath.Abs(a.checkpoint)
	if err != nil {
		return nil, err
	}
	out, err := filepath.Abs(a.output)
	if err != nil {
		return nil, err
	}
	cfg := &config.Config{Path: "nerbench run", Dir: filepath.Dir(ckpt),
		Models: []config.Model{{Name: a.name, Checkpoint: ckpt, Output: out, Settings: a.settings}}}
	n := max(a.shard.Count, 1)
	return shard.New(cfg, n, a.durations)
}

// ShardOutput returns where a sharded run writes its Go benchmark output:
// beside --output, benchmark.json → benchmark.shard-2-of-3.txt.
func shardOutput(output string, s shard.Spec) string {
	return strings.TrimSuffix(output, filepath.Ext(output)) + fmt.Sprintf(".shard-%d-of-%d.txt", s.Index, s.Count)
}
