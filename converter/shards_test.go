package converter

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nerbench/nerbench/internal/contract"
)

// The matrix of these tests: models a and b at batch sizes 1, 8 and 16,
// split in three shards.
var testShards = [][]string{
	{"model=a/batch=16", "model=b/batch=1"},
	{"model=b/batch=16", "model=a/batch=1"},
	{"model=a/batch=8", "model=b/batch=8"},
}

// shardOutput returns Go benchmark output of shard i (1-based) of
// testShards on machine, as the suite prints it; i = 0 is the unsplit run.
func shardOutput(i int, machine string, extra ...string) string {
	var b strings.Builder
	b.WriteString("Unit docs/sec better=higher assume=nothing\n")
	fmt.Fprintf(&b, "cpu: Test CPU\nort-version: 1.30.0\ndevice: cpu\nintra-op-threads: default\ninter-op-threads: default\nmax-length: 128\ncommit: abc\n")
	fmt.Fprintf(&b, "machine: %s\nmatrix: m1\nmatrix-cells: 6\n", machine)
	var cells []string
	if i == 0 {
		b.WriteString("shard: \nshard-cells: \nshard-plan: \n")
		for _, s := range testShards {
			cells = append(cells, s...)
		}
	} else {
		cells = testShards[i-1]
		fmt.Fprintf(&b, "shard: %d/3\nshard-cells: %s\nshard-plan: p1\n", i, strings.Join(cells, ","))
	}
	for _, e := range extra {
		b.WriteString(e + "\n")
	}
	slices.Sort(cells)
	for _, c := range cells {
		fmt.Fprintf(&b, "BenchmarkInference/%s-2 10 2000000 ns/op 500 docs/sec 1900000 p50-ns/op 2500000 p95-ns/op 3000000 p99-ns/op\n", c)
	}
	return b.String()
}

func convertShards(t *testing.T, inputs ...Input) (*Result, error) {
	t.Helper()
	return Convert(inputs, Options{OutDir: t.TempDir(), Now: func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }})
}

// keys returns the top-level keys of f as written, and those of each batch.
func keys(t *testing.T, f *contract.File) ([]string, map[string][]string) {
	t.Helper()
	data, err := contract.Encode(f)
	if err != nil {
		t.Fatal(err)
	}
	g, err := contract.Decode("x", data)
	if err != nil {
		t.Fatal(err)
	}
	top := []string{"device", "timestamp", "model", "config", "machine"}
	for n := range g.Batches {
		top = append(top, contract.BatchKey(n))
	}
	for k := range g.Extra {
		top = append(top, k)
	}
	batches := map[string][]string{}
	for n, b := range g.Batches {
		bd, _ := b.MarshalJSON()
		var ks []string
		for _, part := range strings.Split(strings.Trim(string(bd), "{}"), ",\"") {
			k, _, _ := strings.Cut(strings.Trim(part, "\""), "\"")
			ks = append(ks, k)
		}
		slices.Sort(ks)
		batches[contract.BatchKey(n)] = ks
	}
	slices.Sort(top)
	return top, batches
}

// Three shards from three files merge into the files of the unsplit run:
// same models, keys, batch entries and values.
func TestMergeShards(t *testing.T) {
	whole, err := convertShards(t, Input{"all.txt", []byte(shardOutput(0, "box x2"))})
	if err != nil {
		t.Fatal(err)
	}
	var ins []Input
	for i := 3; i >= 1; i-- { // any order
		ins = append(ins, Input{fmt.Sprintf("shard%d.txt", i), []byte(shardOutput(i, "box x2"))})
	}
	merged, err := convertShards(t, ins...)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(whole.BenchNames(), merged.BenchNames()) {
		t.Fatalf("models %v, unsplit %v", merged.BenchNames(), whole.BenchNames())
	}
	for _, name := range whole.BenchNames() {
		w, m := whole.Files[name].File, merged.Files[name].File
		wt, wb := keys(t, w)
		mt, mb := keys(t, m)
		if !slices.Equal(wt, mt) || !maps.EqualFunc(wb, mb, slices.Equal) {
			t.Errorf("%s: keys %v %v, unsplit %v %v", name, mt, mb, wt, wb)
		}
		if m.Machine != "box x2" || w.Machine != "box x2" {
			t.Errorf("%s: machine %q, unsplit %q", name, m.Machine, w.Machine)
		}
		for n, b := range w.Batches {
			if mb := m.Batches[n]; mb.MeanMS != b.MeanMS || mb.P99MS != b.P99MS || mb.Iterations != b.Iterations {
				t.Errorf("%s batch %d: %+v, unsplit %+v", name, n, m.Batches[n], b)
			}
		}
		if m.Config["shard-plan"] != "p1" || m.Config["shard"] != "" || m.Config["shard-cells"] != "" || m.Config["machine"] != "" {
			t.Errorf("%s: config %v: want the plan, and no per-shard lines", name, m.Config)
		}
	}
	if len(merged.Warnings) > 0 {
		t.Errorf("warnings: %v", merged.Warnings)
	}

	// Shards on three different machines: still one file per model, and
	// each batch entry says where it was measured.
	ins = ins[:0]
	for i := 1; i <= 3; i++ {
		ins = append(ins, Input{fmt.Sprintf("shard%d.txt", i), []byte(shardOutput(i, fmt.Sprintf("m%d", i)))})
	}
	mixed, err := convertShards(t, ins...)
	if err != nil {
		t.Fatal(err)
	}
	f := mixed.Files["a"].File
	if !slices.Equal(mixed.BenchNames(), whole.BenchNames()) || f.Machine != "m1, m2, m3" || len(f.Batches) != 3 {
		t.Fatalf("three machines: files %v, machine %q, %d batches", mixed.BenchNames(), f.Machine, len(f.Batches))
	}
	if got := string(f.Batches[16].Extra["machine"]); got != `"m1"` {
		t.Errorf("a batch_16: machine %s, want m1", got)
	}
}

// Every shard on two machines: each machine gets files of its own, never a
// median of both.
func TestMergeShardsPerMachine(t *testing.T) {
	var ins []Input
	for _, m := range []string{"cpu-box", "gpu box"} {
		for i := 1; i <= 3; i++ {
			ins = append(ins, Input{fmt.Sprintf("%s-%d.txt", m, i), []byte(shardOutput(i, m))})
		}
	}
	res, err := convertShards(t, ins...)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a@cpu-box", "a@gpu-box", "b@cpu-box", "b@gpu-box"}
	if !slices.Equal(res.BenchNames(), want) {
		t.Fatalf("files %v, want %v", res.BenchNames(), want)
	}
	o := res.Files["a@gpu-box"]
	if !strings.HasSuffix(o.Path, "benchmark.gpu-box.json") || o.File.Machine != "gpu box" || o.File.Batches[1].Runs != 0 {
		t.Errorf("a on gpu box: %s, machine %q, runs %d", o.Path, o.File.Machine, o.File.Batches[1].Runs)
	}
	// Missing one shard on one machine.
	_, err = convertShards(t, ins[:5]...)
	if err == nil || !strings.Contains(err.Error(), "missing shard 3/3 of matrix m1 on machine gpu box") {
		t.Errorf("a shard missing on one machine: %v", err)
	}
	// Unsharded runs of two machines are kept apart too.
	res, err = convertShards(t, Input{"x.txt", []byte(shardOutput(0, "x"))}, Input{"y.txt", []byte(shardOutput(0, "y"))})
	if err != nil || !slices.Equal(res.BenchNames(), []string{"a@x", "a@y", "b@x", "b@y"}) {
		t.Errorf("unsharded, two machines: %v, %v", res.BenchNames(), err)
	}
}

// A missing shard, a shard counted twice, shards of different matrices or
// configurations are errors that name them.
func TestMergeShardsRefused(t *testing.T) {
	in := func(name string, i int, extra ...string) Input {
		return Input{name, []byte(shardOutput(i, "box", extra...))}
	}
	for _, tc := range []struct {
		name string
		ins  []Input
		want string
	}{
		{"missing", []Input{in("s1.txt", 1), in("s3.txt", 3)}, "missing shard 2/3 of matrix m1; have 1/3 (s1.txt, machine box), 3/3 (s3.txt, machine box)"},
		{"twice", []Input{in("s1.txt", 1), in("s2.txt", 2), in("s2-again.txt", 2), in("s3.txt", 3)}, "shard 2/3 counted twice: 2/3 (s2-again.txt, machine box), 2/3 (s2.txt, machine box)"},
		{"matrices", []Input{in("s1.txt", 1), in("s2.txt", 2, "matrix: m2"), in("s3.txt", 3)}, "shards of different matrices (matrix m1: 1/3 (s1.txt, machine box), 3/3 (s3.txt, machine box); matrix m2: 2/3 (s2.txt, machine box))"},
		{"plans", []Input{in("s1.txt", 1), in("s2.txt", 2, "shard-plan: p2"), in("s3.txt", 3)}, "shards of different plans"},
		{"counts", []Input{in("s1.txt", 1), in("s2.txt", 2, "shard: 2/4"), in("s3.txt", 3)}, "shards of different shard counts"},
		{"commit", []Input{in("s1.txt", 1), in("s2.txt", 2, "commit: def"), in("s3.txt", 3)}, `shards differ in commit: "abc" in shard 1/3 (s1.txt, machine box), shard 3/3 (s3.txt, machine box); "def" in shard 2/3 (s2.txt, machine box)`},
		{"mixed", []Input{in("s1.txt", 1), in("s2.txt", 2), in("s3.txt", 3), in("all.txt", 0)}, "results without a shard among the shards' outputs, in all.txt"},
		{"cell missing", []Input{in("s1.txt", 1), in("s2.txt", 2, "shard-cells: model=b/batch=16,model=a/batch=1,model=a/batch=4"), in("s3.txt", 3)}, "no result for model=a/batch=4"},
	} {
		_, err := convertShards(t, tc.ins...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
	_, err := Convert([]Input{in("s1.txt", 1), in("s2.txt", 2), in("s3.txt", 3)}, Options{OutDir: t.TempDir(), Matrix: "other"})
	if err == nil || !strings.Contains(err.Error(), "the shards are of matrix m1, but bench.toml's is other") {
		t.Errorf("another bench.toml: %v", err)
	}
}
