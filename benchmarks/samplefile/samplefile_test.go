package samplefile

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestPath(t *testing.T) {
	for in, want := range map[string]string{
		"outputs/hpo/bert/trial_1/benchmark.json": "outputs/hpo/bert/trial_1/benchmark.samples.jsonl",
		"/tmp/x/result": "/tmp/x/result.samples.jsonl",
	} {
		if got := Path(in); got != want {
			t.Errorf("Path(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "benchmark.samples.jsonl")
	f, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if !filepath.IsAbs(f.Path()) || f.Path() != path {
		t.Errorf("Path() = %q, want %q", f.Path(), path)
	}
	want := []Record{
		{Model: "tiny/trial-0", Batch: 1, SamplesNs: []float64{1234567, 2e6, 0.5}},
		{Model: "tiny/trial-0", Batch: 8, SamplesNs: []float64{9876543}},
		{Model: "bert", Batch: 1, SamplesNs: []float64{}},
	}
	for _, r := range want {
		if err := f.Add(r.Model, r.Batch, r.SamplesNs); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("read back %+v, want %+v", got, want)
	}

	// Create starts afresh: no mixing with an earlier run's samples.
	f, err = Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Add("x", 2, []float64{1}); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if got, err := Read(path); err != nil || len(got) != 1 || got[0].Model != "x" {
		t.Errorf("after Create again: %+v, %v", got, err)
	}
}

func TestNilFile(t *testing.T) {
	var f *File
	if f.Path() != "" || f.Close() != nil {
		t.Error("a nil File should have no path and close without error")
	}
}

func TestReadErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bad.samples.jsonl")
	data := `{"model":"a","batch":1,"samples_ns":[1,2]}` + "\n\n" + `{"model":"a","batch":8,"samples_ns":[1,` + "\n"
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Read(path)
	if err == nil || !strings.HasPrefix(err.Error(), path+":3: ") {
		t.Errorf("error %v, want one starting %q", err, path+":3: ")
	}

	if _, err := Read(filepath.Join(dir, "missing.jsonl")); err == nil || !strings.Contains(err.Error(), "missing.jsonl") {
		t.Errorf("missing file: error %v", err)
	}
}
