package converter

import (
	"bytes"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/perf/benchfmt"

	"github.com/nerbench/nerbench/benchmarks/benchname"
)

// Failure is a benchmark that produced no result: a "--- FAIL" line, a
// panic, a truncated or unusable result line, or a model or batch size that
// Options.Expect lists and the input lacks. A failed benchmark is never a
// result: Convert leaves its observations out.
type Failure struct {
	File  string // input name; "" for a missing result
	Line  int    // 1-based; 0 when not tied to a line
	Model string // bench name; "" when the input does not say which model
	Batch int    // batch size; 0 for the whole model
	// HasThreads says that the failure is of one thread count of a
	// threads sweep, Threads; without it, a failure covers every thread
	// count of its batch size.
	HasThreads bool
	Threads    int
	Msg        string
}

// withThreads returns f as the failure of thread count t of a threads
// sweep; f as it is for benchname.NoThreads.
func (f Failure) withThreads(t int) Failure {
	if t != benchname.NoThreads {
		f.HasThreads, f.Threads = true, t
	}
	return f
}

// Bench returns the benchmark's name, as far as it is known.
func (f Failure) Bench() string {
	switch {
	case f.Model == "":
		return "Benchmark" + benchname.Base
	case f.Batch == 0 && f.HasThreads:
		return "Benchmark" + benchname.Base + "/model=" + f.Model + "/threads=" + strconv.Itoa(f.Threads)
	case f.Batch == 0:
		return "Benchmark" + benchname.Base + "/model=" + f.Model
	}
	if f.HasThreads {
		return "Benchmark" + benchname.NameThreads(f.Model, f.Threads, f.Batch)
	}
	return "Benchmark" + benchname.Name(f.Model, f.Batch)
}

func (f Failure) String() string {
	w := Warning{File: f.File, Line: f.Line, Msg: f.Bench() + ": " + f.Msg}
	return w.String()
}

// Expected is a model whose results Convert must find, for every batch size
// (and every thread count of its threads sweep).
type Expected struct {
	BenchName  string
	BatchSizes []int
	// Threads are the thread counts of a threads sweep; nil without one.
	Threads []int
}

// failedAt reports whether the failures cover model's batch size n (n = 0:
// the whole model, or the whole thread count) at thread count threads
// (benchname.NoThreads without a sweep). A failure without a thread count
// covers every count.
func failedAt(fs []Failure, model string, threads, n int) bool {
	return slices.ContainsFunc(fs, func(f Failure) bool {
		return f.Model == model && (!f.HasThreads || f.Threads == threads) && (f.Batch == 0 || f.Batch == n)
	})
}

// threadsPart returns the value of the threads=<t> part of a benchmark
// name, leniently (the name need not be a leaf: a thread count's session
// can fail before its batch sizes run); benchname.NoThreads when it has
// none.
func threadsPart(name string) int {
	_, parts := benchfmt.Name(strings.TrimPrefix(name, "Benchmark")).Parts()
	t := benchname.NoThreads
	for _, p := range parts {
		if v, ok := strings.CutPrefix(string(p), "/threads="); ok {
			if n, err := strconv.Atoi(v); err == nil && n >= 0 {
				t = n
			}
		}
	}
	return t
}

// scanFailures finds what Go benchmark output says failed: "--- FAIL:"
// lines of the suite's benchmarks (the deepest ones: testing also fails
// every parent), and "panic:" lines. It also returns data without a last
// line that was cut before its newline, if that line is a result of ours:
// it is a failure too, never a result.
func scanFailures(in Input) (fails []Failure, data []byte) {
	data = in.Data
	lines := strings.Split(string(data), "\n")
	var named []Failure
	var names []string
	for i, line := range lines {
		t := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(t, "--- FAIL: Benchmark"):
			name, _, _ := strings.Cut(strings.TrimPrefix(t, "--- FAIL: "), " ")
			model, batch := benchname.Fields(strings.TrimPrefix(name, "Benchmark"))
			if b := strings.TrimPrefix(name, "Benchmark"); !strings.HasPrefix(b, benchname.Base) {
				continue // another benchmark
			}
			threads := threadsPart(name)
			msg := "--- FAIL"
			if i+1 < len(lines) { // testing prints the reason, indented, below
				if next := strings.TrimSpace(lines[i+1]); next != "" && !strings.HasPrefix(next, "---") && !strings.HasPrefix(next, "Benchmark") {
					msg += ": " + next
				}
			}
			named = append(named, Failure{File: in.Name, Line: i + 1, Model: model, Batch: batch, Msg: msg}.withThreads(threads))
			names = append(names, benchname.Trim(name))
		case strings.HasPrefix(line, "panic:"):
			fails = append(fails, Failure{File: in.Name, Line: i + 1, Msg: t})
		}
	}
	for i, f := range named {
		parent := slices.ContainsFunc(names, func(n string) bool { return strings.HasPrefix(n, names[i]+"/") })
		if !parent {
			fails = append(fails, f)
		}
	}
	if n := len(lines); n > 0 && lines[n-1] != "" {
		last := strings.TrimSpace(lines[n-1])
		if strings.HasPrefix(last, "Benchmark") {
			name, _, _ := strings.Cut(last, "\t")
			name, _, _ = strings.Cut(name, " ")
			if _, _, err := benchname.Parse(name); err != benchname.ErrNotOurs {
				model, batch := benchname.Fields(benchname.Trim(name))
				fails = append(fails, Failure{File: in.Name, Line: n, Model: model, Batch: batch,
					Msg: "truncated result line (the input ends in the middle of it)"})
				data = data[:bytes.LastIndexByte(data, '\n')+1]
			}
		}
	}
	return fails, data
}

// expectFailures returns a failure for every model and batch size of
// expect that has no result and no failure yet.
func (c *collector) expectFailures(expect []Expected) []Failure {
	var out []Failure
	for _, e := range expect {
		seen := c.models[e.BenchName]
		if len(seen) == 0 {
			if !failedAt(c.res.Failures, e.BenchName, benchname.NoThreads, 0) {
				out = append(out, Failure{Model: e.BenchName, Msg: "no result: the model is in the configuration but not in the input"})
			}
			continue
		}
		threads := e.Threads
		if threads == nil {
			threads = []int{benchname.NoThreads}
		}
		for _, t := range threads {
			for _, n := range e.BatchSizes {
				if slices.ContainsFunc(seen, func(o *obs) bool { return o.batch == n && o.threads == t }) || failedAt(c.res.Failures, e.BenchName, t, n) {
					continue
				}
				msg := fmt.Sprintf("no result for batch size %d of the configuration", n)
				if t != benchname.NoThreads {
					msg = fmt.Sprintf("no result for %d threads at batch size %d of the configuration", t, n)
				}
				out = append(out, Failure{Model: e.BenchName, Batch: n, Msg: msg}.withThreads(t))
			}
		}
	}
	return out
}

// dropFailed removes the observations that failures cover.
func (c *collector) dropFailed() {
	for model, all := range c.models {
		kept := slices.DeleteFunc(all, func(o *obs) bool { return failedAt(c.res.Failures, model, o.threads, o.batch) })
		if len(kept) == 0 {
			delete(c.models, model)
		} else {
			c.models[model] = kept
		}
	}
}

func (c *collector) fail(f Failure) { c.res.Failures = append(c.res.Failures, f) }

// outputPath returns where model's file goes, "" when nowhere.
func outputPath(name string, opts Options) (string, Model, bool) {
	var m Model
	var ok bool
	if opts.Models != nil {
		m, ok = opts.Models(name)
	}
	path := m.Output
	if opts.OutDir != "" {
		path = filepath.Join(opts.OutDir, name, "benchmark.json")
	}
	return path, m, ok
}

// failedOutputs gives every model with failures its Output: the one build
// made (a model with some results), or one without a File (a model that
// failed entirely), whose failure Write records.
func (c *collector) failedOutputs(opts Options) {
	for _, f := range c.res.Failures {
		if f.Model == "" {
			continue
		}
		o, ok := c.res.Files[f.Model]
		if !ok {
			path, m, _ := outputPath(f.Model, opts)
			o = &Output{BenchName: f.Model, Path: path, Model: m.Name, Checkpoint: m.Checkpoint}
			if o.Model == "" {
				o.Model = f.Model
			}
			c.res.Files[f.Model] = o
		}
		o.Failures = append(o.Failures, f)
	}
}

// safeName reports whether a bench name can name a folder under
// Options.OutDir: "." and ".." would leave it (a bench name holds no
// separator).
func safeName(name string) bool { return benchname.Valid(name) && name != "." && name != ".." }

// inputErr records input that cannot be read as what it claims to be (a
// malformed benchstat CSV): Convert fails with it, as bad input.
func (c *collector) inputErr(file string, line int, msg string) {
	c.errs = append(c.errs, Warning{File: file, Line: line, Msg: msg}.String())
}
