package runner

import (
	"fmt"
	"io"
	"math"
	"os/exec"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/perf/benchfmt"

	"github.com/nerbench/nerbench/benchmarks/benchname"
	"github.com/nerbench/nerbench/benchmarks/conditions"
	"github.com/nerbench/nerbench/benchmarks/workload"
	"github.com/nerbench/nerbench/internal/contract"
)

// UnitLines say which way is better for each unit, and what to assume of
// it (benchstat never says): the contract's Unit lines, one per metric.
var UnitLines = contract.UnitLines()

// measured gives, per benchmark.json key of the contract's table, how the
// suite computes the metric in its Go benchmark unit. A metric of the table
// that the suite does not compute is not reported; a test checks that
// every required one is.
var measured = map[string]func(Result) float64{
	contract.KeyMean:        func(r Result) float64 { return r.Summary.MeanNs },
	contract.KeyMedian:      func(r Result) float64 { return r.Summary.MedianNs },
	contract.KeyP95:         func(r Result) float64 { return r.Summary.P95Ns },
	contract.KeyP99:         func(r Result) float64 { return r.Summary.P99Ns },
	contract.KeyThroughput:  func(r Result) float64 { return r.Summary.DocsPerSec },
	contract.KeyTokens:      func(r Result) float64 { return r.MeanTokens },
	contract.KeySamples:     func(r Result) float64 { return orNaN(float64(r.Summary.N), r.Summary.N > 0) },
	contract.KeyPadded:      func(r Result) float64 { return orNaN(r.MeanPadded, r.MeanPadded > 0) },
	contract.KeyRealShare:   func(r Result) float64 { return orNaN(r.MeanTokens/r.MeanPadded, r.MeanPadded > 0) },
	contract.KeyMin:         func(r Result) float64 { return orNaN(r.Summary.MinNs, r.Summary.N > 0) },
	contract.KeyStddev:      func(r Result) float64 { return orNaN(r.Summary.StddevNs, r.Summary.N > 1) },
	contract.KeyCV:          func(r Result) float64 { return orNaN(r.Summary.CV(), r.Summary.N > 1) },
	contract.KeyRepeatNoise: func(r Result) float64 { return orNaN(r.Noise*100, r.HasNoise) },
	contract.KeyMedianLo:    func(r Result) float64 { return orNaN(r.MedianCI[0], r.HasMedianCI) },
	contract.KeyMedianHi:    func(r Result) float64 { return orNaN(r.MedianCI[1], r.HasMedianCI) },
	contract.KeyP95Lo:       func(r Result) float64 { return orNaN(r.P95CI[0], r.HasP95CI) },
	contract.KeyP95Hi:       func(r Result) float64 { return orNaN(r.P95CI[1], r.HasP95CI) },
	contract.KeyFirstRun:    func(r Result) float64 { return orNaN(r.FirstRunNs, r.FirstRunNs > 0) },
	contract.KeySessionLoad: func(r Result) float64 { return orNaN(r.LoadNs, r.LoadNs > 0) },
	contract.KeyLoadBefore:  func(r Result) float64 { return orNaN(r.During.LoadBefore, r.HasDuring) },
	contract.KeyLoadAfter:   func(r Result) float64 { return orNaN(r.During.LoadAfter, r.HasDuring) },
	contract.KeyOtherCPUs:   func(r Result) float64 { return orNaN(r.During.OtherCPUs, r.HasDuring) },
	contract.KeyStealPct:    func(r Result) float64 { return orNaN(r.During.StealPct, r.HasDuring) },
	contract.KeyThrottled:   func(r Result) float64 { return orNaN(r.During.ThrottledPct, r.HasDuring) },
	contract.KeyInvoluntary: func(r Result) float64 {
		return orNaN(float64(r.During.Nivcsw)/float64(max(r.Summary.N, 1)), r.HasDuring)
	},
	// mode = "e2e" only.
	contract.KeyTokenize: func(r Result) float64 { return stage(r, func(s *Stages) float64 { return s.Tokenize }) },
	contract.KeyInfer:    func(r Result) float64 { return stage(r, func(s *Stages) float64 { return s.Infer }) },
	contract.KeyDecode:   func(r Result) float64 { return stage(r, func(s *Stages) float64 { return s.Decode }) },
	contract.KeyPeakRSS:  func(r Result) float64 { return orNaN(r.PeakRSS, r.PeakRSS > 0) },
	contract.KeyStreams:  func(r Result) float64 { return orNaN(float64(r.Streams), r.Streams > 0) },
}

// stage returns a stage's mean time, or NaN when r has no stages.
func stage(r Result, f func(*Stages) float64) float64 {
	if r.Stages == nil {
		return math.NaN()
	}
	return f(r.Stages)
}

// orNaN returns v, or NaN (not reported) when !ok.
func orNaN(v float64, ok bool) float64 {
	if !ok {
		return math.NaN()
	}
	return v
}

// BenchName returns the sub-benchmark name of a model and batch size,
// without the leading "Benchmark…/" part: benchname.Sub.
func BenchName(model string, batchSize int) string { return benchname.Sub(model, batchSize) }

// Metrics returns r's metrics as (value, unit) pairs in reporting order:
// those of the contract's table that the suite computes, in its order. A
// metric that is not known for r (NaN: a confidence interval from too few
// samples, conditions not taken) is left out.
func (r Result) Metrics() []Metric {
	var out []Metric
	for _, m := range contract.Metrics() {
		if f, ok := measured[m.Key]; ok {
			if v := f(r); !math.IsNaN(v) && !math.IsInf(v, 0) {
				out = append(out, Metric{v, m.Unit})
			}
		}
	}
	return out
}

// Batch returns r's metrics as a benchmark.json batch entry, in the
// contract's units (for NoiseWarnings and tables).
func (r Result) Batch() *contract.Batch {
	b := &contract.Batch{Iterations: r.Iterations}
	for _, m := range r.Metrics() {
		if cm, ok := contract.MetricByUnit(m.Unit); ok {
			b.SetMetric(cm.Key, cm.JSONValue(m.Value))
		}
	}
	return b
}

// Warnings returns the noise warnings of r (contract.NoiseWarnings).
func (r Result) Warnings() []string { return contract.NoiseWarnings(r.Batch()) }

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

	// Provenance: SHA-256 of the model, tokenizer and test data files;
	// how many texts are timed ("64 of 560"); ""s are left out.
	ModelSHA, TokenizerSHA, DataSHA string
	TimedTexts                      string
	// Conditions: GOMAXPROCS, the cgroup's CPU quota ("none", "1.5"), the
	// threads the session runs on (Model.ORTThreads); 0s and "" are left
	// out.
	GOMAXPROCS int
	CPUQuota   string
	ORTThreads int
}

// Version returns nerbench's version: the module version of
// github.com/nerbench/nerbench in the build (as a dependency of a plugin
// module, or the main module of an installed binary), else "devel".
func Version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	mods := append([]*debug.Module{&bi.Main}, bi.Deps...)
	for _, m := range mods {
		if m != nil && m.Path == "github.com/nerbench/nerbench" && m.Version != "" && m.Version != "(devel)" {
			return m.Version
		}
	}
	return "devel"
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
	orDefault := func(v, def string) string {
		if v == "" {
			return def
		}
		return v
	}
	add(contract.ConfigBatching, orDefault(e.Batching, "rotate"))
	add(contract.ConfigPadding, orDefault(e.Padding, "longest"))
	add(contract.ConfigMode, orDefault(e.Mode, "inference"))
	add(contract.ConfigGraphOptimization, orDefault(e.GraphOptimization, "all"))
	add(contract.ConfigScenario, orDefault(e.Scenario, "single"))
	if e.Commit != "" {
		add(contract.ConfigCommit, e.Commit)
	}
	add(contract.ConfigSamplesFile, e.SamplesFile)
	opt := func(k, v string) {
		if v != "" {
			add(k, v)
		}
	}
	opt(contract.ConfigVersion, Version())
	opt(contract.ConfigModelSHA, e.ModelSHA)
	opt(contract.ConfigTokenizerSHA, e.TokenizerSHA)
	opt(contract.ConfigDataSHA, e.DataSHA)
	opt(contract.ConfigTimedTexts, e.TimedTexts)
	add(contract.ConfigSchedule, workload.Schedule)
	add(contract.ConfigPercentile, contract.PercentileMethod)
	if e.GOMAXPROCS > 0 {
		add(contract.ConfigGOMAXPROCS, strconv.Itoa(e.GOMAXPROCS))
	}
	opt(contract.ConfigCPUQuota, e.CPUQuota)
	if e.ORTThreads > 0 {
		add(contract.ConfigORTThreads, strconv.Itoa(e.ORTThreads))
	}
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
	if r.Workload != "" {
		cfg = append(slices.Clip(cfg), benchfmt.Config{Key: contract.ConfigWorkload, Value: []byte(r.Workload), File: true})
	}
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

// Provenance returns the configuration that traces m's results to its
// files and the machine: SHA-256 of the model, tokenizer and test data
// (dataPath), how many of the total texts are timed, GOMAXPROCS, the CPU
// quota, ONNX Runtime's threads, the thread settings and max_length in
// effect. The caller adds the ONNX Runtime version, device, commit and
// samples file.
func Provenance(m *Model, dataPath string, timed, total int) (Env, error) {
	s := m.Settings
	e := Env{IntraOpThreads: s.IntraOpThreads, InterOpThreads: s.InterOpThreads, MaxLength: m.MaxLength,
		TimedTexts: fmt.Sprintf("%d of %d", timed, total), ORTThreads: m.ORTThreads}
	var err error
	if e.ModelSHA, err = SHA256File(m.Checkpoint.ModelPath); err != nil {
		return e, err
	}
	if e.TokenizerSHA, err = SHA256File(m.TokenizerPath); err != nil {
		return e, err
	}
	if e.DataSHA, err = SHA256File(dataPath); err != nil {
		return e, err
	}
	mach := conditions.ReadMachine()
	e.GOMAXPROCS, e.CPUQuota = mach.GOMAXPROCS, mach.QuotaString()
	return e, nil
}
