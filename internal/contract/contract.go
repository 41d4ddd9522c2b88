// Package contract defines benchmark.json, the file other tools read, and reads
// and writes it. The required keys are fixed by contract:
//
//	{"batch_1": {"mean_ms": …, "median_ms": …, "p95_ms": …, "p99_ms": …,
//	             "throughput_docs_per_sec": …},
//	 "batch_8": {…}, "device": "cpu", "timestamp": "2025-01-20T10:30:00Z"}
//
// Extra keys are allowed at both levels; typed ones are listed on Batch and
// File, and anything else read from a file is kept in Extra and written back.
//
// The package also holds the table of metrics (see [Metrics]): for each one
// its Go benchmark unit, benchmark.json key, better direction, label and
// conversion. The suite, the converter and every reader of either format
// look metrics up there, so that a metric is defined once.
package contract

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// TimestampLayout is the form of the "timestamp" key: UTC, seconds, a Z.
const TimestampLayout = "2006-01-02T15:04:05Z"

// Timestamp formats t as the file's "timestamp" value.
func Timestamp(t time.Time) string { return t.UTC().Format(TimestampLayout) }

// Batch is one "batch_<n>" entry.
type Batch struct {
	MeanMS               float64 `json:"mean_ms"`
	MedianMS             float64 `json:"median_ms"`
	P95MS                float64 `json:"p95_ms"`
	P99MS                float64 `json:"p99_ms"`
	ThroughputDocsPerSec float64 `json:"throughput_docs_per_sec"`

	// Iterations is the number of timed iterations behind one run's values.
	Iterations int `json:"iterations,omitempty"`
	// Runs is the number of repeated runs the values summarize (the median
	// across runs when Runs > 1).
	Runs int `json:"runs,omitempty"`
	// RunValues holds each run's value of a metric, keyed by metric key
	// (for example "mean_ms"), in input order. Regression checks use them.
	RunValues map[string][]float64 `json:"run_values,omitempty"`
	// CI95 holds a 95 % confidence interval [low, high] of the median across
	// runs per metric key, where there were enough runs to compute one.
	CI95 map[string][2]float64 `json:"ci95,omitempty"`
	// SamplesMS holds per-iteration latencies when the run kept them.
	SamplesMS []float64 `json:"samples_ms,omitempty"`

	// Extra holds any other keys, kept as read.
	Extra map[string]json.RawMessage `json:"-"`
}

type batchFields Batch // no methods: plain encoding of the typed fields

// MarshalJSON writes the typed fields and Extra.
func (b Batch) MarshalJSON() ([]byte, error) {
	typed, err := json.Marshal(batchFields(b))
	if err != nil {
		return nil, err
	}
	return mergeExtra(typed, b.Extra)
}

// UnmarshalJSON reads the typed fields; other keys go to Extra. A missing or
// non-numeric required key is an error that names the key.
func (b *Batch) UnmarshalJSON(data []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	for _, k := range RequiredKeys() {
		v, ok := raw[k]
		if !ok {
			return fmt.Errorf("missing key %q", k)
		}
		var f float64
		if err := json.Unmarshal(v, &f); err != nil {
			return fmt.Errorf("key %q: want a number, got %s", k, v)
		}
	}
	var f batchFields
	if err := json.Unmarshal(data, &f); err != nil {
		return err
	}
	*b = Batch(f)
	b.Extra = extraKeys(raw, batchFields{})
	return nil
}

// File is one benchmark.json.
type File struct {
	// Batches maps batch size to its entry, written as "batch_<n>".
	Batches map[int]*Batch
	// Device is the device actually used: "cpu" or "cuda".
	Device string
	// Timestamp is written as is; use Timestamp(t) to make one.
	Timestamp string

	// Model is the model's name as given in bench.toml or on the command line.
	Model string
	// Checkpoint is the checkpoint directory measured.
	Checkpoint string
	// Config holds the run's configuration lines (ort-version, cpu, goos, …).
	Config map[string]string
	// Machine is the label of the machine measured (KeyMachine); "" when
	// the results do not say. Several labels, comma-separated, when the
	// batch sizes were measured on different machines (each batch entry
	// then says which).
	Machine string
	// Extra holds any other top-level keys, kept as read.
	Extra map[string]json.RawMessage
}

type fileFields struct {
	Device     string            `json:"device"`
	Timestamp  string            `json:"timestamp"`
	Model      string            `json:"model,omitempty"`
	Checkpoint string            `json:"checkpoint,omitempty"`
	Config     map[string]string `json:"config,omitempty"`
	Machine    string            `json:"machine,omitempty"`
}

// BatchKey returns "batch_<n>".
func BatchKey(n int) string { return "batch_" + strconv.Itoa(n) }

// ParseBatchKey returns n for "batch_<n>" with n ≥ 1.
func ParseBatchKey(k string) (int, bool) {
	s, ok := strings.CutPrefix(k, "batch_")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || strconv.Itoa(n) != s {
		return 0, false
	}
	return n, true
}

// BatchSizes returns the batch sizes present, in increasing order.
func (f *File) BatchSizes() []int { return slices.Sorted(maps.Keys(f.Batches)) }

// MarshalJSON writes batch entries in increasing batch size, then the rest.
func (f File) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	first := true
	put := func(k string, v any) error {
		data, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
		if !first {
			buf.WriteByte(',')
		}
		first = false
		kb, _ := json.Marshal(k)
		buf.Write(kb)
		buf.WriteByte(':')
		buf.Write(data)
		return nil
	}
	for _, n := range f.BatchSizes() {
		if err := put(BatchKey(n), f.Batches[n]); err != nil {
			return nil, err
		}
	}
	typed, err := json.Marshal(fileFields{f.Device, f.Timestamp, f.Model, f.Checkpoint, f.Config, f.Machine})
	if err != nil {
		return nil, err
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(typed, &fields); err != nil {
		return nil, err
	}
	maps.Copy(fields, f.Extra)
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		if _, isBatch := ParseBatchKey(k); isBatch {
			continue
		}
		if k == "device" || k == "timestamp" {
			continue
		}
		if err := put(k, fields[k]); err != nil {
			return nil, err
		}
	}
	// device and timestamp last, as the original writes them.
	if err := put("device", f.Device); err != nil {
		return nil, err
	}
	if err := put("timestamp", f.Timestamp); err != nil {
		return nil, err
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// UnmarshalJSON reads a benchmark.json. Errors name the key at fault.
func (f *File) UnmarshalJSON(data []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	if err := failedError(raw); err != nil {
		return err
	}
	var ff fileFields
	if err := json.Unmarshal(data, &ff); err != nil {
		return err
	}
	*f = File{Batches: map[int]*Batch{}, Device: ff.Device, Timestamp: ff.Timestamp,
		Model: ff.Model, Checkpoint: ff.Checkpoint, Config: ff.Config, Machine: ff.Machine}
	for k, v := range raw {
		n, ok := ParseBatchKey(k)
		if !ok {
			continue
		}
		b := new(Batch)
		if err := json.Unmarshal(v, b); err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
		f.Batches[n] = b
	}
	if _, ok := raw["device"]; !ok {
		return errors.New(`missing key "device"`)
	}
	if _, ok := raw["timestamp"]; !ok {
		return errors.New(`missing key "timestamp"`)
	}
	if len(f.Batches) == 0 {
		return errors.New(`no "batch_<n>" entries`)
	}
	extra := extraKeys(raw, fileFields{})
	for k := range extra {
		if _, ok := ParseBatchKey(k); ok {
			delete(extra, k)
		}
	}
	if len(extra) > 0 {
		f.Extra = extra
	}
	return nil
}

// Validate checks what the contract requires beyond the JSON shape: finite,
// non-negative values, ordered percentiles and a timestamp in the agreed form.
func (f *File) Validate() error {
	var errs []error
	if len(f.Batches) == 0 {
		errs = append(errs, errors.New(`no "batch_<n>" entries`))
	}
	if f.Device == "" {
		errs = append(errs, errors.New(`"device" is empty`))
	}
	if _, err := time.Parse(TimestampLayout, f.Timestamp); err != nil {
		errs = append(errs, fmt.Errorf(`"timestamp" %q is not of the form 2025-01-20T10:30:00Z`, f.Timestamp))
	}
	for _, n := range f.BatchSizes() {
		b := f.Batches[n]
		if b == nil {
			errs = append(errs, fmt.Errorf("%s: null", BatchKey(n)))
			continue
		}
		for _, k := range RequiredKeys() {
			v, _ := b.Metric(k)
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				errs = append(errs, fmt.Errorf("%s.%s = %v: want a finite, non-negative number", BatchKey(n), k, v))
			}
		}
	}
	return errors.Join(errs...)
}

// Read reads and decodes path. Errors name the file.
func Read(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Decode(path, data)
}

// Decode decodes data read from name.
func Decode(name string, data []byte) (*File, error) {
	f := new(File)
	if err := json.Unmarshal(data, f); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return f, nil
}

// Encode returns the indented JSON of f, ending in a newline.
func Encode(f *File) ([]byte, error) {
	data, err := json.Marshal(f)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, data, "", "  "); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// Write validates f and writes it to path atomically: the data goes to a
// temporary file in the same folder, is synced, and is renamed over path, so
// an existing file is replaced only by a complete new one.
func Write(path string, f *File) error {
	if err := f.Validate(); err != nil {
		return fmt.Errorf("not writing %s: %w", path, err)
	}
	data, err := Encode(f)
	if err != nil {
		return fmt.Errorf("encoding %s: %w", path, err)
	}
	return WriteFileAtomic(path, data, 0o644)
}

// mergeExtra adds extra's keys to the JSON object typed, typed keys winning.
func mergeExtra(typed []byte, extra map[string]json.RawMessage) ([]byte, error) {
	if len(extra) == 0 {
		return typed, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(typed, &m); err != nil {
		return nil, err
	}
	for k, v := range extra {
		if _, ok := m[k]; !ok {
			m[k] = v
		}
	}
	return json.Marshal(m)
}

// extraKeys returns the keys of raw that the struct v does not decode.
func extraKeys(raw map[string]json.RawMessage, v any) map[string]json.RawMessage {
	typed, _ := json.Marshal(v)
	var known map[string]json.RawMessage
	_ = json.Unmarshal(typed, &known)
	known = withAllTags(v, known)
	out := map[string]json.RawMessage{}
	for k, val := range raw {
		if _, ok := known[k]; !ok {
			out[k] = val
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// withAllTags adds every JSON field name of struct v to known, including
// omitempty fields that marshalling a zero value leaves out.
func withAllTags(v any, known map[string]json.RawMessage) map[string]json.RawMessage {
	if known == nil {
		known = map[string]json.RawMessage{}
	}
	t := reflect.TypeOf(v)
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			known[name] = nil
		}
	}
	return known
}
