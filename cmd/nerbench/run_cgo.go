//go:build cgo

package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/nerbench/nerbench/benchmarks/benchname"
	"github.com/nerbench/nerbench/benchmarks/config"
	"github.com/nerbench/nerbench/benchmarks/dataset"
	"github.com/nerbench/nerbench/benchmarks/engine"
	"github.com/nerbench/nerbench/benchmarks/runner"
	"github.com/nerbench/nerbench/benchmarks/samplefile"
	"github.com/nerbench/nerbench/benchmarks/shard"
	"github.com/nerbench/nerbench/benchmarks/workload"
	"github.com/nerbench/nerbench/converter"
	"github.com/nerbench/nerbench/internal/contract"
)

func init() {
	commands["run"] = command{runSummary, runCmd}
}

// mean is the mean latency metric, for progress lines.
var mean, _ = contract.MetricByKey(contract.KeyMean)

func runCmd(stdout, stderr io.Writer, args []string) error {
	a, err := parseRunArgs(stderr, args)
	if err != nil {
		return err
	}
	runner.MemoryLimit = a.memoryLimit
	return measure(stdout, stderr, a)
}

// measure runs every batch size of s on the checkpoint and writes out.
//
// It writes its results in the Go benchmark format, as the suite does (to
// stdout too with format gobench), and makes benchmark.json from them with
// the converter, as nerbench convert does: one builder of the file. Kept
// samples go, as the suite keeps them, to the samples file beside out.
//
// With --shard it measures only the shard's batch sizes, and writes their
// Go benchmark output, with the shard's configuration lines, beside out
// (shardOutput) instead of benchmark.json: nerbench convert merges the
// shards.
func measure(stdout, stderr io.Writer, a *runArgs) (err error) {
	name, ckpt, out, format, s := a.name, a.checkpoint, a.output, a.format, a.settings
	plan, err := a.plan()
	if err != nil {
		return usageError("%v", err)
	}
	// The cells of this run (the shard's), per thread count: one count,
	// benchname.NoThreads, without a threads sweep.
	sizes := map[int][]int{}
	var all []int
	for _, c := range plan.Of(a.shard) {
		sizes[c.Threads] = append(sizes[c.Threads], c.Batch)
		if !slices.Contains(all, c.Batch) {
			all = append(all, c.Batch)
		}
	}
	if !a.shard.IsZero() {
		fmt.Fprintf(stderr, "shard %s: batch sizes %s of %s\n", a.shard, (*intList)(&all), (*intList)(&a.settings.BatchSizes))
	}
	samplesPath := func(threads int) string {
		p := samplefile.Path(out)
		if threads != benchname.NoThreads { // each count's session keeps its own, as the suite does
			p = strings.TrimSuffix(p, filepath.Ext(p)) + fmt.Sprintf(".threads-%d", threads) + filepath.Ext(p)
		}
		return p
	}
	// Every output is checked before anything is measured.
	outs := []string{out}
	if !a.shard.IsZero() {
		outs[0] = shardOutput(out, a.shard)
	}
	if s.KeepSamples {
		for _, t := range s.Threads() {
			outs = append(outs, samplesPath(t))
		}
	}
	for _, o := range outs {
		if err := contract.CheckWritable(o); err != nil {
			return usageError("--output: %v", err)
		}
	}
	ds, err := dataset.Load(s.TestData)
	if err != nil {
		return usageError("%v", err)
	}
	version, err := engine.Init("")
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, engine.Shutdown()) }()

	var gobench bytes.Buffer // the results, for the converter
	w := io.Writer(&gobench)
	if format == "gobench" {
		w = io.MultiWriter(stdout, &gobench)
	}
	if _, err := io.WriteString(w, runner.UnitLines); err != nil {
		return err
	}
	bw := benchfmt.NewWriter(w)
	for _, t := range s.Threads() {
		if len(sizes[t]) == 0 {
			continue // another shard's
		}
		st := s.WithThreads(t)
		st.BatchSizes = sizes[t]
		if err := measureSession(stderr, a, st, t, ds, version, plan, samplesPath(t), bw); err != nil {
			return err
		}
	}

	if !a.shard.IsZero() {
		path := shardOutput(out, a.shard)
		if err := contract.WriteFileAtomic(path, gobench.Bytes(), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "wrote shard %s to %s; merge every shard's file with nerbench convert -out-dir DIR FILES...\n", a.shard, path)
		return nil
	}
	f, err := convert(stderr, gobench.Bytes(), name, ckpt, out, s.ThreadSweep)
	if err != nil {
		return err
	}
	switch format {
	case "table":
		printTable(stdout, name, f.File)
	case "json":
		data, err := contract.Encode(f.File)
		if err != nil {
			return err
		}
		stdout.Write(data)
	}
	if _, err := converter.Write(&converter.Result{Files: map[string]*converter.Output{f.BenchName: f}}); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %s\n", out)
	return nil
}

// measureSession measures the batch sizes of s with one session of the
// checkpoint, at thread count threads of a threads sweep
// (benchname.NoThreads without one), and writes its results to bw.
func measureSession(stderr io.Writer, a *runArgs, s config.Settings, threads int, ds *dataset.Dataset, version string,
	plan *shard.Plan, samplesPath string, bw *benchfmt.Writer) (err error) {
	name, ckpt := a.name, a.checkpoint
	label := name
	if threads != benchname.NoThreads {
		label = fmt.Sprintf("%s threads %d", name, threads)
	}
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
		return usageError("%v", err) // the tokenizer and the model do not fit
	}
	fmt.Fprintf(stderr, "%s: %d texts (%d empty skipped, %d truncated to %d tokens) tokenized in %v on %d cores, device %s, ONNX Runtime %s\n",
		label, len(ds.Texts), ds.Skipped, enc.Truncated, m.MaxLength, enc.Elapsed.Round(10*time.Microsecond), runtime.GOMAXPROCS(0), m.Session.Device, version)
	var samples *samplefile.File
	if s.KeepSamples {
		if samples, err = samplefile.Create(samplesPath); err != nil {
			return err
		}
		defer func() {
			if samples != nil {
				err = errors.Join(err, samples.Close())
			}
		}()
	}
	env, err := runner.Provenance(m, ds.Path, len(enc.Texts), len(ds.Texts))
	if err != nil {
		return err
	}
	env.ORTVersion, env.Device, env.Commit, env.SamplesFile = version, m.Session.Device, runner.GitCommit(), samples.Path()
	env.Batching, env.Padding, env.Mode, env.GraphOptimization, env.Scenario = s.Batching, s.Padding, s.Mode, s.GraphOptimization, s.Scenario
	machine, err := shard.Machine(a.machine, m.Session.Device)
	if err != nil {
		return usageError("%v", err)
	}
	cfg := append([]benchfmt.Config{
		{Key: "goos", Value: []byte(runtime.GOOS), File: true},
		{Key: "goarch", Value: []byte(runtime.GOARCH), File: true},
	}, env.Config()...)
	cfg = append(cfg, shard.Config(plan, a.shard, machine)...)
	for _, size := range s.BatchSizes {
		start := time.Now()
		var r runner.Result
		switch {
		case s.Scenario == "offline":
			r, err = measureOffline(stderr, m, enc, size, label)
		case s.Mode == "e2e":
			r, err = measureE2E(stderr, m, enc, size)
		default:
			r, err = measureInference(stderr, m, enc, size, label)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "batch %d: mean %.2f ms%s (%v)\n", size, mean.JSONValue(r.Summary.MeanNs), stageMeans(r), time.Since(start).Round(time.Millisecond))
		for _, w := range r.Warnings() {
			fmt.Fprintf(stderr, "warning: batch %d: %s\n", size, w)
		}
		rec := r.Record(cfg...)
		rec.Name = benchfmt.Name(benchname.NameThreads(r.Model, threads, r.BatchSize))
		if err := bw.Write(rec); err != nil {
			return err
		}
		if samples != nil && r.SamplesNs != nil { // the offline scenario keeps none, as in the suite
			if err := samples.Add(name, size, r.SamplesNs); err != nil {
				return err
			}
		}
	}
	if samples != nil {
		err := samples.Close()
		samples = nil
		if err != nil {
			return err
		}
	}

	return nil
}

// measureInference measures one batch size in mode inference, scenario
// single: Session.Run alone on batches built beforehand, warm-up and timed
// iterations in whole passes (runner.MeasureProgress).
func measureInference(stderr io.Writer, m *runner.Model, enc *runner.Encoded, size int, label string) (runner.Result, error) {
	s := m.Settings
	bs, err := m.Prepare(enc, size)
	if err != nil {
		return runner.Result{}, usageError("%v", err) // a model or batch size that cannot run, or too much memory
	}
	// A model that fails a first, untimed run cannot run this input:
	// bad input, exit 2. A failure after it is a failed benchmark.
	if err := bs.Run(0); err != nil {
		return runner.Result{}, usageError("model %s, batch size %d: %v", m.Name, size, errors.Join(err, bs.Close()))
	}
	fmt.Fprintf(stderr, "batch %d: %d warm-up + %d timed iterations (whole passes of %d batches)\n", size,
		workload.RoundUp(s.Warmup, bs.Len()), workload.RoundUp(s.Iterations, bs.Len()), bs.Len())
	prog := runner.NewProgress(stderr, fmt.Sprintf("model %s batch %d", label, size), 0)
	r, err := runner.MeasureProgress(bs, s.Warmup, s.Iterations, prog)
	err = errors.Join(err, bs.Close())
	if err != nil {
		return runner.Result{}, err
	}
	r.Model = m.Name
	if rss, err := runner.PeakRSS(); err == nil {
		r.PeakRSS = float64(rss)
	}
	return r, nil
}

// measureE2E measures one batch size end to end (--mode e2e) as the suite
// does (runner.MeasureE2E): --warmup untimed and --iterations timed
// iterations, as the suite's -benchtime=Nx times N, not rounded to whole
// passes.
func measureE2E(stderr io.Writer, m *runner.Model, enc *runner.Encoded, size int) (runner.Result, error) {
	s := m.Settings
	fmt.Fprintf(stderr, "batch %d: %d warm-up + %d timed end-to-end iterations (tokenize, run, decode)\n", size, s.Warmup, s.Iterations)
	r, err := m.MeasureE2E(enc, size, runner.Count(s.Iterations), s.Iterations)
	if runner.IsFirstRun(err) {
		return r, usageError("model %s, batch size %d: %v", m.Name, size, err) // bad input, as a failing first inference run
	}
	return r, err
}

// measureOffline measures one batch size in the offline scenario
// (--scenario offline) as the suite does (runner.MeasureOffline):
// --iterations timed passes over the texts, shared out among the stream
// counts of --offline-streams in turn.
func measureOffline(stderr io.Writer, m *runner.Model, enc *runner.Encoded, size int, label string) (runner.Result, error) {
	s := m.Settings
	warm := ""
	if s.Warmup > 0 {
		warm = ", each count after a warm-up pass"
	}
	fmt.Fprintf(stderr, "batch %d: %d timed passes over %d texts, shared out among %s streams in turn%s\n",
		size, s.Iterations, len(enc.Texts), (*intList)(&s.OfflineStreams), warm)
	r, line, err := m.MeasureOffline(enc, size, s.Iterations, runner.Count(s.Iterations))
	if runner.IsFirstRun(err) {
		return r, usageError("model %s, batch size %d: %v", m.Name, size, err)
	}
	if err != nil {
		return r, err
	}
	fmt.Fprintf(stderr, "offline model %s batch %d: %s\n", label, size, line)
	return r, nil
}

// stageMeans is the e2e stages' means for the progress line, or "".
func stageMeans(r runner.Result) string {
	if r.Stages == nil {
		return ""
	}
	return fmt.Sprintf(" end to end; stages tokenize %.2f, infer %.2f, decode %.2f ms", mean.JSONValue(r.Stages.Tokenize), mean.JSONValue(r.Stages.Infer), mean.JSONValue(r.Stages.Decode))
}

// convert turns one model's results in the Go benchmark format into its
// benchmark.json, to be written to out, as nerbench convert does.
func convert(stderr io.Writer, gobench []byte, name, ckpt, out string, threads []int) (*converter.Output, error) {
	abs, err := filepath.Abs(ckpt)
	if err != nil {
		return nil, err
	}
	bench := benchname.Sanitize(name)
	models := func(b string) (converter.Model, bool) {
		return converter.Model{Name: name, Checkpoint: abs, Output: out, Threads: threads}, b == bench
	}
	res, err := converter.Convert([]converter.Input{{Name: "nerbench run", Data: gobench}}, converter.Options{Models: models})
	for _, w := range res.Warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	if err != nil {
		return nil, err
	}
	if len(res.Failures) > 0 {
		return nil, fmt.Errorf("converting the results: %s", failureList(res.Failures))
	}
	f, ok := res.Files[bench]
	if !ok || len(res.Files) != 1 {
		return nil, fmt.Errorf("converting the results: want the results of %s only, got %v", bench, res.BenchNames())
	}
	return f, nil
}

// printTable prints the metrics of f that every benchmark.json holds, per
// batch size.
func printTable(w io.Writer, name string, f *contract.File) {
	sweep, counts, err := contract.ThreadSweep(f)
	if err != nil || sweep == nil {
		printBatches(w, name, f.Batches)
		return
	}
	for _, t := range counts { // a threads sweep: a table per thread count
		printBatches(w, fmt.Sprintf("%s, %d intra-op threads", name, t), sweep[t])
	}
}

// printBatches prints the table of printTable for one set of batches: the
// metrics every batch entry holds, and, where the batches have them, the
// end-to-end stages' means (--mode e2e) and the stream count of the best
// throughput (--scenario offline).
func printBatches(w io.Writer, title string, batches map[int]*contract.Batch) {
	fmt.Fprintf(w, "Benchmark results: %s\n", title)
	var cols []contract.Metric
	for _, m := range contract.Metrics() {
		shown := m.Required
		if slices.Contains(modeMetrics, m.Key) {
			for _, b := range batches {
				if _, ok := b.Metric(m.Key); ok {
					shown = true
				}
			}
		}
		if shown {
			cols = append(cols, m)
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	var head strings.Builder
	head.WriteString("batch\t")
	for _, m := range cols {
		head.WriteString(m.Label + "\t")
	}
	fmt.Fprintln(tw, head.String()+"iterations\t")
	for _, n := range slices.Sorted(maps.Keys(batches)) {
		b := batches[n]
		row := strconv.Itoa(n) + "\t"
		for _, m := range cols {
			v, ok := b.Metric(m.Key)
			switch {
			case !ok:
				row += "-\t"
			case m.Key == contract.KeyStreams:
				row += strconv.FormatFloat(v, 'f', -1, 64) + "\t"
			default:
				row += strconv.FormatFloat(v, 'f', 2, 64) + "\t"
			}
		}
		fmt.Fprintln(tw, row+strconv.Itoa(b.Iterations)+"\t")
	}
	tw.Flush()
}

// modeMetrics are the metrics printBatches adds to the table when the
// batches hold them: the end-to-end stages and the offline stream count.
var modeMetrics = []string{contract.KeyTokenize, contract.KeyInfer, contract.KeyDecode, contract.KeyStreams}

func failureList(fs []converter.Failure) string {
	s := make([]string, len(fs))
	for i, f := range fs {
		s[i] = f.String()
	}
	return strings.Join(s, "; ")
}
