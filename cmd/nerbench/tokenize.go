package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nerbench/nerbench/benchmarks/config"
	"github.com/nerbench/nerbench/benchmarks/dataset"
	"github.com/nerbench/nerbench/benchmarks/tokenize"
)

func init() {
	commands["tokenize"] = command{"print the token ids a checkpoint's tokenizer gives for test data, or time it (--time)", tokenizeCmd}
}

// tokenizeCmd prints, for every non-blank text of the test data, the ids
// the checkpoint's tokenizer gives (special tokens added, truncated to
// --max-length), one JSON object per line: {"i": index in the file, "ids":
// [...]}. With --time it tokenizes the whole set --runs times instead, each
// time with an empty word cache (as the suite's preparation does), and
// prints each run in the Go benchmark format (docs/sec, tokens/doc).
func tokenizeCmd(stdout, stderr io.Writer, args []string) error {
	def := config.DefaultSettings()
	fs := flag.NewFlagSet("nerbench tokenize", flag.ContinueOnError)
	fs.SetOutput(stderr)
	ckpt := fs.String("checkpoint", "", "checkpoint `dir` with tokenizer.json or vocab.txt, or the tokenizer file itself (required)")
	testData := fs.String("test-data", "", "test data `file`: JSON list of strings or of {\"text\": …}, or JSON Lines (required)")
	maxLength := fs.Int("max-length", def.MaxLength, "truncate to this many tokens, special tokens included (0: no truncation)")
	format := fs.String("format", "jsonl", "output: jsonl ({\"i\":index,\"ids\":[...]} per text, the index counting blank texts, which are skipped)")
	timeIt := fs.Bool("time", false, "time tokenization of the whole set instead of printing ids")
	runs := fs.Int("runs", 5, "with --time: timed passes over the set")
	workers := fs.Int("workers", 0, "goroutines that tokenize (0: one per CPU, GOMAXPROCS)")
	if err := fs.Parse(args); err != nil {
		return flagError(err)
	}
	if fs.NArg() > 0 {
		return usageError("unexpected arguments %q", fs.Args())
	}
	var missing []string
	if *ckpt == "" {
		missing = append(missing, "--checkpoint")
	}
	if *testData == "" {
		missing = append(missing, "--test-data")
	}
	if len(missing) > 0 {
		return usageError("%s required (see nerbench tokenize -h)", strings.Join(missing, ", "))
	}
	if *format != "jsonl" {
		return usageError("--format %q: want jsonl", *format)
	}
	if *maxLength < 0 || *runs < 1 || *workers < 0 {
		return usageError("--max-length and --workers must be ≥ 0, --runs ≥ 1")
	}
	tk, err := tokenize.LoadCheckpoint(*ckpt)
	if err != nil {
		return usageError("%v", err)
	}
	ds, err := dataset.Load(*testData)
	if err != nil {
		return usageError("%v", err)
	}
	if !*timeIt {
		encs, err := tk.EncodeAll(ds.Texts, *maxLength, *workers)
		if err != nil {
			return err
		}
		w := bufio.NewWriter(stdout)
		for k, e := range encs {
			writeIDs(w, ds.Index[k], e.IDs)
		}
		return w.Flush()
	}

	n := *workers
	if n == 0 {
		n = runtime.GOMAXPROCS(0)
	}
	name := strings.NewReplacer("/", "_", " ", "_").Replace(strings.TrimSuffix(filepath.Base(tk.Path), filepath.Ext(tk.Path)))
	if filepath.Base(tk.Path) == "tokenizer.json" || filepath.Base(tk.Path) == "vocab.txt" {
		name = defaultName(filepath.Dir(tk.Path))
	}
	fmt.Fprintf(stdout, "texts: %d\nmax-length: %d\nworkers: %d\nUnit docs/sec better=higher\n", len(ds.Texts), *maxLength, n)
	var rates []float64
	for range *runs {
		tk.ResetCache()
		start := time.Now()
		encs, err := tk.EncodeAll(ds.Texts, *maxLength, n)
		el := time.Since(start)
		if err != nil {
			return err
		}
		tokens := 0
		for _, e := range encs {
			tokens += len(e.IDs)
		}
		rate := float64(len(encs)) / el.Seconds()
		rates = append(rates, rate)
		fmt.Fprintf(stdout, "BenchmarkTokenize/tokenizer=%s/workers=%d 1 %d ns/op %.1f docs/sec %.2f tokens/doc\n",
			name, n, el.Nanoseconds(), rate, float64(tokens)/float64(len(encs)))
	}
	slices.Sort(rates)
	fmt.Fprintf(stderr, "nerbench tokenize: %d texts, median %.0f docs/sec over %d runs on %d workers\n", len(ds.Texts), rates[len(rates)/2], *runs, n)
	return nil
}

// writeIDs writes {"i": i, "ids": [...]} and a newline.
func writeIDs(w *bufio.Writer, i int, ids []int64) {
	var buf []byte
	buf = append(buf, `{"i":`...)
	buf = strconv.AppendInt(buf, int64(i), 10)
	buf = append(buf, `,"ids":[`...)
	for k, id := range ids {
		if k > 0 {
			buf = append(buf, ","...)
		}
		buf = strconv.AppendInt(buf, id, 10)
	}
	buf = append(buf, "]}\n"...)
	w.Write(buf)
}
