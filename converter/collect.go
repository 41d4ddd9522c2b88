package converter

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/perf/benchfmt"

	"github.com/nerbench/nerbench/benchmarks/benchname"
	"github.com/nerbench/nerbench/internal/contract"
)

// obs is one observation of a model at one batch size: a run read from the
// Go benchmark format, or a row of benchstat's comparison.
type obs struct {
	seq    int // input order across all inputs
	model  string
	file   string
	line   int
	batch  int
	device string
	config map[string]string // file configuration lines in effect
	iters  int
	// workload is the workload fingerprint of the result (the workload
	// configuration line), kept apart from config since it differs from
	// one batch size to the next.
	workload string
	// machine is the machine label (contract.ConfigMachine), "" when the
	// output has none; set is the file set the observation goes to: ""
	// for the model's one file, a machine label for a file of its own
	// (see splitSets).
	machine string
	set     string
	// threads is the thread count of a threads sweep's result (the
	// threads=<t> part of its name), benchname.NoThreads without one.
	threads int

	run *runValues // Go benchmark format
	cmp *cmpValues // benchstat CSV
}

// runValues is one run's values, per metric in the order of metrics.
type runValues struct {
	values []float64
	has    []bool
}

func newRunValues() *runValues {
	return &runValues{values: make([]float64, len(metrics)), has: make([]bool, len(metrics))}
}

// cmpValues is what benchstat says about one benchmark: the new column's
// values and, when there is a baseline column, the comparison; per metric
// in the order of metrics.
type cmpValues struct {
	have    []bool
	values  []float64
	hasBase []bool
	base    []float64
	hasP    []bool
	p       []float64
	hasSig  []bool
	sig     []bool
	n       int // the new column's sample count; 0 if unknown
	baseN   int
}

func newCmpValues() *cmpValues {
	n := len(metrics)
	return &cmpValues{have: make([]bool, n), values: make([]float64, n), hasBase: make([]bool, n),
		base: make([]float64, n), hasP: make([]bool, n), p: make([]float64, n),
		hasSig: make([]bool, n), sig: make([]bool, n)}
}

type collector struct {
	res    *Result
	reader benchfmt.Reader // reused so that unit metadata carries over
	models map[string][]*obs
	seq    int
	errs   []string // malformed input: Convert fails
	ours   int      // results that are ours, usable or not
	others int      // results of other benchmarks

	comparison map[string][]string // per model: baseline and new column names

	samples       map[string]samplesRead // samples files read, by path
	samplesWarned map[string]bool        // samples files already warned about
}

func newCollector() *collector {
	return &collector{
		res:           &Result{Files: map[string]*Output{}},
		models:        map[string][]*obs{},
		comparison:    map[string][]string{},
		samplesWarned: map[string]bool{},
	}
}

func (c *collector) warn(file string, line int, msg string) {
	c.res.Warnings = append(c.res.Warnings, Warning{File: file, Line: line, Msg: msg})
}

func (c *collector) note(file, msg string) {
	c.res.Notes = append(c.res.Notes, Warning{File: file, Msg: msg})
}

func (c *collector) add(model string, o *obs) {
	c.seq++
	o.seq = c.seq
	o.model = model
	c.models[model] = append(c.models[model], o)
}

// build turns the observations into files: one per model, or one per
// machine for a model whose machines are kept apart (see splitSets).
func (c *collector) build(opts Options) {
	now := contract.Timestamp(opts.Now())
	sweeps := map[string][]sweepFile{} // by file key: the files of a threads sweep's counts
	c.res.timestamp = now
	for _, fs := range c.fileSets() {
		name, set, all := fs.name, fs.set, fs.obs
		where := name
		if fs.threads != benchname.NoThreads {
			where += " threads " + strconv.Itoa(fs.threads)
		}
		if set != "" {
			where += " on machine " + set
		}
		warnf := func(format string, args ...any) {
			c.warn("", 0, fmt.Sprintf("model %s: ", where)+fmt.Sprintf(format, args...))
		}

		// The newest observation's device wins; others are dropped.
		device := all[len(all)-1].device
		var kept []*obs
		dropped := map[string]int{}
		for _, o := range all {
			if o.device == device {
				kept = append(kept, o)
			} else {
				dropped[o.device]++
			}
		}
		if len(dropped) > 0 {
			var parts []string
			for _, d := range slices.Sorted(maps.Keys(dropped)) {
				parts = append(parts, fmt.Sprintf("%d on %s", dropped[d], d))
			}
			warnf("results on different devices: keeping the %d on %s (the newest), dropping %s",
				len(kept), device, strings.Join(parts, ", "))
		}

		// Configuration: newest values win; differences are reported,
		// but for the lines that say which shard or machine a result came
		// from, which are no configuration of the merged file.
		machines := map[string]bool{}
		for _, o := range kept {
			machines[o.machine] = true
		}
		config := map[string]string{}
		conflicts := map[string]bool{}
		for _, o := range kept {
			for k, v := range o.config {
				if slices.Contains(perShardKeys, k) {
					continue
				}
				// Each shard, and each process of make bench's rounds, keeps
				// its samples in a file of its own: addSamples reads them all.
				if old, ok := config[k]; ok && old != v && (k != "cpu" || len(machines) == 1) && k != contract.ConfigSamplesFile {
					conflicts[k] = true
				}
				config[k] = v
			}
		}
		if len(conflicts) > 0 {
			warnf("runs differ in %s; recording the newest values", strings.Join(slices.Sorted(maps.Keys(conflicts)), ", "))
		}

		f := &contract.File{Batches: map[int]*contract.Batch{}, Device: device, Timestamp: now, Model: name}
		delete(machines, "")
		f.Machine = strings.Join(slices.Sorted(maps.Keys(machines)), ", ")
		if len(config) > 0 {
			f.Config = config
		}
		byBatch := map[int][]*obs{}
		for _, o := range kept {
			byBatch[o.batch] = append(byBatch[o.batch], o)
		}
		noCI := map[string][]string{} // warning → batch keys
		var fromRuns []int            // batch sizes made from runs
		var allRuns []*obs
		for _, n := range slices.Sorted(maps.Keys(byBatch)) {
			var runs []*obs
			var cmp *obs
			for _, o := range byBatch[n] {
				if o.cmp != nil {
					cmp = o // the last one wins
				} else {
					runs = append(runs, o)
				}
			}
			if cmp != nil {
				if len(runs) > 0 {
					warnf("%s: both benchstat output and runs; using benchstat's values", contract.BatchKey(n))
				}
				f.Batches[n] = cmpBatch(cmp.cmp)
				continue
			}
			b, warnings := runsBatch(runs)
			if len(machines) > 1 { // cells from several machines: each says its own
				if b.Extra == nil {
					b.Extra = map[string]json.RawMessage{}
				}
				b.Extra[contract.KeyMachine] = mustJSON(runs[len(runs)-1].machine)
			}
			fromRuns = append(fromRuns, n)
			allRuns = append(allRuns, runs...)
			for _, w := range warnings {
				noCI[w] = append(noCI[w], contract.BatchKey(n))
			}
			f.Batches[n] = b
		}
		for _, w := range slices.Sorted(maps.Keys(noCI)) {
			warnf("%s: no ci95 (%s)", strings.Join(noCI[w], ", "), w)
		}
		var noise []string
		for _, n := range fromRuns {
			b := f.Batches[n]
			workloads := map[string]bool{}
			busy := 0
			for _, o := range byBatch[n] {
				if o.run == nil {
					continue
				}
				workloads[o.workload] = true
				if len(contract.NoiseWarnings(o.run.batch())) > 0 {
					busy++
				}
			}
			if fps := slices.Sorted(maps.Keys(workloads)); len(fps) == 1 && fps[0] != "" {
				b.Extra = withExtra(b.Extra, contract.KeyWorkload, fps[0])
			} else if len(fps) > 1 {
				warnf("%s: runs measured different work (workload %s); no workload recorded", contract.BatchKey(n), strings.Join(fps, ", "))
				b.Extra = withExtra(b.Extra, contract.KeyWorkload, "mixed")
			}
			for _, key := range []string{contract.KeyP95, contract.KeyP99} {
				if contract.PercentileIsMax(b, key) {
					b.Extra = withExtra(b.Extra, strings.TrimSuffix(key, "_ms")+"_is_max", true)
				}
			}
			for _, w := range contract.NoiseWarnings(b) {
				noise = append(noise, contract.BatchKey(n)+": "+w)
			}
			if runs := len(byBatch[n]); busy > 0 && runs > 1 {
				noise = append(noise, fmt.Sprintf("%s: %d of %d runs measured on a busy or noisy machine", contract.BatchKey(n), busy, runs))
			}
		}
		for _, w := range noise {
			c.res.Noise = append(c.res.Noise, Warning{Msg: fmt.Sprintf("model %s: %s", where, w)})
		}
		slices.SortFunc(allRuns, func(a, b *obs) int { return a.seq - b.seq })
		c.addSamples(name, f, allRuns, fromRuns, warnf)
		if cols := c.comparison[name]; len(cols) == 2 && set == "" {
			f.Extra = withExtra(f.Extra, "comparison", map[string]string{"baseline": cols[0], "new": cols[1]})
		}
		if len(noise) > 0 {
			f.Extra = withExtra(f.Extra, contract.KeyWarnings, noise)
		}

		out := &Output{BenchName: name, File: f, Machine: set}
		if opts.Models != nil {
			if m, ok := opts.Models(name); ok {
				f.Model = m.Name
				f.Checkpoint = m.Checkpoint
				out.Path = m.Output
			} else if opts.OutDir == "" {
				warnf("not in bench.toml; not written (give an output folder to write it)")
			}
		}
		if opts.OutDir != "" {
			out.Path = filepath.Join(opts.OutDir, name, "benchmark.json")
		}
		key := name
		if set != "" {
			key += "@" + contract.MachineSlug(set)
			if out.Path != "" {
				out.Path = contract.MachinePath(out.Path, set)
			}
		}
		out.Model, out.Checkpoint = f.Model, f.Checkpoint
		if fs.threads != benchname.NoThreads {
			order := all[0].seq // input order, unless bench.toml gives the sweep's
			if opts.Models != nil {
				if m, ok := opts.Models(name); ok {
					if i := slices.Index(m.Threads, fs.threads); i >= 0 {
						order = i - len(m.Threads) // before any count bench.toml does not list
					}
				}
			}
			sweeps[key] = append(sweeps[key], sweepFile{fs.threads, order, out})
			continue
		}
		c.res.Files[key] = out
	}
	for _, key := range slices.Sorted(maps.Keys(sweeps)) {
		c.res.Files[key] = mergeSweep(sweeps[key])
	}
}

// dropMixedThreads keeps, for a model with both results of a threads
// sweep (a threads=<t> part) and results without one, only the kind of
// its newest result: the two kinds are different configurations of
// bench.toml and cannot share one file.
func (c *collector) dropMixedThreads() {
	for _, model := range slices.Sorted(maps.Keys(c.models)) {
		all := c.models[model]
		sweep := all[len(all)-1].threads != benchname.NoThreads
		kept := slices.DeleteFunc(slices.Clone(all), func(o *obs) bool { return (o.threads != benchname.NoThreads) != sweep })
		if dropped := len(all) - len(kept); dropped > 0 {
			what := "with a threads=<n> part (a threads sweep)"
			if sweep {
				what = "without a threads=<n> part"
			}
			c.warn("", 0, fmt.Sprintf("model %s: results with and without a threads sweep; keeping the newest kind, dropping the %d %s", model, dropped, what))
			c.models[model] = kept
		}
	}
}

// sweepFile is the file built from one thread count of a threads sweep;
// first orders the counts: bench.toml's order when the configuration
// lists the count, else the input order of its first observation.
type sweepFile struct {
	threads, first int
	out            *Output
}

// mergeSweep makes one file of a threads sweep's files (one per thread
// count): the file of the first thread count (the first of bench.toml's
// list when the configuration is given; else the first in the input,
// which for one run of the suite is the list's first, since it runs them
// in that order), so that its batch_<n> entries, the contract's keys, are
// those of one thread count, with a "threads" object that holds every
// thread count's batch entries, keyed by the count:
//
//	"threads": {"1": {"batch_1": {…}, "batch_8": {…}}, "2": {…}}
//
// Thread counts are never pooled: each batch entry is one count's. The
// other counts' noise warnings are added to the file's, marked with their
// count.
func mergeSweep(files []sweepFile) *Output {
	slices.SortFunc(files, func(a, b sweepFile) int { return a.first - b.first })
	main := files[0].out
	all := map[string]map[string]*contract.Batch{}
	var order []int
	for _, sf := range files {
		order = append(order, sf.threads)
		batches := map[string]*contract.Batch{}
		for n, b := range sf.out.File.Batches {
			batches[contract.BatchKey(n)] = b
		}
		all[strconv.Itoa(sf.threads)] = batches
	}
	main.File.Extra = withExtra(main.File.Extra, contract.KeyThreads, all)
	main.File.Extra = withExtra(main.File.Extra, contract.KeyThreadCounts, order)
	// The other counts' noise warnings join the first's, each marked with
	// its count (contract.ThreadsPrefix).
	warnings := main.File.Warnings()
	n := len(warnings)
	for _, sf := range files[1:] {
		for _, w := range sf.out.File.Warnings() {
			warnings = append(warnings, contract.ThreadsPrefix(sf.threads)+w)
		}
	}
	if len(warnings) > n {
		main.File.Extra = withExtra(main.File.Extra, contract.KeyWarnings, warnings)
	}
	return main
}

// fileSet is the observations of one file: of a model, and of one machine
// when its machines are kept apart (set), and of one thread count of a
// threads sweep (threads; benchname.NoThreads without one).
type fileSet struct {
	name, set string
	threads   int
	obs       []*obs
}

// fileSets returns the files to build, by model name, then set.
func (c *collector) fileSets() []fileSet {
	var out []fileSet
	for _, name := range slices.Sorted(maps.Keys(c.models)) {
		type setThreads struct {
			set     string
			threads int
		}
		bySet := map[setThreads][]*obs{}
		var keys []setThreads
		for _, o := range c.models[name] {
			k := setThreads{o.set, o.threads}
			if _, ok := bySet[k]; !ok {
				keys = append(keys, k)
			}
			bySet[k] = append(bySet[k], o)
		}
		slices.SortFunc(keys, func(a, b setThreads) int {
			if a.set != b.set {
				return strings.Compare(a.set, b.set)
			}
			return a.threads - b.threads
		})
		for _, k := range keys {
			out = append(out, fileSet{name, k.set, k.threads, bySet[k]})
		}
	}
	return out
}

// runsBatch summarizes the runs of one batch size. It returns the warnings
// that explain a missing confidence interval.
func runsBatch(runs []*obs) (*contract.Batch, []string) {
	b := new(contract.Batch)
	iters := make([]float64, len(runs))
	for i, o := range runs {
		iters[i] = float64(o.iters)
	}
	b.Iterations = int(math.Round(median(iters)))
	// A metric that is not required is written when every run has it:
	// the median across runs, without run_values or ci95.
	for i, m := range metrics {
		if m.Required {
			continue
		}
		var vals []float64
		for _, o := range runs {
			if o.run.has[i] {
				vals = append(vals, o.run.values[i])
			}
		}
		if len(vals) == len(runs) {
			b.SetMetric(m.Key, round12(median(vals)))
		}
	}
	if len(runs) == 1 {
		for i, m := range metrics {
			if m.Required {
				b.SetMetric(m.Key, runs[0].run.values[i])
			}
		}
		return b, nil
	}
	b.Runs = len(runs)
	b.RunValues = map[string][]float64{}
	var warnings []string
	for i, m := range metrics {
		if !m.Required {
			continue
		}
		vals := make([]float64, len(runs))
		for j, o := range runs {
			vals[j] = o.run.values[i]
		}
		b.RunValues[m.Key] = vals
		s := SummarizeRuns(vals)
		b.SetMetric(m.Key, s.Median)
		if s.HasCI {
			if b.CI95 == nil {
				b.CI95 = map[string][2]float64{}
			}
			b.CI95[m.Key] = s.CI95
		}
		for _, w := range s.Warnings {
			if !slices.Contains(warnings, w) {
				warnings = append(warnings, w)
			}
		}
	}
	if len(warnings) > 0 {
		if b.Extra == nil {
			b.Extra = map[string]json.RawMessage{}
		}
		b.Extra["warnings"] = mustJSON(warnings)
	}
	return b, warnings
}

// cmpBatch turns benchstat's values for one batch size into an entry. A
// required metric also gets the comparison with the baseline; another
// metric only its value.
func cmpBatch(c *cmpValues) *contract.Batch {
	b := &contract.Batch{Runs: c.n}
	for i, m := range metrics {
		if c.have[i] {
			b.SetMetric(m.Key, c.values[i])
		}
	}
	extra := map[string]json.RawMessage{}
	base, change, p, sig := map[string]float64{}, map[string]float64{}, map[string]float64{}, map[string]bool{}
	for i, m := range metrics {
		if !m.Required {
			continue
		}
		if c.hasBase[i] {
			base[m.Key] = c.base[i]
			if c.base[i] != 0 {
				change[m.Key] = round12((c.values[i]/c.base[i] - 1) * 100)
			}
		}
		if c.hasP[i] {
			p[m.Key] = c.p[i]
		}
		if c.hasSig[i] {
			sig[m.Key] = c.sig[i]
		}
	}
	if len(base) > 0 {
		extra["baseline"] = mustJSON(base)
	}
	if len(change) > 0 {
		extra["change_pct"] = mustJSON(change)
	}
	if len(p) > 0 {
		extra["p_value"] = mustJSON(p)
	}
	if len(sig) > 0 {
		extra["significant"] = mustJSON(sig)
	}
	if c.baseN > 0 && len(base) > 0 {
		extra["baseline_runs"] = mustJSON(c.baseN)
	}
	if len(extra) > 0 && b.Extra == nil {
		b.Extra = map[string]json.RawMessage{}
	}
	maps.Copy(b.Extra, extra)
	return b
}

// withExtra sets key to v in extra, making the map if needed.
func withExtra(extra map[string]json.RawMessage, key string, v any) map[string]json.RawMessage {
	if extra == nil {
		extra = map[string]json.RawMessage{}
	}
	extra[key] = mustJSON(v)
	return extra
}

// batch returns the run's values as a batch entry, for NoiseWarnings.
func (r *runValues) batch() *contract.Batch {
	b := new(contract.Batch)
	for i, m := range metrics {
		if r.has[i] {
			b.SetMetric(m.Key, r.values[i])
		}
	}
	return b
}

func mustJSON(v any) json.RawMessage {
	data, err := json.Marshal(v)
	if err != nil {
		panic(err) // only plain values are marshalled
	}
	return data
}
