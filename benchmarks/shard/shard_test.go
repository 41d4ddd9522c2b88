package shard

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nerbench/nerbench/benchmarks/config"
)

// testConfig writes a bench.toml with three models of 2, 6 and 12 layers
// (config.json) and batch sizes 1, 8, 16, and loads it.
func testConfig(t *testing.T, extra string) *config.Config {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "data.json"), []byte(`["one two three four", "five six seven eight nine ten"]`), 0o644); err != nil {
		t.Fatal(err)
	}
	var toml strings.Builder
	toml.WriteString("test_data = \"data.json\"\nbatch_sizes = [1, 8, 16]\n" + extra + "\n")
	for _, m := range []struct {
		name   string
		layers int
	}{{"tiny", 2}, {"distil", 6}, {"bert", 12}} {
		ck := filepath.Join(dir, m.name)
		if err := os.MkdirAll(ck, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(ck, "config.json"), []byte(`{"num_hidden_layers": `+strconv.Itoa(m.layers)+`}`), 0o644); err != nil {
			t.Fatal(err)
		}
		toml.WriteString("[[model]]\nname = \"" + m.name + "\"\ncheckpoint = \"" + m.name + "\"\noutput = \"" + m.name + ".json\"\n")
	}
	path := filepath.Join(dir, "bench.toml")
	if err := os.WriteFile(path, []byte(toml.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.LoadTables(path)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestParseSpec(t *testing.T) {
	for in, want := range map[string]Spec{"": {}, "1/1": {1, 1}, "2/3": {2, 3}, " 3/3 ": {3, 3}} {
		got, err := ParseSpec(in)
		if err != nil || got != want {
			t.Errorf("ParseSpec(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"0/3", "4/3", "3", "a/b", "1/0", "-1/2", "1/3/4"} {
		if _, err := ParseSpec(in); err == nil {
			t.Errorf("ParseSpec(%q): no error", in)
		}
	}
}

// Every cell lands in exactly one shard, for every shard count, and the
// same config gives the same plan.
func TestPlanCoversEveryCellOnce(t *testing.T) {
	cfg := testConfig(t, "")
	cells, _ := Matrix(cfg)
	for n := 1; n <= len(cells); n++ {
		p, err := New(cfg, n, nil)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]int{}
		for i := 1; i <= n; i++ {
			got := p.Of(Spec{i, n})
			if len(got) == 0 {
				t.Errorf("n=%d: shard %d is empty", n, i)
			}
			for _, c := range got {
				seen[c.ID()]++
			}
		}
		for _, c := range cells {
			if seen[c.ID()] != 1 {
				t.Errorf("n=%d: cell %s in %d shards", n, c.ID(), seen[c.ID()])
			}
		}
		again, _ := New(testConfig(t, ""), n, nil) // another folder: the same matrix
		if again.ID != p.ID || again.Matrix != p.Matrix {
			t.Errorf("n=%d: plan %s/%s, then %s/%s", n, p.Matrix, p.ID, again.Matrix, again.ID)
		}
	}
	if _, err := New(cfg, len(cells)+1, nil); err == nil || !strings.Contains(err.Error(), "only 9 cells") {
		t.Errorf("more shards than cells: %v", err)
	}
}

// The shards' costs are even: the costliest shard is within the costliest
// cell of the average, the bound of the longest-processing-time rule.
func TestPlanBalanced(t *testing.T) {
	cfg := testConfig(t, "")
	p, err := New(cfg, 3, nil)
	if err != nil {
		t.Fatal(err)
	}
	var total, biggest int64
	for _, c := range p.Cells {
		total += c.Cost
		biggest = max(biggest, c.Cost)
	}
	for i := 1; i <= 3; i++ {
		if c := p.Cost(Spec{i, 3}); c > total/3+biggest {
			t.Errorf("shard %d costs %d; total %d, costliest cell %d", i, c, total, biggest)
		}
	}
	// bert (12 layers) at batch 16 costs twice distil (6 layers), and 16 times bert at batch 1.
	cost := map[string]int64{}
	for _, c := range p.Cells {
		cost[c.ID()] = c.Cost
	}
	if cost["model=bert/batch=16"] != 2*cost["model=distil/batch=16"] || cost["model=bert/batch=16"] != 16*cost["model=bert/batch=1"] {
		t.Errorf("costs not tokens × layers × batch: %v", cost)
	}
}

// A different setting is a different matrix; durations change the plan
// but not the matrix.
func TestFingerprints(t *testing.T) {
	a, _ := New(testConfig(t, ""), 2, nil)
	b, _ := New(testConfig(t, "iterations = 7"), 2, nil)
	if a.Matrix == b.Matrix {
		t.Error("iterations changed, matrix fingerprint did not")
	}
	out := "BenchmarkInference/model=tiny/batch=1-2 10 900000000 ns/op\n" // tiny at batch 1 measured as the slowest cell, by far
	for _, m := range []string{"tiny", "distil", "bert"} {
		for _, b := range []string{"1", "8", "16"} {
			if m+b != "tiny1" {
				out += "BenchmarkInference/model=" + m + "/batch=" + b + "-2 10 1000 ns/op\n"
			}
		}
	}
	d, err := readDurations(strings.NewReader(out), "prev.txt")
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(testConfig(t, ""), 2, d)
	if err != nil {
		t.Fatal(err)
	}
	if c.Matrix != a.Matrix || c.ID == a.ID || c.Basis != "durations" {
		t.Errorf("durations: matrix %s (want %s), plan %s (want ≠ %s), basis %s", c.Matrix, a.Matrix, c.ID, a.ID, c.Basis)
	}
	if got := c.Of(Spec{1, 2}); len(got) != 1 || got[0].ID() != "model=tiny/batch=1" {
		t.Errorf("the slowest cell, by far, should have a shard of its own: %v", got)
	}
	if _, err := New(testConfig(t, ""), 2, map[string]float64{"model=other/batch=1": 5}); err == nil {
		t.Error("durations of another matrix: no error")
	}
}

func TestLines(t *testing.T) {
	p, _ := New(testConfig(t, ""), 3, nil)
	got := Lines(p, Spec{2, 3}, "box x2")
	for _, want := range []string{"machine: box x2\n", "matrix: " + p.Matrix + "\n", "matrix-cells: 9\n", "shard: 2/3\n", "shard-plan: " + p.ID + "\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in\n%s", want, got)
		}
	}
	var ids []string
	for _, c := range p.Of(Spec{2, 3}) {
		ids = append(ids, c.ID())
	}
	if !strings.Contains(got, "shard-cells: "+strings.Join(ids, ",")+"\n") {
		t.Errorf("shard-cells not %v in\n%s", ids, got)
	}
	if un := Lines(p, Spec{}, "box x2"); !strings.Contains(un, "shard: \n") || !strings.Contains(un, "shard-plan: \n") {
		t.Errorf("unsharded: shard lines not cleared:\n%s", un)
	}
	set := p.CellSet(Spec{2, 3})
	for _, c := range p.Cells {
		if set.Has(c.Bench, c.Batch) != slices.Contains(ids, c.ID()) {
			t.Errorf("CellSet: %s", c.ID())
		}
	}
}

func TestMachine(t *testing.T) {
	if l := DefaultMachine("cpu"); CheckMachine(l) != nil || !strings.Contains(l, " x") {
		t.Errorf("DefaultMachine = %q", l)
	}
	for _, bad := range []string{"", " a", "a,b", "a\nb", strings.Repeat("a", 121)} {
		if _, err := Machine(bad, "cpu"); bad != "" && err == nil {
			t.Errorf("Machine(%q): no error", bad)
		}
	}
}

// A shard whose shard-cells line would be longer than benchfmt reads is
// refused, saying to use more shards.
func TestPlanLineTooLong(t *testing.T) {
	dir := t.TempDir()
	sizes := make([]string, 8000)
	for i := range sizes {
		sizes[i] = strconv.Itoa(i + 1)
	}
	toml := "test_data = \"data.json\"\nbatch_sizes = [" + strings.Join(sizes, ", ") + "]\n[[model]]\nname = \"m\"\ncheckpoint = \"m\"\n"
	if err := os.WriteFile(filepath.Join(dir, "bench.toml"), []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.LoadTables(filepath.Join(dir, "bench.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(cfg, 2, nil); err == nil || !strings.Contains(err.Error(), "use more shards") {
		t.Errorf("2 shards of 8000 cells: %v", err)
	}
	if _, err := New(cfg, 4, nil); err != nil {
		t.Errorf("4 shards of 8000 cells: %v", err)
	}
}

// On CUDA the label names the GPU as nvidia-smi gives it (a stand-in
// nvidia-smi here: the tests have no GPU), and says so when it cannot.
func TestMachineGPU(t *testing.T) {
	dir := t.TempDir()
	script := "#!/bin/sh\nprintf 'NVIDIA A10G\\nNVIDIA A10G\\n'\n"
	if err := os.WriteFile(filepath.Join(dir, "nvidia-smi"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	if l := DefaultMachine("cuda"); !strings.HasSuffix(l, " + cuda NVIDIA A10G") || CheckMachine(l) != nil {
		t.Errorf("DefaultMachine(cuda) = %q", l)
	}
	if l := DefaultMachine("cpu"); strings.Contains(l, "cuda") {
		t.Errorf("DefaultMachine(cpu) = %q", l)
	}
	t.Setenv("PATH", t.TempDir())
	if l := DefaultMachine("cuda"); !strings.HasSuffix(l, " + cuda unknown GPU") {
		t.Errorf("without nvidia-smi: %q", l)
	}
}

// A threads sweep is one more dimension of the matrix: model × threads ×
// batch cells, named with their threads part; a sweep is another matrix.
func TestThreadSweepCells(t *testing.T) {
	cfg := testConfig(t, "intra_op_threads = [1, 2]")
	cells, matrix := Matrix(cfg)
	if len(cells) != 18 {
		t.Fatalf("%d cells, want 3 models × 2 thread counts × 3 batch sizes", len(cells))
	}
	var ids []string
	for _, c := range cells[:6] {
		ids = append(ids, c.ID())
	}
	want := []string{"model=tiny/threads=1/batch=1", "model=tiny/threads=1/batch=8", "model=tiny/threads=1/batch=16",
		"model=tiny/threads=2/batch=1", "model=tiny/threads=2/batch=8", "model=tiny/threads=2/batch=16"}
	if !slices.Equal(ids, want) {
		t.Errorf("cells %v, want %v", ids, want)
	}
	if _, single := Matrix(testConfig(t, "intra_op_threads = 1")); single == matrix {
		t.Error("a sweep has the fingerprint of a single thread count")
	}
	if _, one := Matrix(testConfig(t, "intra_op_threads = [1]")); one != mustMatrix(t, testConfig(t, "intra_op_threads = 1")) {
		t.Error("a list of one thread count is not the same matrix as that count")
	}
	p, err := New(cfg, 4, nil)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for i := 1; i <= 4; i++ {
		set := p.CellSet(Spec{i, 4})
		for _, c := range p.Of(Spec{i, 4}) {
			if !set.HasThreads(c.Bench, c.Threads, c.Batch) || set.Has(c.Bench, c.Batch) {
				t.Errorf("shard %d: HasThreads/Has of %s", i, c.ID())
			}
			seen++
		}
	}
	if seen != 18 {
		t.Errorf("%d cells in the shards, want 18", seen)
	}
	d, err := readDurations(strings.NewReader("BenchmarkInference/model=tiny/threads=2/batch=8-2 10 1000 ns/op\n"), "prev.txt")
	if err != nil || math.Abs(d["model=tiny/threads=2/batch=8"]-10000) > 1e-6 {
		t.Errorf("durations of a sweep: %v, %v", d, err)
	}
}

func mustMatrix(t *testing.T, cfg *config.Config) string {
	t.Helper()
	_, m := Matrix(cfg)
	return m
}

// Plans without a sweep are those of before the thread count entered the
// cost: these costs and plan fingerprints were computed before it did.
func TestPlanWithoutSweepUnchanged(t *testing.T) {
	want := []int64{198000, 1584000, 3168000, 594000, 4752000, 9504000, 1188000, 9504000, 19008000}
	for extra, id := range map[string]string{"": "a7fcbd3999c51b12", "intra_op_threads = 4": "e185fa34cd0d872e", "intra_op_threads = [4]": "e185fa34cd0d872e"} {
		p, err := New(testConfig(t, extra), 3, nil)
		if err != nil {
			t.Fatal(err)
		}
		var costs []int64
		for _, c := range p.Cells {
			costs = append(costs, c.Cost)
		}
		if !slices.Equal(costs, want) || p.ID != id || !slices.EqualFunc(p.Shards, [][]int{{8}, {4, 5, 6}, {0, 1, 2, 3, 7}}, slices.Equal) {
			t.Errorf("%q: costs %v, plan %s %v; want %v, %s", extra, costs, p.ID, p.Shards, want, id)
		}
	}
}

// In a threads sweep a cell's estimate is divided by its thread count: at
// 1 thread (and at 0, ONNX Runtime's choice) it is the cost without a
// sweep, at 2 half of it, at 4 a quarter, rounded half up.
func TestThreadSweepCost(t *testing.T) {
	plain, err := New(testConfig(t, ""), 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	base := map[string]int64{}
	for _, c := range plain.Cells {
		base[c.Bench+"/"+strconv.Itoa(c.Batch)] = c.Cost
	}
	p, err := New(testConfig(t, "intra_op_threads = [0, 1, 2, 4]"), 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range p.Cells {
		b := base[c.Bench+"/"+strconv.Itoa(c.Batch)]
		want := b
		if c.Threads >= 2 {
			want = (2*b + int64(c.Threads)) / (2 * int64(c.Threads))
		}
		if c.Cost != want {
			t.Errorf("%s costs %d, want %d (%d without a sweep)", c.ID(), c.Cost, want, b)
		}
	}
	for cost, want := range map[[2]int64]int64{{10, 2}: 5, {11, 2}: 6, {9, 4}: 2, {10, 4}: 3, {7, 1}: 7, {7, 0}: 7, {7, -1}: 7} {
		if got := perThreads(cost[0], int(cost[1])); got != want {
			t.Errorf("perThreads(%d, %d) = %d, want %d", cost[0], cost[1], got, want)
		}
	}
}

// One model at batch 1, swept over 1, 2 and 4 threads, in 2 shards: by
// the thread-aware costs (C, C/2, C/4) the 1-thread cell gets a shard of
// its own and the 2- and 4-thread cells share the other; with the
// undivided costs (C, C, C) the 1- and 4-thread cells would share one.
func TestThreadSweepPlan(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"data.json":        `["one two three four", "five six seven eight nine ten"]`,
		"bert/config.json": `{"num_hidden_layers": 12}`,
		"bench.toml":       "test_data = \"data.json\"\nbatch_sizes = [1]\nintra_op_threads = [1, 2, 4]\n[[model]]\nname = \"bert\"\ncheckpoint = \"bert\"\n",
	}
	for rel, content := range files {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := config.LoadTables(filepath.Join(dir, "bench.toml"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(cfg, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	ids := func(s Spec) string {
		var out []string
		for _, c := range p.Of(s) {
			out = append(out, c.ID())
		}
		return strings.Join(out, " ")
	}
	if a, b := ids(Spec{1, 2}), ids(Spec{2, 2}); a != "model=bert/threads=1/batch=1" || b != "model=bert/threads=2/batch=1 model=bert/threads=4/batch=1" {
		t.Errorf("shards %q and %q", a, b)
	}
	if c1, c2 := p.Cost(Spec{1, 2}), p.Cost(Spec{2, 2}); c1 != 2*p.Cells[1].Cost || c2 != p.Cells[1].Cost+p.Cells[2].Cost || c1 != 4*p.Cells[2].Cost {
		t.Errorf("costs %d and %d of cells %+v", c1, c2, p.Cells)
	}
	undivided := slices.Clone(p.Cells)
	for i := range undivided {
		undivided[i].Cost = p.Cells[0].Cost
	}
	if old := assign(undivided, 2); !slices.EqualFunc(old, [][]int{{0, 2}, {1}}, slices.Equal) {
		t.Errorf("undivided costs: %v", old)
	}
	// The same plan wherever it is computed: nothing but bench.toml and
	// its files enters it.
	again, err := New(cfg, 2, nil)
	if err != nil || again.ID != p.ID {
		t.Errorf("plan %s, again %s (%v)", p.ID, again.ID, err)
	}
}
