package converter

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nerbench/nerbench/benchmarks/config"
	"github.com/nerbench/nerbench/benchmarks/shard"
	"github.com/nerbench/nerbench/internal/contract"
	"github.com/nerbench/nerbench/internal/contract/schematest"
)

// suiteRun is the real suite, compiled once, run as a process of its own.
type suiteRun struct {
	bin, config string
}

// newSuiteRun compiles the root package's suite and writes a bench.toml of
// two models (the tiny demo checkpoint under two names) at three batch
// sizes: six cells.
func newSuiteRun(t *testing.T) *suiteRun {
	t.Helper()
	return newSuiteRunThreads(t, "1")
}

// newSuiteRunThreads is newSuiteRun with intra_op_threads = threads (such
// as "[1, 2]", a threads sweep).
func newSuiteRunThreads(t *testing.T, threads string) *suiteRun {
	t.Helper()
	if testing.Short() {
		t.Skip("runs the suite in child processes")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	ckpt := filepath.Join(root, "outputs/hpo/tiny/trial_0/checkpoint")
	if _, err := os.Stat(filepath.Join(ckpt, "model.onnx")); err != nil {
		t.Fatalf("the tiny demo checkpoint is missing (%v): run make demo-tiny", err)
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "suite.test")
	cmd := exec.Command("go", "test", "-c", "-o", bin, ".")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go test -c: %v\n%s", err, out)
	}
	toml := fmt.Sprintf(`test_data = %q
batch_sizes = [1, 2, 4]
iterations = 3
warmup = 1
texts = 3
max_length = 64
intra_op_threads = %s
keep_samples = true
[[model]]
name = "tiny-a"
checkpoint = %q
output = "a/benchmark.json"
[[model]]
name = "tiny-b"
checkpoint = %q
output = "b/benchmark.json"
`, filepath.Join(root, "data/demo/test_data.json"), threads, ckpt, ckpt)
	cfg := filepath.Join(dir, "bench.toml")
	if err := os.WriteFile(cfg, []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	return &suiteRun{bin: bin, config: cfg}
}

// start starts the suite with the shard and machine label given through
// the environment (the suite's flags and make bench give them the same
// way).
func (s *suiteRun) start(t *testing.T, shardSpec, machine string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(s.bin, "-test.run=^$", "-test.bench=.", "-test.benchtime=3x")
	cmd.Env = append(os.Environ(), "NERBENCH_CONFIG="+s.config, shard.EnvShard+"="+shardSpec, shard.EnvMachine+"="+machine)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &out
}

// shards runs the three shards at once, as three processes, shard i on
// machine labels[i-1], and returns their outputs.
func (s *suiteRun) shards(t *testing.T, labels ...string) []Input {
	t.Helper()
	var cmds []*exec.Cmd
	var outs []*bytes.Buffer
	for i := 1; i <= 3; i++ {
		cmd, out := s.start(t, fmt.Sprintf("%d/3", i), labels[i-1])
		cmds, outs = append(cmds, cmd), append(outs, out)
	}
	var ins []Input
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("shard %d/3: %v\n%s", i+1, err, outs[i])
		}
		ins = append(ins, Input{Name: fmt.Sprintf("shard-%d.txt", i+1), Data: outs[i].Bytes()})
	}
	return ins
}

// convert converts inputs as nerbench convert -config does, writing to a
// folder of their own.
func (s *suiteRun) convert(t *testing.T, ins ...Input) (map[string]*contract.File, error) {
	t.Helper()
	cfg, err := config.Load(s.config)
	if err != nil {
		t.Fatal(err)
	}
	_, matrix := shard.Matrix(cfg)
	res, err := Convert(ins, Options{Models: FromConfig(cfg), OutDir: t.TempDir(), Matrix: matrix})
	if err != nil {
		return nil, err
	}
	for _, w := range res.Warnings {
		t.Errorf("warning: %s", w)
	}
	written, err := Write(res)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]*contract.File{}
	for _, o := range written {
		data, err := os.ReadFile(o.Path)
		if err != nil {
			t.Fatal(err)
		}
		schematest.Validate(t, data)
		f, err := contract.Decode(o.Path, data)
		if err != nil {
			t.Fatal(err)
		}
		files[o.BenchName] = f
	}
	return files, nil
}

// shape returns the keys of a written file: its top-level keys and, per
// batch entry, its keys, without the batch entry keys listed in skip.
func shape(t *testing.T, f *contract.File, skip ...string) (top []string, batches map[string][]string) {
	t.Helper()
	data, err := contract.Encode(f)
	if err != nil {
		t.Fatal(err)
	}
	var loose map[string]any
	if err := json.Unmarshal(data, &loose); err != nil {
		t.Fatal(err)
	}
	// Noise warnings, and the conditions /proc/stat cannot tell over a
	// loop shorter than its clock tick, depend on the machine's moment.
	delete(loose, contract.KeyWarnings)
	skip = append(skip, contract.KeyOtherCPUs, contract.KeyStealPct)
	top = slices.Sorted(maps.Keys(loose))
	raw := map[string]map[string]any{}
	batches = map[string][]string{}
	for k, v := range loose {
		if m, ok := v.(map[string]any); ok {
			raw[k] = m
		}
	}
	for _, n := range f.BatchSizes() {
		k := contract.BatchKey(n)
		var ks []string
		for key := range raw[k] {
			if !slices.Contains(skip, key) {
				ks = append(ks, key)
			}
		}
		slices.Sort(ks)
		batches[k] = ks
	}
	return top, batches
}

// Three shards, run as three processes, merge into the benchmark.json
// files of one unsplit run: the same files, top-level keys, batch entries
// and their keys, and cells; on one machine label, and, in a second
// variant, on three.
func TestShardsMergeLikeUnsplit(t *testing.T) {
	s := newSuiteRun(t)
	cmd, out := s.start(t, "", "box x2")
	if err := cmd.Wait(); err != nil {
		t.Fatalf("unsplit run: %v\n%s", err, out)
	}
	whole, err := s.convert(t, Input{Name: "all.txt", Data: out.Bytes()})
	if err != nil {
		t.Fatal(err)
	}
	cells := func(files map[string]*contract.File) int {
		n := 0
		for _, f := range files {
			n += len(f.Batches)
		}
		return n
	}
	if len(whole) != 2 || cells(whole) != 6 {
		t.Fatalf("unsplit: %d files, %d cells; want 2 and 6", len(whole), cells(whole))
	}
	for _, variant := range []struct {
		name   string
		labels []string
		skip   []string // batch keys only the variant has
	}{
		{"one machine label", []string{"box x2", "box x2", "box x2"}, nil},
		{"three machine labels", []string{"m1 x2", "m2 x2", "m3 x2"}, []string{contract.KeyMachine}},
	} {
		ins := s.shards(t, variant.labels...)
		for i, in := range ins {
			if !bytes.Contains(in.Data, []byte(fmt.Sprintf("\nshard: %d/3\n", i+1))) || !bytes.Contains(in.Data, []byte("\nmachine: "+variant.labels[i]+"\n")) {
				t.Errorf("%s: shard %d/3 output lacks its shard or machine line:\n%s", variant.name, i+1, in.Data)
			}
			if bytes.Contains(in.Data, []byte("SKIP")) {
				t.Errorf("%s: shard %d/3 output has SKIP lines: other shards' cells must not be sub-benchmarks at all:\n%s", variant.name, i+1, in.Data)
			}
		}
		merged, err := s.convert(t, ins...)
		if err != nil {
			t.Fatalf("%s: %v", variant.name, err)
		}
		if !slices.Equal(slices.Sorted(maps.Keys(merged)), slices.Sorted(maps.Keys(whole))) || cells(merged) != cells(whole) {
			t.Fatalf("%s: files %v with %d cells; unsplit %v with %d", variant.name, slices.Sorted(maps.Keys(merged)), cells(merged),
				slices.Sorted(maps.Keys(whole)), cells(whole))
		}
		for name, w := range whole {
			m := merged[name]
			wt, wb := shape(t, w)
			mt, mb := shape(t, m, variant.skip...)
			if !slices.Equal(wt, mt) || !maps.EqualFunc(wb, mb, slices.Equal) {
				t.Errorf("%s: %s: keys %v %v; unsplit %v %v", variant.name, name, mt, mb, wt, wb)
			}
			if !slices.Equal(w.BatchSizes(), m.BatchSizes()) || m.Model != w.Model || m.Device != w.Device {
				t.Errorf("%s: %s: batches %v, model %q, device %q; unsplit %v, %q, %q", variant.name, name,
					m.BatchSizes(), m.Model, m.Device, w.BatchSizes(), w.Model, w.Device)
			}
			for _, n := range m.BatchSizes() {
				// 3 iterations in whole passes over 3 texts: 3 batches of
				// 1, 4 of 2 (2 passes of 2), 3 of 4 (3 passes of 1).
				if b := m.Batches[n]; b.Iterations != 3 || b.Runs != 0 || len(b.SamplesMS) != map[int]int{1: 3, 2: 4, 4: 3}[n] {
					t.Errorf("%s: %s batch %d: %d iterations, %d runs, %d samples: counted more than once?", variant.name, name, n, b.Iterations, b.Runs, len(b.SamplesMS))
				}
			}
		}
		for name, f := range merged {
			for _, n := range f.BatchSizes() {
				label := string(f.Batches[n].Extra[contract.KeyMachine])
				if variant.skip == nil && (f.Machine != "box x2" || label != "") {
					t.Errorf("%s: %s: machine %q, batch %d's %s", variant.name, name, f.Machine, n, label)
				}
				if variant.skip != nil && (!strings.Contains(f.Machine, ", ") || !strings.Contains(f.Machine, strings.Trim(label, `"`))) {
					t.Errorf("%s: %s: machine %q, batch %d's %s: want the labels of its shards, and each batch's", variant.name, name, f.Machine, n, label)
				}
			}
		}
	}
}

// A missing shard and a shard given twice are refused, naming them.
func TestShardsMissingOrTwiceRefused(t *testing.T) {
	s := newSuiteRun(t)
	ins := s.shards(t, "box x2", "box x2", "box x2")
	if _, err := s.convert(t, ins[0], ins[2]); err == nil || !strings.Contains(err.Error(), "missing shard 2/3") {
		t.Errorf("shard 2/3 missing: %v", err)
	}
	again := Input{Name: "shard-2-again.txt", Data: ins[1].Data}
	if _, err := s.convert(t, ins[0], ins[1], again, ins[2]); err == nil || !strings.Contains(err.Error(), "shard 2/3 counted twice: 2/3 (shard-2-again.txt, machine box x2), 2/3 (shard-2.txt, machine box x2)") {
		t.Errorf("shard 2/3 twice: %v", err)
	}
}

// A threads sweep's shards (model × threads × batch cells, run as three
// processes on three machines) merge into the files of one unsplit run:
// each count's entries under "threads", its own runs, never pooled.
func TestShardsThreadSweep(t *testing.T) {
	s := newSuiteRunThreads(t, "[1, 2]")
	cmd, out := s.start(t, "", "box x2")
	if err := cmd.Wait(); err != nil {
		t.Fatalf("unsplit run: %v\n%s", err, out)
	}
	whole, err := s.convert(t, Input{Name: "all.txt", Data: out.Bytes()})
	if err != nil {
		t.Fatal(err)
	}
	merged, err := s.convert(t, s.shards(t, "box x2", "box x2", "box x2")...)
	if err != nil {
		t.Fatal(err)
	}
	if len(whole) != 2 || len(merged) != 2 {
		t.Fatalf("files: unsplit %d, merged %d; want 2", len(whole), len(merged))
	}
	for name, w := range whole {
		m := merged[name]
		ws, wc, err1 := contract.ThreadSweep(w)
		ms, mc, err2 := contract.ThreadSweep(m)
		if err1 != nil || err2 != nil || !slices.Equal(wc, []int{1, 2}) || !slices.Equal(mc, wc) {
			t.Fatalf("%s: counts %v (%v), unsplit %v (%v)", name, mc, err2, wc, err1)
		}
		for _, th := range wc {
			if got, want := slices.Sorted(maps.Keys(ms[th])), slices.Sorted(maps.Keys(ws[th])); !slices.Equal(got, want) || len(got) != 3 {
				t.Errorf("%s threads %d: batches %v, unsplit %v", name, th, got, want)
			}
			for n, b := range ms[th] {
				if b.Iterations != 3 || b.Runs != 0 {
					t.Errorf("%s threads %d batch %d: %d iterations, %d runs: pooled or counted twice?", name, th, n, b.Iterations, b.Runs)
				}
			}
		}
		if !slices.Equal(m.BatchSizes(), w.BatchSizes()) || m.Config[contract.ConfigIntraOpThreads] != "1" {
			t.Errorf("%s: batches %v (unsplit %v), intra-op-threads %q", name, m.BatchSizes(), w.BatchSizes(), m.Config[contract.ConfigIntraOpThreads])
		}
	}
}
