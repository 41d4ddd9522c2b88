package runner

import (
	"io"
	"os/exec"
	"strconv"
	"strings"

	"golang.org/x/perf/benchfmt"

	"github.com/nerbench/nerbench/benchmarks/benchname"
	"github.com/nerbench/nerbench/internal/contract"
)

// UnitLines say which way is better for each unit, and what to assume of
// it (benchstat never says): the contract's Unit lines, one per metric.
var UnitLines = contract.UnitLines()

// measured gives, per benchmark.json key of the contract's table, how the
// suite computes the metric in its Go benchmark unit. A metric of the table
// that the suite does not compute is not reported; a test checks that
// every required one is.
var measured = map[string]func(Result) (float64, bool){
	contract.KeyMean:       func(r Result) (float64, bool) { return r.Summary.MeanNs, true },
	contract.KeyMedian:     func(r Result) (float64, bool) { return r.Summary.MedianNs, true },
	contract.KeyP95:        func(r Result) (float64, bool) { return r.Summary.P95Ns, true },
	contract.KeyP99:        func(r Result) (float64, bool) { return r.Summary.P99Ns, true },
	contract.KeyThroughput: func(r Result) (float64, bool) { return r.Summary.DocsPerSec, true },
	contract.KeyTokens:     func(r Result) (float64, bool) { return r.MeanTokens, true },
	// mode = "e2e" only.
	contract.KeyTokenize: func(r Result) (float64, bool) { return stage(r, func(s *Stages) float64 { return s.Tokenize }) },
	contract.KeyInfer:    func(r Result) (float64, bool) { return stage(r, func(s *Stages) float64 { return s.Infer }) },
	contract.KeyDecode:   func(r Result) (float64, bool) { return stage(r, func(s *Stages) float64 { return s.Decode }) },
	contract.KeyPeakRSS:  func(r Result) (float64, bool) { return r.PeakRSS, r.PeakRSS > 0 },
	contract.KeyStreams:  func(r Result) (float64, bool) { return float64(r.Streams), r.Streams > 0 },
}

// stage returns a stage's mean time, when r has stages.
func stage(r Result, f func(*Stages) float64) (float64, bool) {
	if r.Stages == nil {
		return 0, false
	}
	return f(r.Stages), true
}

// BenchName returns the sub-benchmark name of a model and batch size,
// without the leading "Benchmark…/" part: benchname.Sub.
func BenchName(model string, batchSize int) string { return benchname.Sub(model, batchSize) }

// Metrics returns r's metrics as (value, unit) pairs in reporting order:
// those of the contract's table that the suite computes, in its order.
func (r Result) Metrics() []Metric {
	var out []Metric
	for _, m := range contract.Metrics() {
		if f, ok := measured[m.Key]; ok {
			if v, ok := f(r); ok {
				out = append(out, Metric{v, m.Unit})
			}
		}
	}
	return out
}

// Metric is one reported value.
type Metric struct {
	Value float64
	Unit  string
}

// Env describes a run for the Go benchmark format's configuration lines.
type Env struct {
	ORTVersion     string
	Device         string
	IntraOpThreads int
	InterOpThreads int
	MaxLength      int
	// Batching is bench.toml's batching; "" is written as "rotate".
	Batching string
	// Padding is bench.toml's padding; "" is written as "longest".
	Padding string
	// Mode is bench.toml's mode; "" is written as "inference".
	Mode string
	// GraphOptimization is bench.toml's graph_optimization; "" is written
	// as "all".
	GraphOptimization string
	// Scenario is bench.toml's scenario; "" is written as "single".
	Scenario string
	Commit   string
	// SamplesFile is where per-iteration latencies are kept, or "" when
	// they are not.
	SamplesFile string
}

// Config returns the run's configuration lines as benchfmt file
// configuration, in order. Thread counts of 0 mean ONNX Runtime's default
// and are written as "default"; there is no commit line without a commit,
// and the samples-file line is always there, empty when no samples are
// kept, so that it clears an earlier model's in the same output.
func (e Env) Config() []benchfmt.Config {
	threads := func(n int) string {
		if n <= 0 {
			return "default"
		}
		return strconv.Itoa(n)
	}
	var cfg []benchfmt.Config
	add := func(k, v string) { cfg = append(cfg, benchfmt.Config{Key: k, Value: []byte(v), File: true}) }
	add(contract.ConfigORTVersion, e.ORTVersion)
	add(contract.ConfigDevice, e.Device)
	add(contract.ConfigIntraOpThreads, threads(e.IntraOpThreads))
	add(contract.ConfigInterOpThreads, threads(e.InterOpThreads))
	add(contract.ConfigMaxLength, strconv.Itoa(e.MaxLength))
	batching := e.Batching
	if batching == "" {
		batching = "rotate"
	}
	add(contract.ConfigBatching, batching)
	padding := e.Padding
	if padding == "" {
		padding = "longest"
	}
	add(contract.ConfigPadding, padding)
	mode := e.Mode
	if mode == "" {
		mode = "inference"
	}
	add(contract.ConfigMode, mode)
	graph := e.GraphOptimization
	if graph == "" {
		graph = "all"
	}
	add(contract.ConfigGraphOptimization, graph)
	scenario := e.Scenario
	if scenario == "" {
		scenario = "single"
	}
	add(contract.ConfigScenario, scenario)
	if e.Commit != "" {
		add(contract.ConfigCommit, e.Commit)
	}
	add(contract.ConfigSamplesFile, e.SamplesFile)
	return cfg
}

// ConfigLines returns Config as "key: value" lines, for the suite to print
// before its results.
func (e Env) ConfigLines() string {
	var b strings.Builder
	for _, c := range e.Config() {
		b.WriteString(c.Key + ": " + string(c.Value) + "\n")
	}
	return b.String()
}

// GitCommit returns the checked-out commit of the working directory's
// repository, with a "-dirty" suffix for uncommitted changes, or "".
func GitCommit() string {
	out, err := exec.Command("git", "rev-parse", "--short=12", "HEAD").Output()
	if err != nil {
		return ""
	}
	commit := strings.TrimSpace(string(out))
	if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(strings.TrimSpace(string(st))) > 0 {
		commit += "-dirty"
	}
	return commit
}

// Record returns r as a result of the Go benchmark format, named
// Inference/model=<bench name>/batch=<n> (benchname.Name), with the file
// configuration cfg.
func (r Result) Record(cfg ...benchfmt.Config) *benchfmt.Result {
	res := &benchfmt.Result{Config: cfg, Name: benchfmt.Name(benchname.Name(r.Model, r.BatchSize)), Iters: r.Iterations}
	for _, m := range r.Metrics() {
		res.Values = append(res.Values, benchfmt.Value{Value: m.Value, Unit: m.Unit})
	}
	return res
}

// WriteResult writes r as a result line named BenchmarkInference/<name>,
// the way go test prints it (without a GOMAXPROCS suffix), with
// benchfmt.Writer: values in full precision.
func WriteResult(w io.Writer, r Result) error {
	return benchfmt.NewWriter(w).Write(r.Record())
}
