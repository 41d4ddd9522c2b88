package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/nerbench/nerbench/internal/compare"
	"github.com/nerbench/nerbench/internal/contract"
)

func init() {
	commands["compare"] = command{"compare benchmark.json files side by side: latency, throughput, relative speed", compareCmd}
}

const compareUsage = `usage: nerbench compare [-names a,b,...] [-format text|markdown|csv|json] [-o FILE] FILE...

Puts benchmark.json files side by side, as the original tool's comparison
did: mean latency and throughput per batch size, plus p95 and p99 latency
and each model's speed relative to the first (the first model's mean
latency divided by the model's; 2.00x is twice as fast). Rows are batch
sizes in numeric order; N/A marks a batch size a model was not run at.

Results measured on different work (their workload fingerprints differ:
other texts, max_length or schedule) are refused unless
-allow-different-work, which shows them marked. Percentiles that are only
the largest sample are marked (max), and each file's noise warnings are
printed under the table.

A FILE may be a folder holding a benchmark.json. Models are named after
their trial folder (outputs/hpo/bert/trial_1/benchmark.json is bert/trial_1),
or by -names, one per file, in order.

`

// splitNames splits a -names value: comma-separated, blanks around names
// trimmed.
func splitNames(s string) []string {
	if s == "" {
		return nil
	}
	names := strings.Split(s, ",")
	for i := range names {
		names[i] = strings.TrimSpace(names[i])
	}
	return names
}

// loadModels reads files for compare and report, turning every problem
// into a usage error (exit status 2). Files whose workload fingerprints
// differ at a batch size are refused, unless allowDifferent; then the
// returned notes say where, for the table and the report to show.
func loadModels(files []string, names string, allowDifferent bool) ([]compare.Model, []string, error) {
	if len(files) == 0 {
		return nil, nil, usageError("no benchmark.json files given")
	}
	models, err := compare.Load(files, splitNames(names))
	if err != nil {
		return nil, nil, usageError("%v", err)
	}
	var notes []string
	for _, w := range compare.CheckWork(models) {
		if !allowDifferent {
			return nil, nil, usageError("%s: these numbers measured different texts or settings and cannot be set side by side; rerun them on the same work, or pass -allow-different-work to show them marked", w.String(models))
		}
		notes = append(notes, "DIFFERENT WORK: "+w.String(models))
	}
	return models, notes, nil
}

const allowDifferentUsage = "set side by side results measured on different work (workload fingerprints differ), marked as such"

func compareCmd(stdout, stderr io.Writer, args []string) error {
	fs := flag.NewFlagSet("nerbench compare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	names := fs.String("names", "", "comma-separated model `names`, one per file (default: from each file's trial folder)")
	format := fs.String("format", "text", "output `format`: "+compare.Formats)
	outPath := fs.String("o", "", "write the table to `file` (atomically) instead of stdout")
	allowDifferent := fs.Bool("allow-different-work", false, allowDifferentUsage)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), compareUsage)
		fs.PrintDefaults()
	}
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return flagError(err)
	}
	write := compare.Reporters[*format]
	if write == nil {
		return usageError("-format %q: want %s", *format, compare.Formats)
	}
	models, notes, err := loadModels(files, *names, *allowDifferent)
	if err != nil {
		return err
	}
	table := compare.Build(models)
	table.Notes = append(notes, table.Notes...)
	var buf bytes.Buffer
	if err := write(&buf, table); err != nil {
		return err
	}
	if *outPath != "" {
		if err := contract.WriteFileAtomic(*outPath, buf.Bytes(), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "wrote %s\n", *outPath)
		return nil
	}
	_, err = stdout.Write(buf.Bytes())
	return err
}
