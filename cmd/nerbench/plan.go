package main

import (
	"flag"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/nerbench/nerbench/benchmarks/benchname"
	"github.com/nerbench/nerbench/benchmarks/config"
)

func init() {
	commands["plan"] = command{"print the test-binary arguments that run each model and batch size of bench.toml, one process each", planCmd}
}

// planCmd prints one line per model and batch size of bench.toml: the
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
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `usage: nerbench plan [-config bench.toml]

Prints, for each [[model]] of bench.toml and each of its batch sizes, a
tab-separated line
  NAME  BATCH  -test.bench=PATTERN  -test.benchtime=Nx
that runs that one sub-benchmark with the model's own iterations. make
bench runs every line once per round (COUNT rounds):
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
	var b strings.Builder
	for _, m := range cfg.Models {
		for _, n := range m.Settings.BatchSizes {
			fmt.Fprintf(&b, "%s\t%d\t-test.bench=%s/^batch=%d$\t-test.benchtime=%dx\n", m.Name, n, benchPattern(m.Name), n, m.Settings.Iterations)
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
