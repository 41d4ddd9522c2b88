// Package config reads bench.toml, the file that lists the models to
// benchmark and how.
//
// The file has global settings, one [[model]] table per model (each may
// override any global setting), and the optional [check] and [selection]
// tables:
//
//	test_data = "data/demo/test_data.json"  # required here or per model
//	batch_sizes = [1, 8, 16]                # default [1, 8, 16]
//	iterations = 100                        # timed iterations, default 100
//	warmup = 10                             # untimed iterations, default 10 (whole passes, ≥ 1)
//	texts = 0                               # timed texts, spread over the test set; 0: all
//	max_length = 512                        # tokens per text, default 512
//	device = "auto"                         # "auto" (default), "cpu", "cuda"
//	intra_op_threads = 0                    # 0 (default): ONNX Runtime's choice; a list such as [1, 2] is a threads sweep
//	inter_op_threads = 0                    # 0 (default): ONNX Runtime's choice
//	keep_samples = false                    # keep per-iteration latencies
//	batching = "rotate"                     # "rotate" (default) or "sorted" by length
//	padding = "longest"                     # "longest" (default) or "max_length"
//	mode = "inference"                      # "inference" (default) or "e2e"
//	graph_optimization = "all"              # "all" (default), "extended", "basic", "disabled"
//	scenario = "single"                     # "single" (default) or "offline" (throughput)
//	offline_streams = [1, 2]                # concurrent streams the offline scenario tries
//
//	[[model]]
//	name = "distilbert_trial_0"                          # required, unique
//	checkpoint = "outputs/hpo/distilbert/trial_0/checkpoint"  # required
//	output = "outputs/hpo/distilbert/trial_0/benchmark.json"
//	batch_sizes = [1, 8]                                 # an override
//
//	[check]                     # the regression gate (nerbench check)
//	alpha = 0.05                # significance level, 0 < alpha < 1
//	threshold = 0.05            # relative change that counts, ≥ 0
//	min_samples = 4             # repetitions needed per side, ≥ 1
//	[check.thresholds]          # per metric (unit) thresholds
//	"p99-ns/op" = 0.10
//
//	[selection]                 # model selection (nerbench select)
//	hpo_dir = "outputs/hpo"
//	metric = "eval_f1"
//	goal = "maximize"           # or "minimize"
//	accuracy_threshold = 0.01
//	relative = true
//	min_accuracy_gain = 0.005
//	output = "outputs/selection.json"
//	threads = "best"            # a threads sweep's count: 2, "best" or "first" (default)
//
// Relative paths are relative to the folder of bench.toml and are made
// absolute. A model's output defaults to benchmark.json next to its
// checkpoint folder: filepath.Join(filepath.Dir(checkpoint), "benchmark.json").
//
// Parse reports every problem it finds, not only the first, each as an
// *Error that names the file, the line, the model, the key and what to do:
//
//	bench.toml:14: model "x": batch_sizes: 0 is not a valid batch size (want ≥ 1)
//
// Unknown keys are errors, as are duplicate model names and two model names
// with the same bench name (see package benchname), checkpoint folders and
// test data files that do not exist.
package config

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/nerbench/nerbench/benchmarks/benchname"
)

// Settings are the effective settings of one model.
type Settings struct {
	// TestData is the test data file (test_data), an absolute path.
	TestData string
	// BatchSizes (batch_sizes) are the batch sizes to measure, default
	// [1, 8, 16], each ≥ 1 and listed once.
	BatchSizes []int
	// Iterations (iterations) is the number of timed iterations per batch
	// size, default 100, ≥ 1.
	Iterations int
	// Warmup (warmup) is the number of untimed iterations run first,
	// default 10, ≥ 0, rounded up to whole passes: at least one pass, so
	// that every batch that will be timed has been run once.
	Warmup int
	// Texts (texts) is the number of test texts timed, spread evenly over
	// the test set (package benchmarks/workload); 0, the default, times
	// them all. Iterations are rounded up to whole passes over them.
	Texts int
	// MaxLength (max_length) is the most tokens per text, default 512, ≥ 1.
	MaxLength int
	// Device (device) is "auto" (default: CUDA when available), "cpu" or
	// "cuda".
	Device string
	// IntraOpThreads and InterOpThreads (intra_op_threads,
	// inter_op_threads) set ONNX Runtime's thread pools; 0, the default,
	// leaves ONNX Runtime's own choice.
	// With a list of two or more counts (a threads sweep), IntraOpThreads
	// is the first and ThreadSweep the whole list.
	IntraOpThreads int
	InterOpThreads int
	// ThreadSweep (intra_op_threads given as a list of two or more counts,
	// each ≥ 0 and listed once) are the intra-op thread counts of a
	// threads sweep, in bench.toml order: each is measured with a session
	// of its own, and its results are named
	// model=<name>/threads=<n>/batch=<b>. Nil without a sweep (an integer,
	// or a list of one), when the names have no threads part.
	ThreadSweep []int
	// KeepSamples (keep_samples) keeps each iteration's latency in the
	// results; default false.
	KeepSamples bool
	// Batching (batching) says how texts are grouped into batches:
	// "rotate" (default: batch k takes texts k·b … k·b+b−1 of the test
	// set) or "sorted" (texts ordered by token length, cut into batches
	// of similar length, the batches visited in a fixed shuffled order).
	Batching string
	// Padding (padding) is "longest" (default: each batch padded to its
	// longest text) or "max_length" (every batch padded to MaxLength, as
	// tools that pad to a fixed length do; for comparison).
	Padding string
	// Mode (mode) is what one iteration times: "inference" (default: one
	// Session.Run on a batch built beforehand) or "e2e" (tokenizing the
	// batch's texts, building its tensors, running it and decoding its
	// entities; tokenizing the next batch overlaps this one's inference).
	Mode string
	// GraphOptimization (graph_optimization) is ONNX Runtime's graph
	// optimization level: "all" (default, as ONNX Runtime's own default),
	// "extended", "basic" or "disabled".
	GraphOptimization string
	// Scenario (scenario) is "single" (default: one batch at a time, each
	// timed) or "offline" (throughput: passes over the test set by several
	// concurrent streams, each a session of its own; see OfflineStreams).
	Scenario string
	// OfflineStreams (offline_streams) are the stream counts the offline
	// scenario tries, default [1, 2], each ≥ 1 and listed once; the best
	// sustained docs/sec is reported with the count that gave it.
	OfflineStreams []int
}

// Scenarios lists the valid values of Settings.Scenario.
var Scenarios = []string{"single", "offline"}

// GraphOptimizations lists the valid values of Settings.GraphOptimization.
var GraphOptimizations = []string{"all", "extended", "basic", "disabled"}

// Modes lists the valid values of Settings.Mode.
var Modes = []string{"inference", "e2e"}

// Batchings lists the valid values of Settings.Batching.
var Batchings = []string{"rotate", "sorted"}

// Paddings lists the valid values of Settings.Padding.
var Paddings = []string{"longest", "max_length"}

// Devices lists the valid values of Settings.Device.
var Devices = []string{"auto", "cpu", "cuda"}

// DefaultSettings returns the settings used where bench.toml says nothing.
// TestData has no default.
func DefaultSettings() Settings {
	return Settings{
		BatchSizes: []int{1, 8, 16},
		Iterations: 100,
		Warmup:     10,
		MaxLength:  512,
		Device:     "auto",
		Batching:   "rotate",
		Padding:    "longest",
		Mode:       "inference",

		GraphOptimization: "all",
		Scenario:          "single",
		OfflineStreams:    []int{1, 2},
	}
}

// Clone returns a copy of s that shares no memory with it.
func (s Settings) Clone() Settings {
	s.BatchSizes = slices.Clone(s.BatchSizes)
	s.OfflineStreams = slices.Clone(s.OfflineStreams)
	s.ThreadSweep = slices.Clone(s.ThreadSweep)
	return s
}

// Threads returns the intra-op thread counts of a threads sweep
// (ThreadSweep), or, without one, the one element benchname.NoThreads:
// one session with IntraOpThreads, whose names have no threads part.
func (s Settings) Threads() []int {
	if s.ThreadSweep != nil {
		return s.ThreadSweep
	}
	return []int{benchname.NoThreads}
}

// WithThreads returns a copy of s for one thread count of Threads: t
// (unless it is benchname.NoThreads) as IntraOpThreads, and no sweep.
func (s Settings) WithThreads(t int) Settings {
	s = s.Clone()
	if t != benchname.NoThreads {
		s.IntraOpThreads = t
	}
	s.ThreadSweep = nil
	return s
}

// Model is one [[model]] table.
type Model struct {
	Name       string // the real name, as written (see BenchName)
	Checkpoint string // absolute path of the checkpoint folder
	Output     string // absolute path of its benchmark.json
	Settings   Settings
}

// BenchName returns the model's name as it appears in Go benchmark names:
// benchname.Sanitize(m.Name).
func (m *Model) BenchName() string { return benchname.Sanitize(m.Name) }

// DefaultOutput returns where a model's benchmark.json goes when bench.toml
// does not say: next to its checkpoint folder.
func DefaultOutput(checkpoint string) string {
	return filepath.Join(filepath.Dir(checkpoint), "benchmark.json")
}

// Check is the [check] table: settings of the regression gate.
type Check struct {
	// Alpha (alpha) is the significance level of the Mann-Whitney U test,
	// default 0.05, 0 < Alpha < 1.
	Alpha float64
	// Threshold (threshold) is the relative change of a metric's median
	// that counts as a regression, default 0.05 (5 %), ≥ 0.
	Threshold float64
	// MinSamples (min_samples) is the number of repetitions each side
	// needs for a verdict, default 4, ≥ 1.
	MinSamples int
	// Thresholds ([check.thresholds]) overrides Threshold per metric,
	// keyed by unit ("p99-ns/op") or benchmark.json key ("p99_ms"); each
	// ≥ 0. Nil when there are none.
	Thresholds map[string]float64
}

// DefaultCheck returns the [check] settings used where bench.toml says
// nothing.
func DefaultCheck() Check {
	return Check{Alpha: 0.05, Threshold: 0.05, MinSamples: 4}
}

// Goals lists the valid values of Selection.Goal.
var Goals = []string{"maximize", "minimize"}

// Selection is the [selection] table: settings of model selection.
type Selection struct {
	HPODir            string   // hpo_dir, an absolute path ("" when not set)
	Metric            string   // metric, the accuracy metric to compare
	Goal              string   // goal, "maximize" (default) or "minimize"
	AccuracyThreshold *float64 // accuracy_threshold, nil when not set
	Relative          bool     // relative, default true
	MinAccuracyGain   *float64 // min_accuracy_gain, nil when not set
	Output            string   // output, an absolute path ("" when not set)
	// Threads (threads) is the thread count of a threads sweep's
	// benchmark.json that latencies are read at: a count such as "2"
	// (written 2), "best" (each trial's fastest count) or "first" (the
	// sweep's first count); "" when not set, which is "first".
	Threads string
}

// DefaultSelection returns the [selection] settings used where bench.toml
// says nothing.
func DefaultSelection() Selection {
	return Selection{Goal: "maximize", Relative: true}
}

// Config is a bench.toml file.
type Config struct {
	Path      string   // the file's path as given to Load or Parse
	Dir       string   // the absolute path of its folder
	Defaults  Settings // the global settings (TestData may be "")
	Models    []Model  // in file order
	Check     Check
	Selection Selection
}

// Model returns the model named name.
func (c *Config) Model(name string) (*Model, bool) {
	for i := range c.Models {
		if c.Models[i].Name == name {
			return &c.Models[i], true
		}
	}
	return nil, false
}

// ModelByBenchName returns the model whose bench name (the "model=" part
// of a benchmark name) is sanitized.
func (c *Config) ModelByBenchName(sanitized string) (*Model, bool) {
	for i := range c.Models {
		if c.Models[i].BenchName() == sanitized {
			return &c.Models[i], true
		}
	}
	return nil, false
}

// Load reads and parses the file at path.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	return Parse(path, data)
}

// LoadTables reads and parses the file at path with ParseTables: without
// requiring that checkpoints and test data exist.
func LoadTables(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	return ParseTables(path, data)
}
