package contract

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Go benchmark units of the metrics, as the suite reports them. benchstat
// tidies "ns" into "sec" and nothing else, so percentiles are p95-ns/op
// (shown as p95-sec/op), never p95-ms; ns/op is the mean.
const (
	UnitMean       = "ns/op"
	UnitMedian     = "p50-ns/op"
	UnitP95        = "p95-ns/op"
	UnitP99        = "p99-ns/op"
	UnitThroughput = "docs/sec"
	UnitTokens     = "tokens/op"

	UnitSamples     = "samples"          // timed iterations behind the statistics
	UnitPadded      = "padded-tokens/op" // positions computed per batch, padding included
	UnitRealShare   = "real-share"       // real tokens / padded positions
	UnitMin         = "min-ns/op"
	UnitStddev      = "stddev-ns/op"
	UnitCV          = "cv"           // stddev / mean
	UnitRepeatNoise = "noise-pct"    // stats.RepeatNoise, in %
	UnitMedianLo    = "p50-lo-ns/op" // distribution-free 95 % CI of the median
	UnitMedianHi    = "p50-hi-ns/op"
	UnitP95Lo       = "p95-lo-ns/op" // distribution-free 95 % CI of p95
	UnitP95Hi       = "p95-hi-ns/op"
	UnitFirstRun    = "first-run-ns" // the cold first run of a batch size
	UnitSessionLoad = "load-ns"      // creating the ONNX Runtime session
	UnitLoadBefore  = "load-before"  // 1-minute load average before the timed loop
	UnitLoadAfter   = "load-after"
	UnitOtherCPUs   = "other-cpus" // CPUs' worth used by other processes during the timed loop
	UnitStealPct    = "steal-pct"
	UnitInvoluntary = "nivcsw/op"     // involuntary context switches per timed iteration
	UnitThrottled   = "throttled-pct" // share of the timed loop the cgroup's CPU quota throttled
	// End-to-end mode (mode = "e2e"): the mean time per batch of each stage.
	UnitTokenize = "tokenize-ns/op"
	UnitInfer    = "infer-ns/op"
	UnitDecode   = "decode-ns/op"
	// UnitPeakRSS is the process's peak resident memory while the model
	// was loaded and run (benchstat shows it with binary prefixes).
	UnitPeakRSS = "peak-rss-B"
	// UnitStreams is, in the offline scenario, the number of concurrent
	// streams that gave the best sustained docs/sec.
	UnitStreams = "streams"
)

// benchmark.json keys of the metrics, in a "batch_<n>" entry.
const (
	KeyMean       = "mean_ms"
	KeyMedian     = "median_ms"
	KeyP95        = "p95_ms"
	KeyP99        = "p99_ms"
	KeyThroughput = "throughput_docs_per_sec"
	KeyTokens     = "tokens_per_op"

	KeySamples     = "samples"
	KeyPadded      = "padded_tokens_per_op"
	KeyRealShare   = "real_token_share"
	KeyMin         = "min_ms"
	KeyStddev      = "stddev_ms"
	KeyCV          = "cv"
	KeyRepeatNoise = "repeat_noise_pct"
	KeyMedianLo    = "median_ci95_low_ms"
	KeyMedianHi    = "median_ci95_high_ms"
	KeyP95Lo       = "p95_ci95_low_ms"
	KeyP95Hi       = "p95_ci95_high_ms"
	KeyFirstRun    = "first_run_ms"
	KeySessionLoad = "session_load_ms"
	KeyLoadBefore  = "loadavg_before"
	KeyLoadAfter   = "loadavg_after"
	KeyOtherCPUs   = "other_cpus"
	KeyStealPct    = "steal_pct"
	KeyInvoluntary = "involuntary_switches_per_op"
	KeyThrottled   = "throttled_pct"
	KeyTokenize    = "tokenize_ms"
	KeyInfer       = "infer_ms"
	KeyDecode      = "decode_ms"
	KeyPeakRSS     = "peak_rss_mib"
	KeyStreams     = "offline_streams"
)

// Direction says which way a metric is better.
type Direction int

const (
	// NoDirection: the metric describes the workload (tokens per batch),
	// it is not a cost; a change is never a regression.
	NoDirection Direction = 0
	// HigherIsBetter: throughput.
	HigherIsBetter Direction = 1
	// LowerIsBetter: latencies.
	LowerIsBetter Direction = -1
)

// String returns "higher", "lower", or "" for NoDirection: the value of
// better= in a Unit line.
func (d Direction) String() string {
	switch d {
	case HigherIsBetter:
		return "higher"
	case LowerIsBetter:
		return "lower"
	}
	return ""
}

// Metric is one metric of the contract: how the suite reports it in the Go
// benchmark format and how benchmark.json holds it. The table metrics
// holds every one of them; everything that reads or writes a metric (the
// suite, the converter, nerbench run, check, compare, report and select)
// looks it up there.
type Metric struct {
	// Unit is the Go benchmark unit the suite reports: "p95-ns/op".
	Unit string
	// Key is the benchmark.json key in a "batch_<n>" entry: "p95_ms".
	Key string
	// JSONUnit is the unit of the benchmark.json value: "ms".
	JSONUnit string
	// Scale is the number of Units in one JSONUnit (1e6 ns in a ms): the
	// benchmark.json value is the Go benchmark value / Scale.
	Scale float64
	// Better says which way is better.
	Better Direction
	// Assume is the statistical assumption of the metric's Unit line
	// (benchmath): "nothing" for measurements, "exact" for values that do
	// not vary between runs.
	Assume string
	// Label names the metric for people: "P95 Latency (ms)".
	Label string
	// Required is set for the metrics that every batch entry must carry;
	// the others are written when known.
	Required bool

	// field returns Batch's typed field of the metric; nil for metrics
	// kept in Batch.Extra.
	field func(*Batch) *float64
}

// metrics is THE table. Adding a metric is adding a row (and, for a
// required one, a typed field of Batch and its key in
// benchmark.schema.json, which a test checks).
var metrics = []Metric{
	{Unit: UnitMean, Key: KeyMean, JSONUnit: "ms", Scale: 1e6, Better: LowerIsBetter, Assume: "nothing",
		Label: "Mean Latency (ms)", Required: true, field: func(b *Batch) *float64 { return &b.MeanMS }},
	{Unit: UnitMedian, Key: KeyMedian, JSONUnit: "ms", Scale: 1e6, Better: LowerIsBetter, Assume: "nothing",
		Label: "Median Latency (ms)", Required: true, field: func(b *Batch) *float64 { return &b.MedianMS }},
	{Unit: UnitP95, Key: KeyP95, JSONUnit: "ms", Scale: 1e6, Better: LowerIsBetter, Assume: "nothing",
		Label: "P95 Latency (ms)", Required: true, field: func(b *Batch) *float64 { return &b.P95MS }},
	{Unit: UnitP99, Key: KeyP99, JSONUnit: "ms", Scale: 1e6, Better: LowerIsBetter, Assume: "nothing",
		Label: "P99 Latency (ms)", Required: true, field: func(b *Batch) *float64 { return &b.P99MS }},
	{Unit: UnitThroughput, Key: KeyThroughput, JSONUnit: "docs/sec", Scale: 1, Better: HigherIsBetter, Assume: "nothing",
		Label: "Throughput (docs/sec)", Required: true, field: func(b *Batch) *float64 { return &b.ThroughputDocsPerSec }},
	{Unit: UnitTokens, Key: KeyTokens, JSONUnit: "tokens", Scale: 1, Better: NoDirection, Assume: "exact",
		Label: "Tokens per Batch"},
	// The rows below describe a result and the conditions it was measured
	// in. None of them has a direction: nerbench check gives a verdict on
	// the mean alone, and reports the others without letting them vote.
	{Unit: UnitSamples, Key: KeySamples, JSONUnit: "samples", Scale: 1, Assume: "exact", Label: "Samples"},
	{Unit: UnitPadded, Key: KeyPadded, JSONUnit: "tokens", Scale: 1, Assume: "exact", Label: "Padded Positions per Batch"},
	{Unit: UnitRealShare, Key: KeyRealShare, JSONUnit: "fraction", Scale: 1, Assume: "exact", Label: "Real-Token Share"},
	{Unit: UnitMin, Key: KeyMin, JSONUnit: "ms", Scale: 1e6, Assume: "nothing", Label: "Min Latency (ms)"},
	{Unit: UnitStddev, Key: KeyStddev, JSONUnit: "ms", Scale: 1e6, Assume: "nothing", Label: "Std Dev (ms)"},
	{Unit: UnitCV, Key: KeyCV, JSONUnit: "fraction", Scale: 1, Assume: "nothing", Label: "Coefficient of Variation"},
	{Unit: UnitRepeatNoise, Key: KeyRepeatNoise, JSONUnit: "%", Scale: 1, Assume: "nothing", Label: "Repeat Noise (%)"},
	{Unit: UnitMedianLo, Key: KeyMedianLo, JSONUnit: "ms", Scale: 1e6, Assume: "nothing", Label: "Median 95% CI Low (ms)"},
	{Unit: UnitMedianHi, Key: KeyMedianHi, JSONUnit: "ms", Scale: 1e6, Assume: "nothing", Label: "Median 95% CI High (ms)"},
	{Unit: UnitP95Lo, Key: KeyP95Lo, JSONUnit: "ms", Scale: 1e6, Assume: "nothing", Label: "P95 95% CI Low (ms)"},
	{Unit: UnitP95Hi, Key: KeyP95Hi, JSONUnit: "ms", Scale: 1e6, Assume: "nothing", Label: "P95 95% CI High (ms)"},
	{Unit: UnitFirstRun, Key: KeyFirstRun, JSONUnit: "ms", Scale: 1e6, Assume: "nothing", Label: "Cold First Run (ms)"},
	{Unit: UnitSessionLoad, Key: KeySessionLoad, JSONUnit: "ms", Scale: 1e6, Assume: "nothing", Label: "Session Load (ms)"},
	{Unit: UnitLoadBefore, Key: KeyLoadBefore, JSONUnit: "load", Scale: 1, Assume: "nothing", Label: "Load Average Before"},
	{Unit: UnitLoadAfter, Key: KeyLoadAfter, JSONUnit: "load", Scale: 1, Assume: "nothing", Label: "Load Average After"},
	{Unit: UnitOtherCPUs, Key: KeyOtherCPUs, JSONUnit: "CPUs", Scale: 1, Assume: "nothing", Label: "CPUs Used by Others"},
	{Unit: UnitStealPct, Key: KeyStealPct, JSONUnit: "%", Scale: 1, Assume: "nothing", Label: "CPU Steal (%)"},
	{Unit: UnitInvoluntary, Key: KeyInvoluntary, JSONUnit: "switches", Scale: 1, Assume: "nothing", Label: "Involuntary Switches per Batch"},
	{Unit: UnitThrottled, Key: KeyThrottled, JSONUnit: "%", Scale: 1, Assume: "nothing", Label: "CPU Throttled (%)"},
	{Unit: UnitTokenize, Key: KeyTokenize, JSONUnit: "ms", Scale: 1e6, Better: LowerIsBetter, Assume: "nothing",
		Label: "Tokenization per Batch (ms)"},
	{Unit: UnitInfer, Key: KeyInfer, JSONUnit: "ms", Scale: 1e6, Better: LowerIsBetter, Assume: "nothing",
		Label: "Inference per Batch (ms)"},
	{Unit: UnitDecode, Key: KeyDecode, JSONUnit: "ms", Scale: 1e6, Better: LowerIsBetter, Assume: "nothing",
		Label: "Decoding per Batch (ms)"},
	{Unit: UnitPeakRSS, Key: KeyPeakRSS, JSONUnit: "MiB", Scale: 1 << 20, Better: LowerIsBetter, Assume: "nothing",
		Label: "Peak Resident Memory (MiB)"},
	{Unit: UnitStreams, Key: KeyStreams, JSONUnit: "streams", Scale: 1, Better: NoDirection, Assume: "exact",
		Label: "Offline Streams"},
}

// Metrics returns the table of metrics, in reporting order: the order of
// the suite's result lines and of every table that lists them.
func Metrics() []Metric { return append([]Metric(nil), metrics...) }

// MetricByUnit returns the metric the suite reports in unit ("p95-ns/op").
func MetricByUnit(unit string) (Metric, bool) {
	for _, m := range metrics {
		if m.Unit == unit {
			return m, true
		}
	}
	return Metric{}, false
}

// MetricByKey returns the metric of a benchmark.json key ("p95_ms").
func MetricByKey(key string) (Metric, bool) {
	for _, m := range metrics {
		if m.Key == key {
			return m, true
		}
	}
	return Metric{}, false
}

// RequiredKeys returns the keys every batch entry must carry, in order.
func RequiredKeys() []string {
	var keys []string
	for _, m := range metrics {
		if m.Required {
			keys = append(keys, m.Key)
		}
	}
	return keys
}

// JSONValue converts a value in m.Unit to m.JSONUnit (ns to ms).
func (m Metric) JSONValue(v float64) float64 { return v / m.Scale }

// GoValue converts a value in m.JSONUnit to m.Unit (ms to ns).
func (m Metric) GoValue(v float64) float64 { return v * m.Scale }

// UnitLine returns the metric's Unit line in the Go benchmark format,
// which says which way is better (benchstat itself never does) and what
// to assume: "Unit p95-ns/op better=lower assume=nothing".
func (m Metric) UnitLine() string {
	var b strings.Builder
	b.WriteString("Unit " + m.Unit)
	if m.Better != NoDirection {
		b.WriteString(" better=" + m.Better.String())
	}
	if m.Assume != "" {
		b.WriteString(" assume=" + m.Assume)
	}
	return b.String()
}

// UnitLines returns the Unit lines of every metric, one a line.
func UnitLines() string {
	var b strings.Builder
	for _, m := range metrics {
		b.WriteString(m.UnitLine() + "\n")
	}
	return b.String()
}

// Configuration lines ("key: value" before the results, in the Go
// benchmark format) with which the suite and nerbench run describe a run.
// The converter copies them into benchmark.json's "config".
const (
	ConfigORTVersion     = "ort-version"
	ConfigDevice         = "device"
	ConfigIntraOpThreads = "intra-op-threads"
	ConfigInterOpThreads = "inter-op-threads"
	ConfigMaxLength      = "max-length"
	ConfigCommit         = "commit"
	// ConfigPadding is what batches were padded to: "longest" or
	// "max_length" (bench.toml's padding).
	ConfigPadding = "padding"
	// ConfigMode is what one iteration times: "inference" (Session.Run on
	// a bound batch) or "e2e" (tokenization, inference and decoding).
	ConfigMode = "mode"
	// ConfigGraphOptimization is ONNX Runtime's graph optimization level
	// (bench.toml's graph_optimization).
	ConfigGraphOptimization = "graph-optimization"
	// ConfigScenario is "single" (one batch at a time) or "offline"
	// (throughput by concurrent streams).
	ConfigScenario = "scenario"
	// ConfigSamplesFile names the file that keeps a model's per-iteration
	// latencies (keep_samples); an empty value says there is none and
	// clears the previous model's.
	ConfigSamplesFile = "samples-file"

	// Provenance and conditions of a run (one value per process).
	ConfigModelSHA     = "model-sha256"
	ConfigTokenizerSHA = "tokenizer-sha256"
	ConfigDataSHA      = "data-sha256"
	ConfigVersion      = "nerbench-version"
	ConfigSchedule     = "schedule"
	// ConfigBatching is how texts were grouped into batches: "rotate" or
	// "sorted" (bench.toml's batching).
	ConfigBatching   = "batching"
	ConfigPercentile = "percentile-method"
	ConfigTimedTexts = "timed-texts"
	ConfigGOMAXPROCS = "gomaxprocs"
	ConfigCPUQuota   = "cpu-quota"
	// ConfigORTThreads is the intra-op pool in effect: intra_op_threads
	// when set, else the number of threads the ONNX Runtime session
	// started plus the calling thread (a Go runtime thread started at the
	// same moment can make it one high).
	ConfigORTThreads = "ort-threads"
	// ConfigWorkload is printed before each batch size's results: the
	// workload fingerprint (package benchmarks/workload). The converter
	// writes it into that batch's entry as "workload".
	ConfigWorkload = "workload"

	// ConfigMachine is the machine label (--machine, NERBENCH_MACHINE;
	// by default the CPU model and core count, and the GPU when one is
	// used). The converter never pools results of different machines
	// into one number; benchmark.json carries it as KeyMachine.
	ConfigMachine = "machine"
	// ConfigMatrix is the fingerprint of the model × batch matrix and of
	// the settings that decide what each cell measures; ConfigMatrixCells
	// is the matrix's number of cells.
	ConfigMatrix      = "matrix"
	ConfigMatrixCells = "matrix-cells"
	// ConfigShard is the shard a run measured, "i/n"; ConfigShardCells
	// lists its cells ("model=<bench name>/batch=<n>", comma-separated);
	// ConfigShardPlan is the fingerprint of the assignment of every cell
	// to a shard. All three are empty in an unsharded run.
	ConfigShard      = "shard"
	ConfigShardCells = "shard-cells"
	ConfigShardPlan  = "shard-plan"
)

// KeyMachine is the benchmark.json key, at the top level, of the machine
// label the results were measured on; in a file merged from shards of
// several machines, each batch entry also carries the label of its own.
const KeyMachine = "machine"

// KeyThreads is the benchmark.json key, at the top level, of a threads
// sweep's results (bench.toml's intra_op_threads given as a list): an
// object keyed by the intra-op thread count, each holding that count's
// "batch_<n>" entries. The file's own batch_<n> entries are those of the
// first count of KeyThreadCounts. Thread counts are never pooled.
const KeyThreads = "threads"

// ThreadSweep returns the batches of every thread count of a threads
// sweep's file (KeyThreads), by count, and the counts in measured order
// (KeyThreadCounts); nil, nil, nil for a file without a sweep.
func ThreadSweep(f *File) (map[int]map[int]*Batch, []int, error) {
	raw, ok := f.Extra[KeyThreads]
	if !ok {
		return nil, nil, nil
	}
	var byKey map[string]map[string]*Batch
	if err := json.Unmarshal(raw, &byKey); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", KeyThreads, err)
	}
	var counts []int
	if c, ok := f.Extra[KeyThreadCounts]; ok {
		if err := json.Unmarshal(c, &counts); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", KeyThreadCounts, err)
		}
	}
	out := map[int]map[int]*Batch{}
	for k, batches := range byKey {
		t, err := strconv.Atoi(k)
		if err != nil || t < 0 {
			return nil, nil, fmt.Errorf("%s: %q is not a thread count", KeyThreads, k)
		}
		out[t] = map[int]*Batch{}
		for bk, b := range batches {
			n, ok := ParseBatchKey(bk)
			if !ok {
				return nil, nil, fmt.Errorf("%s: %s: %q is not a batch key", KeyThreads, k, bk)
			}
			out[t][n] = b
		}
		if !slices.Contains(counts, t) {
			counts = append(counts, t)
		}
	}
	counts = slices.DeleteFunc(counts, func(t int) bool { _, ok := out[t]; return !ok })
	return out, counts, nil
}

// KeyThreadCounts is the benchmark.json key, at the top level, of a
// threads sweep's thread counts in the order they were measured (bench.toml's
// order); the first is the one of the file's batch_<n> entries.
const KeyThreadCounts = "thread_counts"

// PercentileMethod names the percentile rule, for the percentile-method
// configuration line.
const PercentileMethod = "sorted[min(floor(n*p),n-1)]"

// Sample counts below which a percentile is only the largest sample, by
// the rule sorted[min(floor(n·p), n−1)]: p95 needs 20, p99 needs 100.
const (
	MinSamplesP95 = 20
	MinSamplesP99 = 100
)

// Noise thresholds: a result measured past one of them gets a warning (see
// NoiseWarnings). Documented in README.md, "Noise".
const (
	// MaxOtherCPUs: other processes kept this many CPUs busy, on average,
	// during the timed loop.
	MaxOtherCPUs = 0.25
	// MaxStealPct: the hypervisor took this share of the CPUs' time.
	MaxStealPct = 2.0
	// MaxRepeatNoisePct: timings of the same batch, pass after pass,
	// differ from their median by this much (median over all samples).
	MaxRepeatNoisePct = 5.0
	// MaxThrottledPct: the cgroup's CPU quota throttled the process for
	// this share of the timed loop.
	MaxThrottledPct = 1.0
)

// NoiseWarnings returns the warnings that b's conditions and spread call
// for, each a sentence without the batch size; none for a quiet run. It
// judges noise from the conditions and from repeated timings of the same
// batch, never from the spread across texts of different lengths (the
// workload's, not the machine's).
func NoiseWarnings(b *Batch) []string {
	var out []string
	if v, ok := b.Metric(KeyOtherCPUs); ok && v > MaxOtherCPUs {
		out = append(out, fmt.Sprintf("busy machine: other processes used %.2f CPUs during the timed loop (threshold %.2f)", v, MaxOtherCPUs))
	}
	if v, ok := b.Metric(KeyStealPct); ok && v > MaxStealPct {
		out = append(out, fmt.Sprintf("CPU steal %.1f%% during the timed loop (threshold %.1f%%)", v, MaxStealPct))
	}
	if v, ok := b.Metric(KeyThrottled); ok && v > MaxThrottledPct {
		out = append(out, fmt.Sprintf("throttled: the cgroup's CPU quota held the process back %.1f%% of the timed loop (threshold %.1f%%)", v, MaxThrottledPct))
	}
	if v, ok := b.Metric(KeyRepeatNoise); ok && v > MaxRepeatNoisePct {
		out = append(out, fmt.Sprintf("noisy: the same batch's timings differ by %.1f%% (median) from pass to pass (threshold %.1f%%)", v, MaxRepeatNoisePct))
	}
	return out
}

// PercentileIsMax reports whether the percentile metric key (p95_ms,
// p99_ms) of b is only the largest sample, for lack of samples: a p95 from
// fewer than 20 samples, a p99 from fewer than 100. The sample count is
// the "samples" metric, else "iterations"; unknown counts report false.
func PercentileIsMax(b *Batch, key string) bool {
	n, ok := b.Metric(KeySamples)
	if !ok {
		if b.Iterations == 0 {
			return false
		}
		n = float64(b.Iterations)
	}
	switch key {
	case KeyP95:
		return n < MinSamplesP95
	case KeyP99:
		return n < MinSamplesP99
	}
	return false
}

// Metric returns the value of the metric key in b, and whether b has one:
// a required metric always, another one when b holds it as a number.
func (b *Batch) Metric(key string) (float64, bool) {
	m, ok := MetricByKey(key)
	if !ok {
		return 0, false
	}
	if m.field != nil {
		return *m.field(b), true
	}
	raw, ok := b.Extra[key]
	if !ok {
		return 0, false
	}
	var v float64
	if err := json.Unmarshal(raw, &v); err != nil {
		return 0, false
	}
	return v, true
}

// SetMetric sets the metric key in b. It reports false, changing nothing,
// when key is no metric, or when v is NaN or ±Inf for a metric kept in
// Extra (JSON has no such numbers).
func (b *Batch) SetMetric(key string, v float64) bool {
	m, ok := MetricByKey(key)
	if !ok {
		return false
	}
	if m.field != nil {
		*m.field(b) = v
		return true
	}
	data, err := json.Marshal(v)
	if err != nil {
		return false // NaN or ±Inf: not a JSON number
	}
	if b.Extra == nil {
		b.Extra = map[string]json.RawMessage{}
	}
	b.Extra[key] = data
	return true
}

// Workload returns the workload fingerprint of b ("workload"), or "" for a
// result that has none (written before fingerprints, or by another tool).
func (b *Batch) Workload() string {
	var s string
	if raw, ok := b.Extra[KeyWorkload]; ok {
		_ = json.Unmarshal(raw, &s)
	}
	return s
}

// KeyWorkload is the batch entry's key of the workload fingerprint;
// KeyWarnings the file's key of the noise warnings, each "batch_<n>: …",
// or, in a threads sweep's file for a count other than the first (whose
// results are the file's own batch entries), "threads=<t>: batch_<n>: …"
// (ThreadsPrefix).
const (
	KeyWorkload = "workload"
	KeyWarnings = "warnings"
)

// Warnings returns the file's "warnings": what made its numbers doubtful
// (a busy machine, CPU steal, noisy repeats), each "batch_<n>: …".
func (f *File) Warnings() []string {
	var out []string
	if raw, ok := f.Extra[KeyWarnings]; ok {
		_ = json.Unmarshal(raw, &out)
	}
	return out
}

// ThreadsPrefix starts the warnings of a threads sweep's file about
// thread count t when t is not the sweep's first count (see KeyWarnings).
func ThreadsPrefix(t int) string { return "threads=" + strconv.Itoa(t) + ": " }

// ThreadBatchWarnings returns the warnings of a threads sweep's file
// about batch size n at thread count t, which is not the sweep's first
// (whose warnings BatchWarnings returns), without their prefixes.
func (f *File) ThreadBatchWarnings(t, n int) []string {
	var out []string
	prefix := ThreadsPrefix(t) + BatchKey(n) + ": "
	for _, w := range f.Warnings() {
		if rest, ok := strings.CutPrefix(w, prefix); ok {
			out = append(out, rest)
		}
	}
	return out
}

// BatchWarnings returns the warnings of f about batch size n, without the
// "batch_<n>: " prefix.
func (f *File) BatchWarnings(n int) []string {
	var out []string
	prefix := BatchKey(n) + ": "
	for _, w := range f.Warnings() {
		if rest, ok := strings.CutPrefix(w, prefix); ok {
			out = append(out, rest)
		}
	}
	return out
}
