package compare

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nerbench/nerbench/internal/contract"
	"github.com/nerbench/nerbench/internal/golden"
)

// The inputs are benchmark.json files of the demo models as the suite wrote
// them (bert/trial_1 without batch 16, to show N/A).
var (
	tiny       = "testdata/tiny/trial_0/benchmark.json"
	distilbert = "testdata/distilbert/trial_1/benchmark.json"
	bert       = "testdata/bert/trial_1/benchmark.json"
)

func TestGolden(t *testing.T) {
	cases := []struct {
		name  string
		files []string
		names []string
	}{
		{"three", []string{distilbert, bert, tiny}, nil},
		{"named", []string{tiny, distilbert}, []string{"tiny (a much longer name than usual)", "distil|bert"}},
		{"one", []string{bert}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			models, err := Load(tc.files, tc.names)
			if err != nil {
				t.Fatal(err)
			}
			table := Build(models)
			for _, ext := range []string{"txt", "md", "csv", "json"} {
				format := map[string]string{"txt": "text", "md": "markdown", "csv": "csv", "json": "json"}[ext]
				var buf bytes.Buffer
				if err := Reporters[format](&buf, table); err != nil {
					t.Fatalf("%s: %v", format, err)
				}
				golden.Check(t, filepath.Join("testdata", "golden", tc.name+"."+ext), buf.Bytes())
			}
		})
	}
}

func TestTextLayout(t *testing.T) {
	models, err := Load([]string{distilbert, bert}, []string{"distilbert", "bert"})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Text(&buf, Build(models)); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(buf.String(), "\n")
	want := []string{
		"Model Comparison",
		strings.Repeat("=", 80),
		"",
		"Mean Latency (ms):",
		"Batch Size      distilbert      bert",
		strings.Repeat("-", 48),
	}
	for i, w := range want {
		if i >= len(lines) || lines[i] != w {
			t.Fatalf("line %d = %q, want %q\n%s", i+1, lines[i], w, buf.String())
		}
	}
	// Batch sizes in numeric order (1, 8, 16, not 1, 16, 8), bert lacks 16.
	if !strings.HasPrefix(lines[6], "1               ") || !strings.HasPrefix(lines[7], "8               ") ||
		!strings.HasPrefix(lines[8], "16              ") || !strings.HasSuffix(lines[8], "N/A") {
		t.Errorf("rows:\n%s", strings.Join(lines[6:9], "\n"))
	}
	for _, s := range []string{"\nP95 Latency (ms):\n", "\nP99 Latency (ms):\n", "\nThroughput (docs/sec):\n", "\nRelative Speed (vs distilbert):\n"} {
		if !strings.Contains(buf.String(), s) {
			t.Errorf("no section %q", strings.TrimSpace(s))
		}
	}
}

func TestRelativeSpeed(t *testing.T) {
	models, err := Load([]string{distilbert, bert, tiny}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := Build(models).Section(RelativeSpeed)
	if s == nil {
		t.Fatal("no relative speed section")
	}
	for _, r := range s.Rows {
		first := models[0].File.Batches[r.BatchSize].MeanMS
		for i, c := range r.Cells {
			b := models[i].File.Batches[r.BatchSize]
			if b == nil {
				if c.Valid {
					t.Errorf("batch %d, %s: %v, want N/A", r.BatchSize, models[i].Name, c.Value)
				}
				continue
			}
			if want := first / b.MeanMS; !c.Valid || c.Value != want {
				t.Errorf("batch %d, %s: %+v, want %v", r.BatchSize, models[i].Name, c, want)
			}
		}
		if !r.Cells[0].Valid || r.Cells[0].Value != 1 {
			t.Errorf("batch %d: first model's relative speed %+v, want 1", r.BatchSize, r.Cells[0])
		}
	}
	// When the first model lacks a batch size, nothing is relative to it.
	models, err = Load([]string{bert, tiny}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s = Build(models).Section(RelativeSpeed)
	last := s.Rows[len(s.Rows)-1]
	if last.BatchSize != 16 || last.Cells[0].Valid || last.Cells[1].Valid {
		t.Errorf("batch 16 without the first model: %+v, want all N/A", last)
	}
}

func TestDefaultName(t *testing.T) {
	for _, tc := range []struct{ path, want string }{
		{"outputs/hpo/bert/trial_1/benchmark.json", "bert/trial_1"},
		{"/abs/hpo/distilbert/trial_0/benchmark.json", "distilbert/trial_0"},
		{"results/distilbert/benchmark.json", "distilbert"},
		{"/trial_3/benchmark.json", "trial_3"},
		{"/x.json", "x"},
		{"a/Trial-2/results.json", "a/Trial-2"},
	} {
		if got := DefaultName(tc.path); got != tc.want {
			t.Errorf("DefaultName(%q) = %q, want %q", tc.path, got, tc.want)
		}
	}
}

func TestLoadNames(t *testing.T) {
	models, err := Load([]string{"testdata/tiny/trial_0", bert}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if models[0].Name != "tiny/trial_0" || models[1].Name != "bert/trial_1" {
		t.Errorf("names %q, %q", models[0].Name, models[1].Name)
	}
	if models[0].Path != filepath.Join("testdata/tiny/trial_0", "benchmark.json") {
		t.Errorf("path of a folder argument: %q", models[0].Path)
	}

	// Two files in one folder: named by their paths.
	dir := t.TempDir()
	for _, n := range []string{"a.json", "b.json"} {
		data, err := os.ReadFile(tiny)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, n), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	models, err = Load([]string{filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if models[0].Name == models[1].Name || !strings.HasSuffix(models[0].Name, "/a.json") {
		t.Errorf("colliding default names: %q, %q", models[0].Name, models[1].Name)
	}
}

func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files []string
		names []string
		want  string
	}{
		{"too few names", []string{tiny, bert}, []string{"a"}, "1 name for 2 files"},
		{"too many names", []string{tiny}, []string{"a", "b", "c"}, "3 names for 1 file"},
		{"empty name", []string{tiny, bert}, []string{"a", " "}, "name 2 of 2 is empty"},
		{"duplicate name", []string{tiny, bert}, []string{"a", "a"}, `name "a" given twice`},
		{"no files", nil, nil, "no benchmark.json files"},
		{"missing", []string{tiny, "testdata/nope/benchmark.json"}, nil, "reading testdata/nope/benchmark.json: no such file"},
		{"not json", []string{"testdata/garbage.json"}, nil, "testdata/garbage.json: invalid character"},
		{"missing key", []string{"testdata/invalid.json"}, nil, `testdata/invalid.json: batch_1: missing key "median_ms"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(tc.files, tc.names)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestInvalidValues(t *testing.T) {
	path := filepath.Join(t.TempDir(), "benchmark.json")
	data := `{"batch_1": {"mean_ms": -1, "median_ms": 1, "p95_ms": 1, "p99_ms": 1, "throughput_docs_per_sec": 1},
	          "device": "cpu", "timestamp": "2025-01-20T10:30:00Z"}`
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load([]string{path}, nil)
	if err == nil || !strings.Contains(err.Error(), path+": not a valid benchmark.json: batch_1.mean_ms = -1") {
		t.Errorf("error %v", err)
	}
}

func TestMachineFormats(t *testing.T) {
	models, err := Load([]string{distilbert, bert}, nil)
	if err != nil {
		t.Fatal(err)
	}
	table := Build(models)

	var buf bytes.Buffer
	if err := CSV(&buf, table); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(recs[0], ","); got != "metric,batch_size,distilbert/trial_1,bert/trial_1" {
		t.Errorf("CSV header %q", got)
	}
	if len(recs) != 1+5*3 {
		t.Errorf("CSV has %d records, want 16", len(recs))
	}

	buf.Reset()
	if err := JSON(&buf, table); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Sections []struct {
			Key  string
			Rows []struct {
				BatchSize int        `json:"batch_size"`
				Values    []*float64 `json:"values"`
			}
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	mean := got.Sections[0]
	if mean.Key != "mean_ms" || *mean.Rows[0].Values[0] != models[0].File.Batches[1].MeanMS || mean.Rows[2].Values[1] != nil {
		t.Errorf("JSON mean section %+v", mean)
	}
}

// A trial folder with a benchmark.<machine>.json per machine (what nerbench
// convert writes for a model measured on several machines) gives one
// column per machine, named after the machine; files of one machine keep
// their plain names.
func TestMachinesSideBySide(t *testing.T) {
	f, err := contract.Read(tiny)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "tiny", "trial_0")
	for i, label := range []string{"AMD EPYC x4", "Intel Xeon x8 + cuda NVIDIA A10G"} {
		f.Machine = label
		f.Batches[1].MeanMS = float64(i + 1)
		if err := contract.Write(contract.MachinePath(filepath.Join(dir, "benchmark.json"), label), f); err != nil {
			t.Fatal(err)
		}
	}
	models, err := Load([]string{dir, distilbert}, nil)
	if err != nil {
		t.Fatal(err)
	}
	table := Build(models)
	var names []string
	for _, c := range table.Columns {
		names = append(names, c.Name)
	}
	want := []string{"tiny/trial_0 @ AMD EPYC x4", "tiny/trial_0 @ Intel Xeon x8 + cuda NVIDIA A10G", "distilbert/trial_1"}
	if strings.Join(names, "|") != strings.Join(want, "|") {
		t.Errorf("columns %q, want %q", names, want)
	}
	if got := table.Section(contract.KeyMean).Rows[0].Cells; got[0].Value != 1 || got[1].Value != 2 {
		t.Errorf("batch 1 means %v: each machine's own", got)
	}
	models, err = Load([]string{dir}, []string{"tiny"})
	if err != nil || len(models) != 2 || models[1].Name != "tiny @ Intel Xeon x8 + cuda NVIDIA A10G" {
		t.Errorf("named: %v, %v", models, err)
	}
}

// A threads sweep's file (nerbench convert's "threads" object) is a column
// per thread count, in measured order, each with that count's batches.
func TestThreadSweepSideBySide(t *testing.T) {
	f, err := contract.Read(tiny)
	if err != nil {
		t.Fatal(err)
	}
	sweep := map[string]map[string]*contract.Batch{}
	for i, th := range []string{"2", "1"} {
		batches := map[string]*contract.Batch{}
		for n, b := range f.Batches {
			c := *b
			c.MeanMS = float64(10*(i+1) + n)
			batches[contract.BatchKey(n)] = &c
		}
		sweep[th] = batches
	}
	raw, _ := json.Marshal(sweep)
	if f.Extra == nil {
		f.Extra = map[string]json.RawMessage{}
	}
	f.Extra[contract.KeyThreads] = raw
	f.Extra[contract.KeyThreadCounts] = json.RawMessage(`[2, 1]`)
	path := filepath.Join(t.TempDir(), "tiny", "trial_0", "benchmark.json")
	if err := contract.Write(path, f); err != nil {
		t.Fatal(err)
	}
	models, err := Load([]string{path, distilbert}, nil)
	if err != nil {
		t.Fatal(err)
	}
	table := Build(models)
	var names []string
	for _, c := range table.Columns {
		names = append(names, c.Name)
	}
	want := []string{"tiny/trial_0 @ threads=2", "tiny/trial_0 @ threads=1", "distilbert/trial_1"}
	if strings.Join(names, "|") != strings.Join(want, "|") {
		t.Errorf("columns %q, want %q", names, want)
	}
	if got := table.Section(contract.KeyMean).Rows[0].Cells; got[0].Value != 11 || got[1].Value != 21 {
		t.Errorf("batch 1 means %v: each thread count's own", got)
	}
	if models[1].File.Config[contract.ConfigIntraOpThreads] != "1" || models[1].File.Extra[contract.KeyThreads] != nil {
		t.Errorf("threads=1 column: config %v, extra keys %v", models[1].File.Config, models[1].File.Extra)
	}
	models, err = Load([]string{path}, []string{"tiny"})
	if err != nil || len(models) != 2 || models[1].Name != "tiny @ threads=1" {
		t.Errorf("named: %v, %v", models, err)
	}
}
