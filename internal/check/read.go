package check

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/perf/benchfmt"

	"golang.org/x/perf/benchproc"
	"golang.org/x/perf/benchunit"

	"github.com/nerbench/nerbench/benchmarks/benchname"
	"github.com/nerbench/nerbench/internal/contract"
)

// jsonKey returns the benchmark.json key of a unit of the suite
// ("p99-ns/op" → "p99_ms"), or "".
func jsonKey(unit string) string {
	m, _ := contract.MetricByUnit(unit)
	return m.Key
}

// latency is the metric whose unit per-iteration latencies share: ms in
// samples_ms, ns in the Go benchmark format.
var latency, _ = contract.MetricByKey(contract.KeyMean)

// ReadFiles reads one side from files, each either in the Go benchmark
// format (go test -bench output, several runs of it concatenated, or the
// output of nerbench run -format gobench) or a benchmark.json. Values of
// all files are pooled: the repeated runs of one benchmark are its sample.
// A file is an error when it cannot be read, holds a malformed benchmark
// line or non-finite value, or holds no benchmark result at all.
func ReadFiles(paths []string) (*Side, error) {
	return ReadFilesFiltered(paths, nil)
}

// ReadFilesFiltered is ReadFiles keeping only the results that filter
// matches: a benchstat-style query (benchproc.NewFilter) such as
// "/batch:(1 OR 8)" or ".unit:(ns/op OR p99-ns/op)". A benchmark.json's
// batches are filtered under their suite names,
// Inference/model=<model>/batch=<n>. A nil filter keeps everything.
func ReadFilesFiltered(paths []string, filter *benchproc.Filter) (*Side, error) {
	if len(paths) == 0 {
		return nil, errors.New("no files")
	}
	s := NewSide()
	s.filter = filter
	seen := map[string]bool{}
	for _, p := range paths {
		key := filepath.Clean(p)
		if seen[key] {
			return nil, fmt.Errorf("%s: given twice (its values would count twice)", p)
		}
		seen[key] = true
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		if err := s.Read(p, data); err != nil {
			return nil, err
		}
	}
	s.resolveIterations()
	return s, nil
}

// Read adds the results in data, the content of the file name, to s. A
// benchmark.json is recognized by its leading '{'; anything else is read
// as the Go benchmark format.
func (s *Side) Read(name string, data []byte) error {
	before := len(s.Series)
	values := s.countValues()
	var err error
	if t := bytes.TrimLeft(data, " \t\r\n\ufeff"); len(t) > 0 && t[0] == '{' {
		err = s.readJSON(name, data)
	} else {
		err = s.readGoBench(name, data)
	}
	if err != nil {
		return err
	}
	s.Files = append(s.Files, name)
	if len(s.Series) == before && s.countValues() == values {
		return fmt.Errorf("%s: no benchmark results (want go test -bench output or a benchmark.json)", name)
	}
	return nil
}

func (s *Side) countValues() int {
	n := 0
	for _, sr := range s.Series {
		n += len(sr.Values)
	}
	for _, it := range s.iters {
		n += len(it)
	}
	return n
}

// readGoBench reads the Go benchmark format. Syntax errors are errors,
// each "file:line: message".
func (s *Side) readGoBench(name string, data []byte) error {
	s.Failed = append(s.Failed, failures(name, data)...)
	r := benchfmt.NewReader(bytes.NewReader(data), name)
	var errs []error
	for r.Scan() {
		switch rec := r.Result().(type) {
		case *benchfmt.SyntaxError:
			errs = append(errs, rec)
		case *benchfmt.Result:
			if s.filter != nil {
				if ok, _ := s.filter.Apply(rec); !ok { // the error only says why not
					continue
				}
			}
			file, line := rec.Pos()
			pos := file + ":" + strconv.Itoa(line)
			for _, c := range rec.Config {
				if c.Key == contract.ConfigWorkload {
					s.addWorkload(string(rec.Name), string(c.Value))
					continue
				}
				if c.File {
					s.addConfig(c.Key, string(c.Value))
				}
			}
			for _, v := range rec.Values {
				unit, val := v.Unit, v.Value
				if v.OrigUnit != "" {
					unit, val = v.OrigUnit, v.OrigValue
				}
				if math.IsNaN(val) || math.IsInf(val, 0) {
					errs = append(errs, fmt.Errorf("%s: Benchmark%s: %s = %v: want a finite number", pos, rec.Name, unit, val))
					continue
				}
				if sr := s.Add(string(rec.Name), unit, SourceRuns, val); sr.Pos == "" {
					sr.Pos = pos
				}
			}
		}
	}
	if err := r.Err(); err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", name, err))
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	maps.Copy(s.Units, r.Units())
	return nil
}

// readJSON reads a benchmark.json: per batch size, run_values when the
// file has them (one value per run), else each metric's single value, and
// samples_ms (per-iteration latencies) when a single run kept them.
func (s *Side) readJSON(name string, data []byte) error {
	f, err := contract.Decode(name, data)
	if err != nil {
		return err
	}
	if err := f.Validate(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	model := f.Model
	if model == "" {
		model = filepath.Base(filepath.Dir(name))
	}
	model = benchname.Sanitize(model)
	if f.Device != "" {
		s.addConfig(contract.ConfigDevice, f.Device)
	}
	if f.Machine != "" {
		s.addConfig(contract.ConfigMachine, f.Machine)
	}
	for _, k := range slices.Sorted(maps.Keys(f.Config)) {
		s.addConfig(k, f.Config[k])
	}
	// A threads sweep's file is read per thread count, under the names
	// the suite gives them (model=<m>/threads=<t>/batch=<n>): its own
	// batch entries are the first count's, so they are not read twice.
	type cell struct {
		bench, key string
		b          *contract.Batch
	}
	var cells []cell
	sweep, counts, err := contract.ThreadSweep(f)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	for _, n := range f.BatchSizes() {
		if sweep == nil {
			cells = append(cells, cell{benchname.Name(model, n), contract.BatchKey(n), f.Batches[n]})
		}
	}
	for _, t := range counts {
		for _, n := range slices.Sorted(maps.Keys(sweep[t])) {
			cells = append(cells, cell{benchname.NameThreads(model, t, n), fmt.Sprintf("%s.%d.%s", contract.KeyThreads, t, contract.BatchKey(n)), sweep[t][n]})
		}
	}
	for _, c := range cells {
		b, bench, key := c.b, c.bench, c.key
		s.addWorkload(bench, b.Workload())
		if s.filter != nil {
			// Filter the batch as the suite's result of the same name
			// with every metric, as the Go benchmark format would give it.
			res := &benchfmt.Result{Name: benchfmt.Name(bench), Iters: 1}
			for _, m := range contract.Metrics() {
				v, unit := benchunit.Tidy(1, m.Unit) // as benchfmt gives them
				res.Values = append(res.Values, benchfmt.Value{Value: v, Unit: unit, OrigValue: 1, OrigUnit: m.Unit})
			}
			if ok, _ := s.filter.Apply(res); !ok {
				continue
			}
			kept := map[string]bool{}
			for _, v := range res.Values {
				kept[v.OrigUnit] = true
			}
			s.jsonUnits = kept
		}
		for _, m := range contract.Metrics() {
			if s.filter != nil && !s.jsonUnits[m.Unit] {
				continue
			}
			vals := b.RunValues[m.Key]
			if len(vals) == 0 {
				v, ok := b.Metric(m.Key)
				if !ok {
					if raw, found := b.Extra[m.Key]; found {
						return fmt.Errorf("%s: %s.%s: want a number, got %s", name, key, m.Key, raw)
					}
					continue
				}
				vals = []float64{v}
			}
			scaled := make([]float64, len(vals))
			for i, v := range vals {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return fmt.Errorf("%s: %s.run_values.%s[%d] = %v: want a finite number", name, key, m.Key, i, v)
				}
				scaled[i] = m.GoValue(v)
			}
			if sr := s.Add(bench, m.Unit, SourceRuns, scaled...); sr.Pos == "" {
				sr.Pos = name
			}
		}
		if len(b.SamplesMS) > 0 && len(b.RunValues) == 0 && b.Runs <= 1 {
			ns := make([]float64, len(b.SamplesMS))
			for i, v := range b.SamplesMS {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return fmt.Errorf("%s: %s.samples_ms[%d] = %v: want a finite number", name, key, i, v)
				}
				ns[i] = latency.GoValue(v)
			}
			s.iters[bench] = append(s.iters[bench], ns)
		}
	}
	return nil
}

// resolveIterations uses per-iteration latencies as the sample of the
// median latency (p50-ns/op, contract.UnitMedian) of a benchmark that has exactly one run and
// whose run kept them. It is idempotent.
func (s *Side) resolveIterations() {
	for name, sets := range s.iters {
		sr := s.index[seriesKey{name, contract.UnitMedian}]
		if sr == nil || len(sets) != 1 || len(sr.Values) != 1 || sr.Source != SourceRuns {
			continue
		}
		sr.Values = slices.Clone(sets[0])
		sr.Source = SourceIterations
	}
}

// failures returns the failures that Go benchmark output reports: the
// "--- FAIL: Benchmark…" lines (a benchmark that failed prints no result)
// and "panic:" lines, each as "file:line: what".
func failures(name string, data []byte) []string {
	var out []string
	for i, line := range strings.Split(string(data), "\n") {
		t := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(t, "--- FAIL: Benchmark"):
			bench, _, _ := strings.Cut(strings.TrimPrefix(t, "--- FAIL: "), " ")
			out = append(out, fmt.Sprintf("%s:%d: %s", name, i+1, bench))
		case strings.HasPrefix(line, "panic:"):
			out = append(out, fmt.Sprintf("%s:%d: %s", name, i+1, t))
		}
	}
	return out
}
