// Package shard splits the model × batch matrix of a bench.toml into n
// shards that can run on n machines, deterministically and evenly by
// expected cost, and describes a shard's run in configuration lines that
// let the converter merge the shards' outputs back into the benchmark.json
// files one unsplit run gives.
//
// Every cell (one model at one batch size, and at one thread count of a
// threads sweep) lands in exactly one shard. The
// assignment depends only on the bench.toml (and on the durations file when
// one is given), so every machine computes the same one:
//
//   - a cell's cost is (warmup + iterations) × batch size × mean tokens per
//     text × layers, all whole numbers: layers from config.json
//     (num_hidden_layers, n_layers or num_layers; 12 when it says none),
//     tokens per text estimated from the test data's words (1.3 tokens a
//     word plus 2 special tokens, at most max_length, in hundredths); in a
//     threads sweep, divided by the cell's intra-op thread count t ≥ 2
//     (rounded to the nearest whole number, half up, in integer
//     arithmetic), so that a cell at 1 thread costs about twice the same
//     cell at 2. Cells without a sweep, and sweep cells at 0 (ONNX
//     Runtime's choice) or 1 thread, keep the undivided cost, so plans
//     without a sweep are those of before. The count is not capped by the
//     number of cores: that would make the plan depend on the machine that
//     computes it, and every shard's machine must compute the same plan; a
//     count above the measuring machine's cores is therefore estimated as
//     faster than it will run;
//   - with the durations of a previous run (its Go benchmark output), a
//     cell's cost is its measured time (ns/op × iterations, the mean over
//     the runs); cells the file lacks are estimated as above, scaled by the
//     median ratio of measured to estimated cost of the cells it has;
//   - cells are taken from the most to the least costly (ties in matrix
//     order) and each goes to the shard with the least cost so far (ties to
//     the lowest shard): the longest-processing-time rule. With n no larger
//     than the number of cells, every shard gets at least one.
//
// The matrix fingerprint covers the cells and the settings that decide what
// a cell measures (iterations, warmup, max_length, device, threads, test
// data and checkpoint, as paths relative to bench.toml); the plan
// fingerprint covers the assignment. Shards of different matrices or plans
// are refused when merged.
package shard

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/perf/benchfmt"

	"github.com/nerbench/nerbench/benchmarks/benchname"
	"github.com/nerbench/nerbench/benchmarks/checkpoint"
	"github.com/nerbench/nerbench/benchmarks/config"
	"github.com/nerbench/nerbench/benchmarks/dataset"
	"github.com/nerbench/nerbench/internal/contract"
)

// Env names the environment variables that the suite reads when its flags
// are not given.
const (
	EnvShard     = "NERBENCH_SHARD"
	EnvDurations = "NERBENCH_SHARD_DURATIONS"
	EnvMachine   = "NERBENCH_MACHINE"
)

// Spec is shard Index of Count, 1 ≤ Index ≤ Count. The zero Spec is no
// sharding.
type Spec struct{ Index, Count int }

// IsZero reports whether s is no sharding.
func (s Spec) IsZero() bool { return s.Count == 0 }

// String returns "i/n", or "" for the zero Spec.
func (s Spec) String() string {
	if s.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.Index, s.Count)
}

// ParseSpec parses "i/n" with 1 ≤ i ≤ n; "" is the zero Spec.
func ParseSpec(s string) (Spec, error) {
	if s == "" {
		return Spec{}, nil
	}
	a, b, ok := strings.Cut(strings.TrimSpace(s), "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n {
		return Spec{}, fmt.Errorf("shard %q: want i/n with 1 ≤ i ≤ n, such as 2/3", s)
	}
	return Spec{i, n}, nil
}

// Cell is one model at one batch size, and at one thread count of a
// threads sweep.
type Cell struct {
	Model string // the model's name in bench.toml
	Bench string // its bench name (benchname.Sanitize)
	// Threads is the intra-op thread count of a threads sweep (bench.toml's
	// intra_op_threads given as a list), benchname.NoThreads without one.
	Threads int
	Batch   int
	Cost    int64 // expected cost, in the plan's units (> 0)
}

// ID returns the cell as in benchmark names: "model=<bench name>/batch=<n>",
// or "model=<bench name>/threads=<t>/batch=<n>" in a threads sweep.
func (c Cell) ID() string { return benchname.SubThreads(c.Bench, c.Threads, c.Batch) }

// Plan is the assignment of a matrix's cells to shards.
type Plan struct {
	Cells  []Cell  // the whole matrix, in bench.toml order
	Matrix string  // fingerprint of the matrix and its settings
	Count  int     // number of shards
	Shards [][]int // per shard (index−1), its cells' places in Cells, ascending
	ID     string  // fingerprint of the assignment
	Basis  string  // "estimate" or "durations"
}

// Matrix returns the cells of cfg, in bench.toml order, without costs, and
// the matrix fingerprint.
func Matrix(cfg *config.Config) ([]Cell, string) {
	h := sha256.New()
	rel := func(p string) string {
		if r, err := filepath.Rel(cfg.Dir, p); err == nil {
			return filepath.ToSlash(r)
		}
		return filepath.Base(p)
	}
	var cells []Cell
	for _, m := range cfg.Models {
		s := m.Settings
		fmt.Fprintf(h, "model %q checkpoint %q test_data %q iterations %d warmup %d max_length %d device %q threads %d/%d\n",
			m.Name, rel(m.Checkpoint), rel(s.TestData), s.Iterations, s.Warmup, s.MaxLength, s.Device, s.IntraOpThreads, s.InterOpThreads)
		if s.Texts != 0 { // which texts are timed (package workload); 0, all, keeps older fingerprints
			fmt.Fprintf(h, "texts %d\n", s.Texts)
		}
		if s.ThreadSweep != nil { // a sweep's cells; without one, the fingerprint is as before
			fmt.Fprintf(h, "threads sweep %v\n", s.ThreadSweep)
		}
		for _, t := range s.Threads() {
			for _, b := range s.BatchSizes {
				if t == benchname.NoThreads {
					fmt.Fprintf(h, "cell %d\n", b)
				} else {
					fmt.Fprintf(h, "cell threads=%d batch=%d\n", t, b)
				}
				cells = append(cells, Cell{Model: m.Name, Bench: m.BenchName(), Threads: t, Batch: b})
			}
		}
	}
	return cells, hex.EncodeToString(h.Sum(nil))[:16]
}

// New plans n shards of cfg's matrix. durations, when not nil, holds the
// measured cost of cells by Cell.ID (see ReadDurations). With n = 1 no
// cost is computed (every cell costs 1) and no file is read.
func New(cfg *config.Config, n int, durations map[string]float64) (*Plan, error) {
	cells, matrix := Matrix(cfg)
	if n < 1 {
		return nil, fmt.Errorf("%d shards: want at least 1", n)
	}
	if n > len(cells) {
		return nil, fmt.Errorf("%d shards but the matrix of %s has only %d cells (models × batch sizes): use at most %d shards", n, cfg.Path, len(cells), len(cells))
	}
	p := &Plan{Matrix: matrix, Count: n, Basis: "estimate"}
	if n == 1 { // one shard: nothing to balance, no file to read
		for i := range cells {
			cells[i].Cost = 1
		}
		p.Cells, p.Shards = cells, [][]int{make([]int, len(cells))}
		for i := range cells {
			p.Shards[0][i] = i
		}
		p.ID = planID(p)
		return p, nil
	}
	est := estimates(cfg)
	if durations != nil {
		p.Basis = "durations"
		var ratios []float64
		for _, c := range cells {
			if d, ok := durations[c.ID()]; ok && d > 0 {
				ratios = append(ratios, d/float64(est(c)))
			}
		}
		if len(ratios) == 0 {
			return nil, errors.New("the durations file has no cell of this matrix (want the Go benchmark output of a run of the same bench.toml)")
		}
		slices.Sort(ratios)
		scale := ratios[len(ratios)/2]
		for i, c := range cells {
			d, ok := durations[c.ID()]
			if !ok || d <= 0 {
				d = float64(est(c)) * scale
			}
			cells[i].Cost = max(1, int64(math.Round(d)))
		}
	} else {
		for i, c := range cells {
			cells[i].Cost = est(c)
		}
	}
	p.Cells = cells
	p.Shards = assign(cells, n)
	for s := range p.Shards {
		line := len(contract.ConfigShardCells) + 2
		for _, c := range p.Shards[s] {
			line += len(cells[c].ID()) + 1
		}
		if line > MaxLine {
			return nil, fmt.Errorf("shard %d/%d would list its %d cells on a line of %d bytes, longer than the Go benchmark format reads (%d): use more shards", s+1, n, len(p.Shards[s]), line, MaxLine)
		}
	}
	p.ID = planID(p)
	return p, nil
}

// assign spreads cells over n shards by the longest-processing-time rule
// (see the package documentation): per shard, its cells' places in cells,
// ascending.
func assign(cells []Cell, n int) [][]int {
	order := make([]int, len(cells))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case cells[a].Cost > cells[b].Cost:
			return -1
		case cells[a].Cost < cells[b].Cost:
			return 1
		}
		return a - b
	})
	load := make([]int64, n)
	shards := make([][]int, n)
	for _, c := range order {
		s := 0
		for j := 1; j < n; j++ {
			if load[j] < load[s] {
				s = j
			}
		}
		load[s] += cells[c].Cost
		shards[s] = append(shards[s], c)
	}
	for s := range shards {
		slices.Sort(shards[s])
	}
	return shards
}

// MaxLine is the longest shard-cells line a plan may print: benchfmt reads
// lines of up to 64 KiB (bufio.Scanner's default).
const MaxLine = 64*1024 - 1

// planID returns the fingerprint of p's assignment.
func planID(p *Plan) string {
	h := sha256.New()
	fmt.Fprintf(h, "matrix %s shards %d\n", p.Matrix, p.Count)
	for s := range p.Shards {
		fmt.Fprintf(h, "shard %d:", s+1)
		for _, c := range p.Shards[s] {
			fmt.Fprintf(h, " %s", p.Cells[c].ID())
		}
		fmt.Fprintln(h)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// Of returns the cells of shard s, in matrix order; all cells for the zero
// Spec.
func (p *Plan) Of(s Spec) []Cell {
	if s.IsZero() {
		return slices.Clone(p.Cells)
	}
	var out []Cell
	for _, i := range p.Shards[s.Index-1] {
		out = append(out, p.Cells[i])
	}
	return out
}

// Cost returns the total cost of shard s.
func (p *Plan) Cost(s Spec) int64 {
	var t int64
	for _, c := range p.Of(s) {
		t += c.Cost
	}
	return t
}

// Lines returns the configuration lines that describe a run of shard s of
// this plan on machine: machine, matrix and matrix-cells always, and
// shard, shard-cells and shard-plan, empty when s is the zero Spec (an
// empty value clears an earlier run's in concatenated output). p may be
// nil for a run without a matrix (nerbench run prints its own).
func Lines(p *Plan, s Spec, machine string) string {
	var b strings.Builder
	for _, c := range configs(p, s, machine) {
		b.WriteString(c.Key + ": " + string(c.Value) + "\n")
	}
	return b.String()
}

// Config returns the lines of Lines as benchfmt file configuration,
// without the empty ones.
func Config(p *Plan, s Spec, machine string) []benchfmt.Config {
	var out []benchfmt.Config
	for _, c := range configs(p, s, machine) {
		if len(c.Value) > 0 {
			out = append(out, c)
		}
	}
	return out
}

func configs(p *Plan, s Spec, machine string) []benchfmt.Config {
	var out []benchfmt.Config
	add := func(k, v string) { out = append(out, benchfmt.Config{Key: k, Value: []byte(v), File: true}) }
	add(contract.ConfigMachine, machine)
	if p != nil {
		add(contract.ConfigMatrix, p.Matrix)
		add(contract.ConfigMatrixCells, strconv.Itoa(len(p.Cells)))
	}
	var cells, plan string
	if !s.IsZero() && p != nil {
		var ids []string
		for _, c := range p.Of(s) {
			ids = append(ids, c.ID())
		}
		cells, plan = strings.Join(ids, ","), p.ID
	}
	add(contract.ConfigShard, s.String())
	add(contract.ConfigShardCells, cells)
	add(contract.ConfigShardPlan, plan)
	return out
}

// Set holds the cells of a shard, for quick look-up.
type Set map[string]bool

// CellSet returns the cells of shard s as a Set; nil for the zero Spec
// (every cell).
func (p *Plan) CellSet(s Spec) Set {
	if s.IsZero() {
		return nil
	}
	set := Set{}
	for _, c := range p.Of(s) {
		set[c.ID()] = true
	}
	return set
}

// Has reports whether the cell of a bench name and batch size is in the
// set; a nil Set has every cell.
func (s Set) Has(bench string, batch int) bool {
	return s.HasThreads(bench, benchname.NoThreads, batch)
}

// HasThreads is Has for a cell of a threads sweep (threads is
// benchname.NoThreads without one).
func (s Set) HasThreads(bench string, threads, batch int) bool {
	return s == nil || s[benchname.SubThreads(bench, threads, batch)]
}

// ParseCells splits a shard-cells value into cell IDs.
func ParseCells(v string) []string {
	if v == "" {
		return nil
	}
	return strings.Split(v, ",")
}

// ReadDurations reads Go benchmark output (a previous run of the suite)
// and returns each cell's measured time in ns, keyed by Cell.ID: ns/op ×
// iterations, the mean over the runs of the cell.
func ReadDurations(path string) (map[string]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("durations: %w", err)
	}
	defer f.Close()
	return readDurations(f, path)
}

func readDurations(r io.Reader, name string) (map[string]float64, error) {
	sum, n := map[string]float64{}, map[string]int{}
	br := benchfmt.NewReader(r, name)
	for br.Scan() {
		res, ok := br.Result().(*benchfmt.Result)
		if !ok {
			continue
		}
		p, err := benchname.ParseName(string(res.Name))
		if err != nil {
			continue
		}
		v, ok := res.Value("sec/op")
		if !ok || v <= 0 || math.IsInf(v, 0) || math.IsNaN(v) {
			continue
		}
		id := benchname.SubThreads(p.Model, p.Threads, p.Batch)
		sum[id] += float64(v * 1e9 * float64(res.Iters)) // float64(): no fused multiply-add, the same sum on every machine
		n[id]++
	}
	if err := br.Err(); err != nil {
		return nil, err
	}
	if len(sum) == 0 {
		return nil, fmt.Errorf("durations: no results of the suite (BenchmarkInference/model=…/batch=…) in %s", name)
	}
	out := map[string]float64{}
	for _, id := range slices.Sorted(maps.Keys(sum)) {
		out[id] = sum[id] / float64(n[id])
	}
	return out, nil
}

// estimates returns the cost estimate of a cell of cfg (see the package
// documentation). Files are read once per model and test data file; one
// that cannot be read gives the estimate's defaults (12 layers, max_length
// tokens per text), the same on every machine that lacks it.
func estimates(cfg *config.Config) func(Cell) int64 {
	layers := map[string]int64{}
	tokens := map[string]int64{}       // per model: mean tokens per text × 100
	meanTokens := map[string]float64{} // by test data and max_length
	for _, m := range cfg.Models {
		layers[m.Name] = numLayers(m.Checkpoint)
		key := m.Settings.TestData + "\x00" + strconv.Itoa(m.Settings.MaxLength)
		words, ok := meanTokens[key]
		if !ok {
			words = -1
			if ds, err := dataset.Load(m.Settings.TestData); err == nil && len(ds.Texts) > 0 {
				var total int
				for _, t := range ds.Texts {
					total += min(m.Settings.MaxLength, (len(strings.Fields(t))*13+9)/10+2)
				}
				words = float64(total) / float64(len(ds.Texts))
			}
			meanTokens[key] = words
		}
		t := words
		if t < 0 || t > float64(m.Settings.MaxLength) {
			t = float64(m.Settings.MaxLength)
		}
		tokens[m.Name] = max(1, int64(math.Round(t*100)))
	}
	byName := map[string]config.Settings{}
	for _, m := range cfg.Models {
		byName[m.Name] = m.Settings
	}
	return func(c Cell) int64 {
		s := byName[c.Model]
		return max(1, perThreads(int64(s.Warmup+s.Iterations)*int64(c.Batch)*tokens[c.Model]*layers[c.Model], c.Threads))
	}
}

// perThreads divides the cost of a cell by its intra-op thread count
// threads, rounded half up, in integers (the same on every machine); a
// count below 2 (benchname.NoThreads without a sweep, 0 for ONNX
// Runtime's choice, 1) leaves cost as it is. The count is deliberately not
// capped by this machine's cores: see the package documentation.
func perThreads(cost int64, threads int) int64 {
	if threads < 2 {
		return cost
	}
	t := int64(threads)
	q, r := cost/t, cost%t
	if 2*r >= t {
		q++
	}
	return q
}

// numLayers reads the number of layers from a checkpoint's config.json:
// num_hidden_layers, n_layers or num_layers; 12 when there is none.
func numLayers(dir string) int64 {
	data, err := os.ReadFile(filepath.Join(dir, checkpoint.ConfigFile))
	if err != nil {
		return 12
	}
	mc, err := checkpoint.ParseConfig(data)
	if err != nil {
		return 12
	}
	for _, k := range []string{"num_hidden_layers", "n_layers", "num_layers"} {
		if v, ok := mc.Raw[k].(float64); ok && v >= 1 && v == math.Trunc(v) && v < 1e4 {
			return int64(v)
		}
	}
	return 12
}
