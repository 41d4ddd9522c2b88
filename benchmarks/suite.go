// Package benchmarks is the nerbench suite: every model × batch size of a
// bench.toml becomes a sub-benchmark
//
//	BenchmarkInference/model=<name>/batch=<n>
//
// and, for a model with a threads sweep (intra_op_threads = [1, 2]), every
// model × thread count × batch size
//
//	BenchmarkInference/model=<name>/threads=<t>/batch=<n>
//
// that runs real inference on ONNX Runtime and reports mean (ns/op), p50,
// p95 and p99 latency and docs/sec, in the Go benchmark format that
// benchstat reads.
//
// It is a plugin: any module's _test.go runs it with one call,
//
//	func BenchmarkInference(b *testing.B) { benchmarks.Run(b, "bench.toml") }
//
// and `go test -bench=. -run='^$'` in that folder prints the same
// sub-benchmarks, metrics, configuration and Unit lines as this
// repository's own bench_test.go (at its root). See README.md, "How the
// numbers are measured".
//
// The iteration count is testing's: `-benchtime=100x` times 100 iterations
// per batch size. `make bench` and scripts/ab.sh pass each model's
// bench.toml iterations that way (see `nerbench plan`); without
// -benchtime, testing's default of one second per benchmark decides, and
// the suite says so on stderr.
package benchmarks

import (
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nerbench/nerbench/benchmarks/benchname"
	"github.com/nerbench/nerbench/benchmarks/conditions"
	"github.com/nerbench/nerbench/benchmarks/config"
	"github.com/nerbench/nerbench/benchmarks/dataset"
	"github.com/nerbench/nerbench/benchmarks/engine"
	"github.com/nerbench/nerbench/benchmarks/runner"
	"github.com/nerbench/nerbench/benchmarks/samplefile"
	"github.com/nerbench/nerbench/benchmarks/shard"
	"github.com/nerbench/nerbench/benchmarks/workload"
	"github.com/nerbench/nerbench/internal/contract"
	"github.com/nerbench/nerbench/internal/interrupt"
)

// ConfigEnv names the environment variable that points the suite at
// another bench.toml than the one its caller names; a relative path is
// taken from the module root.
const ConfigEnv = "NERBENCH_CONFIG"

// RunTagEnv names the environment variable that tags one process of a
// multi-process run (make bench's rounds: "r2-b8"). Kept samples then go
// to <output>.samples.<tag>.jsonl, so that processes of the same model do
// not overwrite each other's samples; the converter reads every samples
// file that a samples-file line names.
const RunTagEnv = "NERBENCH_RUN_TAG"

// Sample counts below which a percentile is only the largest sample, by the
// rule sorted[min(floor(n·p), n−1)]: p95 needs 20 samples, p99 needs 100.
const (
	MinSamplesP95 = contract.MinSamplesP95
	MinSamplesP99 = contract.MinSamplesP99
)

var (
	memoryFlag    = flag.String("nerbench.memory-limit", "", "most memory the batches of one batch size may take, such as 8G (default: half the available memory)")
	progressEvery = flag.Duration("nerbench.progress", 0, "time between progress lines on stderr (default 5s, or 0.5s redraws of a bar on a terminal)")
	configFlag    = flag.String("nerbench.config", "", "bench.toml to run instead of the one the benchmark names (default $"+ConfigEnv+")")
	shardFlag     = flag.String("nerbench.shard", "", "run only shard `i/n` of the model × batch matrix (default $"+shard.EnvShard+")")
	durationsFlag = flag.String("nerbench.shard-durations", "", "Go benchmark output `file` of a previous run whose durations split the shards (default $"+shard.EnvDurations+")")
	machineFlag   = flag.String("nerbench.machine", "", "machine `label` recorded with the results (default $"+shard.EnvMachine+", else the CPU model and core count, and the GPU)")
)

// flagOrEnv returns the flag's value, else the environment variable's.
func flagOrEnv(flagValue *string, env string) string {
	if *flagValue != "" {
		return *flagValue
	}
	return os.Getenv(env)
}

// sharding returns the shard the suite runs (the zero Spec for all of
// the matrix), the plan that assigns the cells of cfg to shards (nil when
// unsharded), and the machine label for device, from the -nerbench.shard,
// -nerbench.shard-durations and -nerbench.machine flags or their
// environment variables.
func sharding(cfg *config.Config) (shard.Spec, *shard.Plan, error) {
	spec, err := shard.ParseSpec(flagOrEnv(shardFlag, shard.EnvShard))
	if err != nil {
		return spec, nil, err
	}
	n := spec.Count
	if spec.IsZero() {
		n = 1
	}
	var durations map[string]float64
	if path := flagOrEnv(durationsFlag, shard.EnvDurations); path != "" && !spec.IsZero() {
		if durations, err = shard.ReadDurations(path); err != nil {
			return spec, nil, err
		}
	}
	plan, err := shard.New(cfg, n, durations)
	return spec, plan, err
}

// progress is where the suite's progress and warnings go. go test merges
// stderr into its output, so every line written here is worded so that it
// never parses as a "key: value" configuration line.
var progress io.Writer = os.Stderr

// ConfigPath resolves the bench.toml the suite runs: the -nerbench.config
// flag, else $NERBENCH_CONFIG, else path. A relative path is taken from
// the module root (the folder of the go.mod above the working directory,
// which go test sets to the package's folder).
func ConfigPath(path string) (string, error) {
	if *configFlag != "" {
		path = *configFlag
	} else if env := os.Getenv(ConfigEnv); env != "" {
		path = env
	}
	if path == "" {
		path = "bench.toml"
	}
	if filepath.IsAbs(path) {
		return path, nil
	}
	root, err := engine.ModuleRoot()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, path), nil
}

// Run runs the suite of the bench.toml at configPath as sub-benchmarks of
// b: one model=<name> sub-benchmark per [[model]], each with one
// batch=<n> sub-benchmark per batch size. A model with a threads sweep
// has a threads=<t> level between them, one session per thread count. A
// model (a thread count's session) is loaded only when -bench selects one
// of its sub-benchmarks.
func Run(b *testing.B, configPath string) {
	path, err := ConfigPath(configPath)
	if err != nil {
		b.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		b.Fatal(err)
	}
	defer interrupt.Handle(progress, "nerbench suite")()
	for _, mc := range cfg.Models {
		if err := contract.CheckWritable(mc.Output); err != nil {
			b.Fatalf("model %s: output: %v", mc.Name, err)
		}
	}
	if *memoryFlag != "" {
		n, err := config.ParseBytes(*memoryFlag)
		if err != nil {
			b.Fatalf("-nerbench.memory-limit: %v", err)
		}
		runner.MemoryLimit = n
	}
	ortVersion, err := engine.Init("")
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		if err := engine.Shutdown(); err != nil {
			b.Error(err)
		}
	}()
	if _, ok := benchtimeCount(); !ok {
		fmt.Fprintf(progress, "nerbench note : no -benchtime=Nx given, so testing's time target decides how many iterations each batch size runs; make bench passes each model's iterations from %s (see nerbench plan)\n", path)
	}
	spec, plan, err := sharding(cfg)
	if err != nil {
		b.Fatal(err)
	}
	if label := flagOrEnv(machineFlag, shard.EnvMachine); label != "" {
		if err := shard.CheckMachine(label); err != nil {
			b.Fatal(err)
		}
	}
	cells := plan.CellSet(spec)
	if !spec.IsZero() {
		fmt.Fprintf(progress, "nerbench shard %s of matrix %s runs %d of %d cells (plan %s, by %s)\n",
			spec, plan.Matrix, len(plan.Of(spec)), len(plan.Cells), plan.ID, plan.Basis)
	}
	fmt.Print(runner.UnitLines)
	commit := runner.GitCommit()
	datasets := map[string]*dataset.Dataset{}
	shardLines := func(device string) (string, error) {
		machine, err := shard.Machine(flagOrEnv(machineFlag, shard.EnvMachine), device)
		return shard.Lines(plan, spec, machine), err
	}
	for _, mc := range cfg.Models {
		// One session per thread count of a threads sweep, each its own
		// threads=<n> level; without a sweep, the one count has no level.
		type run struct {
			threads int
			mc      config.Model
		}
		var runs []run
		for _, t := range mc.Settings.Threads() {
			var sizes []int
			for _, size := range mc.Settings.BatchSizes {
				if cells.HasThreads(mc.BenchName(), t, size) {
					sizes = append(sizes, size)
				}
			}
			if len(sizes) == 0 {
				continue // another shard's cells: no sub-benchmark, no SKIP line
			}
			tc := mc
			tc.Settings = mc.Settings.WithThreads(t)
			tc.Settings.BatchSizes = sizes
			runs = append(runs, run{t, tc})
		}
		if len(runs) == 0 {
			continue
		}
		b.Run("model="+benchNamePart(mc.Name), func(b *testing.B) {
			if mc.Settings.ThreadSweep == nil {
				benchModel(b, runs[0].mc, runs[0].mc.Name, ortVersion, commit, datasets, shardLines, samplesPath(spec, benchname.NoThreads))
				return
			}
			for _, r := range runs {
				b.Run("threads="+strconv.Itoa(r.threads), func(b *testing.B) {
					label := fmt.Sprintf("%s threads %d", mc.Name, r.threads)
					benchModel(b, r.mc, label, ortVersion, commit, datasets, shardLines, samplesPath(spec, r.threads))
				})
			}
		})
	}
}

// benchtimeCount returns N when the run was given -benchtime=Nx. It only
// reads testing's flag.
func benchtimeCount() (int, bool) {
	f := flag.Lookup("test.benchtime")
	if f == nil {
		return 0, false
	}
	v := f.Value.String()
	if !strings.HasSuffix(v, "x") {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimSuffix(v, "x"))
	return n, err == nil && n > 0
}

// fewSamples says which percentiles n samples cannot give, or "".
func fewSamples(n int) string {
	switch {
	case n < 2:
		return "p50, p95 and p99 are that one sample"
	case n < MinSamplesP95:
		return fmt.Sprintf("p95 and p99 are both the largest sample (p95 needs %d samples, p99 %d)", MinSamplesP95, MinSamplesP99)
	case n < MinSamplesP99:
		return fmt.Sprintf("p99 is the largest sample (it needs %d samples)", MinSamplesP99)
	}
	return ""
}

// benchNamePart is the model part of the sub-benchmark name.
func benchNamePart(name string) string {
	full := runner.BenchName(name, 1) // "model=<sanitized>/batch=1"
	return full[len("model=") : len(full)-len("/batch=1")]
}

// samplesPath returns where the samples of a model whose benchmark.json
// goes to output are kept: samplefile.Path, with the shard in the name
// when sharded (benchmark.samples.shard-2-of-3.jsonl), so that shards
// whose outputs are gathered in one folder keep their own, and the
// process's run tag ($NERBENCH_RUN_TAG, make bench's round and batch size:
// benchmark.samples.r2_b8.jsonl), so that the processes of one model do
// not overwrite each other's. A thread count of a threads sweep is in the
// name too (benchmark.samples.threads-2.jsonl): each has its own session
// and its own samples.
func samplesPath(s shard.Spec, threads int) func(output string) string {
	return func(output string) string {
		p := samplefile.Path(output)
		if threads != benchname.NoThreads {
			p = strings.TrimSuffix(p, filepath.Ext(p)) + fmt.Sprintf(".threads-%d", threads) + filepath.Ext(p)
		}
		if !s.IsZero() {
			p = strings.TrimSuffix(p, filepath.Ext(p)) + fmt.Sprintf(".shard-%d-of-%d", s.Index, s.Count) + filepath.Ext(p)
		}
		if tag := os.Getenv(RunTagEnv); tag != "" {
			p = strings.TrimSuffix(p, filepath.Ext(p)) + "." + benchname.Sanitize(tag) + filepath.Ext(p)
		}
		return p
	}
}

// benchModel loads one model and runs its batch sizes; label names it in
// progress and warning lines (with its thread count in a threads sweep).
// shardLines returns
// the machine and shard configuration lines for the device it runs on;
// samplesPath where its samples are kept.
func benchModel(b *testing.B, mc config.Model, label, ortVersion, commit string, datasets map[string]*dataset.Dataset,
	shardLines func(device string) (string, error), samplesPath func(output string) string) {
	s := mc.Settings
	ds, ok := datasets[s.TestData]
	if !ok {
		var err error
		if ds, err = dataset.Load(s.TestData); err != nil {
			b.Fatal(err)
		}
		datasets[s.TestData] = ds
	}
	m, err := runner.Open(mc.Name, mc.Checkpoint, s)
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		if err := m.Close(); err != nil {
			b.Error(err)
		}
	}()
	for _, w := range m.Warnings {
		fmt.Fprintf(progress, "nerbench warning for model %s : %s\n", label, w)
	}
	enc, err := m.Encode(ds.Texts)
	if err != nil {
		b.Fatalf("model %s: %v", label, err)
	}
	fmt.Fprintf(progress, "nerbench loaded model %s in %v, timing %d of %d texts from %s (%d skipped as empty, %d of them truncated to %d tokens) tokenized in %v\n",
		label, time.Duration(m.LoadNs).Round(time.Millisecond), len(enc.Texts), len(ds.Texts), ds.Path, ds.Skipped, enc.Truncated, m.MaxLength, enc.Elapsed.Round(1e6))
	var samples *samplefile.File
	if s.KeepSamples {
		if samples, err = samplefile.Create(samplesPath(mc.Output)); err != nil {
			b.Fatal(err)
		}
		defer func() {
			if err := samples.Close(); err != nil {
				b.Error(err)
			}
		}()
	}
	env, err := runner.Provenance(m, ds.Path, len(enc.Texts), len(ds.Texts))
	if err != nil {
		b.Fatal(err)
	}
	env.ORTVersion, env.Device, env.Commit, env.SamplesFile = ortVersion, m.Session.Device, commit, samples.Path()
	// Configuration lines apply to the results that follow them; a
	// samples-file line is printed only when samples are kept, and an
	// empty value clears the previous model's.
	env.Batching, env.Padding, env.Mode, env.GraphOptimization, env.Scenario = s.Batching, s.Padding, s.Mode, s.GraphOptimization, s.Scenario
	fmt.Print(env.ConfigLines())
	lines, err := shardLines(m.Session.Device)
	if err != nil {
		b.Fatal(err)
	}
	fmt.Print(lines)
	for _, size := range s.BatchSizes {
		fmt.Printf("%s: %s\n", contract.ConfigWorkload, workload.Fingerprint(enc.Texts, size, enc.MaxLength))
		// testing prints a leaf's name before running its second and later
		// -count repetitions, so nothing may be printed from inside one:
		// what a repetition has to say is printed once b.Run returns.
		// Batches are built in the leaf, so only for the batch sizes that
		// -bench selects, and once for all repetitions.
		msgs := map[string]bool{}
		var batches *runner.Batches
		calls := 0
		offline := ""
		b.Run("batch="+strconv.Itoa(size), func(b *testing.B) {
			// The end-to-end mode and the offline scenario build what
			// they run themselves.
			switch {
			case s.Scenario == "offline":
				n, line := benchOffline(b, m, enc, size)
				offline = line
				if few := fewSamples(n); few != "" {
					msgs[fmt.Sprintf("%d passes, %s", n, few)] = true
				}
				return
			case s.Mode == "e2e":
				if n := benchE2E(b, m, enc, size, samples); fewSamples(n) != "" {
					msgs[fmt.Sprintf("%d samples, %s", n, fewSamples(n))] = true
				}
				return
			}
			if batches == nil {
				var err error
				if batches, err = m.Prepare(enc, size); err != nil {
					b.Fatal(err)
				}
			}
			// Progress only in the first call: testing runs it before
			// printing the leaf's name, and later -count repetitions
			// after it.
			var prog *runner.Progress
			if calls++; calls == 1 {
				prog = runner.NewProgress(progress, fmt.Sprintf("model %s batch %d", label, size), 0)
				if *progressEvery > 0 {
					prog.Every = *progressEvery
				}
			}
			r := benchBatch(b, m, batches, samples, prog)
			if few := fewSamples(r.Summary.N); few != "" {
				msgs[fmt.Sprintf("%d samples, %s", r.Summary.N, few)] = true
			}
			for _, w := range r.Warnings() {
				msgs[w] = true
			}
		})
		if offline != "" {
			fmt.Fprintf(progress, "nerbench offline model %s batch %d : %s\n", label, size, offline)
		}
		if batches != nil {
			if err := batches.Close(); err != nil {
				b.Error(err)
			}
		}
		for _, msg := range slices.Sorted(maps.Keys(msgs)) {
			fmt.Fprintf(progress, "nerbench warning for model %s batch %d : %s\n", label, size, msg)
		}
	}
}

// benchBatch measures one batch size and returns its result. testing
// decides the iteration count (b.Loop); each iteration is timed on its own,
// around Session.Run only, so that percentiles can be computed, and ns/op
// is reported as the mean of those samples. Warm-up runs whole passes
// first; timing starts at batch 0, and when testing's count ends inside a
// pass the pass is finished (outside b.Loop, still timed one by one), so
// that every model times the same batches (package workload).
func benchBatch(b *testing.B, m *runner.Model, batches *runner.Batches, keep *samplefile.File, prog *runner.Progress) runner.Result {
	defer prog.Done()
	first, err := batches.WarmupProgress(m.Settings.Warmup, prog)
	if err != nil {
		b.Fatal(err)
	}
	n, _ := benchtimeCount()
	total := workload.RoundUp(n, batches.Len())
	if n == 0 {
		total = 0 // testing's time target decides: no estimate
	}
	prog.Restart(total)
	samples := make([]float64, 0, min(max(total, 1024), 1<<20)) // an absurd -benchtime=Nx must not allocate N samples up front
	b.ReportAllocs()
	before := conditions.Take()
	i := 0
	for ; b.Loop(); i++ {
		d, err := batches.TimeOne(i)
		if err != nil {
			b.Fatal(err)
		}
		samples = append(samples, d)
		if prog.Due() { // a clock read; printing only every few seconds
			b.StopTimer() // printing allocates: keep it out of allocs/op
			prog.Show("timed", i+1)
			b.StartTimer()
		}
	}
	for ; i%batches.Len() != 0; i++ { // finish the pass
		d, err := batches.TimeOne(i)
		if err != nil {
			b.Fatal(err)
		}
		samples = append(samples, d)
		if prog.Due() {
			prog.Show("timed", i+1)
		}
	}
	during := conditions.Between(before, conditions.Take())
	r := batches.NewResult(m.Name, samples, first, &during)
	if rss, err := runner.PeakRSS(); err == nil {
		r.PeakRSS = float64(rss)
	}
	for _, metric := range r.Metrics() {
		b.ReportMetric(metric.Value, metric.Unit) // ns/op: the samples' mean replaces testing's
	}
	if keep != nil {
		if err := keep.Add(m.Name, batches.Size, samples); err != nil {
			b.Fatal(err)
		}
	}
	return r
}

// benchE2E measures one batch size end to end (mode = "e2e"):
// runner.MeasureE2E with b's loop, so that testing decides the iteration
// count. ns/op and the percentiles are of whole iterations;
// tokenize-ns/op, infer-ns/op and decode-ns/op are each stage's mean. It
// returns the number of timed iterations.
func benchE2E(b *testing.B, m *runner.Model, enc *runner.Encoded, size int, keep *samplefile.File) int {
	n, _ := benchtimeCount()
	r, err := m.MeasureE2E(enc, size, b, n)
	if err != nil {
		b.Fatal(err)
	}
	for _, metric := range r.Metrics() {
		b.ReportMetric(metric.Value, metric.Unit)
	}
	if keep != nil {
		if err := keep.Add(m.Name, size, r.SamplesNs); err != nil {
			b.Fatal(err)
		}
	}
	return len(r.SamplesNs)
}

// benchOffline measures the offline scenario for one batch size:
// runner.MeasureOffline with b's loop, each iteration one pass over every
// batch of the rotation by S concurrent streams, the stream counts of
// offline_streams taking turns in blocks of the -benchtime=Nx count (one
// pass each without it). The stream count with the best median docs/sec
// is reported: its per-batch time (pass ÷ batches) as ns/op and
// percentiles, docs/sec, and streams. It returns the number of passes of
// that count and a line with every count's median docs/sec, for the
// progress output.
func benchOffline(b *testing.B, m *runner.Model, enc *runner.Encoded, size int) (int, string) {
	n, counted := benchtimeCount()
	if !counted {
		n = len(m.Settings.OfflineStreams)
	}
	r, line, err := m.MeasureOffline(enc, size, n, b)
	if err != nil {
		b.Fatal(err)
	}
	for _, metric := range r.Metrics() {
		b.ReportMetric(metric.Value, metric.Unit)
	}
	return r.Summary.N, line
}
