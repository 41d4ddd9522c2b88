package runner

import (
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"

	"github.com/nerbench/nerbench/benchmarks/benchname"
)

// Units of the metrics the suite reports, in the Go benchmark format.
// benchstat tidies "ns" into "sec", so percentiles are p50-ns/op and not
// p50-ms; ns/op is the mean.
const (
	UnitMean       = "ns/op"
	UnitP50        = "p50-ns/op"
	UnitP95        = "p95-ns/op"
	UnitP99        = "p99-ns/op"
	UnitThroughput = "docs/sec"
	UnitTokens     = "tokens/op"
)

// UnitLines say which way is better for each unit; benchstat never does.
const UnitLines = `Unit ns/op better=lower assume=nothing
Unit p50-ns/op better=lower assume=nothing
Unit p95-ns/op better=lower assume=nothing
Unit p99-ns/op better=lower assume=nothing
Unit docs/sec better=higher assume=nothing
Unit tokens/op assume=exact
`

// BenchName returns the sub-benchmark name of a model and batch size,
// without the leading "Benchmark…/" part.
func BenchName(model string, batchSize int) string {
	return "model=" + benchname.Sanitize(model) + "/batch=" + strconv.Itoa(batchSize)
}

// Metrics returns r's metrics as (value, unit) pairs in reporting order.
func (r Result) Metrics() []Metric {
	s := r.Summary
	return []Metric{
		{s.MeanNs, UnitMean}, {s.MedianNs, UnitP50}, {s.P95Ns, UnitP95},
		{s.P99Ns, UnitP99}, {s.DocsPerSec, UnitThroughput}, {r.MeanTokens, UnitTokens},
	}
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
	Commit         string
	// SamplesFile is where per-iteration latencies are kept, or "" when
	// they are not.
	SamplesFile string
}

// ConfigLines returns "key: value" lines describing the run. Thread counts
// of 0 mean ONNX Runtime's default and are written as "default".
func (e Env) ConfigLines() string {
	threads := func(n int) string {
		if n <= 0 {
			return "default"
		}
		return strconv.Itoa(n)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "ort-version: %s\n", e.ORTVersion)
	fmt.Fprintf(&b, "device: %s\n", e.Device)
	fmt.Fprintf(&b, "intra-op-threads: %s\n", threads(e.IntraOpThreads))
	fmt.Fprintf(&b, "inter-op-threads: %s\n", threads(e.InterOpThreads))
	fmt.Fprintf(&b, "max-length: %d\n", e.MaxLength)
	if e.Commit != "" {
		fmt.Fprintf(&b, "commit: %s\n", e.Commit)
	}
	fmt.Fprintf(&b, "samples-file: %s\n", e.SamplesFile)
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

// WriteResult writes r as a result line named BenchmarkInference/<name>,
// the way go test prints it (without a GOMAXPROCS suffix).
func WriteResult(w io.Writer, r Result) error {
	var b strings.Builder
	fmt.Fprintf(&b, "BenchmarkInference/%s\t%d", BenchName(r.Model, r.BatchSize), r.Iterations)
	for _, m := range r.Metrics() {
		fmt.Fprintf(&b, "\t%s %s", strconv.FormatFloat(m.Value, 'g', 8, 64), m.Unit)
	}
	b.WriteByte('\n')
	_, err := io.WriteString(w, b.String())
	return err
}
