package converter

import (
	"bytes"
	"encoding/json"
	"errors"
	"github.com/nerbench/nerbench/internal/golden"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nerbench/nerbench/benchmarks/config"
	"github.com/nerbench/nerbench/internal/contract"
	"github.com/nerbench/nerbench/internal/contract/schematest"
)

func fixedNow() time.Time { return time.Date(2025, 1, 20, 10, 30, 0, 0, time.UTC) }

// goldenCases maps a case name to its inputs: testdata/<case>.txt or
// testdata/<case>.csv, or several files testdata/<case>.<n>.txt read in
// order. A folder testdata/<case>/ with a bench.toml gives the case a
// configuration; otherwise files go to an output folder.
func goldenCases(t *testing.T) map[string][]string {
	t.Helper()
	var paths []string
	for _, pat := range []string{"testdata/*.txt", "testdata/*.csv"} {
		m, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, m...)
	}
	slices.Sort(paths)
	cases := map[string][]string{}
	for _, p := range paths {
		name, _, _ := strings.Cut(filepath.Base(p), ".")
		cases[name] = append(cases[name], filepath.ToSlash(p))
	}
	return cases
}

// caseResult is what a case's .golden.json holds.
type caseResult struct {
	Error    string                `json:"error,omitempty"`
	Warnings []string              `json:"warnings,omitempty"`
	Notes    []string              `json:"notes,omitempty"`
	Failures []string              `json:"failures,omitempty"`
	Files    map[string]goldenFile `json:"files,omitempty"`
}

type goldenFile struct {
	// Path is relative to the case's output folder; "" when not written.
	Path string          `json:"path"`
	JSON json.RawMessage `json:"benchmark.json"`
}

func readInputs(t *testing.T, paths []string) []Input {
	t.Helper()
	var ins []Input
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		ins = append(ins, Input{Name: p, Data: data})
	}
	return ins
}

// runCase converts inputs in a fresh folder, writes the files, checks each
// written file against the schema and returns what happened.
func runCase(t *testing.T, name string, ins []Input) *caseResult {
	t.Helper()
	dir := t.TempDir()
	opts := Options{Now: fixedNow}
	if _, err := os.Stat(filepath.Join("testdata", name, "bench.toml")); err == nil {
		if err := os.CopyFS(dir, os.DirFS(filepath.Join("testdata", name))); err != nil {
			t.Fatal(err)
		}
		cfg, err := config.Load(filepath.Join(dir, "bench.toml"))
		if err != nil {
			t.Fatal(err)
		}
		opts.Models = FromConfig(cfg)
		opts.Expect = ExpectFromConfig(cfg)
	} else {
		opts.OutDir = dir
	}
	res, err := Convert(ins, opts)
	if res == nil {
		t.Fatalf("Convert returned a nil Result (err %v)", err)
	}
	g := &caseResult{}
	for _, w := range res.Warnings {
		g.Warnings = append(g.Warnings, w.String())
	}
	for _, n := range res.Notes {
		g.Notes = append(g.Notes, n.String())
	}
	for _, f := range res.Failures {
		g.Failures = append(g.Failures, f.String())
	}
	if err != nil {
		g.Error = err.Error()
		if len(res.Files) > 0 {
			t.Errorf("Convert failed but returned %d files", len(res.Files))
		}
		return g
	}
	written, err := Write(res)
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	g.Files = map[string]goldenFile{}
	for _, bn := range res.BenchNames() {
		o := res.Files[bn]
		if o.File == nil { // failed entirely: a failure record
			data, err := os.ReadFile(o.Path)
			if err != nil {
				t.Fatalf("%s: failure record: %v", bn, err)
			}
			if _, err := contract.Decode(o.Path, data); !errors.Is(err, contract.ErrFailed) {
				t.Errorf("contract.Decode of a failure record: %v, want ErrFailed", err)
			}
			rel, err := filepath.Rel(dir, o.Path)
			if err != nil {
				t.Fatal(err)
			}
			g.Files[bn] = goldenFile{Path: filepath.ToSlash(rel), JSON: bytes.ReplaceAll(data, []byte(dir), []byte("$OUT"))}
			continue
		}
		data, err := contract.Encode(o.File)
		if err != nil {
			t.Fatal(err)
		}
		gf := goldenFile{JSON: data}
		if slices.Contains(written, o) {
			onDisk, err := os.ReadFile(o.Path)
			if err != nil {
				t.Fatalf("reading what Write wrote: %v", err)
			}
			if !bytes.Equal(onDisk, data) {
				t.Errorf("%s: file on disk differs from the encoded result", o.Path)
			}
			rel, err := filepath.Rel(dir, o.Path)
			if err != nil {
				t.Fatal(err)
			}
			gf.Path = filepath.ToSlash(rel)
			data = onDisk
		} else if o.Path != "" {
			t.Errorf("%s: has a path but was not written", bn)
		}
		schematest.Validate(t, data)
		if _, err := contract.Decode(o.Path, data); err != nil {
			t.Errorf("contract.Decode: %v", err)
		}
		// Paths from bench.toml are absolute: make them stable.
		gf.JSON = bytes.ReplaceAll(data, []byte(dir), []byte("$OUT"))
		g.Files[bn] = gf
	}
	return g
}

func compareGolden(t *testing.T, path string, g *caseResult) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(g); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, path, buf.Bytes())
}

func TestGolden(t *testing.T) {
	cases := goldenCases(t)
	if len(cases) == 0 {
		t.Fatal("no golden cases in testdata")
	}
	for _, name := range slices.Sorted(maps.Keys(cases)) {
		t.Run(name, func(t *testing.T) {
			g := runCase(t, name, readInputs(t, cases[name]))
			compareGolden(t, filepath.Join("testdata", name+".golden.json"), g)
		})
	}
}

// TestBenchstatLive runs the module's pinned benchstat on the inputs in
// testdata/benchstat/ and checks that its CSV output is the golden copy
// testdata/benchstat.csv and converts to the same result.
func TestBenchstatLive(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs benchstat")
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("no go command on PATH (%v): install Go (see go.mod for the version) and put its bin folder on PATH", err)
	}
	cmd := exec.Command(goCmd, "tool", "benchstat", "-format", "csv",
		"testdata/benchstat/old.txt", "testdata/benchstat/new.txt")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go tool benchstat: %v\n%s", err, stderr.Bytes())
	}
	const goldenCSV = "testdata/benchstat.csv"
	golden.Check(t, goldenCSV, out) // differs with a new benchstat

	if detect(out) != formatBenchstatCSV {
		t.Fatal("benchstat's CSV output is not detected as such")
	}
	g := runCase(t, "benchstat", []Input{{Name: goldenCSV, Data: out}})
	if !*golden.Update {
		compareGolden(t, "testdata/benchstat.golden.json", g)
	}
}
