package main

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"

	"github.com/nerbench/nerbench/internal/contract"
	"github.com/nerbench/nerbench/internal/contract/schematest"
	"github.com/nerbench/nerbench/internal/testmodel"
	"github.com/nerbench/nerbench/internal/testmodel/wordpiece"
)

// ownCheckpoint writes an optimum-style checkpoint folder
// .../tiny/trial_3/checkpoint made at test time: testmodel.Tiny() and a
// WordPiece tokenizer.json trained on the texts of writeTexts.
func ownCheckpoint(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "tiny", "trial_3", "checkpoint")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	v := wordpiece.Train(testTexts, 200)
	spec := testmodel.Tiny()
	spec.Vocab = v.Len()
	if err := testmodel.WriteFile(filepath.Join(dir, "model.onnx"), spec); err != nil {
		t.Fatal(err)
	}
	if err := v.WriteFile(filepath.Join(dir, "tokenizer.json")); err != nil {
		t.Fatal(err)
	}
	return dir
}

// testTexts are the non-empty texts of writeTexts.
var testTexts = []string{
	"Angela Merkel met Emmanuel Macron in Paris on 3 May 2019.",
	"Apple opened an office in Berlin.",
	"The United Nations convened in Geneva.",
}

func writeTexts(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "texts.json")
	data := `[{"text": "Angela Merkel met Emmanuel Macron in Paris on 3 May 2019."},
	{"text": ""},
	{"text": "Apple opened an office in Berlin."},
	{"text": "The United Nations convened in Geneva."}]`
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func runNerbench(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var o, e bytes.Buffer
	code := run(&o, &e, args)
	return code, o.String(), e.String()
}

func TestRunWritesValidFile(t *testing.T) {
	testRunWritesValidFile(t, ownCheckpoint(t), "tiny_trial_3")
}

// testRunWritesValidFile runs nerbench run on the checkpoint ckpt, whose
// default name is name, and checks the benchmark.json it writes.
func testRunWritesValidFile(t *testing.T, ckpt, name string) {
	t.Helper()
	texts := writeTexts(t)
	out := filepath.Join(t.TempDir(), "benchmark.json")
	// The Python tool's spelling: several values after one --batch-sizes.
	code, stdout, stderr := runNerbench(t, "run", "--checkpoint", ckpt, "--test-data", texts,
		"--batch-sizes", "1", "2", "--iterations", "7", "--warmup", "2", "--output", out,
		"--device", "cpu", "--max-length", "16", "--keep-samples")
	if code != 0 {
		t.Fatalf("exit %d\nstderr:\n%s", code, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	schematest.Validate(t, data)
	f, err := contract.Decode(out, data)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.BatchSizes(); !reflect.DeepEqual(got, []int{1, 2}) {
		t.Errorf("batch sizes %v, want [1 2]", got)
	}
	if f.Device != "cpu" || f.Model != name || f.Config["ort-version"] != "1.30.0" || f.Config["max-length"] != "16" {
		t.Errorf("device %q model %q config %v", f.Device, f.Model, f.Config)
	}
	for n, b := range f.Batches {
		// 7 iterations in whole passes over 3 texts: 9 batches of 1, 8 of 2.
		if want := map[int]int{1: 9, 2: 8}[n]; b.Iterations != want || len(b.SamplesMS) != want {
			t.Errorf("batch %d: %d iterations, %d samples, want %d and %d", n, b.Iterations, len(b.SamplesMS), want, want)
		}
		if b.Extra["workload"] == nil {
			t.Errorf("batch %d: no workload fingerprint", n)
		}
		if !(b.MeanMS > 0 && b.MedianMS <= b.P95MS && b.P95MS <= b.P99MS) {
			t.Errorf("batch %d: implausible %+v", n, b)
		}
		if want := float64(n) / (b.MeanMS / 1e3); math.Abs(b.ThroughputDocsPerSec-want)/want > 1e-9 {
			t.Errorf("batch %d: throughput %v, want %v", n, b.ThroughputDocsPerSec, want)
		}
	}
	if !strings.Contains(stdout, "Benchmark results: "+name) || !strings.Contains(stdout, "docs/sec") {
		t.Errorf("stdout lacks the results table:\n%s", stdout)
	}
	if !strings.Contains(stderr, "3 texts (1 empty skipped") {
		t.Errorf("stderr should count the skipped empty text:\n%s", stderr)
	}
	if !regexp.MustCompile(`tokenized in [0-9.]+[µm]?s on \d+ cores`).MatchString(stderr) {
		t.Errorf("stderr should say how long tokenization took:\n%s", stderr)
	}
}

func TestRunGoBenchFormat(t *testing.T) {
	ckpt, texts := ownCheckpoint(t), writeTexts(t)
	out := filepath.Join(t.TempDir(), "benchmark.json")
	code, stdout, stderr := runNerbench(t, "run", "-checkpoint", ckpt, "-test-data", texts,
		"-batch-sizes", "1,3", "-iterations", "4", "-warmup", "0", "-output", out, "-format", "gobench", "-name", "tiny/bert")
	if code != 0 {
		t.Fatalf("exit %d\nstderr:\n%s", code, stderr)
	}
	r := benchfmt.NewReader(strings.NewReader(stdout), "stdout")
	names := []string{}
	for r.Scan() {
		switch rec := r.Result().(type) {
		case *benchfmt.Result:
			names = append(names, string(rec.Name.Full()))
			if _, ok := rec.Value("p95-sec/op"); !ok {
				t.Errorf("%s: no p95", rec.Name.Full())
			}
			// 4 iterations in whole passes over 3 texts: 6 batches of 1,
			// 4 of 3.
			if want := map[bool]int{true: 6, false: 4}[strings.HasSuffix(string(rec.Name.Full()), "batch=1")]; rec.Iters != want {
				t.Errorf("%s: %d iterations, want %d", rec.Name.Full(), rec.Iters, want)
			}
		case *benchfmt.SyntaxError:
			t.Error(rec)
		}
	}
	if want := []string{"Inference/model=tiny_bert/batch=1", "Inference/model=tiny_bert/batch=3"}; !reflect.DeepEqual(names, want) {
		t.Errorf("results %v, want %v", names, want)
	}
	if r.Units().GetBetter("docs/sec") != 1 {
		t.Error("no Unit line saying docs/sec is better higher")
	}
}

func TestRunBadInput(t *testing.T) {
	ckpt, texts := ownCheckpoint(t), writeTexts(t)
	// A model whose embedding table is smaller than the tokenizer's ids.
	smallVocab := ownCheckpoint(t)
	spec := testmodel.Tiny()
	spec.Vocab = 10
	if err := testmodel.WriteFile(filepath.Join(smallVocab, "model.onnx"), spec); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "benchmark.json")
	const existing = `{"keep": "me"}`
	if err := os.WriteFile(out, []byte(existing), 0o644); err != nil {
		t.Fatal(err)
	}
	badData := filepath.Join(dir, "bad.json")
	os.WriteFile(badData, []byte(`["ok", 42]`), 0o644)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no output", []string{"--checkpoint", ckpt, "--test-data", texts}, "--output"},
		{"bad batch size", []string{"--checkpoint", ckpt, "--test-data", texts, "--output", out, "--batch-sizes", "0"}, "batch size"},
		{"bad data", []string{"--checkpoint", ckpt, "--test-data", badData, "--output", out}, "bad.json"},
		{"missing checkpoint", []string{"--checkpoint", filepath.Join(dir, "nope"), "--test-data", texts, "--output", out}, "nope"},
		{"bad device", []string{"--checkpoint", ckpt, "--test-data", texts, "--output", out, "--device", "tpu"}, "tpu"},
		{"output is a device", []string{"--checkpoint", ckpt, "--test-data", texts, "--output", "/dev/null"}, "not a regular file"},
		{"output under a file", []string{"--checkpoint", ckpt, "--test-data", texts, "--output", filepath.Join(out, "benchmark.json")}, "not a directory"},
		{"absurd iterations", []string{"--checkpoint", ckpt, "--test-data", texts, "--output", out, "--iterations", "100000000000"}, "too large for iterations"},
		{"memory limit", []string{"--checkpoint", ckpt, "--test-data", texts, "--output", out, "--memory-limit", "1K"}, "too much memory: model"},
		{"bad memory limit", []string{"--checkpoint", ckpt, "--test-data", texts, "--output", out, "--memory-limit", "lots"}, "--memory-limit"},
		{"vocabulary mismatch", []string{"--checkpoint", smallVocab, "--test-data", texts, "--output", out}, "tokenizer and model do not match"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runNerbench(t, append([]string{"run"}, tc.args...)...)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr %q should mention %q", stderr, tc.want)
			}
			if data, _ := os.ReadFile(out); string(data) != existing {
				t.Errorf("existing benchmark.json changed to %q", data)
			}
		})
	}
}

func TestExpandListArgs(t *testing.T) {
	for _, tc := range []struct{ in, want []string }{
		{[]string{"--batch-sizes", "1", "8", "16", "--iterations", "3"}, []string{"--batch-sizes=1,8,16", "--iterations", "3"}},
		{[]string{"--batch-sizes", "1,8", "16"}, []string{"--batch-sizes=1,8,16"}},
		{[]string{"--batch-sizes=4", "x"}, []string{"--batch-sizes=4", "x"}},
		{[]string{"--batch-sizes", "--warmup", "1"}, []string{"--batch-sizes", "--warmup", "1"}},
		{[]string{"-batch-sizes", "2", "--", "8"}, []string{"-batch-sizes=2", "--", "8"}},
	} {
		if got := expandListArgs(tc.in, "batch-sizes"); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("expandListArgs(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestDefaultName(t *testing.T) {
	for dir, want := range map[string]string{
		"outputs/hpo/bert/trial_1/checkpoint": "bert_trial_1",
		"outputs/hpo/bert/trial_1":            "bert_trial_1",
		"models/my-ner":                       "my-ner",
	} {
		if got := defaultName(dir); got != want {
			t.Errorf("defaultName(%q) = %q, want %q", dir, got, want)
		}
	}
}

// nerbench run --shard measures a shard's batch sizes and writes their Go
// benchmark output beside --output; nerbench convert merges the shards
// into the benchmark.json one unsplit run writes.
func TestRunShards(t *testing.T) {
	ckpt, texts := ownCheckpoint(t), writeTexts(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "benchmark.json")
	var files []string
	for i, spec := range []string{"1/2", "2/2"} {
		code, _, stderr := runNerbench(t, "run", "--checkpoint", ckpt, "--test-data", texts, "--batch-sizes", "1", "2", "3",
			"--iterations", "3", "--warmup", "0", "--output", out, "--shard", spec, "--machine", "runner "+spec[:1])
		if code != 0 {
			t.Fatalf("--shard %s: exit %d\n%s", spec, code, stderr)
		}
		files = append(files, filepath.Join(dir, "benchmark.shard-"+spec[:1]+"-of-2.txt"))
		data, err := os.ReadFile(files[i])
		if err != nil {
			t.Fatalf("--shard %s: %v\n%s", spec, err, stderr)
		}
		if !strings.Contains(string(data), "shard: "+spec+"\n") || !strings.Contains(string(data), "machine: runner "+spec[:1]+"\n") {
			t.Errorf("--shard %s: no shard or machine line in\n%s", spec, data)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("a shard wrote %s: only the merge may", out)
	}
	merged := filepath.Join(dir, "merged")
	if code, _, stderr := runNerbench(t, "convert", "-out-dir", merged, files[0]); code != 2 || !strings.Contains(stderr, "missing shard 2/2") {
		t.Errorf("one shard of two: exit %d\n%s", code, stderr)
	}
	code, stdout, stderr := runNerbench(t, "convert", "-out-dir", merged, files[1], files[0])
	if code != 0 {
		t.Fatalf("convert: exit %d\n%s", code, stderr)
	}
	f, err := contract.Read(filepath.Join(merged, "tiny_trial_3", "benchmark.json"))
	if err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	if got := f.BatchSizes(); !reflect.DeepEqual(got, []int{1, 2, 3}) || f.Machine != "runner 1, runner 2" {
		t.Errorf("merged: batch sizes %v, machine %q", got, f.Machine)
	}
	for n, b := range f.Batches {
		// 3 iterations in whole passes over 3 texts: 3 of 1, 4 of 2, 3 of 3.
		if want := map[int]int{1: 3, 2: 4, 3: 3}[n]; b.Iterations != want || b.Runs != 0 {
			t.Errorf("batch %d: %d iterations, %d runs; want %d, 0", n, b.Iterations, b.Runs, want)
		}
	}
}

// --intra-op-threads takes several counts, as --batch-sizes does: a
// threads sweep, one session per count, named with a threads=<n> part and
// written in the shape nerbench convert gives (the first count's batches,
// every count's under "threads").
func TestRunThreadSweep(t *testing.T) {
	ckpt, texts := ownCheckpoint(t), writeTexts(t)
	out := filepath.Join(t.TempDir(), "benchmark.json")
	code, stdout, stderr := runNerbench(t, "run", "--checkpoint", ckpt, "--test-data", texts,
		"--batch-sizes", "1", "2", "--intra-op-threads", "2", "1", "--iterations", "3", "--warmup", "0",
		"--output", out, "--format", "gobench", "--keep-samples", "-name", "tiny")
	if code != 0 {
		t.Fatalf("exit %d\nstderr:\n%s", code, stderr)
	}
	var names []string
	r := benchfmt.NewReader(strings.NewReader(stdout), "stdout")
	for r.Scan() {
		if rec, ok := r.Result().(*benchfmt.Result); ok {
			names = append(names, string(rec.Name.Full())+" intra-op-threads="+rec.GetConfig(contract.ConfigIntraOpThreads))
		}
	}
	want := []string{
		"Inference/model=tiny/threads=2/batch=1 intra-op-threads=2", "Inference/model=tiny/threads=2/batch=2 intra-op-threads=2",
		"Inference/model=tiny/threads=1/batch=1 intra-op-threads=1", "Inference/model=tiny/threads=1/batch=2 intra-op-threads=1",
	}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("results %v, want %v", names, want)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	schematest.Validate(t, data)
	f, err := contract.Decode(out, data)
	if err != nil {
		t.Fatal(err)
	}
	sweep, counts, err := contract.ThreadSweep(f)
	if err != nil || !reflect.DeepEqual(counts, []int{2, 1}) || len(sweep[1]) != 2 || len(sweep[2]) != 2 {
		t.Fatalf("threads %v, counts %v, %v", sweep, counts, err)
	}
	if f.Config[contract.ConfigIntraOpThreads] != "2" || f.Batches[1].MeanMS != sweep[2][1].MeanMS || sweep[1][1].MeanMS == sweep[2][1].MeanMS {
		t.Errorf("batch_1 %v is not the first count's (threads 2: %v, threads 1: %v)", f.Batches[1].MeanMS, sweep[2][1].MeanMS, sweep[1][1].MeanMS)
	}
	for _, th := range []int{1, 2} {
		// 3 iterations in whole passes over 3 texts: 3 batches of 1, 4 of 2.
		if b := sweep[th][2]; b.Iterations != 4 || len(b.SamplesMS) != 4 {
			t.Errorf("threads %d batch 2: %d iterations, %d samples; want 4 and 4", th, b.Iterations, len(b.SamplesMS))
		}
		if _, err := os.Stat(strings.TrimSuffix(out, ".json") + ".samples.threads-" + strconv.Itoa(th) + ".jsonl"); err != nil {
			t.Errorf("threads %d: no samples file of its own: %v", th, err)
		}
	}
	code, _, stderr = runNerbench(t, "run", "--checkpoint", ckpt, "--test-data", texts, "--output", out, "--intra-op-threads", "1,1")
	if code != 2 || !strings.Contains(stderr, "1 is listed more than once") {
		t.Errorf("--intra-op-threads 1,1: exit %d\n%s", code, stderr)
	}
	code, _, stderr = runNerbench(t, "run", "--checkpoint", ckpt, "--test-data", texts, "--output", out, "--intra-op-threads", "-1")
	if code != 2 {
		t.Errorf("--intra-op-threads -1: exit %d\n%s", code, stderr)
	}
}
