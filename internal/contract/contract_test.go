package contract

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

const original = `{"batch_1": {"mean_ms": 18.5, "median_ms": 17.2, "p95_ms": 25.1, "p99_ms": 30.5,
             "throughput_docs_per_sec": 54.05, "gpu_mem_mb": 12},
 "batch_8": {"mean_ms": 80, "median_ms": 79, "p95_ms": 90, "p99_ms": 95, "throughput_docs_per_sec": 100},
 "device": "cpu", "timestamp": "2025-01-20T10:30:00Z", "python_version": "3.11"}`

// The original tool's file decodes, keeps unknown keys, and encodes back
// to the same JSON value.
func TestRoundTripKeepsExtraKeys(t *testing.T) {
	f, err := Decode("benchmark.json", []byte(original))
	if err != nil {
		t.Fatal(err)
	}
	if got := f.BatchSizes(); !reflect.DeepEqual(got, []int{1, 8}) {
		t.Errorf("batch sizes %v", got)
	}
	if b := f.Batches[1]; b.MeanMS != 18.5 || b.P99MS != 30.5 || b.ThroughputDocsPerSec != 54.05 {
		t.Errorf("batch_1 = %+v", b)
	}
	if err := f.Validate(); err != nil {
		t.Error(err)
	}
	data, err := Encode(f)
	if err != nil {
		t.Fatal(err)
	}
	var got, want any
	json.Unmarshal(data, &got)
	json.Unmarshal([]byte(original), &want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("round trip changed the file:\n got %s\nwant %s", data, original)
	}
	// Batches come first, in numeric order; device and timestamp last.
	s := string(data)
	if !(strings.Index(s, `"batch_1"`) < strings.Index(s, `"batch_8"`) && strings.Index(s, `"batch_8"`) < strings.Index(s, `"device"`) && strings.Index(s, `"device"`) < strings.Index(s, `"timestamp"`)) {
		t.Errorf("key order:\n%s", s)
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct{ data, want string }{
		{`{"batch_1": {"mean_ms": 1, "median_ms": 1, "p95_ms": 1, "p99_ms": 1}, "device": "cpu", "timestamp": "x"}`, `batch_1: missing key "throughput_docs_per_sec"`},
		{`{"batch_1": {"mean_ms": "fast", "median_ms": 1, "p95_ms": 1, "p99_ms": 1, "throughput_docs_per_sec": 1}, "device": "cpu", "timestamp": "x"}`, `batch_1: key "mean_ms": want a number`},
		{`{"device": "cpu", "timestamp": "x"}`, `no "batch_<n>" entries`},
		{`{"batch_1": {"mean_ms": 1, "median_ms": 1, "p95_ms": 1, "p99_ms": 1, "throughput_docs_per_sec": 1}, "timestamp": "x"}`, `missing key "device"`},
		{`[1, 2]`, `cannot unmarshal`},
	} {
		_, err := Decode("b.json", []byte(tc.data))
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "b.json: ") {
			t.Errorf("Decode(%s) = %v, want an error naming b.json and %q", tc.data, err, tc.want)
		}
	}
}

func TestParseBatchKey(t *testing.T) {
	for k, want := range map[string]int{"batch_1": 1, "batch_16": 16, "batch_0": 0, "batch_01": 0, "batch_x": 0, "batch_-1": 0, "batches": 0} {
		n, ok := ParseBatchKey(k)
		if n != want || ok != (want > 0) {
			t.Errorf("ParseBatchKey(%q) = %d %v, want %d", k, n, ok, want)
		}
	}
}

func validFile() *File {
	return &File{Batches: map[int]*Batch{1: {MeanMS: 2, MedianMS: 2, P95MS: 3, P99MS: 4, ThroughputDocsPerSec: 500}},
		Device: "cpu", Timestamp: Timestamp(time.Date(2025, 1, 20, 11, 30, 0, 0, time.FixedZone("CET", 3600)))}
}

func TestTimestampIsUTC(t *testing.T) {
	if got := validFile().Timestamp; got != "2025-01-20T10:30:00Z" {
		t.Errorf("Timestamp = %q", got)
	}
}

// Write replaces a file only with a complete, valid one, and leaves no
// temporary file behind.
func TestWriteIsAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "benchmark.json")
	if err := Write(path, validFile()); err != nil {
		t.Fatal(err)
	}
	first, _ := os.ReadFile(path)
	bad := validFile()
	bad.Batches[1].P95MS = -1
	if err := Write(path, bad); err == nil || !strings.Contains(err.Error(), "batch_1.p95_ms") {
		t.Errorf("invalid file: error %v should name batch_1.p95_ms", err)
	}
	bad = validFile()
	bad.Timestamp = "yesterday"
	if err := Write(path, bad); err == nil {
		t.Error("bad timestamp: no error")
	}
	if now, _ := os.ReadFile(path); string(now) != string(first) {
		t.Error("a failed write changed the existing file")
	}
	// A write into a folder that cannot be written fails without touching the file.
	if err := os.Chmod(filepath.Dir(path), 0o500); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(filepath.Dir(path), 0o755)
	if os.Geteuid() != 0 { // root ignores permissions
		if err := Write(path, validFile()); err == nil {
			t.Error("read-only folder: no error")
		}
	}
	os.Chmod(filepath.Dir(path), 0o755)
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("folder holds %d entries, want only benchmark.json", len(entries))
	}
}
