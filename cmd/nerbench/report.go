package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/nerbench/nerbench/internal/contract"
	"github.com/nerbench/nerbench/internal/htmlreport"
)

func init() {
	commands["report"] = command{"write a self-contained HTML report with charts of benchmark.json files", reportCmd}
}

const reportUsage = `usage: nerbench report [-names a,b,...] [-title TITLE] -o report.html FILE...

Writes one self-contained HTML page (no scripts, styles embedded, nothing
fetched) about the benchmark.json files: the models and how they were
measured, SVG charts of mean, p95 and p99 latency and of throughput against
batch size, a latency histogram per batch size where per-iteration samples
were kept (keep_samples = true in bench.toml, or nerbench run
--keep-samples), and the tables of nerbench compare.

A FILE may be a folder holding a benchmark.json. Models are named after
their trial folder (outputs/hpo/bert/trial_1/benchmark.json is bert/trial_1),
or by -names, one per file, in order. The page is written atomically.

`

// reportNow is the time shown as the report's making; tests replace it.
var reportNow = time.Now

func reportCmd(stdout, stderr io.Writer, args []string) error {
	fs := flag.NewFlagSet("nerbench report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	names := fs.String("names", "", "comma-separated model `names`, one per file (default: from each file's trial folder)")
	title := fs.String("title", htmlreport.DefaultTitle, "the page's `title`")
	outPath := fs.String("o", "", "HTML `file` to write (required)")
	fs.StringVar(outPath, "output", "", "same as -o")
	allowDifferent := fs.Bool("allow-different-work", false, allowDifferentUsage)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), reportUsage)
		fs.PrintDefaults()
	}
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return flagError(err)
	}
	if *outPath == "" {
		return usageError("-o report.html required (see nerbench report -h)")
	}
	models, notes, err := loadModels(files, *names, *allowDifferent)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := htmlreport.Render(&buf, models, htmlreport.Options{Title: *title, Generated: reportNow(), Notes: notes}); err != nil {
		return err
	}
	if err := contract.WriteFileAtomic(*outPath, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", *outPath, err)
	}
	fmt.Fprintf(stdout, "%s\n", *outPath)
	return nil
}
