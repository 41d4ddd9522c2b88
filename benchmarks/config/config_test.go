package config

import (
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// setup makes a project folder with two checkpoint folders (ckpt/a, ckpt/b),
// a test data file (data/test.json) and a file (data/file.txt), and
// returns its absolute path.
func setup(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{"ckpt/a", "ckpt/b", "data", "other"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"data/test.json", "data/other.jsonl", "data/file.txt"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte(`["x"]`), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// load writes content to dir/bench.toml and loads it.
func load(t *testing.T, dir, content string) (*Config, error) {
	t.Helper()
	path := filepath.Join(dir, "bench.toml")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return Load(path)
}

func TestLoadFull(t *testing.T) {
	dir := setup(t)
	c, err := load(t, dir, `# a full file
test_data = "data/test.json"
batch_sizes = [1, 4]
iterations = 50
warmup = 5
max_length = 128
device = "cpu"
intra_op_threads = 2
inter_op_threads = 1
keep_samples = true

[[model]]
name = "distilbert/trial 0"
checkpoint = "ckpt/a"

[[model]]
name = "b"
checkpoint = "ckpt/b/"
output = "out/b.json"
test_data = "data/other.jsonl"
batch_sizes = [32]
iterations = 7
warmup = 0
max_length = 64
device = "cuda"
intra_op_threads = 0
inter_op_threads = 3
keep_samples = false

[check]
alpha = 0.01
threshold = 0.1
min_samples = 6
[check.thresholds]
"p99-ns/op" = 0.2
"docs/sec" = 0

[selection]
hpo_dir = "outputs/hpo"
metric = "eval_f1"
goal = "minimize"
accuracy_threshold = 0.01
relative = false
min_accuracy_gain = 0
output = "/abs/selection.json"
`)
	if err != nil {
		t.Fatal(err)
	}
	if c.Path != filepath.Join(dir, "bench.toml") || c.Dir != dir {
		t.Errorf("Path, Dir = %q, %q", c.Path, c.Dir)
	}
	wantDefaults := Settings{
		TestData: filepath.Join(dir, "data/test.json"), BatchSizes: []int{1, 4}, Iterations: 50, Warmup: 5,
		MaxLength: 128, Device: "cpu", IntraOpThreads: 2, InterOpThreads: 1, KeepSamples: true,
	}
	equalSettings(t, "Defaults", c.Defaults, wantDefaults)
	if len(c.Models) != 2 {
		t.Fatalf("got %d models, want 2", len(c.Models))
	}

	a := c.Models[0]
	if a.Name != "distilbert/trial 0" || a.Checkpoint != filepath.Join(dir, "ckpt/a") ||
		a.Output != filepath.Join(dir, "ckpt/benchmark.json") {
		t.Errorf("model a = %+v", a)
	}
	equalSettings(t, "model a", a.Settings, wantDefaults)
	if a.BenchName() != "distilbert_trial_0" {
		t.Errorf("BenchName = %q", a.BenchName())
	}

	b := c.Models[1]
	if b.Name != "b" || b.Checkpoint != filepath.Join(dir, "ckpt/b") || b.Output != filepath.Join(dir, "out/b.json") {
		t.Errorf("model b = %+v", b)
	}
	equalSettings(t, "model b", b.Settings, Settings{
		TestData: filepath.Join(dir, "data/other.jsonl"), BatchSizes: []int{32}, Iterations: 7, Warmup: 0,
		MaxLength: 64, Device: "cuda", IntraOpThreads: 0, InterOpThreads: 3, KeepSamples: false,
	})

	// Overrides do not leak into the defaults or other models.
	c.Models[0].Settings.BatchSizes[0] = 99
	if c.Defaults.BatchSizes[0] != 1 {
		t.Error("models share the defaults' batch sizes")
	}

	if c.Check.Alpha != 0.01 || c.Check.Threshold != 0.1 || c.Check.MinSamples != 6 ||
		!maps.Equal(c.Check.Thresholds, map[string]float64{"p99-ns/op": 0.2, "docs/sec": 0}) {
		t.Errorf("Check = %+v", c.Check)
	}

	s := c.Selection
	if s.HPODir != filepath.Join(dir, "outputs/hpo") || s.Metric != "eval_f1" || s.Goal != "minimize" ||
		s.AccuracyThreshold == nil || *s.AccuracyThreshold != 0.01 || s.Relative ||
		s.MinAccuracyGain == nil || *s.MinAccuracyGain != 0 || s.Output != "/abs/selection.json" {
		t.Errorf("Selection = %+v", s)
	}

	if m, ok := c.Model("b"); !ok || m != &c.Models[1] {
		t.Errorf("Model(b) = %v, %v", m, ok)
	}
	if _, ok := c.Model("distilbert_trial_0"); ok {
		t.Error("Model found a model by its bench name")
	}
	if m, ok := c.ModelByBenchName("distilbert_trial_0"); !ok || m.Name != "distilbert/trial 0" {
		t.Errorf("ModelByBenchName = %v, %v", m, ok)
	}
	if _, ok := c.ModelByBenchName("distilbert/trial 0"); ok {
		t.Error("ModelByBenchName found a model by its real name")
	}
}

func TestLoadDefaults(t *testing.T) {
	dir := setup(t)
	c, err := load(t, dir, "test_data = \"data/test.json\"\n[[model]]\nname = \"a\"\ncheckpoint = \"ckpt/a\"\n")
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultSettings()
	want.TestData = filepath.Join(dir, "data/test.json")
	equalSettings(t, "Defaults", c.Defaults, want)
	equalSettings(t, "model", c.Models[0].Settings, want)
	if want := (Settings{BatchSizes: []int{1, 8, 16}, Iterations: 100, Warmup: 10, MaxLength: 512, Device: "auto"}); !equal(DefaultSettings(), want) {
		t.Errorf("DefaultSettings() = %+v", DefaultSettings())
	}
	if c.Check.Alpha != 0.05 || c.Check.Threshold != 0.05 || c.Check.MinSamples != 4 || c.Check.Thresholds != nil {
		t.Errorf("Check = %+v", c.Check)
	}
	s := c.Selection
	if s.Goal != "maximize" || !s.Relative || s.AccuracyThreshold != nil || s.MinAccuracyGain != nil ||
		s.HPODir != "" || s.Metric != "" || s.Output != "" {
		t.Errorf("Selection = %+v", s)
	}
}

func TestThreadSweep(t *testing.T) {
	dir := setup(t)
	c, err := load(t, dir, "test_data = \"data/test.json\"\nintra_op_threads = [2, 1]\n"+
		"[[model]]\nname = \"a\"\ncheckpoint = \"ckpt/a\"\n"+
		"[[model]]\nname = \"b\"\ncheckpoint = \"ckpt/b\"\noutput = \"b.json\"\nintra_op_threads = 3\n"+
		"[[model]]\nname = \"c\"\ncheckpoint = \"ckpt/b\"\noutput = \"c.json\"\nintra_op_threads = [4]\n"+
		"[[model]]\nname = \"d\"\ncheckpoint = \"ckpt/b\"\noutput = \"d.json\"\nintra_op_threads = [0, 1, 4]\n")
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []struct {
		n     int
		sweep []int
	}{{2, []int{2, 1}}, {3, nil}, {4, nil}, {0, []int{0, 1, 4}}} {
		s := c.Models[i].Settings
		if s.IntraOpThreads != want.n || !slices.Equal(s.ThreadSweep, want.sweep) || (want.sweep == nil) != (s.ThreadSweep == nil) {
			t.Errorf("model %s: IntraOpThreads %d ThreadSweep %v, want %d %v", c.Models[i].Name, s.IntraOpThreads, s.ThreadSweep, want.n, want.sweep)
		}
	}
	if got := c.Models[0].Settings.Threads(); !slices.Equal(got, []int{2, 1}) {
		t.Errorf("Threads() = %v", got)
	}
	if got := c.Models[1].Settings.Threads(); !slices.Equal(got, []int{-1}) {
		t.Errorf("Threads() without a sweep = %v, want [NoThreads]", got)
	}
	one := c.Models[0].Settings.WithThreads(1)
	if one.IntraOpThreads != 1 || one.ThreadSweep != nil || c.Models[0].Settings.IntraOpThreads != 2 {
		t.Errorf("WithThreads(1) = %d %v", one.IntraOpThreads, one.ThreadSweep)
	}
}

func TestLoadEmpty(t *testing.T) {
	dir := setup(t)
	c, err := load(t, dir, "# nothing\n")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Models) != 0 || !equal(c.Defaults, DefaultSettings()) {
		t.Errorf("got %+v", c)
	}
}

func TestAbsolutePathsAndRelativeConfig(t *testing.T) {
	dir := setup(t)
	sub := filepath.Join(dir, "conf")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	content := "test_data = \"" + filepath.Join(dir, "data/test.json") + "\"\n" +
		"[[model]]\nname = \"a\"\ncheckpoint = \"../ckpt/a\"\n"
	if err := os.WriteFile(filepath.Join(sub, "bench.toml"), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	c, err := Load("conf/bench.toml")
	if err != nil {
		t.Fatal(err)
	}
	if c.Path != "conf/bench.toml" || c.Dir != sub {
		t.Errorf("Path, Dir = %q, %q; want conf/bench.toml, %s", c.Path, c.Dir, sub)
	}
	if m := c.Models[0]; m.Checkpoint != filepath.Join(dir, "ckpt/a") || m.Settings.TestData != filepath.Join(dir, "data/test.json") {
		t.Errorf("model = %+v", m)
	}

	// Errors name the file as it was given.
	_, err = Parse("conf/bench.toml", []byte("iterations = 0\n"))
	want := "conf/bench.toml:1: iterations: 0 is not a valid number of iterations (want ≥ 1)"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

func TestLoadErrors(t *testing.T) {
	const head = "test_data = \"data/test.json\"\n" // line 1
	tests := []struct {
		name    string
		content string
		want    []string // error lines, DIR stands for the folder
	}{
		{"syntax", "iterations = 10\nwarmup = = 3\n", []string{
			"bench.toml:2:10: invalid TOML: expected value but found '=' instead",
		}},
		{"duplicate key is a syntax error", "iterations = 1\niterations = 2\n", []string{
			"bench.toml:2: invalid TOML: key 'iterations' has already been defined",
		}},
		{"unknown keys", head + "batch_size = [1]\nbogus = 1\nalpha = 0.1\nname = \"x\"\n[[model]]\nname = \"a\"\ncheckpoint = \"ckpt/a\"\nIterations = 3\nwarmups = 1\nextra = true\n[model.sub]\nx = 1\n[check]\niterations = 3\nthresold = 0.1\n[selection]\nhpo = \"x\"\n[other]\nx = 1\n", []string{
			`bench.toml:2: batch_size: unknown key; did you mean "batch_sizes"?`,
			`bench.toml:3: bogus: unknown key; remove it (the keys here are test_data, batch_sizes, iterations, warmup, texts, max_length, device, intra_op_threads, inter_op_threads, keep_samples, batching, padding, mode, graph_optimization, scenario, offline_streams, model, check, selection)`,
			`bench.toml:4: alpha: unknown key here; it belongs in the [check] table`,
			`bench.toml:5: name: unknown key here; it belongs in a [[model]] table`,
			`bench.toml:9: model "a": Iterations: unknown key; did you mean "iterations"?`,
			`bench.toml:10: model "a": warmups: unknown key; did you mean "warmup"?`,
			`bench.toml:11: model "a": extra: unknown key; remove it (the keys here are name, checkpoint, output, test_data, batch_sizes, iterations, warmup, texts, max_length, device, intra_op_threads, inter_op_threads, keep_samples, batching, padding, mode, graph_optimization, scenario, offline_streams)`,
			`bench.toml:12: model "a": sub: unknown key; remove it (the keys here are name, checkpoint, output, test_data, batch_sizes, iterations, warmup, texts, max_length, device, intra_op_threads, inter_op_threads, keep_samples, batching, padding, mode, graph_optimization, scenario, offline_streams)`,
			`bench.toml:15: check.iterations: unknown key here; it belongs in a [[model]] table or the top of the file (before any table)`,
			`bench.toml:16: check.thresold: unknown key; did you mean "threshold"?`,
			`bench.toml:18: selection.hpo: unknown key; remove it (the keys here are hpo_dir, metric, goal, accuracy_threshold, relative, min_accuracy_gain, output, threads)`,
			`bench.toml:19: other: unknown key; remove it (the keys here are test_data, batch_sizes, iterations, warmup, texts, max_length, device, intra_op_threads, inter_op_threads, keep_samples, batching, padding, mode, graph_optimization, scenario, offline_streams, model, check, selection)`,
		}},
		{"bad global values", "test_data = \"data/test.json\"\nbatch_sizes = [0, 8, -1, 8, 8]\niterations = 0\nwarmup = -1\nmax_length = 0\ndevice = \"gpu\"\nintra_op_threads = -2\ninter_op_threads = -1\n", []string{
			"bench.toml:2: batch_sizes: 0 is not a valid batch size (want ≥ 1)",
			"bench.toml:2: batch_sizes: -1 is not a valid batch size (want ≥ 1)",
			"bench.toml:2: batch_sizes: 8 is listed more than once; list each batch size once",
			"bench.toml:3: iterations: 0 is not a valid number of iterations (want ≥ 1)",
			"bench.toml:4: warmup: -1 is not a valid number of warm-up iterations (want ≥ 0)",
			"bench.toml:5: max_length: 0 is not a valid max length (want ≥ 1)",
			`bench.toml:6: device: "gpu" is not a device; want "auto", "cpu" or "cuda"`,
			"bench.toml:7: intra_op_threads: -2 is not a valid number of threads (want ≥ 0; 0 lets ONNX Runtime choose)",
			"bench.toml:8: inter_op_threads: -1 is not a valid number of threads (want ≥ 0; 0 lets ONNX Runtime choose)",
		}},
		{"empty batch sizes", head + "batch_sizes = []\n", []string{
			"bench.toml:2: batch_sizes: empty; want at least one batch size, such as [1, 8, 16]",
		}},
		{"wrong types", "test_data = 3\nbatch_sizes = 8\niterations = \"100\"\nwarmup = 1.5\nmax_length = true\ndevice = 1\nkeep_samples = \"yes\"\nintra_op_threads = [1, \"2\"]\ninter_op_threads = 2020-01-01\n[[model]]\nname = 7\ncheckpoint = 8\noutput = false\nbatch_sizes = [1, \"8\"]\n[check]\nalpha = \"0.05\"\nmin_samples = 2.0\nthresholds = 0.1\n[selection]\nrelative = 1\nmetric = 1\ngoal = [\"maximize\"]\naccuracy_threshold = \"1\"\nmin_accuracy_gain = {x = 1}\n", []string{
			"bench.toml:1: test_data: want a string, got the whole number 3",
			"bench.toml:2: batch_sizes: want an array of batch sizes, such as [1, 8, 16], got the whole number 8",
			`bench.toml:3: iterations: want a whole number, got the string "100"`,
			"bench.toml:4: warmup: want a whole number, got the number 1.5",
			"bench.toml:5: max_length: want a whole number, got true",
			"bench.toml:6: device: want a string, got the whole number 1",
			`bench.toml:7: keep_samples: want true or false, got the string "yes"`,
			`bench.toml:8: intra_op_threads: want a whole number or an array of them, such as 4 or [1, 2, 4], got the string "2" as item 2`,
			"bench.toml:9: inter_op_threads: want a whole number, got a date or time",
			"bench.toml:11: model #1: name: want a string, got the whole number 7",
			"bench.toml:12: model #1: checkpoint: want a string, got the whole number 8",
			"bench.toml:13: model #1: output: want a string, got false",
			`bench.toml:14: model #1: batch_sizes: want an array of batch sizes, such as [1, 8, 16], got the string "8" as item 2`,
			`bench.toml:16: check.alpha: want a number, got the string "0.05"`,
			"bench.toml:17: check.min_samples: want a whole number, got the number 2",
			"bench.toml:18: check.thresholds: want a table [check.thresholds], got the number 0.1",
			"bench.toml:20: selection.relative: want true or false, got the whole number 1",
			"bench.toml:21: selection.metric: want a string, got the whole number 1",
			"bench.toml:22: selection.goal: want a string, got an array",
			`bench.toml:23: selection.accuracy_threshold: want a number, got the string "1"`,
			"bench.toml:24: selection.min_accuracy_gain: want a number, got a table",
		}},
		{"bad model values, one line each", head + "[[model]]\nname = \"a\"\ncheckpoint = \"ckpt/a\"\n[[model]]\nname = \"x\"\ncheckpoint = \"ckpt/b\"\nbatch_sizes = [1, 0]\niterations = 0\nwarmup = -3\nmax_length = -1\ndevice = \"CPU\"\nintra_op_threads = -1\ninter_op_threads = -1\n", []string{
			`bench.toml:8: model "x": batch_sizes: 0 is not a valid batch size (want ≥ 1)`,
			`bench.toml:9: model "x": iterations: 0 is not a valid number of iterations (want ≥ 1)`,
			`bench.toml:10: model "x": warmup: -3 is not a valid number of warm-up iterations (want ≥ 0)`,
			`bench.toml:11: model "x": max_length: -1 is not a valid max length (want ≥ 1)`,
			`bench.toml:12: model "x": device: "CPU" is not a device; want "auto", "cpu" or "cuda"`,
			`bench.toml:13: model "x": intra_op_threads: -1 is not a valid number of threads (want ≥ 0; 0 lets ONNX Runtime choose)`,
			`bench.toml:14: model "x": inter_op_threads: -1 is not a valid number of threads (want ≥ 0; 0 lets ONNX Runtime choose)`,
		}},
		{"bad defaults are reported once, not per model", "test_data = \"data/test.json\"\niterations = 0\n[[model]]\nname = \"a\"\ncheckpoint = \"ckpt/a\"\n[[model]]\nname = \"b\"\ncheckpoint = \"ckpt/b\"\n", []string{
			"bench.toml:2: iterations: 0 is not a valid number of iterations (want ≥ 1)",
		}},
		{"missing name and checkpoint", head + "[[model]]\nname = \"a\"\ncheckpoint = \"ckpt/a\"\n\n[[model]]\niterations = 5\n\n[[model]]\nname = \"c\"\n[[model]]\nname = \"\"\ncheckpoint = \"\"\n", []string{
			`bench.toml:6: model #2: name: missing; add name = "…" to this [[model]] table`,
			`bench.toml:6: model #2: checkpoint: missing; add checkpoint = "path/to/checkpoint" (the folder that holds model.onnx) to this [[model]] table`,
			`bench.toml:9: model "c": checkpoint: missing; add checkpoint = "path/to/checkpoint" (the folder that holds model.onnx) to this [[model]] table`,
			`bench.toml:12: model #4: name: empty; give the model a name`,
			`bench.toml:13: model #4: checkpoint: empty; want a path`,
		}},
		{"duplicate names and bench names", head + "[[model]]\nname = \"a b\"\ncheckpoint = \"ckpt/a\"\n[[model]]\nname = \"a/b\"\ncheckpoint = \"ckpt/a\"\n[[model]]\nname = \"a b\"\ncheckpoint = \"ckpt/b\"\n[[model]]\nname = \"t-1\"\ncheckpoint = \"ckpt/b\"\n[[model]]\nname = \"t_1\"\ncheckpoint = \"ckpt/b\"\n", []string{
			`bench.toml:6: model "a/b": name: its bench name "a_b" is also that of model "a b" (line 3), since characters outside [A-Za-z0-9._+] become '_'; rename one of them`,
			`bench.toml:9: model "a b": name: the name is also used by the model at line 3; give each model its own name`,
			`bench.toml:15: model "t_1": name: its bench name "t_1" is also that of model "t-1" (line 12), since characters outside [A-Za-z0-9._+] become '_'; rename one of them`,
		}},
		{"paths that do not exist", "test_data = \"data/nope.json\"\n[[model]]\nname = \"a\"\ncheckpoint = \"ckpt/nope\"\n[[model]]\nname = \"b\"\ncheckpoint = \"data/test.json\"\ntest_data = \"data\"\n[[model]]\nname = \"c\"\ncheckpoint = \"ckpt/a\"\ntest_data = \"/nonexistent/t.json\"\n", []string{
			"bench.toml:1: test_data: file DIR/data/nope.json does not exist; fix the path (a relative path is relative to DIR, the folder of bench.toml)",
			"bench.toml:4: model \"a\": checkpoint: folder DIR/ckpt/nope does not exist; fix the path (a relative path is relative to DIR, the folder of bench.toml)",
			"bench.toml:7: model \"b\": checkpoint: DIR/data/test.json is a file; want the checkpoint folder, the one that holds model.onnx",
			"bench.toml:8: model \"b\": test_data: DIR/data is a folder; want a test data file (JSON or JSON Lines)",
			"bench.toml:12: model \"c\": test_data: file /nonexistent/t.json does not exist; fix the path (a relative path is relative to DIR, the folder of bench.toml)",
		}},
		{"test data not set", "[[model]]\nname = \"a\"\ncheckpoint = \"ckpt/a\"\n[[model]]\nname = \"b\"\ncheckpoint = \"ckpt/b\"\ntest_data = \"data/test.json\"\n", []string{
			`bench.toml:1: model "a": test_data: not set; add test_data = "path/to/test_data.json" at the top of the file (for every model) or to this [[model]] table`,
		}},
		{"bad global test data is not reported again per model", "test_data = 5\n[[model]]\nname = \"a\"\ncheckpoint = \"ckpt/a\"\n", []string{
			"bench.toml:1: test_data: want a string, got the whole number 5",
		}},
		{"bad thread sweeps", head + "intra_op_threads = [1, -1, 2, 2]\n[[model]]\nname = \"a\"\ncheckpoint = \"ckpt/a\"\nintra_op_threads = []\n[[model]]\nname = \"b\"\ncheckpoint = \"ckpt/b\"\noutput = \"b.json\"\nintra_op_threads = [4, 5000]\n", []string{
			"bench.toml:2: intra_op_threads: -1 is not a valid number of threads (want ≥ 0; 0 lets ONNX Runtime choose)",
			"bench.toml:2: intra_op_threads: 2 is listed more than once; list each thread count once",
			`bench.toml:6: model "a": intra_op_threads: empty; want a thread count or a list of them, such as [1, 2, 4]`,
			`bench.toml:11: model "b": intra_op_threads: 5000 is too large for threads (at most 4096)`,
		}},
		{"model as a single table", head + "[model]\nname = \"a\"\ncheckpoint = \"ckpt/a\"\n", []string{
			"bench.toml:2: model: want [[model]] tables, got a single [model] table; write [[model]] (two brackets) above each model",
		}},
		{"model as a string", head + "model = \"a\"\n", []string{
			`bench.toml:2: model: want [[model]] tables, got the string "a"; write a [[model]] table for each model`,
		}},
		{"model inline array with a non-table", head + "model = [{name = \"a\", checkpoint = \"ckpt/a\"}, 3]\n", []string{
			"bench.toml:2: model #2: model: want a table with name and checkpoint, got the whole number 3",
		}},
		{"check and selection as non-tables", head + "check = 1\nselection = [1]\n", []string{
			"bench.toml:2: check: want a table [check], got the whole number 1",
			"bench.toml:3: selection: want a table [selection], got an array",
		}},
		{"check values", head + "[check]\nalpha = 0\nthreshold = -0.1\nmin_samples = 0\n[check.thresholds]\n\"p99-ns/op\" = -1\n\"\" = 0.1\nok = 0.5\n", []string{
			"bench.toml:3: check.alpha: 0 is out of range; want a significance level between 0 and 1 (exclusive), such as 0.05",
			"bench.toml:4: check.threshold: -0.1 is not a valid threshold; want a fraction ≥ 0, such as 0.05 for 5 %",
			"bench.toml:5: check.min_samples: 0 is not a valid number of samples (want ≥ 1)",
			`bench.toml:7: check.thresholds."p99-ns/op": -1 is not a valid threshold; want a fraction ≥ 0, such as 0.05 for 5 %`,
			`bench.toml:8: check.thresholds."": empty metric name; want a unit such as "p99-ns/op" or a key such as "p99_ms"`,
		}},
		{"alpha of one and nan thresholds", head + "[check]\nalpha = 1\nthreshold = nan\nthresholds = {\"ns/op\" = inf}\n", []string{
			"bench.toml:3: check.alpha: 1 is out of range; want a significance level between 0 and 1 (exclusive), such as 0.05",
			"bench.toml:4: check.threshold: NaN is not a valid threshold; want a fraction ≥ 0, such as 0.05 for 5 %",
			`bench.toml:5: check.thresholds."ns/op": +Inf is not a valid threshold; want a fraction ≥ 0, such as 0.05 for 5 %`,
		}},
		{"selection values", head + "[selection]\ngoal = \"max\"\nmetric = \"\"\naccuracy_threshold = nan\nmin_accuracy_gain = -inf\nhpo_dir = \"\"\n", []string{
			`bench.toml:3: selection.goal: "max" is not a goal; want "maximize" or "minimize"`,
			`bench.toml:4: selection.metric: empty; want the name of a metric, such as "eval_f1"`,
			"bench.toml:5: selection.accuracy_threshold: NaN is not a number; want a finite number",
			"bench.toml:6: selection.min_accuracy_gain: -Inf is not a number; want a finite number",
			"bench.toml:7: selection.hpo_dir: empty; want a path",
		}},
		{"e2e with offline", head + "mode = \"e2e\"\nscenario = \"offline\"\n[[model]]\nname = \"a\"\ncheckpoint = \"ckpt/a\"\n[[model]]\nname = \"b\"\ncheckpoint = \"ckpt/a\"\nscenario = \"single\"\n[[model]]\nname = \"c\"\ncheckpoint = \"ckpt/a\"\nscenario = \"single\"\nmode = \"e2e\"\n[[model]]\nname = \"d\"\ncheckpoint = \"ckpt/a\"\nmode = \"inference\"\n", []string{
			`bench.toml:3: scenario: "offline" times inference only and cannot be combined with mode = "e2e"; use one or the other`,
		}},
		{"e2e model under an offline top", head + "scenario = \"offline\"\n[[model]]\nname = \"a\"\ncheckpoint = \"ckpt/a\"\nmode = \"e2e\"\n[[model]]\nname = \"b\"\ncheckpoint = \"ckpt/a\"\nmode = \"e2e\"\nscenario = \"offline\"\n", []string{
			`bench.toml:6: model "a": mode: "e2e" cannot be combined with scenario = "offline", which times inference only; use one or the other`,
			`bench.toml:11: model "b": scenario: "offline" times inference only and cannot be combined with mode = "e2e"; use one or the other`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := setup(t)
			t.Chdir(dir)
			if err := os.WriteFile("bench.toml", []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			c, err := Load("bench.toml")
			if err == nil {
				t.Fatalf("Load = %+v, want errors", c)
			}
			got := strings.Split(err.Error(), "\n")
			want := strings.Split(strings.ReplaceAll(strings.Join(tt.want, "\n"), "DIR", dir), "\n")
			if !slices.Equal(got, want) {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			// Every error is an *Error that names the file.
			list := []error{err}
			if j, ok := err.(interface{ Unwrap() []error }); ok {
				list = j.Unwrap()
			}
			for _, e := range list {
				var ce *Error
				if !errors.As(e, &ce) || ce.File != "bench.toml" || ce.Line == 0 {
					t.Errorf("error %q is not an *Error with file and line: %#v", e, ce)
				}
			}
		})
	}
}

func TestErrorFields(t *testing.T) {
	dir := setup(t)
	_, err := load(t, dir, "test_data = \"data/test.json\"\n[[model]]\nname = \"m\"\ncheckpoint = \"ckpt/a\"\n\nbatch_sizes = [2, 0]\n")
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v, want an *Error", err)
	}
	want := Error{File: filepath.Join(dir, "bench.toml"), Line: 6, Model: "m", Index: 1, Key: "batch_sizes",
		Msg: "0 is not a valid batch size (want ≥ 1)"}
	if *e != want {
		t.Errorf("got %#v, want %#v", *e, want)
	}
	if e := (&Error{File: "f.toml", Msg: "m"}); e.Error() != "f.toml: m" {
		t.Errorf("Error() = %q", e.Error())
	}
}

// Keys are found on their own lines even when [[model]] tables repeat
// them, and values span lines, and strings hold things that look like TOML.
func TestErrorLines(t *testing.T) {
	dir := setup(t)
	_, err := load(t, dir, `test_data = "data/test.json"  # 1
batch_sizes = [      # 2
  1,
  8,                 # a comment ] with a bracket
]
description_is_not_a_key = 0 # 6: unknown
[[model]]            # 7
name = "a"
checkpoint = "ckpt/a"
iterations = 0       # 10
notes = """         # 11: unknown key, multi-line string
iterations = 0
[[model]]
"""
[[model]]            # 15
'name' = "b"         # 16
checkpoint = "ckpt/b"
"iterations" = 0     # 18
device = 'x"y'       # 19
[model.extra]        # 20: unknown, in model b

[ [model] ]          # 22
`)
	// "[ [model] ]" is not an array header: a syntax error, at its line.
	if err == nil || !strings.Contains(err.Error(), "bench.toml:22:3: invalid TOML: ") {
		t.Fatalf("got %v, want a syntax error at 22:3", err)
	}
	_, err = load(t, dir, `test_data = "data/test.json"  # 1
batch_sizes = [      # 2
  1,
  8,                 # a comment ] with a bracket
]
description_is_not_a_key = 0 # 6: unknown
[[model]]            # 7
name = "a"
checkpoint = "ckpt/a"
iterations = 0       # 10
notes = """         # 11: unknown key, multi-line string
iterations = 0
[[model]]
"""
[[model]]            # 15
'name' = "b"         # 16
checkpoint = "ckpt/b"
"iterations" = 0     # 18
device = 'x"y'       # 19
[model.extra]        # 20: unknown, in model b

  [[ model ]]        # 22
  name = "c"
  checkpoint = "ckpt/a"
  check.alpha = 3    # 25: a dotted key: an unknown table "check" in model c
  batch_sizes = [1,
    1]               # 26
[check]
thresholds = {"p50-ns/op" = -1, "x" = 2} # 29
[check.more]         # 30
`)
	want := []string{
		"bench.toml:6: description_is_not_a_key: unknown key; remove it (the keys here are test_data, batch_sizes, iterations, warmup, texts, max_length, device, intra_op_threads, inter_op_threads, keep_samples, batching, padding, mode, graph_optimization, scenario, offline_streams, model, check, selection)",
		`bench.toml:10: model "a": iterations: 0 is not a valid number of iterations (want ≥ 1)`,
		`bench.toml:11: model "a": notes: unknown key; remove it (the keys here are name, checkpoint, output, test_data, batch_sizes, iterations, warmup, texts, max_length, device, intra_op_threads, inter_op_threads, keep_samples, batching, padding, mode, graph_optimization, scenario, offline_streams)`,
		`bench.toml:18: model "b": iterations: 0 is not a valid number of iterations (want ≥ 1)`,
		`bench.toml:19: model "b": device: "x\"y" is not a device; want "auto", "cpu" or "cuda"`,
		`bench.toml:20: model "b": extra: unknown key; remove it (the keys here are name, checkpoint, output, test_data, batch_sizes, iterations, warmup, texts, max_length, device, intra_op_threads, inter_op_threads, keep_samples, batching, padding, mode, graph_optimization, scenario, offline_streams)`,
		`bench.toml:25: model "c": check: unknown key; remove it (the keys here are name, checkpoint, output, test_data, batch_sizes, iterations, warmup, texts, max_length, device, intra_op_threads, inter_op_threads, keep_samples, batching, padding, mode, graph_optimization, scenario, offline_streams)`,
		`bench.toml:26: model "c": batch_sizes: 1 is listed more than once; list each batch size once`,
		`bench.toml:29: check.thresholds."p50-ns/op": -1 is not a valid threshold; want a fraction ≥ 0, such as 0.05 for 5 %`,
		`bench.toml:30: check.more: unknown key; remove it (the keys here are alpha, threshold, min_samples, thresholds)`,
	}
	if err == nil {
		t.Fatal("want errors")
	}
	msg := strings.ReplaceAll(err.Error(), filepath.Join(dir, "bench.toml"), "bench.toml")
	if got := strings.Split(msg, "\n"); !slices.Equal(got, want) {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bench.toml")
	_, err := Load(path)
	if err == nil || !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), path) {
		t.Errorf("Load = %v, want a not-exist error naming %s", err, path)
	}
}

func TestDefaults(t *testing.T) {
	if err := DefaultCheck().Validate(); err != nil {
		t.Errorf("default check: %v", err)
	}
	if err := DefaultSelection().Validate(); err != nil {
		t.Errorf("default selection: %v", err)
	}
	if got := DefaultOutput("/x/trial_0/checkpoint"); got != "/x/trial_0/benchmark.json" {
		t.Errorf("DefaultOutput = %q", got)
	}
}

func TestSettingsValidate(t *testing.T) {
	ok := DefaultSettings()
	ok.TestData = "t.json"
	tests := []struct {
		name   string
		change func(*Settings)
		want   string
	}{
		{"valid", func(*Settings) {}, ""},
		{"zero threads ok", func(s *Settings) { s.IntraOpThreads, s.InterOpThreads, s.Warmup = 0, 0, 0 }, ""},
		{"no test data", func(s *Settings) { s.TestData = "" }, "test_data: not set; want the path of a test data file"},
		{"batch", func(s *Settings) { s.BatchSizes = []int{4, 0, 4} },
			"batch_sizes: 0 is not a valid batch size (want ≥ 1)\nbatch_sizes: 4 is listed more than once; list each batch size once"},
		{"no batch", func(s *Settings) { s.BatchSizes = nil }, "batch_sizes: empty; want at least one batch size, such as [1, 8, 16]"},
		{"everything", func(s *Settings) {
			*s = Settings{TestData: "x", BatchSizes: []int{1}, Warmup: -1, Device: "", IntraOpThreads: -1, InterOpThreads: -1}
		}, "iterations: 0 is not a valid number of iterations (want ≥ 1)\n" +
			"warmup: -1 is not a valid number of warm-up iterations (want ≥ 0)\n" +
			"max_length: 0 is not a valid max length (want ≥ 1)\n" +
			`device: "" is not a device; want "auto", "cpu" or "cuda"` + "\n" +
			"intra_op_threads: -1 is not a valid number of threads (want ≥ 0; 0 lets ONNX Runtime choose)\n" +
			"inter_op_threads: -1 is not a valid number of threads (want ≥ 0; 0 lets ONNX Runtime choose)\n" +
			`batching: "" is not a batching; want "rotate" or "sorted"` + "\n" +
			`padding: "" is not a padding; want "longest" or "max_length"` + "\n" +
			`mode: "" is not a mode; want "inference" or "e2e"` + "\n" +
			`graph_optimization: "" is not a graph optimization level; want "all", "extended", "basic" or "disabled"` + "\n" +
			`scenario: "" is not a scenario; want "single" or "offline"` + "\n" +
			"offline_streams: empty; want at least one stream count, such as [1, 2]"},
		{"streams", func(s *Settings) { s.Scenario, s.OfflineStreams = "offline", []int{1, 0, 1} },
			"offline_streams: 0 is not a valid number of streams (want ≥ 1)\noffline_streams: 1 is listed more than once; list each stream count once"},
		{"sorted", func(s *Settings) { s.Batching = "sorted" }, ""},
		{"bad batching", func(s *Settings) { s.Batching = "longest" }, `batching: "longest" is not a batching; want "rotate" or "sorted"`},
		{"e2e offline", func(s *Settings) { s.Mode, s.Scenario = "e2e", "offline" }, `scenario: "offline" times inference only and cannot be combined with mode = "e2e"; use one or the other`},
		{"e2e single", func(s *Settings) { s.Mode = "e2e" }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := ok.Clone()
			tt.change(&s)
			err := s.Validate()
			if got := errString(err); got != tt.want {
				t.Errorf("Validate() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCheckAndSelectionValidate(t *testing.T) {
	c := DefaultCheck()
	c.Alpha, c.MinSamples = 1.5, 0
	c.Thresholds = map[string]float64{"b": -1, "a": 0.5, "c": -2}
	want := "check.alpha: 1.5 is out of range; want a significance level between 0 and 1 (exclusive), such as 0.05\n" +
		"check.min_samples: 0 is not a valid number of samples (want ≥ 1)\n" +
		`check.thresholds.b: -1 is not a valid threshold; want a fraction ≥ 0, such as 0.05 for 5 %` + "\n" +
		`check.thresholds.c: -2 is not a valid threshold; want a fraction ≥ 0, such as 0.05 for 5 %`
	if got := errString(c.Validate()); got != want {
		t.Errorf("Check.Validate() = %q, want %q", got, want)
	}

	s := DefaultSelection()
	s.Goal = "up"
	want = `selection.goal: "up" is not a goal; want "maximize" or "minimize"`
	if got := errString(s.Validate()); got != want {
		t.Errorf("Selection.Validate() = %q, want %q", got, want)
	}
}

func TestSuggest(t *testing.T) {
	known := modelKeys
	tests := []struct{ key, want string }{
		{"batch_size", "batch_sizes"},
		{"batch-sizes", "batch_sizes"},
		{"BATCH_SIZES", "batch_sizes"},
		{"iteration", "iterations"},
		{"checkpoints", "checkpoint"},
		{"nam", "name"},
		{"x", ""},
		{"foo", ""},
		{"bogus", ""},
		{"threads", ""},
	}
	for _, tt := range tests {
		if got := suggest(tt.key, known); got != tt.want {
			t.Errorf("suggest(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
}

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{{"", "", 0}, {"a", "", 1}, {"kitten", "sitting", 3}, {"warmup", "warmups", 1}, {"abc", "abc", 0}}
	for _, tt := range tests {
		if got := distance(tt.a, tt.b); got != tt.want {
			t.Errorf("distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func equal(a, b Settings) bool {
	return slices.Equal(a.BatchSizes, b.BatchSizes) && a.TestData == b.TestData && a.Iterations == b.Iterations &&
		a.Warmup == b.Warmup && a.MaxLength == b.MaxLength && a.Device == b.Device &&
		a.IntraOpThreads == b.IntraOpThreads && a.InterOpThreads == b.InterOpThreads && a.KeepSamples == b.KeepSamples
}

func equalSettings(t *testing.T, what string, got, want Settings) {
	t.Helper()
	if !equal(got, want) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

// ParseTables skips only the existence checks: other problems stay errors.
func TestParseTablesSkipsPathChecks(t *testing.T) {
	data := []byte("test_data = \"nope.json\"\n[[model]]\nname = \"x\"\ncheckpoint = \"nope\"\n[check]\nthreshold = 0.2\n")
	path := filepath.Join(t.TempDir(), "bench.toml")
	if _, err := Parse(path, data); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("Parse: error %v, want missing paths reported", err)
	}
	c, err := ParseTables(path, data)
	if err != nil {
		t.Fatalf("ParseTables: %v", err)
	}
	if c.Check.Threshold != 0.2 || len(c.Models) != 1 || c.Models[0].Checkpoint != filepath.Join(filepath.Dir(path), "nope") {
		t.Errorf("ParseTables: check %+v, models %+v", c.Check, c.Models)
	}
	bad := append(data, []byte("[selection]\ngoal = \"fastest\"\n")...)
	if _, err := ParseTables(path, bad); err == nil || !strings.Contains(err.Error(), "bench.toml:8") {
		t.Errorf("ParseTables with a bad goal: error %v, want it at line 8", err)
	}
}

// Absurd counts are refused at config time, and two models with one
// output (given or defaulted) are a configuration error.
func TestBoundsAndOutputs(t *testing.T) {
	dir := setup(t)
	for _, c := range []struct{ content, want string }{
		{"test_data = \"data/test.json\"\nbatch_sizes = [100000000]\n[[model]]\nname = \"a\"\ncheckpoint = \"ckpt/a\"\n",
			"bench.toml:2: batch_sizes: 100000000 is too large for a batch size (at most 65536)"},
		{"test_data = \"data/test.json\"\niterations = 100000000000\n[[model]]\nname = \"a\"\ncheckpoint = \"ckpt/a\"\n",
			"bench.toml:2: iterations: 100000000000 is too large for iterations (at most 10000000)"},
		{"test_data = \"data/test.json\"\n[[model]]\nname = \"a\"\ncheckpoint = \"ckpt/a\"\nmax_length = 10000000\n",
			`bench.toml:5: model "a": max_length: 10000000 is too large for a max length (at most 1048576)`},
		{"test_data = \"data/test.json\"\n[[model]]\nname = \"a\"\ncheckpoint = \"ckpt/a\"\n[[model]]\nname = \"b\"\ncheckpoint = \"ckpt/a\"\nmax_length = 8\n",
			`bench.toml:5: model "b": output: DIR/ckpt/benchmark.json is also the output of model "a" (line 3); give each model its own output = "…"`},
		{"test_data = \"data/test.json\"\n[[model]]\nname = \"a\"\ncheckpoint = \"ckpt/a\"\noutput = \"out/x.json\"\n[[model]]\nname = \"b\"\ncheckpoint = \"ckpt/b\"\noutput = \"out/../out/x.json\"\n",
			`bench.toml:9: model "b": output: DIR/out/x.json is also the output of model "a" (line 3); give each model its own output = "…"`},
	} {
		path := filepath.Join(dir, "bench.toml")
		if err := os.WriteFile(path, []byte(c.content), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Chdir(dir)
		_, err := Load("bench.toml")
		want := strings.ReplaceAll(c.want, "DIR", dir)
		if err == nil || err.Error() != want {
			t.Errorf("Load:\n%v\nwant:\n%s", err, want)
		}
	}
}

// [selection] threads: a thread count (kept as its decimal string),
// "best" or "first"; anything else is an error naming the key.
func TestSelectionThreads(t *testing.T) {
	for in, want := range map[string]string{"": "", "threads = 2": "2", "threads = 0": "0", `threads = "best"`: "best", `threads = "first"`: "first"} {
		c, err := ParseTables("bench.toml", []byte("[selection]\n"+in+"\n"))
		if err != nil || c.Selection.Threads != want {
			t.Errorf("%q: threads %q, %v; want %q", in, c.Selection.Threads, err, want)
		}
	}
	for in, want := range map[string]string{
		`threads = "fastest"`: `bench.toml:2: selection.threads: want a thread count of the sweep such as 2, "best" or "first", got the string "fastest"`,
		"threads = -1":        "bench.toml:2: selection.threads: -1 is not a valid number of threads",
		"threads = [1, 2]":    "bench.toml:2: selection.threads: want a thread count of the sweep",
	} {
		_, err := ParseTables("bench.toml", []byte("[selection]\n"+in+"\n"))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v; want %q", in, err, want)
		}
	}
}
