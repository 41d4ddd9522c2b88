package converter

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/nerbench/nerbench/benchmarks/benchname"
	"github.com/nerbench/nerbench/benchmarks/shard"
	"github.com/nerbench/nerbench/internal/contract"
)

// Shards and machines.
//
// A sharded run (package benchmarks/shard) prints, before its results,
// the configuration lines machine, matrix, matrix-cells, shard,
// shard-cells and shard-plan. The outputs of all the shards, from any
// number of machines and files, are merged into the benchmark.json files
// one unsplit run gives. One shard output is the results of one shard
// (i/n) on one machine in one input file. The merge refuses, naming them:
//
//   - shards of different matrices (matrix), shard counts or plans
//     (shard-plan), or of another matrix than bench.toml's;
//   - sharded results mixed with unsharded ones;
//   - a shard counted twice: the same shard on the same machine in two
//     input files;
//   - a missing shard, or a shard without a result for one of its cells
//     (shard-cells) or with a result for another shard's cell;
//   - shards that differ in ort-version or commit, or, for one model, in
//     device, threads or max-length.
//
// Machines are never pooled into one number. When every shard was run
// once, the cells are merged into one file per model, whatever machine
// each shard ran on; the file's "machine" is the machine's label, or the
// labels, comma-separated, with each batch entry's own "machine", when the
// shards ran on different machines. When a shard was run on several
// machines, every machine must have run every shard, and each machine gets
// files of its own: benchmark.<machine>.json beside the benchmark.json the
// config names (contract.MachinePath). Unsharded results of a model from
// several machines are kept apart the same way.

// shardOut is one shard's output: one shard on one machine in one file.
type shardOut struct {
	spec    shard.Spec
	file    string
	machine string
	matrix  string
	cells   int // matrix-cells
	plan    string
	want    []string        // shard-cells
	got     map[string]bool // the cells it has results for
	obs     []*obs
}

func (s *shardOut) String() string {
	if s.machine == "" {
		return fmt.Sprintf("%s (%s)", s.spec, s.file)
	}
	return fmt.Sprintf("%s (%s, machine %s)", s.spec, s.file, s.machine)
}

// obsCell returns the cell of o, as in shard-cells.
func obsCell(model string, o *obs) string { return benchname.SubThreads(model, o.threads, o.batch) }

// splitSets checks the shards (see above) and sets each observation's set:
// "" for the one file of a model, or a machine label for that machine's
// own files. matrix is bench.toml's matrix fingerprint, or "".
func (c *collector) splitSets(matrix string) error {
	var outs []*shardOut
	byKey := map[string]*shardOut{}
	var unsharded []string
	for _, model := range slices.Sorted(maps.Keys(c.models)) {
		for _, o := range c.models[model] {
			spec := o.config[contract.ConfigShard]
			if spec == "" {
				if !slices.Contains(unsharded, o.file) {
					unsharded = append(unsharded, o.file)
				}
				continue
			}
			key := strings.Join([]string{o.file, spec, o.machine, o.config[contract.ConfigMatrix], o.config[contract.ConfigShardPlan]}, "\x00")
			s, ok := byKey[key]
			if !ok {
				sp, err := shard.ParseSpec(spec)
				if err != nil {
					return fmt.Errorf("%s:%d: %v", o.file, o.line, err)
				}
				n, _ := strconv.Atoi(o.config[contract.ConfigMatrixCells])
				s = &shardOut{spec: sp, file: o.file, machine: o.machine, matrix: o.config[contract.ConfigMatrix],
					cells: n, plan: o.config[contract.ConfigShardPlan], want: shard.ParseCells(o.config[contract.ConfigShardCells]), got: map[string]bool{}}
				byKey[key] = s
				outs = append(outs, s)
			}
			s.got[obsCell(model, o)] = true
			s.obs = append(s.obs, o)
		}
	}
	if len(outs) == 0 {
		c.splitUnsharded()
		return nil
	}
	slices.SortFunc(outs, func(a, b *shardOut) int {
		if a.spec.Index != b.spec.Index {
			return a.spec.Index - b.spec.Index
		}
		return strings.Compare(a.file+a.machine, b.file+b.machine)
	})
	list := func(outs []*shardOut) string {
		s := make([]string, len(outs))
		for i, o := range outs {
			s[i] = o.String()
		}
		return strings.Join(s, ", ")
	}
	if len(unsharded) > 0 {
		return fmt.Errorf("results without a shard among the shards' outputs, in %s: merge the shards of one sharded run only", strings.Join(unsharded, ", "))
	}
	// One matrix, one shard count, one plan.
	group := func(key func(*shardOut) string) map[string][]*shardOut {
		g := map[string][]*shardOut{}
		for _, o := range outs {
			g[key(o)] = append(g[key(o)], o)
		}
		return g
	}
	differ := func(what, whats string, key func(*shardOut) string, hint string) error {
		g := group(key)
		if len(g) < 2 {
			return nil
		}
		var parts []string
		for _, k := range slices.Sorted(maps.Keys(g)) {
			parts = append(parts, fmt.Sprintf("%s %s: %s", what, k, list(g[k])))
		}
		return fmt.Errorf("shards of different %s (%s)%s", whats, strings.Join(parts, "; "), hint)
	}
	if err := differ("matrix", "matrices", func(o *shardOut) string { return o.matrix }, ": they ran different bench.toml files or settings"); err != nil {
		return err
	}
	if err := differ("shard count", "shard counts", func(o *shardOut) string { return strconv.Itoa(o.spec.Count) }, ""); err != nil {
		return err
	}
	if err := differ("plan", "plans", func(o *shardOut) string { return o.plan }, ": the cells were assigned differently (give every shard the same -shard-durations file, or none)"); err != nil {
		return err
	}
	first := outs[0]
	if matrix != "" && first.matrix != matrix {
		return fmt.Errorf("the shards are of matrix %s, but bench.toml's is %s: they ran another bench.toml, or it changed since", first.matrix, matrix)
	}
	n := first.spec.Count

	// Each shard once per machine; the sets of files.
	var errs []error
	byShard := map[int][]*shardOut{}
	for _, o := range outs {
		byShard[o.spec.Index] = append(byShard[o.spec.Index], o)
	}
	for i := 1; i <= n; i++ {
		byMachine := map[string][]*shardOut{}
		for _, o := range byShard[i] {
			byMachine[o.machine] = append(byMachine[o.machine], o)
		}
		for _, m := range slices.Sorted(maps.Keys(byMachine)) {
			if d := byMachine[m]; len(d) > 1 {
				errs = append(errs, fmt.Errorf("shard %d/%d counted twice: %s", i, n, list(d)))
			}
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	perMachine := false
	for _, d := range byShard {
		perMachine = perMachine || len(d) > 1
	}
	sets := map[string][]*shardOut{} // set → its shard outputs
	if perMachine {
		for _, o := range outs {
			sets[o.machine] = append(sets[o.machine], o)
		}
	} else {
		sets[""] = outs
	}
	for _, set := range slices.Sorted(maps.Keys(sets)) {
		have := map[int]bool{}
		for _, o := range sets[set] {
			have[o.spec.Index] = true
		}
		var missing []string
		for i := 1; i <= n; i++ {
			if !have[i] {
				missing = append(missing, fmt.Sprintf("%d/%d", i, n))
			}
		}
		if len(missing) > 0 {
			where := ""
			if set != "" {
				where = fmt.Sprintf(" on machine %s (shards were run on several machines, so each machine needs all of them)", set)
			}
			errs = append(errs, fmt.Errorf("missing %s %s of matrix %s%s; have %s", plural(len(missing), "shard"), strings.Join(missing, ", "), first.matrix, where, list(sets[set])))
			continue
		}
		errs = append(errs, checkCells(sets[set], first.cells, list)...)
		errs = append(errs, checkConfigs(sets[set])...)
		for _, o := range sets[set] {
			for _, ob := range o.obs {
				ob.set = set
			}
		}
	}
	return errors.Join(errs...)
}

// checkCells checks that each shard has a result for each of its cells and
// for no other, and that the shards' cells are the whole matrix, once.
func checkCells(outs []*shardOut, total int, list func([]*shardOut) string) []error {
	var errs []error
	owner := map[string]*shardOut{}
	for _, o := range outs {
		for _, cell := range o.want {
			if prev, ok := owner[cell]; ok {
				errs = append(errs, fmt.Errorf("cell %s is in shard %s and in shard %s", cell, prev, o))
			}
			owner[cell] = o
			if !o.got[cell] {
				errs = append(errs, fmt.Errorf("shard %s: no result for %s, one of its cells (did it fail or stop early?)", o, cell))
			}
		}
		for _, cell := range slices.Sorted(maps.Keys(o.got)) {
			if !slices.Contains(o.want, cell) {
				errs = append(errs, fmt.Errorf("shard %s: a result for %s, which is not one of its cells", o, cell))
			}
		}
	}
	if len(errs) == 0 && len(owner) != total {
		errs = append(errs, fmt.Errorf("the shards %s hold %d cells, but the matrix has %d", list(outs), len(owner), total))
	}
	return errs
}

// checkConfigs checks that the shards agree on the configuration that
// decides what was measured: ort-version and commit everywhere, device,
// threads and max-length for each model.
func checkConfigs(outs []*shardOut) []error {
	var errs []error
	check := func(scope string, keys []string, obs []*obs, where func(*obs) string) {
		for _, k := range keys {
			vals := map[string][]string{}
			for _, o := range obs {
				w := where(o)
				if !slices.Contains(vals[o.config[k]], w) {
					vals[o.config[k]] = append(vals[o.config[k]], w)
				}
			}
			if len(vals) < 2 {
				continue
			}
			var parts []string
			for _, v := range slices.Sorted(maps.Keys(vals)) {
				parts = append(parts, fmt.Sprintf("%q in %s", v, strings.Join(vals[v], ", ")))
			}
			errs = append(errs, fmt.Errorf("%sshards differ in %s: %s", scope, k, strings.Join(parts, "; ")))
		}
	}
	var all []*obs
	byModel := map[string][]*obs{}
	where := map[*obs]string{}
	for _, o := range outs {
		for _, ob := range o.obs {
			all = append(all, ob)
			where[ob] = "shard " + o.String()
			m := ob.model // a threads sweep's counts differ in intra-op-threads by design
			if ob.threads != benchname.NoThreads {
				m += " threads " + strconv.Itoa(ob.threads)
			}
			byModel[m] = append(byModel[m], ob)
		}
	}
	at := func(o *obs) string { return where[o] }
	check("", []string{contract.ConfigORTVersion, contract.ConfigCommit}, all, at)
	for _, m := range slices.Sorted(maps.Keys(byModel)) {
		check("model "+m+": ", []string{contract.ConfigDevice, contract.ConfigIntraOpThreads, contract.ConfigInterOpThreads, contract.ConfigMaxLength}, byModel[m], at)
	}
	return errs
}

// splitUnsharded keeps the machines of unsharded results apart: a model
// measured on several machines gets a set per machine.
func (c *collector) splitUnsharded() {
	for _, all := range c.models {
		machines := map[string]bool{}
		for _, o := range all {
			machines[o.machine] = true
		}
		if len(machines) < 2 {
			continue
		}
		for _, o := range all {
			o.set = o.machine
			if o.set == "" {
				o.set = "unknown"
			}
		}
	}
}

// perShardKeys are the configuration lines that say which shard or
// machine a result came from; they are not the merged file's
// configuration (its "machine" key says the machine).
var perShardKeys = []string{contract.ConfigShard, contract.ConfigShardCells, contract.ConfigMachine}
