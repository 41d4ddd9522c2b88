package converter

import (
	"bytes"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"

	"github.com/nerbench/nerbench/benchmarks/config"
	"github.com/nerbench/nerbench/internal/contract"
	"github.com/nerbench/nerbench/internal/contract/schematest"
)

// The round trip: the real suite on the tiny demo model, then the
// converter; the files it writes are schema-valid and hold exactly the
// values go test printed.
func TestRoundTripFromSuite(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suite in a child process")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "outputs/hpo/tiny/trial_0/checkpoint/model.onnx")); err != nil {
		t.Fatalf("the tiny demo checkpoint is missing (%v): run make demo-tiny", err)
	}
	cfgPath := filepath.Join(root, "benchmarks/testdata/tiny.toml")
	cmd := exec.Command("go", "test", "-run=^$", "-bench=.", "-benchtime=5x", "-count=3", ".")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "NERBENCH_CONFIG="+cfgPath)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("suite: %v\n%s\n%s", err, out, stderr.String())
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Convert([]Input{{Name: "suite.txt", Data: out}}, Options{Models: FromConfig(cfg), OutDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	outs, err := Write(res)
	if err != nil {
		t.Fatal(err)
	}
	if len(outs) != 1 {
		t.Fatalf("%d files written, want 1", len(outs))
	}
	data, err := os.ReadFile(outs[0].Path)
	if err != nil {
		t.Fatal(err)
	}
	schematest.Validate(t, data)
	f, err := contract.Decode(outs[0].Path, data)
	if err != nil {
		t.Fatal(err)
	}
	if f.Model != "tiny/trial-0" || f.Device != "cpu" || f.Config["ort-version"] != "1.30.0" {
		t.Errorf("model %q device %q config %v", f.Model, f.Device, f.Config)
	}

	// What go test printed, per batch size and unit, in run order.
	printed := map[string]map[string][]float64{}
	r := benchfmt.NewReader(bytes.NewReader(out), "suite.txt")
	for r.Scan() {
		res, ok := r.Result().(*benchfmt.Result)
		if !ok || !strings.HasPrefix(string(res.Name), "Inference/") {
			continue
		}
		_, parts := res.Name.Parts()
		batch := strings.TrimPrefix(strings.TrimSuffix(string(parts[1]), "-"+res.GetConfig(".gomaxprocs")), "/batch=")
		if printed[batch] == nil {
			printed[batch] = map[string][]float64{}
		}
		for _, v := range res.Values {
			unit, val := v.OrigUnit, v.OrigValue
			if unit == "" { // not tidied
				unit, val = v.Unit, v.Value
			}
			printed[batch][unit] = append(printed[batch][unit], val)
		}
	}
	keys := map[string]string{"ns/op": "mean_ms", "p50-ns/op": "median_ms", "p95-ns/op": "p95_ms", "p99-ns/op": "p99_ms", "docs/sec": "throughput_docs_per_sec"}
	for _, n := range []int{1, 4} {
		b := f.Batches[n]
		if b == nil {
			t.Fatalf("no batch_%d in %s", n, data)
		}
		if b.Runs != 3 {
			t.Errorf("batch_%d: runs %d, want 3", n, b.Runs)
		}
		for unit, key := range keys {
			runs := printed[contract.BatchKey(n)[len("batch_"):]][unit]
			if len(runs) != 3 {
				t.Fatalf("batch %d %s: %d printed runs", n, unit, len(runs))
			}
			scale := 1e-6
			if unit == "docs/sec" {
				scale = 1
			}
			for i, v := range runs {
				if got := b.RunValues[key][i]; math.Abs(got-v*scale) > 1e-9*math.Abs(v*scale) {
					t.Errorf("batch_%d %s run %d = %v, go test printed %v %s", n, key, i, got, v, unit)
				}
			}
			want := median3(runs) * scale
			if got, _ := b.Metric(key); math.Abs(got-want) > 1e-9*want {
				t.Errorf("batch_%d %s = %v, want the median of the runs %v", n, key, got, want)
			}
		}
	}
}

func median3(v []float64) float64 {
	a, b, c := v[0], v[1], v[2]
	return max(min(a, b), min(max(a, b), c))
}
