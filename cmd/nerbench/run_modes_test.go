//go:build cgo

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchunit"

	"github.com/nerbench/nerbench/benchmarks/benchname"
	"github.com/nerbench/nerbench/benchmarks/config"
	"github.com/nerbench/nerbench/internal/contract"
	"github.com/nerbench/nerbench/internal/testmodel"
)

// labelledCheckpoint is ownCheckpoint with a config.json that names the
// labels (id2label), which --mode e2e needs to decode entities.
func labelledCheckpoint(t *testing.T) string {
	t.Helper()
	dir := ownCheckpoint(t)
	id2label := map[string]string{}
	for i, l := range testmodel.Labels {
		id2label[strconv.Itoa(i)] = l
	}
	data, err := json.Marshal(map[string]any{"model_type": "bert", "id2label": id2label, "max_position_embeddings": testmodel.Tiny().MaxPos})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// tidy is unit as benchfmt's reader gives it (ns are tidied into sec).
func tidy(unit string) string {
	_, u := benchunit.Tidy(1, unit)
	return u
}

// goBenchResults reads the results of Go benchmark output.
func goBenchResults(t *testing.T, out string) []*benchfmt.Result {
	t.Helper()
	var res []*benchfmt.Result
	r := benchfmt.NewReader(strings.NewReader(out), "stdout")
	for r.Scan() {
		switch rec := r.Result().(type) {
		case *benchfmt.Result:
			res = append(res, rec.Clone())
		case *benchfmt.SyntaxError:
			t.Error(rec)
		}
	}
	return res
}

// nerbench run --mode e2e measures as the suite's mode = "e2e" does: the
// suite's sub-benchmark names and configuration lines, each stage's mean
// (tokenize_ms, infer_ms, decode_ms in benchmark.json), exactly
// --iterations timed iterations (not whole passes), and a benchmark.json
// that is nerbench convert's of its Go benchmark output.
func TestRunE2E(t *testing.T) {
	ckpt, texts := labelledCheckpoint(t), writeTexts(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "tiny", "benchmark.json")
	code, stdout, stderr := runNerbench(t, "run", "--checkpoint", ckpt, "--test-data", texts, "--batch-sizes", "1", "2",
		"--iterations", "5", "--warmup", "1", "--max-length", "16", "--device", "cpu", "--mode", "e2e",
		"--keep-samples", "--format", "gobench", "--name", "tiny", "--output", out)
	if code != 0 {
		t.Fatalf("exit %d\nstderr:\n%s", code, stderr)
	}
	var names []string
	for _, rec := range goBenchResults(t, stdout) {
		names = append(names, string(rec.Name.Full()))
		if got := rec.GetConfig(contract.ConfigMode) + " " + rec.GetConfig(contract.ConfigScenario); got != "e2e single" {
			t.Errorf("%s: mode and scenario %q, want \"e2e single\"", rec.Name.Full(), got)
		}
		model, batch, err := benchname.Parse(string(rec.Name.Full()))
		if err != nil || model != "tiny" || rec.Iters != 5 {
			t.Errorf("%s: model %q batch %d (%v), %d iterations; want tiny and 5", rec.Name.Full(), model, batch, err, rec.Iters)
		}
		for _, unit := range []string{contract.UnitMean, contract.UnitThroughput, contract.UnitTokenize, contract.UnitInfer, contract.UnitDecode, contract.UnitPeakRSS} {
			if _, ok := rec.Value(tidy(unit)); !ok {
				t.Errorf("%s: no %s", rec.Name.Full(), unit)
			}
		}
		// What only inference mode measures, the suite's e2e leaves do not
		// report either.
		for _, unit := range []string{contract.UnitFirstRun, contract.UnitPadded, contract.UnitStreams} {
			if _, ok := rec.Value(tidy(unit)); ok {
				t.Errorf("%s: %s in mode e2e", rec.Name.Full(), unit)
			}
		}
	}
	if want := []string{benchname.Name("tiny", 1), benchname.Name("tiny", 2)}; !reflect.DeepEqual(names, want) {
		t.Errorf("results %v, want the suite's names %v", names, want)
	}

	f := readFile(t, out)
	if f.Config[contract.ConfigMode] != "e2e" || f.Config[contract.ConfigScenario] != "single" {
		t.Errorf("config %v", f.Config)
	}
	for _, n := range []int{1, 2} {
		b := f.Batches[n]
		if b == nil {
			t.Fatalf("no batch_%d", n)
		}
		val := func(key string) float64 {
			v, ok := b.Metric(key)
			if !ok {
				t.Errorf("batch %d: no %s", n, key)
			}
			return v
		}
		tok, inf, dec := val(contract.KeyTokenize), val(contract.KeyInfer), val(contract.KeyDecode)
		if !(tok > 0 && inf > 0 && dec > 0) {
			t.Errorf("batch %d: tokenize %v, infer %v, decode %v ms", n, tok, inf, dec)
		}
		// An iteration's wall time holds its inference and decoding (its
		// tokenization overlaps the previous iteration's).
		if b.MeanMS < inf+dec || b.MeanMS < inf {
			t.Errorf("batch %d: mean %v ms < infer %v + decode %v ms", n, b.MeanMS, inf, dec)
		}
		if b.Iterations != 5 || len(b.SamplesMS) != 5 || val(contract.KeySamples) != 5 {
			t.Errorf("batch %d: %d iterations, %d samples; want 5 and 5", n, b.Iterations, len(b.SamplesMS))
		}
	}

	// One path to benchmark.json: converting the Go benchmark output
	// gives the same file.
	conv := filepath.Join(dir, "converted")
	if code, _, stderr := runConvert(t, stdout, "-out-dir", conv, "-"); code != 0 {
		t.Fatalf("convert: exit %d\n%s", code, stderr)
	}
	converted := readFile(t, filepath.Join(conv, "tiny", "benchmark.json"))
	converted.Checkpoint, converted.Timestamp = f.Checkpoint, f.Timestamp
	a, _ := json.Marshal(f)
	b, _ := json.Marshal(converted)
	if string(a) != string(b) {
		t.Errorf("nerbench run wrote\n%s\nnerbench convert of its output\n%s", a, b)
	}

	// The table shows the stages.
	code, stdout, stderr = runNerbench(t, "run", "--checkpoint", ckpt, "--test-data", texts, "--batch-sizes", "2",
		"--iterations", "2", "--warmup", "0", "--max-length", "16", "--device", "cpu", "--mode", "e2e", "--output", filepath.Join(dir, "table", "benchmark.json"))
	if code != 0 {
		t.Fatalf("exit %d\nstderr:\n%s", code, stderr)
	}
	for _, col := range []string{"Tokenization per Batch (ms)", "Inference per Batch (ms)", "Decoding per Batch (ms)"} {
		if !strings.Contains(stdout, col) {
			t.Errorf("table lacks %q:\n%s", col, stdout)
		}
	}
}

// A checkpoint without labels cannot be decoded: --mode e2e refuses it as
// bad input (exit 2), naming what is missing.
func TestRunE2ENoLabels(t *testing.T) {
	out := filepath.Join(t.TempDir(), "benchmark.json")
	code, _, stderr := runNerbench(t, "run", "--checkpoint", ownCheckpoint(t), "--test-data", writeTexts(t), "--batch-sizes", "1",
		"--iterations", "1", "--device", "cpu", "--mode", "e2e", "--output", out)
	if code != 2 || !strings.Contains(stderr, "id2label") {
		t.Errorf("exit %d, want 2 naming id2label:\n%s", code, stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("benchmark.json written")
	}
}

// nerbench run --scenario offline --offline-streams measures as the
// suite's scenario = "offline": --iterations passes shared out among the
// stream counts, the best count reported as offline_streams.
func TestRunOffline(t *testing.T) {
	ckpt, texts := ownCheckpoint(t), writeTexts(t)
	out := filepath.Join(t.TempDir(), "benchmark.json")
	code, stdout, stderr := runNerbench(t, "run", "--checkpoint", ckpt, "--test-data", texts, "--batch-sizes", "1", "2",
		"--iterations", "4", "--warmup", "1", "--max-length", "16", "--device", "cpu",
		"--scenario", "offline", "--offline-streams", "1", "2", "--output", out)
	if code != 0 {
		t.Fatalf("exit %d\nstderr:\n%s", code, stderr)
	}
	f := readFile(t, out)
	if f.Config[contract.ConfigScenario] != "offline" || f.Config[contract.ConfigMode] != "inference" {
		t.Errorf("config %v", f.Config)
	}
	for _, n := range []int{1, 2} {
		b := f.Batches[n]
		if b == nil {
			t.Fatalf("no batch_%d", n)
		}
		streams, ok := b.Metric(contract.KeyStreams)
		if !ok || (streams != 1 && streams != 2) {
			t.Errorf("batch %d: offline_streams %v (%t), want 1 or 2", n, streams, ok)
		}
		// 4 passes, 2 per stream count; the best count's are the samples.
		if samples, _ := b.Metric(contract.KeySamples); b.Iterations != 4 || samples != 2 {
			t.Errorf("batch %d: %d iterations, %v samples; want 4 and 2", n, b.Iterations, samples)
		}
		if !(b.MeanMS > 0 && b.ThroughputDocsPerSec > 0) {
			t.Errorf("batch %d: %+v", n, b)
		}
		if !strings.Contains(stderr, "offline model tiny_trial_3 batch "+strconv.Itoa(n)+": best ") {
			t.Errorf("stderr lacks batch %d's stream counts:\n%s", n, stderr)
		}
	}
	if !strings.Contains(stdout, "Offline Streams") {
		t.Errorf("table lacks the stream count:\n%s", stdout)
	}
}

// Values the suite refuses in bench.toml, run refuses with the suite's
// message, naming the flag instead of the key; combinations that cannot
// mean anything are refused too. All are usage errors (exit 2), before
// anything is measured.
func TestRunModeRefusals(t *testing.T) {
	ckpt, texts := ownCheckpoint(t), writeTexts(t)
	out := filepath.Join(t.TempDir(), "benchmark.json")
	// The suite's messages, from the same validation as bench.toml's.
	suite := func(edit func(*config.Settings)) string {
		s := config.DefaultSettings()
		s.TestData = texts
		edit(&s)
		err := s.Validate()
		if err == nil {
			t.Fatal("the suite's settings accept it")
		}
		key, msg, _ := strings.Cut(err.Error(), ": ")
		return "--" + strings.ReplaceAll(key, "_", "-") + ": " + msg
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--mode", "fast"}, suite(func(s *config.Settings) { s.Mode = "fast" })},
		{[]string{"--scenario", "server"}, suite(func(s *config.Settings) { s.Scenario = "server" })},
		{[]string{"--scenario", "offline", "--offline-streams", "1,1"}, suite(func(s *config.Settings) { s.Scenario, s.OfflineStreams = "offline", []int{1, 1} })},
		{[]string{"--scenario", "offline", "--offline-streams", "0"}, suite(func(s *config.Settings) { s.Scenario, s.OfflineStreams = "offline", []int{0} })},
		{[]string{"--offline-streams", "x"}, `for flag -offline-streams: "x" is not a stream count`},
		{[]string{"--offline-streams", "2"}, "--offline-streams needs --scenario offline"},
		{[]string{"--mode", "e2e", "--scenario", "offline"}, `--scenario: "offline" times inference only and cannot be combined with mode = "e2e"`},
		{[]string{"--scenario", "offline", "--keep-samples"}, "--keep-samples with --scenario offline"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, _, stderr := runNerbench(t, slices.Concat([]string{"run", "--checkpoint", ckpt, "--test-data", texts, "--output", out}, tc.args)...)
			if code != 2 || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, want 2 with %q:\n%s", code, tc.want, stderr)
			}
			if _, err := os.Stat(out); err == nil {
				t.Error("benchmark.json written")
			}
		})
	}
}
