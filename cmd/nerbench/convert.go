package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/nerbench/nerbench/benchmarks/config"
	"github.com/nerbench/nerbench/benchmarks/shard"
	"github.com/nerbench/nerbench/converter"
	"github.com/nerbench/nerbench/internal/contract"
)

func init() {
	commands["convert"] = command{"turn go test -bench (or benchstat -format csv) output into benchmark.json files", convertCmd}
}

// convertStdin is what "-" reads; tests replace it.
var convertStdin io.Reader = os.Stdin

func convertCmd(stdout, stderr io.Writer, args []string) error {
	fs := flag.NewFlagSet("nerbench convert", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "", "bench.toml `file`: each model's benchmark.json goes to its output")
	outDir := fs.String("out-dir", "", "write `dir`/<model>/benchmark.json (wins over bench.toml's outputs)")
	asJSON := fs.Bool("json", false, "print what was written as JSON")
	allowPartial := fs.Bool("allow-partial", false, "when a benchmark failed, still write the results of the others (a failed one's failure is recorded in its file)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `usage: nerbench convert [-config bench.toml] [-out-dir DIR] [-json] [files... | -]

Reads the output of go test -bench (any number of runs, files, or
concatenated outputs) or of benchstat -format csv old.txt new.txt, from the
files named or from stdin ("-", or no files), and writes one benchmark.json
per model. Prints one line per file written; warnings go to stderr.

A failed benchmark is never a result: a "--- FAIL" line, a panic, a
truncated or unusable result line, or a model or batch size of -config
without a result makes convert exit 1, naming each one. Nothing is written
then but a failure record in place of each failed model's benchmark.json
(so that an older file does not stay looking current); -allow-partial
writes the other results too, and lists the failures in each file.

The outputs of the shards of a sharded run (make bench SHARD=i/n, the
suite's -nerbench.shard, nerbench run --shard), from any number of machines
and files, are merged into the files one unsplit run gives; a missing
shard, a shard given twice, or shards of different matrices are errors.
Results of different machines are never pooled: a model measured on
several machines gets a benchmark.<machine>.json per machine.

`)
		fs.PrintDefaults()
	}
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return flagError(err)
	}
	if *configPath == "" && *outDir == "" {
		return usageError("nowhere to write: give -config bench.toml or -out-dir DIR")
	}

	opts := converter.Options{OutDir: *outDir}
	if *configPath != "" {
		cfg, err := config.LoadTables(*configPath)
		if err != nil {
			return usageError("%v", err)
		}
		opts.Models = converter.FromConfig(cfg)
		opts.Expect = converter.ExpectFromConfig(cfg)
		_, opts.Matrix = shard.Matrix(cfg)
	}
	inputs, err := converter.ReadInputs(files, convertStdin)
	if err != nil {
		return usageError("%v", err)
	}
	res, convErr := converter.Convert(inputs, opts)
	for _, n := range res.Notes {
		fmt.Fprintf(stderr, "note: %s\n", n)
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	for _, w := range res.Noise {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	if errors.Is(convErr, converter.ErrMalformed) {
		return usageError("%v", convErr)
	}
	if n := len(res.Failures); n > 0 {
		word := "FAIL"
		if *allowPartial {
			word = "warning: failed"
		}
		for _, f := range res.Failures {
			fmt.Fprintf(stderr, "%s: %s\n", word, f)
		}
		if !*allowPartial {
			written, writeErr := converter.WriteFailures(res)
			for _, o := range written {
				fmt.Fprintf(stderr, "recorded the failure of model %s in %s\n", o.BenchName, o.Path)
			}
			err := fmt.Errorf("%d %s failed or gave no result; no results written (-allow-partial writes the others)", n, plural(n, "benchmark"))
			return failure(errors.Join(err, writeErr))
		}
	}
	if convErr != nil {
		return usageError("%v", convErr)
	}
	written, writeErr := converter.Write(res)
	if writeErr != nil && errors.Is(writeErr, contract.ErrNotRegular) {
		writeErr = &exitError{code: 2, err: writeErr}
	}
	if err := printWritten(stdout, written, res, *asJSON); err != nil {
		return errors.Join(writeErr, err)
	}
	return writeErr
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// parseInterleaved parses flags that may come before, between or after the
// file names, and returns the file names.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return rest, nil
		}
		if args[0] == "--" {
			return append(rest, args[1:]...), nil
		}
		rest = append(rest, args[0])
		args = args[1:]
	}
}

// written is one line of the -json output.
type written struct {
	Path       string   `json:"path"`
	Model      string   `json:"model"`
	BenchName  string   `json:"bench_name"`
	BatchSizes []int    `json:"batch_sizes"`
	Runs       []int    `json:"runs"` // per batch size; 0 when unknown
	Device     string   `json:"device"`
	Failed     bool     `json:"failed,omitempty"` // a failure record was written
	Machine    string   `json:"machine,omitempty"`
	Threads    []int    `json:"thread_counts,omitempty"` // a threads sweep's counts
	Warnings   []string `json:"warnings,omitempty"`
}

func printWritten(w io.Writer, outs []*converter.Output, res *converter.Result, asJSON bool) error {
	var list []written
	for _, o := range outs {
		f := o.File
		if f == nil { // a failure record
			list = append(list, written{Path: o.Path, Model: o.Model, BenchName: o.BenchName, Failed: true})
			continue
		}
		sizes := f.BatchSizes()
		runs := make([]int, len(sizes))
		for i, n := range sizes {
			runs[i] = runsOf(f.Batches[n])
		}
		_, counts, _ := contract.ThreadSweep(f)
		list = append(list, written{Path: o.Path, Model: f.Model, BenchName: o.BenchName, BatchSizes: sizes, Runs: runs, Device: f.Device, Machine: f.Machine, Threads: counts})
	}
	if asJSON {
		var warnings []string
		for _, x := range res.Warnings {
			warnings = append(warnings, x.String())
		}
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Files    []written `json:"files"`
			Warnings []string  `json:"warnings,omitempty"`
		}{list, warnings})
	}
	var b strings.Builder
	for _, x := range list {
		model := x.Model
		if strings.ContainsAny(model, " \t\"") {
			model = strconv.Quote(model)
		}
		if x.Failed {
			fmt.Fprintf(&b, "%s\tmodel=%s\tfailed\n", x.Path, model)
			continue
		}
		fmt.Fprintf(&b, "%s\tmodel=%s\tbatches=%s\truns=%s", x.Path, model, joinInts(x.BatchSizes), runsText(x.Runs))
		if len(x.Threads) > 0 {
			fmt.Fprintf(&b, "\tthreads=%s", joinInts(x.Threads))
		}
		if x.Machine != "" {
			fmt.Fprintf(&b, "\tmachine=%q", x.Machine)
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// runsOf returns the number of runs behind a batch entry: 1 for a single
// run, 0 when unknown (benchstat output without n).
func runsOf(b *contract.Batch) int {
	if b.Runs > 0 {
		return b.Runs
	}
	if b.Iterations > 0 {
		return 1
	}
	return 0
}

func runsText(runs []int) string {
	if len(runs) > 0 && !slices.ContainsFunc(runs, func(n int) bool { return n != runs[0] }) {
		runs = runs[:1]
	}
	s := make([]string, len(runs))
	for i, n := range runs {
		s[i] = strconv.Itoa(n)
		if n == 0 {
			s[i] = "?"
		}
	}
	return strings.Join(s, ",")
}

func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ",")
}
