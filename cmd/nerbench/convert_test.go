package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nerbench/nerbench/internal/contract"
	"github.com/nerbench/nerbench/internal/contract/schematest"
)

const convertTestdata = "../../converter/testdata/"

func runConvert(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	old := convertStdin
	convertStdin = strings.NewReader(stdin)
	defer func() { convertStdin = old }()
	var o, e bytes.Buffer
	code = run(&o, &e, append([]string{"convert"}, args...))
	return code, o.String(), e.String()
}

func TestConvertOutDir(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := runConvert(t, "", convertTestdata+"count5.txt", "-out-dir", dir)
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	path := filepath.Join(dir, "tiny_trial_0", "benchmark.json")
	if want := path + "\tmodel=tiny_trial_0\tbatches=1,8\truns=5\n"; stdout != want {
		t.Errorf("stdout = %q, want %q", stdout, want)
	}
	if !strings.Contains(stderr, "warning: model tiny_trial_0: batch_1, batch_8: no ci95") {
		t.Errorf("stderr = %q", stderr)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	schematest.Validate(t, data)
}

func TestConvertStdinJSON(t *testing.T) {
	in, err := os.ReadFile(convertTestdata + "single.txt")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	code, stdout, stderr := runConvert(t, string(in), "-json", "-out-dir", dir, "-")
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	var got struct {
		Files []struct {
			Path       string `json:"path"`
			Model      string `json:"model"`
			BatchSizes []int  `json:"batch_sizes"`
			Runs       []int  `json:"runs"`
		} `json:"files"`
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	if len(got.Files) != 1 || got.Files[0].Model != "tiny_trial_0" || len(got.Files[0].BatchSizes) != 3 || got.Files[0].Runs[0] != 1 {
		t.Errorf("stdout = %s", stdout)
	}
	data, err := os.ReadFile(got.Files[0].Path)
	if err != nil {
		t.Fatal(err)
	}
	schematest.Validate(t, data)
}

func TestConvertConfig(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(convertTestdata+"sanitized")); err != nil {
		t.Fatal(err)
	}
	// bench.toml asks for batch size 16 and a model "not measured" that the
	// input lacks: -allow-partial writes the rest.
	code, stdout, stderr := runConvert(t, "", "-config", filepath.Join(dir, "bench.toml"), "-allow-partial", convertTestdata+"sanitized.txt")
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	path := filepath.Join(dir, "checkpoints", "distilbert", "trial-3", "benchmark.json")
	if want := path + "\tmodel=distilbert/trial-3\tbatches=1,8\truns=1\n" +
		filepath.Join(dir, "results", "not_measured.json") + "\tmodel=\"not measured\"\tfailed\n"; stdout != want {
		t.Errorf("stdout = %q, want %q", stdout, want)
	}
	if !strings.Contains(stderr, "model unlisted_model: not in bench.toml") {
		t.Errorf("stderr = %q", stderr)
	}
}

func TestConvertBadInput(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"empty", []string{"-out-dir", dir, convertTestdata + "empty.txt"}, "no benchmark results in"},
		{"other benchmarks only", []string{"-out-dir", dir, convertTestdata + "other.txt"}, "no nerbench results"},
		{"unreadable", []string{"-out-dir", dir, filepath.Join(dir, "missing.txt")}, "reading " + filepath.Join(dir, "missing.txt")},
		{"nowhere to write", []string{convertTestdata + "single.txt"}, "give -config bench.toml or -out-dir DIR"},
		{"bad flag", []string{"-bogus"}, "flag provided but not defined"},
		{"bad config", []string{"-config", filepath.Join(dir, "nope.toml"), convertTestdata + "single.txt"}, "nope.toml"},
	} {
		code, stdout, stderr := runConvert(t, "", tc.args...)
		if code != 2 || stdout != "" || !strings.Contains(stderr, tc.want) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 2 and %q", tc.name, code, stdout, stderr, tc.want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("bad input wrote %d entries", len(entries))
	}
}

// A failed benchmark is never a result: --- FAIL, a panic, a truncated
// line or a missing cell of bench.toml's matrix make convert exit 1 and
// name the benchmark and line; the failed model's file records the
// failure instead of keeping older results; -allow-partial writes the rest.
func TestConvertFailures(t *testing.T) {
	single, err := os.ReadFile(convertTestdata + "single.txt")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(single), "\n")
	var header, results []string
	for _, l := range lines {
		if strings.HasPrefix(l, "BenchmarkInference/") {
			results = append(results, l)
		} else if len(results) == 0 {
			header = append(header, l)
		}
	}
	if len(results) != 3 {
		t.Fatalf("single.txt: %d results, want 3", len(results))
	}
	head := strings.Join(header, "")
	failed := head + results[0] + "--- FAIL: BenchmarkInference\n    --- FAIL: BenchmarkInference/model=tiny_trial_0\n        --- FAIL: BenchmarkInference/model=tiny_trial_0/batch=8\n            suite.go:9: out of memory\n" + results[2] + "FAIL\n"
	panicked := head + results[0] + "panic: runtime error: index out of range [3] with length 3\n\ngoroutine 1 [running]:\n"
	truncated := head + results[0] + results[1] + strings.TrimSuffix(results[2], "\n")[:70]
	for _, c := range []struct {
		name, in, where string
		partialBatches  []int
	}{
		{"fail", failed, "in.txt:" + itoa(len(header)+4) + ": BenchmarkInference/model=tiny_trial_0/batch=8: --- FAIL: suite.go:9: out of memory", []int{1, 16}},
		{"panic", panicked, "in.txt:" + itoa(len(header)+2) + ": BenchmarkInference: panic: runtime error", []int{1}},
		{"truncated", truncated, "in.txt:" + itoa(len(header)+3) + ": BenchmarkInference/model=tiny_trial_0/batch=16: truncated", []int{1, 8}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			in := filepath.Join(dir, "in.txt")
			os.WriteFile(in, []byte(c.in), 0o644)
			out := filepath.Join(dir, "out")
			path := filepath.Join(out, "tiny_trial_0", "benchmark.json")
			os.MkdirAll(filepath.Dir(path), 0o755)
			os.WriteFile(path, []byte(`{"batch_1": {"mean_ms": 1, "median_ms": 1, "p95_ms": 1, "p99_ms": 1, "throughput_docs_per_sec": 1}, "device": "cpu", "timestamp": "2020-01-01T00:00:00Z"}`), 0o644)
			code, _, stderr := runConvert(t, "", "-out-dir", out, in)
			if code != 1 || !strings.Contains(stderr, strings.Replace(c.where, "in.txt", in, 1)) {
				t.Errorf("exit %d, want 1; stderr should contain %q:\n%s", code, c.where, stderr)
			}
			if c.name == "panic" {
				// The panic names no model: the old file is left, exit 1 says why.
			} else if _, err := contract.Read(path); !errors.Is(err, contract.ErrFailed) {
				t.Errorf("the old benchmark.json was not replaced by a failure record: %v", err)
			}
			code, _, stderr = runConvert(t, "", "-out-dir", out, "-allow-partial", in)
			if code != 0 || !strings.Contains(stderr, "warning: failed: ") {
				t.Errorf("-allow-partial: exit %d, stderr:\n%s", code, stderr)
			}
			f, err := contract.Read(path)
			if err != nil {
				t.Fatal(err)
			}
			if got := f.BatchSizes(); !slices.Equal(got, c.partialBatches) {
				t.Errorf("-allow-partial wrote batches %v, want %v", got, c.partialBatches)
			}
			if c.name != "panic" && f.Extra["failures"] == nil {
				t.Error("-allow-partial: no failures key in the file")
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// Names from the input never leave -out-dir, and outputs that are not
// regular files are refused with exit 2.
func TestConvertWritesOnlyWhereAsked(t *testing.T) {
	single, err := os.ReadFile(convertTestdata + "single.txt")
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	out := filepath.Join(root, "out")
	for _, name := range []string{"..", "."} {
		in := strings.ReplaceAll(string(single), "model=tiny_trial_0", "model="+name)
		code, _, stderr := runConvert(t, in, "-out-dir", out, "-")
		if code != 2 || !strings.Contains(stderr, "cannot name a folder under") {
			t.Errorf("model %q: exit %d, stderr:\n%s", name, code, stderr)
		}
	}
	if entries, _ := os.ReadDir(root); len(entries) != 0 {
		t.Errorf("wrote %d entries", len(entries))
	}
	// An output that is a device node, through bench.toml.
	toml := filepath.Join(root, "bench.toml")
	os.MkdirAll(filepath.Join(root, "ckpt"), 0o755)
	os.WriteFile(filepath.Join(root, "data.json"), []byte(`["a"]`), 0o644)
	os.WriteFile(toml, []byte("test_data = \"data.json\"\nbatch_sizes = [1, 8, 16]\n[[model]]\nname = \"tiny_trial_0\"\ncheckpoint = \"ckpt\"\noutput = \"/dev/null\"\n"), 0o644)
	code, _, stderr := runConvert(t, string(single), "-config", toml, "-")
	if code != 2 || !strings.Contains(stderr, "not a regular file") {
		t.Errorf("/dev/null: exit %d, stderr:\n%s", code, stderr)
	}
	if fi, err := os.Stat("/dev/null"); err != nil || fi.Mode()&os.ModeDevice == 0 {
		t.Errorf("/dev/null is no longer a device")
	}
}

// A threads sweep's file says its thread counts in convert's summary.
func TestConvertThreadSweepSummary(t *testing.T) {
	dir := t.TempDir()
	line := func(threads string) string {
		return "BenchmarkInference/model=m/threads=" + threads + "/batch=1-2 \t 10 \t 200 ns/op \t 1 p50-ns/op \t 2 p95-ns/op \t 3 p99-ns/op \t 100 docs/sec\n"
	}
	code, stdout, stderr := runConvert(t, "device: cpu\n"+line("2")+line("1"), "-out-dir", dir)
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	if want := filepath.Join(dir, "m", "benchmark.json") + "\tmodel=m\tbatches=1\truns=1\tthreads=2,1\n"; stdout != want {
		t.Errorf("stdout = %q, want %q", stdout, want)
	}
}
