//go:build cgo

package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/nerbench/nerbench/benchmarks/benchname"
	"github.com/nerbench/nerbench/benchmarks/config"
	"github.com/nerbench/nerbench/benchmarks/dataset"
	"github.com/nerbench/nerbench/benchmarks/engine"
	"github.com/nerbench/nerbench/benchmarks/runner"
	"github.com/nerbench/nerbench/converter"
	"github.com/nerbench/nerbench/internal/selection"
)

// benchmarkCandidates is select --benchmark's measuring step: it finds each
// backbone's best trial as select does, and benchmarks those whose
// benchmark.json is missing, was measured on other work or on another
// machine, in interleaved rounds (each round: every such model and batch
// size once) on the same texts and settings s, and writes their
// benchmark.json (the median across rounds, with each round's values).
func benchmarkCandidates(stderr io.Writer, o selection.Options, s config.Settings, rounds int) (err error) {
	cands, warns, err := selection.Scan(o)
	for _, w := range warns {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	if err != nil {
		return err
	}
	fp, err := batch1Fingerprint(s)
	if err != nil {
		return usageError("%v", err)
	}
	cpu := cpuModel()
	var todo []*selection.Candidate
	for _, c := range cands {
		if why := staleness(c, fp, cpu); why != "" {
			fmt.Fprintf(stderr, "select: benchmarking %s %s: %s\n", c.Backbone, c.TrialName, why)
			todo = append(todo, c)
		} else {
			fmt.Fprintf(stderr, "select: %s %s: %s measured the same work on this machine; kept\n", c.Backbone, c.TrialName, c.BenchmarkPath)
		}
	}
	if len(todo) == 0 {
		return nil
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

	type arm struct {
		name, ckpt, out string
		model           *runner.Model
		batches         []*runner.Batches
		cfg             []benchfmt.Config
		gobench         bytes.Buffer
	}
	var arms []*arm
	defer func() {
		for _, a := range arms {
			for i := len(a.batches) - 1; i >= 0; i-- {
				err = errors.Join(err, a.batches[i].Close())
			}
			err = errors.Join(err, a.model.Close())
		}
	}()
	for _, c := range todo {
		a := &arm{name: benchname.Sanitize(c.Backbone + "_" + c.TrialName), ckpt: checkpointOf(c.TrialDir),
			out: filepath.Join(c.TrialDir, "benchmark.json")}
		if a.model, err = runner.Open(a.name, a.ckpt, s); err != nil {
			return err
		}
		arms = append(arms, a)
		for _, w := range a.model.Warnings {
			fmt.Fprintf(stderr, "warning: %s: %s\n", a.name, w)
		}
		enc, err := a.model.Encode(ds.Texts)
		if err != nil {
			return err
		}
		for _, size := range s.BatchSizes {
			bs, err := a.model.Prepare(enc, size)
			if err != nil {
				return err
			}
			a.batches = append(a.batches, bs)
		}
		env, err := runner.Provenance(a.model, ds.Path, len(enc.Texts), len(ds.Texts))
		if err != nil {
			return err
		}
		env.ORTVersion, env.Device, env.Commit = version, a.model.Session.Device, runner.GitCommit()
		a.cfg = append([]benchfmt.Config{
			{Key: "goos", Value: []byte(runtime.GOOS), File: true},
			{Key: "goarch", Value: []byte(runtime.GOARCH), File: true},
			{Key: "cpu", Value: []byte(cpu), File: true},
		}, env.Config()...)
		a.gobench.WriteString(runner.UnitLines)
	}
	start := time.Now()
	for round := 1; round <= rounds; round++ {
		for _, a := range arms {
			bw := benchfmt.NewWriter(&a.gobench)
			for _, bs := range a.batches {
				prog := runner.NewProgress(stderr, fmt.Sprintf("round %d of %d model %s batch %d", round, rounds, a.name, bs.Size), 0)
				r, err := runner.MeasureProgress(bs, s.Warmup, s.Iterations, prog)
				if err != nil {
					return fmt.Errorf("%s: %w", a.name, err)
				}
				r.Model = a.name
				if err := bw.Write(r.Record(a.cfg...)); err != nil {
					return err
				}
				for _, w := range r.Warnings() {
					fmt.Fprintf(stderr, "warning: round %d %s batch %d: %s\n", round, a.name, bs.Size, w)
				}
			}
		}
		fmt.Fprintf(stderr, "select: round %d of %d done (%v)\n", round, rounds, time.Since(start).Round(time.Second))
	}
	for _, a := range arms {
		f, err := convert(stderr, a.gobench.Bytes(), a.name, a.ckpt, a.out, nil) // one thread count: the first of a sweep
		if err != nil {
			return err
		}
		if _, err := converter.Write(&converter.Result{Files: map[string]*converter.Output{f.BenchName: f}}); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "select: wrote %s\n", a.out)
	}
	return nil
}
