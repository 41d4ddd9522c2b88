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
	commands["plan"] = command{"print the test-binary arguments that run each model of bench.toml with its own iterations", planCmd}
}

// planCmd prints one line per model of bench.toml: the model's name, a
// -test.bench pattern that selects exactly its sub-benchmarks, and
// -test.benchtime=<iterations>x. `make bench` runs the compiled suite once
// per line, so that every model gets the iterations bench.toml gives it
// (testing has one -benchtime per process).
func planCmd(stdout, stderr io.Writer, args []string) error {
	fs := flag.NewFlagSet("nerbench plan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "bench.toml", "the bench.toml `file`")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `usage: nerbench plan [-config bench.toml]

Prints, for each [[model]] of bench.toml, a tab-separated line
  NAME  -test.bench=PATTERN  -test.benchtime=Nx
that runs that model's sub-benchmarks with its own iterations. make bench
uses it:
  go test -c -o bin/suite.test .
  nerbench plan -config bench.toml | while IFS=$'\t' read -r name bench benchtime; do
    bin/suite.test -test.run='^$' "$bench" "$benchtime"; done

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
		fmt.Fprintf(&b, "%s\t-test.bench=%s\t-test.benchtime=%dx\n", m.Name, benchPattern(m.Name), m.Settings.Iterations)
	}
	_, err = io.WriteString(stdout, b.String())
	return err
}

// benchPattern is the -test.bench pattern that selects the sub-benchmarks
// of one model, and no other model's.
func benchPattern(model string) string {
	return "^BenchmarkInference$/^model=" + regexp.QuoteMeta(benchname.Sanitize(model)) + "$"
}
