package converter

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/perf/benchfmt"

	"github.com/nerbench/nerbench/benchmarks/benchname"
)

// baseName is the base name of our benchmark, without "Benchmark".
const baseName = "Inference"

// errNotOurs marks the result of another benchmark.
var errNotOurs = errors.New("not a nerbench result")

// parseName splits name, a full benchmark name without the "Benchmark"
// prefix, into its model and batch size. It returns errNotOurs for another
// benchmark, and another error for a name that looks like ours (its base is
// Inference, or it has a model= part) but cannot be used.
func parseName(name benchfmt.Name) (model string, batch int, err error) {
	base, parts := name.Parts()
	looksOurs := string(base) == baseName
	for _, p := range parts {
		if strings.HasPrefix(string(p), "/model=") {
			looksOurs = true
		}
	}
	if !looksOurs {
		return "", 0, errNotOurs
	}
	if string(base) != baseName {
		return "", 0, fmt.Errorf("has a model= part but is not a sub-benchmark of Benchmark%s", baseName)
	}
	haveModel, haveBatch := false, false
	for _, p := range parts {
		s := string(p)
		if s[0] == '-' { // GOMAXPROCS
			continue
		}
		key, val, ok := strings.Cut(s[1:], "=")
		if !ok {
			return "", 0, fmt.Errorf("unexpected name part %q (want model=<name>/batch=<n>)", s)
		}
		switch key {
		case "model":
			if haveModel {
				return "", 0, errors.New("two model= parts")
			}
			haveModel = true
			if !benchname.Valid(val) {
				return "", 0, fmt.Errorf("model %q is not a bench name (only [A-Za-z0-9._+] allowed)", val)
			}
			model = val
		case "batch":
			if haveBatch {
				return "", 0, errors.New("two batch= parts")
			}
			haveBatch = true
			n, err := strconv.Atoi(val)
			if err != nil || n < 1 {
				return "", 0, fmt.Errorf("batch %q is not a batch size (want an integer ≥ 1)", val)
			}
			batch = n
		default:
			return "", 0, fmt.Errorf("unexpected name part %q (want model=<name>/batch=<n>)", s)
		}
	}
	switch {
	case !haveModel:
		return "", 0, errors.New("no model= part (want BenchmarkInference/model=<name>/batch=<n>)")
	case !haveBatch:
		return "", 0, errors.New("no batch= part (want BenchmarkInference/model=<name>/batch=<n>)")
	}
	return model, batch, nil
}

// parseConfigLine parses a "key: value" configuration line by the Go
// benchmark format's rule: the key starts with a lower-case letter and holds
// no space or upper-case letter; an empty value deletes the key.
func parseConfigLine(line string) (key, val string, ok bool) {
	key, val, found := strings.Cut(line, ":")
	if !found || key == "" {
		return "", "", false
	}
	for i, r := range key {
		if i == 0 && !unicode.IsLower(r) || unicode.IsSpace(r) || unicode.IsUpper(r) {
			return "", "", false
		}
	}
	if val != "" && val[0] != ' ' && val[0] != '\t' {
		return "", "", false
	}
	return key, strings.TrimLeft(val, " \t"), true
}
