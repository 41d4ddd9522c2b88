package selection

import (
	"bytes"
	"github.com/nerbench/nerbench/internal/golden"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nerbench/nerbench/internal/contract"
	"github.com/nerbench/nerbench/internal/testmodel"
)

// benchJSON returns a benchmark.json with batch_1.mean_ms = ms.
func benchJSON(t *testing.T, ms float64) string {
	t.Helper()
	b := func(mean float64) *contract.Batch {
		return &contract.Batch{MeanMS: mean, MedianMS: mean, P95MS: mean * 1.2, P99MS: mean * 1.3, ThroughputDocsPerSec: 1000 / mean}
	}
	data, err := contract.Encode(&contract.File{
		Batches: map[int]*contract.Batch{1: b(ms), 8: b(ms * 5)}, Device: "cpu", Timestamp: "2025-01-20T10:30:00Z"})
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// Models copied into trees by "@model:<name>" contents. They are made at
// test time by the project's graph builder with the parameter counts of
// the shared fixtures they stand for (which the fixtures tests check), so
// that the golden files hold for both.
const (
	tinyBERT       = "@model:tinybert"        // 121,200 weights, as Tribuo's tiny BERT
	tinyDistilBERT = "@model:tiny-distilbert" // 62,172 weights, as optimum's tiny DistilBERT
	vespa          = "@model:vespa"           // 2,496 weights, as Vespa's dummy transformer
	// tinyDistilCfg is optimum's tiny DistilBERT config.json, less the keys
	// the estimate does not read: estimate 62,166 (no pre_classifier).
	tinyDistilCfg = `{"model_type": "distilbert", "vocab_size": 30522, "dim": 2, "n_layers": 2, "n_heads": 2,
		"hidden_dim": 2, "max_position_embeddings": 512, "id2label": {"0": "NEGATIVE", "1": "POSITIVE"}}`
)

// standIns are the specs of the "@model:" models.
var standIns = map[string]testmodel.Spec{
	// Tribuo's 1-layer BertModel (hidden 50, intermediate 200, vocab 1656,
	// 100 positions, 2 token types): a classifier of 50 labels has the
	// size of its pooler (50×50+50).
	"tinybert": {ModelType: "bert", Layers: 1, Hidden: 50, Heads: 2, Intermediate: 200, Vocab: 1656, MaxPos: 100,
		TypeVocab: 2, LayerNormEps: 1e-12, NumLabels: 50, Seed: 1},
	// optimum's DistilBertForSequenceClassification (dim 2, 2 layers, vocab
	// 30522, 512 positions): 4 labels weigh what its pre_classifier and
	// 2-label classifier weigh (2·(2×2+2)).
	"tiny-distilbert": {ModelType: "distilbert", Layers: 2, Hidden: 2, Heads: 2, Intermediate: 2, Vocab: 30522, MaxPos: 512,
		LayerNormEps: 1e-12, NumLabels: 4, Seed: 1},
	// An embedding of 20 rows and 16 outputs per token, as Vespa's.
	"vespa": {ModelType: "distilbert", Layers: 1, Hidden: 16, Heads: 2, Intermediate: 16, Vocab: 20, MaxPos: 11,
		LayerNormEps: 1e-12, NumLabels: 16, Seed: 1},
}

// standIn returns the ONNX bytes of the "@model:" model name.
func standIn(t *testing.T, name string) []byte {
	t.Helper()
	spec, ok := standIns[name]
	if !ok {
		t.Fatalf("no model %q", name)
	}
	var b bytes.Buffer
	if _, err := testmodel.Build(&b, spec); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// writeTree writes files (path relative to root → content) under root.
func writeTree(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for rel, content := range files {
		p := filepath.Join(root, filepath.FromSlash(rel))
		dir := filepath.Dir(p)
		if strings.HasSuffix(rel, "/") {
			dir = p
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		data := []byte(content)
		if name, ok := strings.CutPrefix(content, "@model:"); ok {
			data = standIn(t, name)
		}
		if strings.HasSuffix(rel, "/") {
			continue // just the directory
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func metrics(f1 string) string {
	return `{"macro-f1": ` + f1 + `, "micro-f1": 0.9, "accuracy": 0.95, "loss": 0.2}`
}

// demoTree is three backbones whose best trials hold the stand-ins of the
// fixture models.
func demoTree(t *testing.T, bench map[string]float64) string {
	root := t.TempDir()
	files := map[string]string{
		"bert/trial_0/metrics.json":                metrics("0.9"),
		"bert/trial_1/metrics.json":                metrics("0.905"),
		"bert/trial_1/hyperparameters.json":        `{"learning_rate": 3e-05, "batch_size": 16}`,
		"bert/trial_1/checkpoint/model.onnx":       tinyBERT,
		"bert/trial_2/checkpoint/":                 "", // still running: no metrics.json
		"distilbert/trial_0/metrics.json":          metrics("0.895"),
		"distilbert/trial_0/checkpoint/model.onnx": tinyDistilBERT,
		"distilbert/trial_1/metrics.json":          metrics("0.88"),
		"tiny/trial_0/metrics.json":                metrics("0.62"),
		"tiny/trial_0/checkpoint/dummy.onnx":       vespa,
		"manifest.json":                            `{"not": "a backbone"}`,
	}
	paths := map[string]string{
		"bert":       "bert/trial_1/benchmark.json",
		"distilbert": "distilbert/trial_0/checkpoint/benchmark.json", // the fallback place
		"tiny":       "tiny/trial_0/benchmark.json",
	}
	for b, ms := range bench {
		files[paths[b]] = benchJSON(t, ms)
	}
	writeTree(t, root, files)
	return root
}

// golden compares got with testdata/name, after replacing root by $HPO.

// checkGolden compares got, with the HPO folder written as $HPO, with
// testdata/name.
func checkGolden(t *testing.T, name, root string, got []byte) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", name), bytes.ReplaceAll(got, []byte(root), []byte("$HPO")))
}

func TestSelectGolden(t *testing.T) {
	tests := []struct {
		name  string
		bench map[string]float64
		opts  Options
		tree  func(t *testing.T) string // instead of demoTree(bench)
	}{
		{name: "all_benchmarked", bench: map[string]float64{"bert": 40, "distilbert": 20, "tiny": 2},
			opts: Options{Metric: "macro-f1", AccuracyThreshold: f(0.015)}},
		{name: "all_benchmarked_accuracy_only", bench: map[string]float64{"bert": 40, "distilbert": 20, "tiny": 2},
			opts: Options{Metric: "macro-f1"}},
		{name: "none_benchmarked", opts: Options{Metric: "macro-f1", AccuracyThreshold: f(0.015)}},
		// bert measured fast, distilbert not measured: by parameter count
		// distilbert is faster, and is chosen.
		{name: "some_benchmarked", bench: map[string]float64{"bert": 1},
			opts: Options{Metric: "macro-f1", AccuracyThreshold: f(0.015)}},
		{name: "folds_minimize", opts: Options{Metric: "loss", Goal: Minimize, AccuracyThreshold: f(0.02), Absolute: true},
			tree: foldsTree},
		{name: "corrupt_benchmark", opts: Options{Metric: "macro-f1", AccuracyThreshold: f(0.015)},
			tree: corruptTree},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var root string
			if tt.tree != nil {
				root = tt.tree(t)
			} else {
				root = demoTree(t, tt.bench)
			}
			tt.opts.HPODir = root
			res, err := Select(tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			out, err := res.Selection.Encode()
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, tt.name+".json", root, out)
			checkGolden(t, tt.name+".warnings.txt", root, []byte(strings.Join(append(res.Warnings, ""), "\n")))
		})
	}
}

// foldsTree has cross-validated trials: the mean over folds decides, and
// the first fold's directory holds the benchmark.
func foldsTree(t *testing.T) string {
	root := t.TempDir()
	loss := func(v string) string { return `{"macro-f1": 0.8, "loss": ` + v + `, "note": "fold"}` }
	writeTree(t, root, map[string]string{
		// bert trial_0: mean loss 0.20; trial_1: mean 0.25.
		"bert/trial_0_fold0/metrics.json":         loss("0.19"),
		"bert/trial_0_fold1/metrics.json":         loss("0.21"),
		"bert/trial_0_fold2/metrics.json":         loss("0.20"),
		"bert/trial_0_fold0/benchmark.json":       benchJSON(t, 40),
		"bert/trial_0_fold1/benchmark.json":       benchJSON(t, 1), // not the first fold: ignored
		"bert/trial_0_fold0/hyperparameters.json": `{"learning_rate": 2e-05}`,
		"bert/trial_1_fold0/metrics.json":         loss("0.24"),
		"bert/trial_1_fold1/metrics.json":         loss("0.26"),
		// distilbert trial_3 (folds numbered from 1): mean 0.21, faster.
		"distilbert/trial_3_fold1/metrics.json":   loss("0.20"),
		"distilbert/trial_3_fold2/metrics.json":   loss("0.22"),
		"distilbert/trial_3_fold1/benchmark.json": benchJSON(t, 10),
		// tiny: much worse but fastest.
		"tiny/trial_0/metrics.json":   loss("0.5"),
		"tiny/trial_0/benchmark.json": benchJSON(t, 1),
	})
	return root
}

// corruptTree has a benchmark.json that is not JSON and one without
// batch_1; both count as missing.
func corruptTree(t *testing.T) string {
	root := demoTree(t, map[string]float64{"bert": 40})
	noBatch1 := strings.Replace(benchJSON(t, 20), `"batch_1"`, `"batch_2"`, 1)
	writeTree(t, root, map[string]string{
		"bert/trial_1/benchmark.json":       `{"batch_1": {"mean_ms": 4`,
		"distilbert/trial_0/benchmark.json": noBatch1,
	})
	return root
}

func TestScanFolds(t *testing.T) {
	root := foldsTree(t)
	cands, warns, err := Scan(Options{HPODir: root, Metric: "loss", Goal: Minimize})
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) != 0 {
		t.Errorf("warnings: %q", warns)
	}
	byName := map[string]*Candidate{}
	for _, c := range cands {
		byName[c.Backbone] = c
	}
	bert := byName["bert"]
	if bert.TrialName != "trial_0" || bert.Folds != 3 || !approx(bert.Value, 0.20) {
		t.Errorf("bert: %s, %d folds, value %v; want trial_0, 3 folds, 0.20", bert.TrialName, bert.Folds, bert.Value)
	}
	if filepath.Base(bert.TrialDir) != "trial_0_fold0" || bert.LatencyMS == nil || *bert.LatencyMS != 40 {
		t.Errorf("bert: dir %s, latency %v; want the first fold's", bert.TrialDir, bert.LatencyMS)
	}
	if m, _ := bert.Metrics["loss"].(float64); !approx(m, 0.20) || bert.Metrics["note"] != nil {
		t.Errorf("bert metrics %v: want the mean loss and no non-numeric keys", bert.Metrics)
	}
	if bert.Hyperparameters["learning_rate"] != 2e-05 {
		t.Errorf("bert hyperparameters %v", bert.Hyperparameters)
	}
	d := byName["distilbert"]
	if d.TrialName != "trial_3" || filepath.Base(d.TrialDir) != "trial_3_fold1" || !approx(d.Value, 0.21) {
		t.Errorf("distilbert: %s in %s, value %v", d.TrialName, d.TrialDir, d.Value)
	}
}

func approx(a, b float64) bool { return a-b < 1e-12 && b-a < 1e-12 }

func TestScanWarnings(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"a/trial_0/metrics.json":              `{"macro-f1": 0.5}`,
		"a/trial_1/metrics.json":              `{"macro-f1": 0.7`,                   // corrupt
		"a/trial_7/metrics.json":              `0.7`,                                // not an object
		"a/trial_2/metrics.json":              `{"micro-f1": 0.9, "loss": 0.1}`,     // no metric
		"a/trial_3/metrics.json":              `{"macro-f1": "high"}`,               // not a number
		"a/trial_4/":                          "",                                   // no metrics.json
		"a/trial_5/metrics.json":              `{"macro-f1": 0.6}`,                  // best
		"a/trial_5/hyperparameters.json":      `[1, 2]`,                             // not an object
		"a/trial_5/benchmark.json":            `{"device": "cpu"}`,                  // no batches
		"a/trial_5/config.json":               `{"model_type": "gpt", "n_embd": 8}`, // not BERT
		"a/trial_6_fold0/metrics.json":        `{"macro-f1": 0.1}`,
		"a/trial_6/metrics.json":              `{"macro-f1": 0.2}`, // plain beside folds: folds ignored
		"b/not_a_trial/metrics.json":          `{"macro-f1": 0.9}`,
		"b/trial_0/metrics.json":              `{"loss": 0.9}`,
		"c/":                                  "",
		".hidden/trial_0/metrics.json":        `{"macro-f1": 1}`,
		"_cache/trial_0/metrics.json":         `{"macro-f1": 1}`,
		"d/trial_0/metrics.json":              `{"macro-f1": 0.3}`,
		"d/trial_0/checkpoint/model.onnx":     "this is not an ONNX model",
		"d/trial_0/checkpoint/config.json":    tinyDistilCfg, // the fallback
		"e/trial_0/metrics.json":              `{"macro-f1": 0.3}`,
		"e/trial_0/model.onnx":                tinyDistilBERT,  // in the trial directory
		"e/trial_0/checkpoint/benchmark.json": benchJSON(t, 7), // fallback place
	})
	cands, warns, err := Scan(Options{HPODir: root, Metric: "macro-f1"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range cands {
		got = append(got, c.Backbone+"/"+c.TrialName)
	}
	if want := []string{"a/trial_5", "d/trial_0", "e/trial_0"}; !slices.Equal(got, want) {
		t.Errorf("candidates %v, want %v", got, want)
	}
	text := strings.Join(warns, "\n")
	for _, s := range []string{
		filepath.Join(root, "a/trial_1/metrics.json") + ": unexpected end of JSON input; not a candidate",
		filepath.Join(root, "a/trial_7/metrics.json") + ": want a JSON object, got a number; not a candidate",
		filepath.Join(root, "a/trial_2/metrics.json") + `: no "macro-f1" (has loss, micro-f1); not a candidate`,
		filepath.Join(root, "a/trial_3/metrics.json") + `: "macro-f1" = "high": want a number; not a candidate`,
		filepath.Join(root, "a/trial_4") + ": no metrics.json; not a candidate",
		filepath.Join(root, "a/trial_5/hyperparameters.json") + ": want a JSON object, got an array; hyperparameters left empty",
		filepath.Join(root, "a/trial_5/benchmark.json") + ": " + `missing key "timestamp"; treated as missing`,
		filepath.Join(root, "a/trial_5/config.json") + ": none of vocab_size",
		filepath.Join(root, "a/trial_6") + ": trial trial_6 has both its own metrics.json and 1 fold directories; the folds are ignored",
		filepath.Join(root, "b") + `: no trial has a metrics.json holding "macro-f1"; backbone "b" skipped`,
		filepath.Join(root, "c") + `: no trial_* directories; backbone "c" skipped`,
		"counting parameters: " + filepath.Join(root, "d/trial_0/checkpoint/model.onnx") + ": ",
	} {
		if !strings.Contains(text, s) {
			t.Errorf("warnings lack %q; got:\n%s", s, text)
		}
	}
	a, d, e := cands[0], cands[1], cands[2]
	if a.LatencyMS != nil || a.Parameters != 0 || len(a.Hyperparameters) != 0 {
		t.Errorf("a: latency %v, parameters %d, hyperparameters %v; want none", a.LatencyMS, a.Parameters, a.Hyperparameters)
	}
	if d.Parameters != 62166 || d.ParametersFrom != "config.json" {
		t.Errorf("d: %d parameters from %s; want 62166 from config.json", d.Parameters, d.ParametersFrom)
	}
	if e.Parameters != 62172 || e.ParametersFrom != "onnx" || e.LatencyMS == nil || *e.LatencyMS != 7 {
		t.Errorf("e: %d parameters from %s, latency %v; want 62172 from onnx, 7 ms", e.Parameters, e.ParametersFrom, e.LatencyMS)
	}
}

func TestScanErrors(t *testing.T) {
	empty := t.TempDir()
	noCands := t.TempDir()
	writeTree(t, noCands, map[string]string{"a/trial_0/metrics.json": `{"loss": 1}`})
	tests := []struct {
		dir  string
		want string
	}{
		{filepath.Join(empty, "missing"), "reading hpo dir"},
		{empty, "no backbone directories"},
		{noCands, `no candidates: none of 1 backbone directories has a trial_* directory whose metrics.json holds "macro-f1"`},
	}
	for _, tt := range tests {
		_, err := Select(Options{HPODir: tt.dir, Metric: "macro-f1"})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.dir, err, tt.want)
		}
	}
	// Contradictory settings fail before the tree is read.
	_, err := Select(Options{HPODir: filepath.Join(empty, "missing"), Metric: "m", AccuracyThreshold: f(0.015), MinAccuracyGain: f(0.02)})
	if err == nil || !strings.Contains(err.Error(), "can never choose a faster model") {
		t.Errorf("error %v", err)
	}
}

// A large model's weights are skipped, not read: counting stays fast and
// small even when raw_data is big (here a sparse 200 MB file).
func TestScanBigModelIsNotRead(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a sparse file")
	}
	root := t.TempDir()
	writeTree(t, root, map[string]string{"a/trial_0/metrics.json": `{"m": 1}`})
	// A ModelProto whose graph holds one float initializer [50000000]
	// with 200 MB of raw_data (a hole in a sparse file).
	const n = 50_000_000
	tensor := appendField(nil, 1, varint(n))
	tensor = append(tensor, 0x10, 1) // data_type FLOAT
	tensor = append(tensor, 0x4a)    // raw_data, bytes
	tensor = append(tensor, varint(4*n)...)
	header := appendBytesHeader(nil, 5, len(tensor)+4*n)
	graphLen := len(header) + len(tensor) + 4*n
	model := appendBytesHeader(nil, 7, graphLen)
	model = append(model, header...)
	model = append(model, tensor...)
	path := filepath.Join(root, "a/trial_0/model.onnx")
	fh, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fh.Write(model); err != nil {
		t.Fatal(err)
	}
	if err := fh.Truncate(int64(len(model)) + 4*n); err != nil {
		t.Fatal(err)
	}
	fh.Close()
	cands, _, err := Scan(Options{HPODir: root, Metric: "m"})
	if err != nil {
		t.Fatal(err)
	}
	if cands[0].Parameters != n {
		t.Errorf("parameters %d, want %d", cands[0].Parameters, n)
	}
}

func varint(v uint64) []byte {
	var b []byte
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

func appendField(b []byte, num byte, v []byte) []byte { return append(append(b, num<<3), v...) }

func appendBytesHeader(b []byte, num byte, n int) []byte {
	return append(append(b, num<<3|2), varint(uint64(n))...)
}

// machineJSON is benchJSON of a machine.
func machineJSON(t *testing.T, ms float64, machine string) string {
	t.Helper()
	f, err := contract.Decode("x", []byte(benchJSON(t, ms)))
	if err != nil {
		t.Fatal(err)
	}
	f.Machine = machine
	data, err := contract.Encode(f)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// select decides for the machine it is given: each trial's benchmark of
// that machine; without one, trials benchmarked on several machines, or
// candidates measured on different machines, are refused.
func TestSelectForMachine(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root, map[string]string{
		"big/trial_0/metrics.json":                        metrics("0.90"),
		"big/trial_0/benchmark.cpu-box.json":              machineJSON(t, 40, "cpu box"),
		"big/trial_0/benchmark.gpu-box.json":              machineJSON(t, 2, "gpu box"),
		"small/trial_0/metrics.json":                      metrics("0.89"),
		"small/trial_0/benchmark.cpu-box.json":            machineJSON(t, 10, "cpu box"),
		"small/trial_0/checkpoint/benchmark.gpu-box.json": machineJSON(t, 3, "gpu box"),
	})
	opts := Options{HPODir: root, Metric: "macro-f1", AccuracyThreshold: f(0.02)}
	for machine, want := range map[string]string{"cpu box": "small", "gpu box": "big"} {
		o := opts
		o.Machine = machine
		res, err := Select(o)
		if err != nil {
			t.Fatalf("%s: %v", machine, err)
		}
		if res.Selection.Backbone != want {
			t.Errorf("for %s: chose %s, want %s (%s)", machine, res.Selection.Backbone, want, res.Selection.SelectionCriteria.Reason)
		}
		for _, c := range res.Selection.SelectionCriteria.AllCandidates {
			if c.BenchmarkMachine != machine {
				t.Errorf("for %s: %s's benchmark is of %q", machine, c.Backbone, c.BenchmarkMachine)
			}
		}
	}
	if _, err := Select(opts); err == nil || !strings.Contains(err.Error(), "benchmarks of several machines (cpu box; gpu box)") {
		t.Errorf("no machine given: %v", err)
	}
	// One file each, but of different machines: not compared.
	root = t.TempDir()
	writeTree(t, root, map[string]string{
		"big/trial_0/metrics.json":     metrics("0.90"),
		"big/trial_0/benchmark.json":   machineJSON(t, 2, "gpu box"),
		"small/trial_0/metrics.json":   metrics("0.89"),
		"small/trial_0/benchmark.json": machineJSON(t, 10, "cpu box"),
	})
	opts.HPODir = root
	if _, err := Select(opts); err == nil || !strings.Contains(err.Error(), "big on gpu box") || !strings.Contains(err.Error(), "--machine") {
		t.Errorf("candidates of different machines: %v", err)
	}
}
