package schematest

import (
	"strings"
	"testing"

	"github.com/nerbench/nerbench/internal/contract"
)

const valid = `{
  "batch_1": {"mean_ms": 2.08, "median_ms": 1.99, "p95_ms": 2.52, "p99_ms": 2.61, "throughput_docs_per_sec": 481.3},
  "batch_16": {"mean_ms": 18, "median_ms": 17.4, "p95_ms": 20.8, "p99_ms": 21.6, "throughput_docs_per_sec": 889.6,
               "iterations": 100, "runs": 6, "run_values": {"mean_ms": [1, 2]}, "ci95": {"mean_ms": [1, 2]},
               "anything": {"else": true}},
  "device": "cpu",
  "timestamp": "2025-01-20T10:30:00Z",
  "model": "distilbert/trial-3",
  "config": {"commit": "abc"},
  "extra": [1, 2, 3]
}`

func TestValid(t *testing.T) {
	if err := Check([]byte(valid)); err != nil {
		t.Fatal(err)
	}
	// What contract.Encode writes is valid.
	f, err := contract.Decode("valid", []byte(valid))
	if err != nil {
		t.Fatal(err)
	}
	data, err := contract.Encode(f)
	if err != nil {
		t.Fatal(err)
	}
	Validate(t, data)
}

func TestInvalid(t *testing.T) {
	batch := `{"mean_ms": 1, "median_ms": 1, "p95_ms": 1, "p99_ms": 1, "throughput_docs_per_sec": 1}`
	for _, tc := range []struct {
		name, doc, want string
	}{
		{"no device", `{"batch_1": ` + batch + `, "timestamp": "2025-01-20T10:30:00Z"}`, "device"},
		{"no timestamp", `{"batch_1": ` + batch + `, "device": "cpu"}`, "timestamp"},
		{"timestamp with offset", `{"batch_1": ` + batch + `, "device": "cpu", "timestamp": "2025-01-20T10:30:00+01:00"}`, "timestamp"},
		{"timestamp with fraction", `{"batch_1": ` + batch + `, "device": "cpu", "timestamp": "2025-01-20T10:30:00.5Z"}`, "timestamp"},
		{"empty device", `{"batch_1": ` + batch + `, "device": "", "timestamp": "2025-01-20T10:30:00Z"}`, "device"},
		{"no batch", `{"device": "cpu", "timestamp": "2025-01-20T10:30:00Z"}`, ""},
		{"no batch, other keys", `{"device": "cpu", "timestamp": "2025-01-20T10:30:00Z", "model": "x", "batch_0": ` + batch + `}`, ""},
		{"missing p99", `{"batch_8": {"mean_ms": 1, "median_ms": 1, "p95_ms": 1, "throughput_docs_per_sec": 1}, "device": "cpu", "timestamp": "2025-01-20T10:30:00Z"}`, "p99_ms"},
		{"negative", `{"batch_8": {"mean_ms": -1, "median_ms": 1, "p95_ms": 1, "p99_ms": 1, "throughput_docs_per_sec": 1}, "device": "cpu", "timestamp": "2025-01-20T10:30:00Z"}`, "mean_ms"},
		{"string value", `{"batch_8": {"mean_ms": "1", "median_ms": 1, "p95_ms": 1, "p99_ms": 1, "throughput_docs_per_sec": 1}, "device": "cpu", "timestamp": "2025-01-20T10:30:00Z"}`, "mean_ms"},
		{"batch not an object", `{"batch_8": 3, "device": "cpu", "timestamp": "2025-01-20T10:30:00Z"}`, "batch_8"},
		{"not JSON", `{"batch_8"`, "not JSON"},
	} {
		err := Check([]byte(tc.doc))
		if err == nil {
			t.Errorf("%s: valid", tc.name)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %q does not mention %q", tc.name, err, tc.want)
		}
	}
}
