// Package compare puts several benchmark.json files side by side: one table
// per metric with a row per batch size and a column per model, as the
// original Python tool's comparison printed it, plus p95 and p99 latency and
// each model's speed relative to the first.
//
// Load reads the files (through package internal/contract only, so this
// package has no cgo) and names the models; Build makes the Table; reporters (Text,
// Markdown, CSV, JSON) write it:
//
//	models, err := compare.Load(paths, names)
//	t := compare.Build(models)
//	err = compare.Text(os.Stdout, t)
//
// # Names
//
// A model is named after its trial folder, as the original named it after
// the file's folder, with the folder above a trial folder in front so that
// trials of different backbones stay apart:
//
//	outputs/hpo/bert/trial_1/benchmark.json  →  bert/trial_1
//	results/distilbert/benchmark.json        →  distilbert
//
// A trial folder is one whose name starts with "trial". When the files
// were measured on different machines (their "machine" key), each name is
// followed by " @ <machine>", so that every machine has a column of its
// own: a folder holding a benchmark.<machine>.json per machine (see
// nerbench convert) gives one column per machine. When two files get the
// same name this way, each of them is named by its path instead.
// Names given explicitly (Load's names) must be as many as the files,
// non-empty and distinct.
//
// # Values
//
// Rows are the batch sizes found in any file, in increasing order; a model
// without a batch size shows N/A there. Latencies are in milliseconds,
// throughput in documents per second. Relative speed is the first model's
// mean latency divided by the model's mean latency at the same batch size:
// 2.00x is twice as fast as the first model, 0.50x half as fast.
package compare

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/nerbench/nerbench/internal/contract"
)

// Model is one benchmark.json and the name it is shown under.
type Model struct {
	Name string
	Path string
	File *contract.File

	threads string // for one thread count of a threads sweep's file: its ThreadsSep suffix
}

// ThreadsSep joins a model's name and the thread count of a threads
// sweep's file ("bert/trial_1 @ threads=2"): Load gives each thread count
// of such a file a column of its own, never pooled.
const ThreadsSep = " @ threads="

// splitThreads returns the models of one file read from path: the file
// itself, or, for a threads sweep's file (contract.KeyThreads), one per
// thread count in measured order, each with that count's batches and
// intra-op-threads configuration.
func splitThreads(path string, f *contract.File) ([]Model, error) {
	sweep, counts, err := contract.ThreadSweep(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if sweep == nil {
		return []Model{{Path: path, File: f}}, nil
	}
	var out []Model
	for _, t := range counts {
		c := *f
		c.Batches = sweep[t]
		c.Config = maps.Clone(f.Config)
		if c.Config == nil {
			c.Config = map[string]string{}
		}
		c.Config[contract.ConfigIntraOpThreads] = strconv.Itoa(t)
		c.Extra = maps.Clone(f.Extra)
		delete(c.Extra, contract.KeyThreads)
		delete(c.Extra, contract.KeyThreadCounts)
		out = append(out, Model{Path: path, File: &c, threads: ThreadsSep + strconv.Itoa(t)})
	}
	return out, nil
}

// Load reads the benchmark.json files at paths. names, when not empty,
// gives each file's name, in order; otherwise names come from DefaultName.
// A path may also be a folder holding a benchmark.json. Errors name the file
// at fault; a wrong number of names is an error that says how many of each
// there are.
func Load(paths, names []string) ([]Model, error) {
	if len(paths) == 0 {
		return nil, errors.New("no benchmark.json files given")
	}
	if len(names) > 0 && len(names) != len(paths) {
		return nil, fmt.Errorf("%d %s for %d %s: give one name per file, in order",
			len(names), plural(len(names), "name"), len(paths), plural(len(paths), "file"))
	}
	seen := map[string]int{}
	for i, n := range names {
		if strings.TrimSpace(n) == "" {
			return nil, fmt.Errorf("name %d of %d is empty", i+1, len(names))
		}
		if j, ok := seen[n]; ok {
			return nil, fmt.Errorf("name %q given twice (names %d and %d)", n, j+1, i+1)
		}
		seen[n] = i
	}
	var models []Model
	for i, p := range paths {
		files := []string{p}
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			files = contract.FilesIn(p) // benchmark.json, and one file per machine
			if len(files) == 0 {
				files = []string{filepath.Join(p, "benchmark.json")}
			}
		}
		for _, p := range files {
			f, err := contract.Read(p)
			if err != nil {
				if errors.Is(err, os.ErrNotExist) || errors.Is(err, os.ErrPermission) {
					return nil, fmt.Errorf("reading %s: %w", p, errors.Unwrap(err))
				}
				return nil, err // contract.Decode names the file
			}
			if err := f.Validate(); err != nil {
				return nil, fmt.Errorf("%s: not a valid benchmark.json: %w", p, oneLine(err))
			}
			split, err := splitThreads(p, f)
			if err != nil {
				return nil, err
			}
			for _, m := range split {
				if len(names) > 0 {
					m.Name = names[i]
					if len(files) > 1 {
						m.Name += MachineSep + f.Machine
					}
					m.Name += m.threads
				}
				models = append(models, m)
			}
		}
	}
	if len(names) == 0 {
		setDefaultNames(models)
	}
	return models, nil
}

// MachineSep joins a model's name and its machine label in the name of a
// column, when the files compared were measured on different machines.
const MachineSep = " @ "

// Machines returns the distinct machine labels of models, in order of
// first appearance, without "".
func Machines(models []Model) []string {
	var out []string
	for _, m := range models {
		if l := m.File.Machine; l != "" && !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

// oneLine joins the lines of a joined error with "; ".
func oneLine(err error) error {
	msg := strings.ReplaceAll(err.Error(), "\n", "; ")
	return errors.New(msg)
}

// DefaultName names the benchmark.json at path after its folder: the trial
// folder with its parent in front ("bert/trial_1"), or the folder alone
// when it is not a trial folder. A file in the root folder is named after
// the file.
func DefaultName(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = filepath.Clean(path)
	}
	dir := filepath.Dir(abs)
	base := filepath.Base(dir)
	if dir == filepath.Dir(dir) { // the root
		return strings.TrimSuffix(filepath.Base(abs), filepath.Ext(abs))
	}
	if strings.HasPrefix(strings.ToLower(base), "trial") {
		parent := filepath.Dir(dir)
		if parent != filepath.Dir(parent) {
			return filepath.Base(parent) + "/" + base
		}
	}
	return base
}

// setDefaultNames names every model with DefaultName, falling back to the
// path where two default names collide.
func setDefaultNames(models []Model) {
	count := map[string]int{}
	several := len(Machines(models)) > 1
	for i := range models {
		models[i].Name = DefaultName(models[i].Path)
		if several && models[i].File.Machine != "" {
			models[i].Name += MachineSep + models[i].File.Machine
		}
		models[i].Name += models[i].threads
		count[models[i].Name]++
	}
	for i := range models {
		if count[models[i].Name] > 1 {
			models[i].Name = filepath.ToSlash(filepath.Clean(models[i].Path)) + models[i].threads
		}
	}
}

// Metric describes one section of the table.
type Metric struct {
	// Key is the benchmark.json key ("mean_ms", …) or RelativeSpeed.
	Key string `json:"key"`
	// Title is the section's heading, as in "Mean Latency (ms)".
	Title string `json:"title"`
	// Unit is "ms", "docs/sec" or "x".
	Unit string `json:"unit"`
	// Better is "lower" or "higher".
	Better string `json:"better"`
}

// RelativeSpeed is the Key of the relative-speed section.
const RelativeSpeed = "relative_speed"

// sectionKeys are the metrics a Table shows, as the original tool's
// comparison did: every one but the median, and none that the contract
// does not require.
var sectionKeys = []string{contract.KeyMean, contract.KeyP95, contract.KeyP99, contract.KeyThroughput}

// workKeys are sections shown when at least one file has the metric: what
// a batch costs (padded positions) and how much of it is real text.
var workKeys = []string{contract.KeyPadded, contract.KeyRealShare}

// Metrics are the sections of a Table, in order, described by the
// contract's table (contract.Metrics). The relative-speed section is added
// by Build (its title names the first model).
var Metrics = func() []Metric {
	var out []Metric
	for _, k := range sectionKeys {
		m, ok := contract.MetricByKey(k)
		if !ok {
			panic("compare: no metric " + k + " in the contract's table")
		}
		out = append(out, metricOf(m))
	}
	return out
}()

// metricOf describes a section of the contract's metric m.
func metricOf(m contract.Metric) Metric {
	return Metric{Key: m.Key, Title: m.Label, Unit: m.JSONUnit, Better: m.Better.String()}
}

// Cell is one value; Valid is false where the model lacks the batch size
// (shown as N/A). Max is set for a percentile that is only the largest
// sample, for lack of samples (contract.PercentileIsMax): shown "(max)".
type Cell struct {
	Value float64
	Valid bool
	Max   bool
}

// Row is one batch size of a section: a cell per model, in model order.
type Row struct {
	BatchSize int
	Cells     []Cell
}

// Section is one metric's rows.
type Section struct {
	Metric
	Rows []Row
}

// Column describes one model of the table.
type Column struct {
	Name    string // the name shown
	Path    string // the file read
	Model   string // the file's "model" key
	Device  string
	Machine string // the file's "machine" key
}

// Table is the comparison of several models.
type Table struct {
	Title      string
	Columns    []Column
	BatchSizes []int
	Sections   []Section
	// Notes are printed under the table: results measured on different
	// work (allowed by the caller), and the files' noise warnings.
	Notes []string
}

// WorkMismatch describes a batch size at which models were timed on
// different work: their workload fingerprints differ.
type WorkMismatch struct {
	BatchSize int
	// Workloads holds each model's fingerprint, in model order; "" for a
	// file that has none (or lacks the batch size).
	Workloads []string
}

// CheckWork returns the batch sizes at which the models' workload
// fingerprints differ. A file without fingerprints (written before them)
// differs from one with; files that all lack them cannot be told apart and
// are taken as the same work.
func CheckWork(models []Model) []WorkMismatch {
	var sizes []int
	for _, m := range models {
		for n := range m.File.Batches {
			if !slices.Contains(sizes, n) {
				sizes = append(sizes, n)
			}
		}
	}
	slices.Sort(sizes)
	var out []WorkMismatch
	for _, n := range sizes {
		w := WorkMismatch{BatchSize: n, Workloads: make([]string, len(models))}
		distinct := map[string]bool{}
		for i, m := range models {
			if b := m.File.Batches[n]; b != nil {
				w.Workloads[i] = b.Workload()
				distinct[w.Workloads[i]] = true
			}
		}
		if len(distinct) > 1 || distinct["mixed"] {
			out = append(out, w)
		}
	}
	return out
}

// String says which models differ, for errors and notes.
func (w WorkMismatch) String(models []Model) string {
	var parts []string
	for i, m := range models {
		fp := w.Workloads[i]
		if fp == "" {
			fp = "no fingerprint"
		}
		parts = append(parts, m.Name+" "+fp)
	}
	return fmt.Sprintf("batch %d: different work (%s)", w.BatchSize, strings.Join(parts, ", "))
}

// Title is the title of every Table.
const Title = "Model Comparison"

// Build makes the table of models: the sections of Metrics, then relative
// speed against the first model.
func Build(models []Model) *Table {
	t := &Table{Title: Title}
	var sizes []int
	for _, m := range models {
		t.Columns = append(t.Columns, Column{Name: m.Name, Path: m.Path, Model: m.File.Model, Device: m.File.Device, Machine: m.File.Machine})
		for n := range m.File.Batches {
			if !slices.Contains(sizes, n) {
				sizes = append(sizes, n)
			}
		}
	}
	slices.Sort(sizes)
	t.BatchSizes = sizes
	batch := func(m Model, n int) *contract.Batch { return m.File.Batches[n] }
	metrics := slices.Clone(Metrics)
	for _, k := range workKeys {
		for _, m := range models {
			if slices.ContainsFunc(sizes, func(n int) bool {
				if b := batch(m, n); b != nil {
					_, ok := b.Metric(k)
					return ok
				}
				return false
			}) {
				cm, _ := contract.MetricByKey(k)
				metrics = append(metrics, metricOf(cm))
				break
			}
		}
	}
	for _, met := range metrics {
		s := Section{Metric: met}
		for _, n := range sizes {
			r := Row{BatchSize: n, Cells: make([]Cell, len(models))}
			for i, m := range models {
				if b := batch(m, n); b != nil {
					v, ok := b.Metric(met.Key)
					r.Cells[i] = Cell{Value: v, Valid: ok, Max: contract.PercentileIsMax(b, met.Key)}
				}
			}
			s.Rows = append(s.Rows, r)
		}
		t.Sections = append(t.Sections, s)
	}
	for _, m := range models {
		for _, w := range m.File.Warnings() {
			t.Notes = append(t.Notes, "warning: "+m.Name+" "+w)
		}
	}
	if len(models) > 0 {
		s := Section{Metric: Metric{Key: RelativeSpeed, Title: "Relative Speed (vs " + models[0].Name + ")", Unit: "x", Better: contract.HigherIsBetter.String()}}
		for _, n := range sizes {
			r := Row{BatchSize: n, Cells: make([]Cell, len(models))}
			first := batch(models[0], n)
			for i, m := range models {
				b := batch(m, n)
				if first == nil || b == nil {
					continue
				}
				fm, _ := first.Metric(contract.KeyMean)
				bm, _ := b.Metric(contract.KeyMean)
				if bm <= 0 {
					continue
				}
				v := fm / bm
				if !math.IsInf(v, 0) && !math.IsNaN(v) {
					r.Cells[i] = Cell{Value: v, Valid: true}
				}
			}
			s.Rows = append(s.Rows, r)
		}
		t.Sections = append(t.Sections, s)
	}
	return t
}

// Section returns the section of key, or nil.
func (t *Table) Section(key string) *Section {
	for i := range t.Sections {
		if t.Sections[i].Key == key {
			return &t.Sections[i]
		}
	}
	return nil
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
