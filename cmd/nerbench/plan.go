package main

import (
	"flag"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/nerbench/nerbench/benchmarks/benchname"
	"github.com/nerbench/nerbench/benchmarks/config"
	"github.com/nerbench/nerbench/benchmarks/shard"
)

func init() {
	commands["plan"] = command{"print the test-binary arguments that run each model and batch size of bench.toml, one process each", planCmd}
}

// planCmd prints one line per model and batch size of bench.toml (per
// model, thread count and batch size for a threads sweep): the
// model's name, the batch size, a -test.bench pattern that selects exactly
// that sub-benchmark, and -test.benchtime=<iterations>x. `make bench` runs
// the compiled suite once per line and round, so that every model gets the
// iterations bench.toml gives it (testing has one -benchtime per process)
// and a load spike during one round hits every model and batch size alike.
// The suite rounds iterations up to whole passes over the timed texts.
func planCmd(stdout, stderr io.Writer, args []string) error {
	fs := flag.NewFlagSet("nerbench plan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "bench.toml", "the bench.toml `file`")
	shardArg := fs.String("shard", "", "print only the models with cells in shard `i/n` (the suite itself runs only that shard's cells when given the same shard: NERBENCH_SHARD or -nerbench.shard)")
	durations := fs.String("shard-durations", "", "Go benchmark output `file` of a previous run: split the shards by its durations instead of the estimate")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `usage: nerbench plan [-config bench.toml]

Prints, for each [[model]] of bench.toml and each of its batch sizes, a
tab-separated line
  NAME  BATCH  -test.bench=PATTERN  -test.benchtime=Nx
that runs that one sub-benchmark with the model's own iterations. A
model with a threads sweep (intra_op_threads = [1, 2]) has a line per
thread count and batch size, its pattern with the threads level:
  -test.bench=^BenchmarkInference$/^model=NAME$/^threads=2$/^batch=8$
With
-shard i/n, only the cells (model and batch size) of that shard (the
suite, given the same shard, runs only those cells). make bench runs every
line once per round (COUNT rounds):
  go test -c -o bin/suite.test .
  nerbench plan -config bench.toml > plan.tsv
  for round in 1 2 3; do
    while IFS=$'\t' read -r name batch bench benchtime; do
      NERBENCH_RUN_TAG=r$round-b$batch bin/suite.test -test.run='^$' "$bench" "$benchtime"
    done < plan.tsv
  done

`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return flagError(err)
	}
	if fs.NArg() > 0 {
		return usageError("unexpected argument %q (flags only; see nerbench plan -h)", fs.Arg(0))
	}
	cfg, err := config.LoadTables(*configPath)
	if err != nil {
		return usageError("%v", err)
	}
	spec, err := shard.ParseSpec(*shardArg)
	if err != nil {
		return usageError("-shard: %v", err)
	}
	var cells shard.Set
	if !spec.IsZero() {
		var d map[string]float64
		if *durations != "" {
			if d, err = shard.ReadDurations(*durations); err != nil {
				return usageError("%v", err)
			}
		}
		plan, err := shard.New(cfg, spec.Count, d)
		if err != nil {
			return usageError("%v", err)
		}
		cells = plan.CellSet(spec)
		fmt.Fprintf(stderr, "nerbench plan: shard %s of matrix %s has %d of %d cells, cost %d of %d (plan %s, by %s)\n",
			spec, plan.Matrix, len(plan.Of(spec)), len(plan.Cells), plan.Cost(spec), plan.Cost(shard.Spec{}), plan.ID, plan.Basis)
	} else if *durations != "" {
		return usageError("-shard-durations needs -shard")
	}
	var b strings.Builder
	for _, m := range cfg.Models {
		for _, t := range m.Settings.Threads() {
			threads := "" // the threads level of a threads sweep
			if t != benchname.NoThreads {
				threads = "/^threads=" + strconv.Itoa(t) + "$"
			}
			for _, n := range m.Settings.BatchSizes {
				if !cells.HasThreads(m.BenchName(), t, n) {
					continue
				}
				fmt.Fprintf(&b, "%s\t%d\t-test.bench=%s%s/^batch=%d$\t-test.benchtime=%dx\n", m.Name, n, benchPattern(m.Name), threads, n, m.Settings.Iterations)
			}
		}
	}
	_, err = io.WriteString(stdout, b.String())
	return err
}

// benchPattern is the -test.bench pattern that selects the sub-benchmarks
// of one model, and no other model's.
func benchPattern(model string) string {
	return "^BenchmarkInference$/^model=" + regexp.QuoteMeta(benchname.Sanitize(model)) + "$"
}
