package check

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/nerbench/nerbench/internal/golden"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/perf/benchproc"

	"github.com/nerbench/nerbench/internal/contract"
)

const bench1 = "BenchmarkInference/model=tiny_trial_0/batch=1-2"

// spread returns n values around center, spread by ±rel evenly.
func spread(center, rel float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		f := -rel + 2*rel*float64(i)/float64(max(n-1, 1))
		out[i] = center * (1 + f)
	}
	return out
}

func mustCompare(t *testing.T, base, cand *Side, opts Options) *Report {
	t.Helper()
	rep, err := Compare(base, cand, opts)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func onlyRow(t *testing.T, rep *Report) Row {
	t.Helper()
	if len(rep.Rows) != 1 {
		t.Fatalf("got %d rows, want 1: %+v", len(rep.Rows), rep.Rows)
	}
	return rep.Rows[0]
}

func TestMinP(t *testing.T) {
	for _, c := range []struct {
		n1, n2 int
		want   float64
	}{{1, 1, 1}, {3, 3, 0.1}, {4, 4, 2.0 / 70}, {5, 5, 2.0 / 252}, {4, 10, 2.0 / 1001}} {
		if got := MinP(c.n1, c.n2); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("MinP(%d, %d) = %v, want %v", c.n1, c.n2, got, c.want)
		}
	}
}

func TestStatuses(t *testing.T) {
	opts := DefaultOptions()
	for _, c := range []struct {
		name       string
		unit       string
		base, cand []float64
		want       Status
	}{
		{"slower", "ns/op", spread(100, 0.01, 10), spread(120, 0.01, 10), Regression},
		{"faster", "ns/op", spread(100, 0.01, 10), spread(80, 0.01, 10), Improvement},
		{"slightly slower", "ns/op", spread(100, 0.005, 10), spread(102, 0.005, 10), WithinThreshold},
		{"same", "ns/op", spread(100, 0.05, 10), spread(100.5, 0.05, 10), Unchanged},
		{"throughput down", "docs/sec", spread(100, 0.01, 10), spread(80, 0.01, 10), Worse},
		{"throughput up", "docs/sec", spread(100, 0.01, 10), spread(120, 0.01, 10), Improvement},
		{"percentile slower", "p95-ns/op", spread(100, 0.01, 6), spread(130, 0.01, 6), Worse},
		{"unknown unit", "widgets/op", spread(100, 0.01, 10), spread(130, 0.01, 10), Changed},
		{"three samples", "ns/op", spread(100, 0.01, 3), spread(200, 0.01, 3), Inconclusive},
		{"one side short", "ns/op", spread(100, 0.01, 10), spread(200, 0.01, 2), Inconclusive},
		{"tokens changed", "tokens/op", []float64{40}, []float64{48}, Changed},
		{"tokens same", "tokens/op", []float64{40, 40}, []float64{40}, Unchanged},
	} {
		t.Run(c.name, func(t *testing.T) {
			base, cand := NewSide(), NewSide()
			base.Add(bench1, c.unit, SourceRuns, c.base...)
			cand.Add(bench1, c.unit, SourceRuns, c.cand...)
			row := onlyRow(t, mustCompare(t, base, cand, opts))
			if row.Status != c.want {
				t.Errorf("status %v (change %+.3f, p %.4f, reason %q), want %v", row.Status, row.Change, row.P, row.Reason, c.want)
			}
			if c.want == Inconclusive && !strings.Contains(row.Reason, "too few samples") {
				t.Errorf("reason %q", row.Reason)
			}
		})
	}
}

// A unit line overrides the built-in direction; assume=exact makes a unit
// exact.
func TestUnitLines(t *testing.T) {
	in := "Unit ns/op better=higher\nUnit widgets/op better=lower assume=exact\n" +
		bench1 + " 1 100 ns/op 5 widgets/op\n"
	base := NewSide()
	if err := base.Read("base.txt", []byte(strings.Repeat(in, 5))); err != nil {
		t.Fatal(err)
	}
	cand := NewSide()
	if err := cand.Read("cand.txt", []byte(strings.Repeat(strings.ReplaceAll(in, " 100 ns/op 5 ", " 150 ns/op 6 "), 5))); err != nil {
		t.Fatal(err)
	}
	opts := DefaultOptions()
	opts.Primary = "all" // widgets/op votes too
	rep := mustCompare(t, base, cand, opts)
	for _, r := range rep.Rows {
		want := map[string]Status{"ns/op": Improvement, "widgets/op": Regression}[r.Unit]
		if r.Status != want {
			t.Errorf("%s: %v, want %v", r.Unit, r.Status, want)
		}
	}
	if !rep.Rows[1].Exact {
		t.Errorf("widgets/op not exact")
	}
}

func TestThresholds(t *testing.T) {
	base, cand := NewSide(), NewSide()
	for _, u := range []string{"ns/op", "p99-ns/op", "docs/sec"} {
		base.Add(bench1, u, SourceRuns, spread(100, 0.01, 10)...)
	}
	cand.Add(bench1, "ns/op", SourceRuns, spread(108, 0.01, 10)...)
	cand.Add(bench1, "p99-ns/op", SourceRuns, spread(108, 0.01, 10)...)
	cand.Add(bench1, "docs/sec", SourceRuns, spread(92, 0.01, 10)...)
	opts := DefaultOptions()
	opts.Threshold = 0.05
	opts.Thresholds = map[string]float64{"p99_ms": 0.10, "docs/sec": 0.10}
	rep := mustCompare(t, base, cand, opts)
	want := map[string]Status{"ns/op": Regression, "p99-ns/op": WithinThreshold, "docs/sec": WithinThreshold}
	for _, r := range rep.Rows {
		if r.Status != want[r.Unit] {
			t.Errorf("%s: %v (threshold %v), want %v", r.Unit, r.Status, r.Threshold, want[r.Unit])
		}
	}
	if rep.Verdict() != VerdictRegression || rep.Regressions != 1 {
		t.Errorf("verdict %v, %d regressions", rep.Verdict(), rep.Regressions)
	}
	opts.Metrics = []string{"p99-sec/op", "throughput_docs_per_sec"}
	rep = mustCompare(t, base, cand, opts)
	if len(rep.Rows) != 2 || rep.Verdict() != VerdictPass {
		t.Errorf("with -metrics: %d rows, verdict %v", len(rep.Rows), rep.Verdict())
	}
}

func TestPairing(t *testing.T) {
	mk := func(models ...string) *Side {
		s := NewSide()
		for _, m := range models {
			s.Add("Inference/model="+m+"/batch=1", "ns/op", SourceRuns, spread(100, 0.01, 5)...)
		}
		return s
	}
	// One model each: paired whatever the names, and said so.
	rep := mustCompare(t, mk("a"), mk("b"), DefaultOptions())
	if len(rep.Pairs) != 1 || rep.Pairs[0] != (Pair{"a", "b", "only model on each side"}) {
		t.Errorf("pairs %+v", rep.Pairs)
	}
	if r := onlyRow(t, rep); r.BaselineModel != "a" || r.Model != "b" || r.Status != Unchanged {
		t.Errorf("row %+v", r)
	}
	// Several: by name, the rest with a warning.
	rep = mustCompare(t, mk("a", "x"), mk("a", "y"), DefaultOptions())
	if len(rep.Rows) != 1 || len(rep.Warnings) != 2 {
		t.Errorf("rows %d, warnings %q", len(rep.Rows), rep.Warnings)
	}
	// A model map.
	opts := DefaultOptions()
	opts.ModelMap = map[string]string{"x": "y"}
	rep = mustCompare(t, mk("a", "x"), mk("a", "y"), opts)
	if len(rep.Rows) != 2 || len(rep.Warnings) != 0 {
		t.Errorf("rows %d, warnings %q", len(rep.Rows), rep.Warnings)
	}
	opts.ModelMap = map[string]string{"nope": "y"}
	if _, err := Compare(mk("a", "x"), mk("a", "y"), opts); err == nil || !strings.Contains(err.Error(), "no model nope in the baseline") {
		t.Errorf("err = %v", err)
	}
	if _, err := Compare(mk("a", "x"), mk("b", "y"), DefaultOptions()); !errors.Is(err, ErrNoMatch) {
		t.Errorf("err = %v, want ErrNoMatch", err)
	}
}

func TestOptionsValidate(t *testing.T) {
	s := NewSide()
	s.Add(bench1, "ns/op", SourceRuns, 1)
	for _, mod := range []func(*Options){
		func(o *Options) { o.Alpha = 0 },
		func(o *Options) { o.Alpha = 1 },
		func(o *Options) { o.Threshold = -0.1 },
		func(o *Options) { o.MinSamples = 0 },
		func(o *Options) { o.Thresholds = map[string]float64{"p99-ns/op": math.NaN()} },
	} {
		o := DefaultOptions()
		mod(&o)
		if _, err := Compare(s, s, o); err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
}

func TestReadErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.txt", bench1+" 1 100 ns/op\n")
	for _, c := range []struct {
		paths []string
		want  string
	}{
		{[]string{write("empty.txt", "goos: linux\nPASS\n")}, "empty.txt: no benchmark results"},
		{[]string{write("bad.txt", "goos: linux\n"+bench1+" 1 100\n")}, "bad.txt:2: "},
		{[]string{write("nan.txt", bench1+" 1 NaN ns/op\n")}, "nan.txt:1: BenchmarkInference/model=tiny_trial_0/batch=1-2: ns/op = NaN"},
		{[]string{good, good}, "given twice"},
		{[]string{filepath.Join(dir, "missing.txt")}, "no such file"},
		{[]string{write("bad.json", `{"batch_1": {"mean_ms": 1}}`)}, `bad.json: batch_1: missing key "median_ms"`},
	} {
		_, err := ReadFiles(c.paths)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err = %v, want it to contain %q", c.paths, err, c.want)
		}
	}
}

func TestReadJSON(t *testing.T) {
	// run_values: one value per run, in the units of the Go format.
	s, err := ReadFiles([]string{"testdata/runs.json"})
	if err != nil {
		t.Fatal(err)
	}
	sr := s.index[seriesKey{"Inference/model=tiny_trial_0/batch=1", "ns/op"}]
	if sr == nil || len(sr.Values) != 6 || sr.Values[0] != 2.1e6 || sr.Source != SourceRuns {
		t.Fatalf("ns/op series %+v", sr)
	}
	if got := s.Config["device"]; len(got) != 1 || got[0] != "cpu" {
		t.Errorf("device %q", got)
	}
	// A single run with samples_ms: the median latency's sample is the
	// iterations; the rest has one value.
	s, err = ReadFiles([]string{"testdata/samples.json"})
	if err != nil {
		t.Fatal(err)
	}
	p50 := s.index[seriesKey{"Inference/model=tiny_trial_0/batch=1", "p50-ns/op"}]
	mean := s.index[seriesKey{"Inference/model=tiny_trial_0/batch=1", "ns/op"}]
	if p50.Source != SourceIterations || len(p50.Values) != 8 || len(mean.Values) != 1 {
		t.Fatalf("p50 %+v, mean %+v", p50, mean)
	}
	rep := mustCompare(t, s, s, DefaultOptions())
	for _, r := range rep.Rows {
		want := Inconclusive
		if r.Unit == "p50-ns/op" {
			want = Unchanged
		}
		if r.Unit == "tokens/op" {
			continue
		}
		if r.Status != want {
			t.Errorf("%s: %v (%s), want %v", r.Unit, r.Status, r.Reason, want)
		}
	}
	if rep.Verdict() != VerdictInconclusive {
		t.Errorf("verdict %v", rep.Verdict())
	}
	// Two single-run files per side: per-run values, not iterations.
	s2, err := ReadFiles([]string{"testdata/samples.json", "testdata/samples2.json"})
	if err != nil {
		t.Fatal(err)
	}
	if p := s2.index[seriesKey{"Inference/model=tiny_trial_0/batch=1", "p50-ns/op"}]; p.Source != SourceRuns || len(p.Values) != 2 {
		t.Errorf("p50 %+v", p)
	}
	// Iterations against runs are not comparable.
	rep = mustCompare(t, s, s2, DefaultOptions())
	for _, r := range rep.Rows {
		if r.Unit == "p50-ns/op" && (r.Status != Inconclusive || !strings.Contains(r.Reason, "not comparable")) {
			t.Errorf("p50: %v %q", r.Status, r.Reason)
		}
	}
}

// Go benchmark output and benchmark.json mix: names match across formats.
func TestReadMixed(t *testing.T) {
	base, err := ReadFiles([]string{"testdata/old.txt"})
	if err != nil {
		t.Fatal(err)
	}
	cand, err := ReadFiles([]string{"testdata/runs.json"})
	if err != nil {
		t.Fatal(err)
	}
	rep := mustCompare(t, base, cand, DefaultOptions())
	if len(rep.Rows) < 5 {
		t.Errorf("%d rows", len(rep.Rows))
	}
}

// The reporters on a fixed pair of inputs: testdata/old.txt and new.txt,
// whose candidate is slower at batch size 8.
func TestReporters(t *testing.T) {
	base, err := ReadFiles([]string{"testdata/old.txt"})
	if err != nil {
		t.Fatal(err)
	}
	cand, err := ReadFiles([]string{"testdata/new.txt"})
	if err != nil {
		t.Fatal(err)
	}
	opts := DefaultOptions()
	opts.Thresholds = map[string]float64{"p99-ns/op": 0.10}
	rep := mustCompare(t, base, cand, opts)
	if rep.Verdict() != VerdictRegression {
		t.Errorf("verdict %v", rep.Verdict())
	}
	for name, f := range map[string]Reporter{"text": Text, "markdown": Markdown, "json": JSON} {
		var buf bytes.Buffer
		if err := f(&buf, rep); err != nil {
			t.Fatal(err)
		}
		golden.Check(t, "testdata/report."+map[string]string{"text": "txt", "markdown": "md", "json": "json"}[name], buf.Bytes())
	}
}

// A benchproc filter keeps the same results of Go benchmark output and of
// a benchmark.json: by name part and by unit. (runs.json has batch 1 only.)
func TestReadFiltered(t *testing.T) {
	for _, tc := range []struct {
		file, query string
		want        []string // "batch unit" of every series kept; nil: nothing left
	}{
		{"testdata/old.txt", "/batch:1 .unit:(sec/op OR docs/sec)", []string{"1 docs/sec", "1 ns/op"}},
		{"testdata/runs.json", "/batch:1 .unit:(sec/op OR docs/sec)", []string{"1 docs/sec", "1 ns/op"}},
		{"testdata/old.txt", "/batch:8 .unit:p99-sec/op", []string{"8 p99-ns/op"}},
		{"testdata/runs.json", ".unit:p99-sec/op", []string{"1 p99-ns/op"}},
		{"testdata/old.txt", "/model:nothing", nil},
		{"testdata/runs.json", "/batch:8", nil},
	} {
		filter, err := benchproc.NewFilter(tc.query)
		if err != nil {
			t.Fatal(err)
		}
		s, err := ReadFilesFiltered([]string{tc.file}, filter)
		if tc.want == nil {
			if err == nil || !strings.Contains(err.Error(), "no benchmark results") {
				t.Errorf("%s, %q: error %v, want no benchmark results", tc.file, tc.query, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s, %q: %v", tc.file, tc.query, err)
		}
		var got []string
		for _, sr := range s.Series {
			got = append(got, fmt.Sprintf("%d %s", sr.Batch, sr.Unit))
		}
		slices.Sort(got)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s, %q: kept %v, want %v", tc.file, tc.query, got, tc.want)
		}
	}
}

// Only the primary metric (the mean) votes: other metrics that got worse
// are reported as such but fail nothing; -primary all lets them vote.
func TestPrimaryVotes(t *testing.T) {
	base, cand := NewSide(), NewSide()
	base.Add(bench1, "ns/op", SourceRuns, spread(100, 0.01, 10)...)
	cand.Add(bench1, "ns/op", SourceRuns, spread(100.2, 0.01, 10)...)
	base.Add(bench1, "p99-ns/op", SourceRuns, spread(100, 0.01, 10)...)
	cand.Add(bench1, "p99-ns/op", SourceRuns, spread(150, 0.01, 10)...)
	rep := mustCompare(t, base, cand, DefaultOptions())
	if rep.Verdict() != VerdictPass || rep.Rows[1].Status != Worse {
		t.Errorf("p99 worse, mean same: verdict %v, p99 %v; want pass, worse-not-voting", rep.Verdict(), rep.Rows[1].Status)
	}
	opts := DefaultOptions()
	opts.Primary = "all"
	if rep := mustCompare(t, base, cand, opts); rep.Verdict() != VerdictRegression {
		t.Errorf("-primary all: verdict %v, want regression", rep.Verdict())
	}
}

// A benchmark whose work changed (fingerprint or tokens/op) is never
// unchanged; one missing on the candidate makes the verdict inconclusive.
func TestWorkChangedAndMissing(t *testing.T) {
	mk := func(fp string, tokens float64, batches ...int) *Side {
		s := NewSide()
		for _, n := range batches {
			name := fmt.Sprintf("Inference/model=m/batch=%d", n)
			s.Add(name, "ns/op", SourceRuns, spread(100, 0.01, 10)...)
			s.Add(name, "tokens/op", SourceRuns, tokens)
			s.addWorkload(name, fp)
		}
		return s
	}
	rep := mustCompare(t, mk("sha256:a", 40, 1), mk("sha256:b", 40, 1), DefaultOptions())
	if rep.Verdict() != VerdictInconclusive || !strings.Contains(rep.Rows[0].Reason, "workload changed: fingerprint") {
		t.Errorf("other fingerprint: verdict %v, reason %q", rep.Verdict(), rep.Rows[0].Reason)
	}
	rep = mustCompare(t, mk("sha256:a", 40, 1), mk("sha256:a", 48, 1), DefaultOptions())
	if rep.Verdict() != VerdictInconclusive || !strings.Contains(rep.Rows[0].Reason, "tokens/op") {
		t.Errorf("other tokens/op: verdict %v, reason %q", rep.Verdict(), rep.Rows[0].Reason)
	}
	rep = mustCompare(t, mk("sha256:a", 40, 1, 8), mk("sha256:a", 40, 1), DefaultOptions())
	if rep.Verdict() != VerdictInconclusive || !slices.Equal(rep.Missing, []string{"Inference/model=m/batch=8"}) || !strings.Contains(Headline(rep), "missing or failed on the candidate") {
		t.Errorf("batch 8 missing: verdict %v, missing %v, headline %q", rep.Verdict(), rep.Missing, Headline(rep))
	}
	if rep := mustCompare(t, mk("sha256:a", 40, 1), mk("sha256:a", 40, 1), DefaultOptions()); rep.Verdict() != VerdictPass {
		t.Errorf("same work, same speed: verdict %v, want pass", rep.Verdict())
	}
	opts := DefaultOptions()
	opts.AllowDifferentWork = true
	if rep := mustCompare(t, mk("sha256:a", 40, 1), mk("sha256:b", 40, 1), opts); rep.Verdict() != VerdictPass || !strings.Contains(rep.Rows[0].Reason, "workload changed") {
		t.Errorf("-allow-different-work: verdict %v, reason %q; want pass, marked", rep.Verdict(), rep.Rows[0].Reason)
	}
}

// A p99 from fewer than 100 samples per run is flagged as the maximum.
func TestPercentileMaxWarned(t *testing.T) {
	base, cand := NewSide(), NewSide()
	for _, s := range []*Side{base, cand} {
		s.Add(bench1, "p99-ns/op", SourceRuns, spread(100, 0.01, 6)...)
		s.Add(bench1, "p95-ns/op", SourceRuns, spread(90, 0.01, 6)...)
		s.Add(bench1, "samples", SourceRuns, 64, 64, 64, 64, 64, 64)
	}
	rep := mustCompare(t, base, cand, DefaultOptions())
	w := strings.Join(rep.Warnings, "\n")
	if !strings.Contains(w, "p99-ns/op is only the largest sample (max) on the candidate: 64 samples per run, it needs 100") || strings.Contains(w, "p95-ns/op is only") {
		t.Errorf("warnings %q", w)
	}
}

// Runs measured on a busy machine (their conditions past the contract's
// thresholds) are warned about, per side and benchmark.
func TestNoiseWarned(t *testing.T) {
	base, cand := NewSide(), NewSide()
	for _, s := range []*Side{base, cand} {
		s.Add(bench1, "ns/op", SourceRuns, spread(100, 0.01, 6)...)
	}
	base.Add(bench1, "other-cpus", SourceRuns, 0.01, 0.02, 0.01, 0.0, 0.01, 0.02)
	cand.Add(bench1, "other-cpus", SourceRuns, 0.01, 1.5, 0.01, 0.0, 1.2, 0.02)
	rep := mustCompare(t, base, cand, DefaultOptions())
	w := strings.Join(rep.Warnings, "\n")
	if !strings.Contains(w, "candidate: Inference/model=tiny_trial_0/batch=1: 2 of 6 runs measured on a busy, throttled or noisy machine") || strings.Contains(w, "baseline:") {
		t.Errorf("warnings %q", w)
	}
}

// Sides measured on different machines are compared with a warning that
// names both machines.
func TestMachinesDiffer(t *testing.T) {
	mk := func(machine string) *Side {
		s := NewSide()
		s.Add(bench1, "ns/op", SourceRuns, spread(100, 0.01, 5)...)
		s.addConfig("machine", machine)
		return s
	}
	rep := mustCompare(t, mk("box a x2"), mk("box b x8"), DefaultOptions())
	if !slices.ContainsFunc(rep.Warnings, func(w string) bool {
		return strings.Contains(w, "machine differs: baseline box a x2, candidate box b x8")
	}) {
		t.Errorf("warnings %q: want one that the machines differ", rep.Warnings)
	}
}

// A threads sweep's benchmark.json is read per thread count, under the
// suite's names with their threads part; its own batch entries (the first
// count's) are not read twice.
func TestReadJSONThreadSweep(t *testing.T) {
	f, err := contract.Read("testdata/runs.json")
	if err != nil {
		t.Fatal(err)
	}
	sweep := map[string]map[string]*contract.Batch{}
	for _, th := range []string{"1", "2"} {
		sweep[th] = map[string]*contract.Batch{}
		for n, b := range f.Batches {
			sweep[th][contract.BatchKey(n)] = b
		}
	}
	raw, _ := json.Marshal(sweep)
	if f.Extra == nil {
		f.Extra = map[string]json.RawMessage{}
	}
	f.Extra[contract.KeyThreads], f.Extra[contract.KeyThreadCounts] = raw, json.RawMessage(`[1, 2]`)
	path := filepath.Join(t.TempDir(), "benchmark.json")
	if err := contract.Write(path, f); err != nil {
		t.Fatal(err)
	}
	s, err := ReadFiles([]string{path})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"Inference/model=tiny_trial_0/threads=1/batch=1", "Inference/model=tiny_trial_0/threads=2/batch=1"} {
		if sr := s.index[seriesKey{name, "ns/op"}]; sr == nil || len(sr.Values) != 6 {
			t.Errorf("%s: %+v", name, sr)
		}
	}
	if sr := s.index[seriesKey{"Inference/model=tiny_trial_0/batch=1", "ns/op"}]; sr != nil {
		t.Errorf("the first count's entries read twice, without a threads part: %+v", sr)
	}
}
