package benchname

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/perf/benchfmt"
)

// This file is the one place that writes and parses the names of the
// suite's results:
//
//	BenchmarkInference/model=<bench name>/batch=<n>[-GOMAXPROCS]
//	BenchmarkInference/model=<bench name>/threads=<t>/batch=<n>[-GOMAXPROCS]
//
// The threads=<t> part is there only for a threads sweep (bench.toml's
// intra_op_threads given as a list of two or more counts); with one count
// the names have no threads part.

// Base is the suite's benchmark without its "Benchmark" prefix.
const Base = "Inference"

// Sub returns the sub-benchmark part of a model's result at a batch size,
// "model=<Sanitize(model)>/batch=<n>".
func Sub(model string, batch int) string {
	return "model=" + Sanitize(model) + "/batch=" + strconv.Itoa(batch)
}

// Name returns the name of a model's result at a batch size as benchfmt
// gives it, without the "Benchmark" prefix and the GOMAXPROCS suffix:
// "Inference/model=<Sanitize(model)>/batch=<n>".
func Name(model string, batch int) string { return Base + "/" + Sub(model, batch) }

// SubThreads returns the sub-benchmark part of a model's result at a batch
// size in a threads sweep: "model=<Sanitize(model)>/threads=<t>/batch=<n>".
// threads NoThreads gives Sub's name, without a threads part.
func SubThreads(model string, threads, batch int) string {
	if threads == NoThreads {
		return Sub(model, batch)
	}
	return "model=" + Sanitize(model) + "/threads=" + strconv.Itoa(threads) + "/batch=" + strconv.Itoa(batch)
}

// NoThreads is the thread count of a name without a threads= part (0 is
// a thread count: ONNX Runtime's choice).
const NoThreads = -1

// NameThreads is Name with a threads=<t> part when threads is not
// NoThreads.
func NameThreads(model string, threads, batch int) string {
	return Base + "/" + SubThreads(model, threads, batch)
}

// Parsed is a name of the suite's results, parsed: Threads is NoThreads
// for a name without a threads= part.
type Parsed struct {
	Model   string
	Threads int
	Batch   int
}

// ErrNotOurs is returned by Parse for the result of another benchmark.
var ErrNotOurs = errors.New("not a nerbench result")

// Parse returns the bench name and batch size of a result of the suite,
// named as benchfmt gives it ("Inference/model=tiny/batch=8-2"; a
// "Benchmark" prefix is allowed). It returns ErrNotOurs for another
// benchmark, and another error for a name that looks like ours (its base
// is Inference, or it has a model= part) but cannot be used.
//
// A threads=<t> part, between model= and batch=, is allowed and dropped:
// use ParseName for it.
func Parse(name string) (model string, batch int, err error) {
	p, err := ParseName(name)
	return p.Model, p.Batch, err
}

// ParseName is Parse that also returns the threads=<t> part of a threads
// sweep's name ("Inference/model=tiny/threads=2/batch=8-2"), NoThreads
// when the name has none. A thread count is an integer ≥ 0 (0: ONNX
// Runtime's choice).
func ParseName(name string) (Parsed, error) {
	model, threads, batch, err := parse(name)
	return Parsed{Model: model, Threads: threads, Batch: batch}, err
}

func parse(name string) (model string, threads, batch int, err error) {
	threads = NoThreads
	base, parts := benchfmt.Name(strings.TrimPrefix(name, "Benchmark")).Parts()
	looksOurs := string(base) == Base
	for _, p := range parts {
		if strings.HasPrefix(string(p), "/model=") {
			looksOurs = true
		}
	}
	if !looksOurs {
		return "", 0, 0, ErrNotOurs
	}
	if string(base) != Base {
		return "", 0, 0, fmt.Errorf("has a model= part but is not a sub-benchmark of Benchmark%s", Base)
	}
	haveModel, haveThreads, haveBatch := false, false, false
	for _, p := range parts {
		s := string(p)
		if s[0] == '-' { // GOMAXPROCS
			continue
		}
		key, val, ok := strings.Cut(s[1:], "=")
		if !ok {
			return "", 0, 0, fmt.Errorf("unexpected name part %q (want model=<name>[/threads=<t>]/batch=<n>)", s)
		}
		switch key {
		case "model":
			if haveModel {
				return "", 0, 0, errors.New("two model= parts")
			}
			haveModel = true
			if !Valid(val) {
				return "", 0, 0, fmt.Errorf("model %q is not a bench name (only [A-Za-z0-9._+] allowed)", val)
			}
			model = val
		case "threads":
			if haveThreads {
				return "", 0, 0, errors.New("two threads= parts")
			}
			haveThreads = true
			n, err := strconv.Atoi(val)
			if err != nil || n < 0 || strconv.Itoa(n) != val {
				return "", 0, 0, fmt.Errorf("threads %q is not a thread count (want an integer ≥ 0)", val)
			}
			threads = n
		case "batch":
			if haveBatch {
				return "", 0, 0, errors.New("two batch= parts")
			}
			haveBatch = true
			n, err := strconv.Atoi(val)
			if err != nil || n < 1 {
				return "", 0, 0, fmt.Errorf("batch %q is not a batch size (want an integer ≥ 1)", val)
			}
			batch = n
		default:
			return "", 0, 0, fmt.Errorf("unexpected name part %q (want model=<name>[/threads=<t>]/batch=<n>)", s)
		}
	}
	switch {
	case !haveModel:
		return "", 0, 0, fmt.Errorf("no model= part (want Benchmark%s/model=<name>/batch=<n>)", Base)
	case !haveBatch:
		return "", 0, 0, fmt.Errorf("no batch= part (want Benchmark%s/model=<name>/batch=<n>)", Base)
	}
	return model, threads, batch, nil
}

// Fields returns the values of the model= and batch= parts of any
// benchmark name ("" and 0 for a part it does not have), leniently: the
// last part of each wins and batch= is read up to its first non-digit.
// Use it for names that need not be the suite's; Parse checks them.
func Fields(name string) (model string, batch int) {
	_, parts := benchfmt.Name(name).Parts()
	for _, p := range parts {
		s := string(p)
		if v, ok := strings.CutPrefix(s, "/model="); ok {
			model = v
		}
		if v, ok := strings.CutPrefix(s, "/batch="); ok {
			fmt.Sscanf(v, "%d", &batch)
		}
	}
	return model, batch
}

// Trim drops a "Benchmark" prefix and a GOMAXPROCS suffix from a
// benchmark name: "BenchmarkInference/model=a/batch=8-2" gives
// "Inference/model=a/batch=8".
func Trim(name string) string {
	name = strings.TrimPrefix(name, "Benchmark")
	base, parts := benchfmt.Name(name).Parts()
	var b strings.Builder
	b.Write(base)
	for _, p := range parts {
		if len(p) > 0 && p[0] == '-' {
			continue
		}
		b.Write(p)
	}
	return b.String()
}

// WithModel returns name with the value of its model= part replaced by
// model.
func WithModel(name, model string) string {
	base, parts := benchfmt.Name(name).Parts()
	var b strings.Builder
	b.Write(base)
	for _, p := range parts {
		if strings.HasPrefix(string(p), "/model=") {
			b.WriteString("/model=" + model)
			continue
		}
		b.Write(p)
	}
	return b.String()
}
