// Package samplefile reads and writes the files in which the suite keeps
// per-iteration latencies (keep_samples in bench.toml). It has no cgo, so the
// converter can read them.
package samplefile

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/nerbench/nerbench/internal/contract"
)

// Path returns where the suite keeps the per-iteration latencies of
// a model whose benchmark.json goes to output: beside it, as
// <name>.samples.jsonl.
func Path(output string) string {
	return strings.TrimSuffix(output, filepath.Ext(output)) + ".samples.jsonl"
}

// Record is one line of a samples file: one run of one batch size.
// The suite names the file in a "samples-file:" configuration line, so the
// converter can put the samples into benchmark.json (samples_ms).
type Record struct {
	Model     string    `json:"model"`
	Batch     int       `json:"batch"`
	SamplesNs []float64 `json:"samples_ns"`
}

// File collects sample records; it is created empty, so that a run
// never mixes with an earlier one's samples. It is written as every output
// of the project is (contract.CreateTemp): to a temporary file that
// replaces path on Close, so that an interrupted run leaves an existing
// samples file as it was and no temporary file behind.
type File struct {
	path string
	f    *contract.Temp
	w    *bufio.Writer
}

// Create starts the samples file path; it replaces path on Close.
func Create(path string) (*File, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	f, err := contract.CreateTemp(abs)
	if err != nil {
		return nil, fmt.Errorf("keeping samples: %w", err)
	}
	return &File{path: abs, f: f, w: bufio.NewWriter(f)}, nil
}

// Path returns the file's absolute path, or "" for a nil File.
func (s *File) Path() string {
	if s == nil {
		return ""
	}
	return s.path
}

// Add appends one run's samples.
func (s *File) Add(model string, batch int, samplesNs []float64) error {
	data, err := json.Marshal(Record{Model: model, Batch: batch, SamplesNs: samplesNs})
	if err != nil {
		return err
	}
	data = append(data, '\n')
	if _, err := s.w.Write(data); err != nil {
		return fmt.Errorf("writing %s: %w", s.path, err)
	}
	return s.w.Flush()
}

// Close flushes the file and puts it in place.
func (s *File) Close() error {
	if s == nil || s.f == nil {
		return nil
	}
	f := s.f
	s.f = nil
	if err := s.w.Flush(); err != nil {
		f.Discard()
		return fmt.Errorf("writing %s: %w", s.path, err)
	}
	return f.Commit(0o644)
}

// Read reads a samples file.
func Read(path string) ([]Record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var recs []Record
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<16), 1<<28)
	for line := 1; sc.Scan(); line++ {
		if len(strings.TrimSpace(sc.Text())) == 0 {
			continue
		}
		var r Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		recs = append(recs, r)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return recs, nil
}
