package converter

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/nerbench/nerbench/internal/contract"
)

// fuzzSeeds adds the golden inputs of testdata as seeds.
func fuzzSeeds(f *testing.F, pattern string) {
	paths, err := filepath.Glob(filepath.Join("testdata", pattern))
	if err != nil || len(paths) == 0 {
		f.Fatalf("no seeds %s: %v", pattern, err)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// checkResult checks what Convert returns for any input: no panic, and
// every file it would write is valid and reads back.
func checkResult(t *testing.T, res *Result, err error) {
	if res == nil {
		t.Fatalf("nil Result (err %v)", err)
	}
	if err != nil {
		return
	}
	for name, o := range res.Files {
		if o.File == nil {
			if len(o.Failures) == 0 {
				t.Errorf("%s: neither results nor failures", name)
			}
			continue
		}
		if err := o.File.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		data, err := contract.Encode(o.File)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := contract.Decode(name, data); err != nil {
			t.Errorf("%s: does not read back: %v", name, err)
		}
		if !safeName(name) {
			t.Errorf("bench name %q cannot name a folder", name)
		}
		for _, f := range res.Failures {
			if f.Model == name && f.Batch > 0 && o.File.Batches[f.Batch] != nil {
				t.Errorf("%s: batch %d failed but is a result", name, f.Batch)
			}
		}
	}
}

// The Go benchmark reader never panics and never makes an invalid file.
func FuzzGoBench(f *testing.F) {
	fuzzSeeds(f, "*.txt")
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Convert([]Input{{Name: "in.txt", Data: data}}, Options{Now: fixedNow, OutDir: "out"})
		checkResult(t, res, err)
	})
}

// The benchstat CSV reader never panics and never makes an invalid file.
func FuzzBenchstatCSV(f *testing.F) {
	fuzzSeeds(f, "*.csv")
	f.Fuzz(func(t *testing.T, data []byte) {
		c := newCollector()
		c.addBenchstatCSV(Input{Name: "in.csv", Data: data})
		if len(c.errs) > 0 {
			return // malformed: Convert fails with them
		}
		c.dropFailed()
		c.build(Options{Now: fixedNow})
		c.failedOutputs(Options{Now: fixedNow})
		checkResult(t, c.res, nil)
	})
}
