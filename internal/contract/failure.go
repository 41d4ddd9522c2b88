package contract

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Failure is the record that takes the place of a benchmark.json whose
// benchmark failed, so that no older file stays in place looking current:
//
//	{"failed": true, "failures": ["bench.txt:12: BenchmarkInference/model=a/batch=8: --- FAIL: …"],
//	 "model": "a", "timestamp": "2025-01-20T10:30:00Z"}
//
// It holds no results: every reader of benchmark.json (Read, Decode)
// refuses it with an error that quotes its failures.
type Failure struct {
	Failed     bool     `json:"failed"`
	Failures   []string `json:"failures"`
	Model      string   `json:"model,omitempty"`
	Checkpoint string   `json:"checkpoint,omitempty"`
	Timestamp  string   `json:"timestamp"`
}

// ErrFailed is wrapped by the error of reading a failure record.
var ErrFailed = errors.New("the benchmark failed; the file records its failure, not results")

// WriteFailure writes a failure record to path, as WriteFileAtomic writes.
func WriteFailure(path string, f Failure) error {
	f.Failed = true
	if len(f.Failures) == 0 {
		return fmt.Errorf("not writing %s: a failure record without failures", path)
	}
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	return WriteFileAtomic(path, append(data, '\n'), 0o644)
}

// failedError returns the error for a failure record, or nil when raw is
// not one.
func failedError(raw map[string]json.RawMessage) error {
	var failed bool
	if v, ok := raw["failed"]; !ok || json.Unmarshal(v, &failed) != nil || !failed {
		return nil
	}
	var why []string
	_ = json.Unmarshal(raw["failures"], &why)
	if len(why) == 0 {
		return ErrFailed
	}
	return fmt.Errorf("%w: %s", ErrFailed, strings.Join(why, "; "))
}
