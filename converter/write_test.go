package converter

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/nerbench/nerbench/internal/contract"
	"github.com/nerbench/nerbench/internal/contract/schematest"
)

const existing = `{"batch_1": {"mean_ms": 1, "median_ms": 1, "p95_ms": 1, "p99_ms": 1, "throughput_docs_per_sec": 1000}, "device": "cpu", "timestamp": "2024-01-01T00:00:00Z"}
`

// writeExisting puts a benchmark.json where tiny_trial_0's goes.
func writeExisting(t *testing.T) (dir, path string) {
	t.Helper()
	dir = t.TempDir()
	path = filepath.Join(dir, "tiny_trial_0", "benchmark.json")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(existing), 0o644); err != nil {
		t.Fatal(err)
	}
	schematest.Validate(t, []byte(existing))
	return dir, path
}

func checkUntouched(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != existing {
		t.Errorf("%s changed:\n%s", path, data)
	}
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("left behind: %v", names)
	}
}

// A conversion that fails writes nothing. (A result of ours that cannot be
// used is a failure: see TestFailuresAreNeverResults.)
func TestFailedConversionKeepsExistingFile(t *testing.T) {
	dir, path := writeExisting(t)
	for _, in := range []string{"", "PASS\n"} {
		res, err := Convert([]Input{{Name: "in.txt", Data: []byte(in)}}, Options{OutDir: dir, Now: fixedNow})
		if err == nil {
			t.Errorf("Convert(%q) succeeded", in)
			if _, err := Write(res); err != nil {
				t.Fatal(err)
			}
		}
		checkUntouched(t, path)
	}
}

// A file that does not validate is not written, and the old one stays.
func TestInvalidFileKeepsExistingFile(t *testing.T) {
	dir, path := writeExisting(t)
	in := readInputs(t, []string{"testdata/single.txt"})
	res, err := Convert(in, Options{OutDir: dir, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	res.Files["tiny_trial_0"].File.Batches[8].P99MS = -1
	written, err := Write(res)
	if err == nil || !strings.Contains(err.Error(), "batch_8.p99_ms = -1") {
		t.Errorf("Write: err = %v, want a complaint about batch_8.p99_ms", err)
	}
	if len(written) != 0 {
		t.Errorf("wrote %d files", len(written))
	}
	checkUntouched(t, path)
}

// A successful conversion replaces the file.
func TestWriteReplaces(t *testing.T) {
	dir, path := writeExisting(t)
	res, err := Convert(readInputs(t, []string{"testdata/single.txt"}), Options{OutDir: dir, Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	written, err := Write(res)
	if err != nil || len(written) != 1 || written[0].Path != path {
		t.Fatalf("Write = %v, %v", written, err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	schematest.Validate(t, data)
	f, err := contract.Decode(path, data)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.BatchSizes(); len(got) != 3 || f.Timestamp != "2025-01-20T10:30:00Z" {
		t.Errorf("batches %v, timestamp %s", got, f.Timestamp)
	}
}

func TestWriteRefusesSharedPath(t *testing.T) {
	res, err := Convert(readInputs(t, []string{"testdata/twofiles.1.txt", "testdata/twofiles.2.txt"}), Options{OutDir: t.TempDir(), Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	res.Files["small_trial_2"].Path = res.Files["small_trial_1"].Path
	if _, err := Write(res); err == nil || !strings.Contains(err.Error(), "would both be written") {
		t.Errorf("Write: err = %v", err)
	}
}

func TestReadInputs(t *testing.T) {
	ins, err := ReadInputs([]string{"testdata/single.txt", "-"}, bytes.NewReader([]byte("stdin data")))
	if err != nil {
		t.Fatal(err)
	}
	if len(ins) != 2 || ins[0].Name != "testdata/single.txt" || ins[1].Name != "<stdin>" || string(ins[1].Data) != "stdin data" {
		t.Errorf("ReadInputs = %+v", ins)
	}
	ins, err = ReadInputs(nil, strings.NewReader("x"))
	if err != nil || len(ins) != 1 || ins[0].Name != "<stdin>" {
		t.Errorf("ReadInputs(nil) = %+v, %v", ins, err)
	}
	if _, err := ReadInputs([]string{"testdata/nonexistent.txt"}, nil); err == nil || !strings.Contains(err.Error(), "reading testdata/nonexistent.txt") {
		t.Errorf("ReadInputs(missing): err = %v", err)
	}
}

func TestSameInputTwice(t *testing.T) {
	in := readInputs(t, []string{"testdata/single.txt", "testdata/single.txt"})
	res, err := Convert(in, Options{Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	if b := res.Files["tiny_trial_0"].File.Batches[8]; b.Runs != 0 {
		t.Errorf("runs = %d, want a single run", b.Runs)
	}
	if len(res.Warnings) != 1 || res.Warnings[0].String() != "testdata/single.txt: given twice; read once" {
		t.Errorf("warnings = %v", res.Warnings)
	}
	if res.Files["tiny_trial_0"].Path != "" {
		t.Errorf("path = %q without a place to write", res.Files["tiny_trial_0"].Path)
	}
}

func TestBenchstatText(t *testing.T) {
	text := "         │ old.txt │ new.txt │\n         │ sec/op  │ sec/op  vs base │\nInference/model=x/batch=1-2   1.000m ± 1%   1.000m ± 1%  ~ (p=1.000 n=6)\n"
	res, err := Convert([]Input{{Name: "b.txt", Data: []byte(text)}}, Options{Now: fixedNow})
	if err == nil {
		t.Fatal("converted benchstat's text output")
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0].Msg, "-format csv") {
		t.Errorf("warnings = %v", res.Warnings)
	}
}

// Two conversions writing the same trial at once, many rounds: a reader
// only ever sees one of the two complete files, never a mix or a partial
// one, and no temporary file is left.
func TestConcurrentConversions(t *testing.T) {
	dir := t.TempDir()
	var want [2][]byte
	var results [2]*Result
	for i, in := range []string{"testdata/single.txt", "testdata/count5.txt"} {
		res, err := Convert(readInputs(t, []string{in}), Options{OutDir: dir, Now: fixedNow})
		if err != nil {
			t.Fatal(err)
		}
		results[i] = res
		if want[i], err = contract.Encode(res.Files["tiny_trial_0"].File); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "tiny_trial_0", "benchmark.json")
	stop := make(chan struct{})
	bad := make(chan string, 1)
	var readers sync.WaitGroup
	readers.Add(1)
	go func() {
		defer readers.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			data, err := os.ReadFile(path)
			if err == nil && !bytes.Equal(data, want[0]) && !bytes.Equal(data, want[1]) {
				select {
				case bad <- string(data):
				default:
				}
				return
			}
		}
	}()
	var writers sync.WaitGroup
	for i := range 2 {
		writers.Add(1)
		go func() {
			defer writers.Done()
			for range 100 {
				if _, err := Write(results[i]); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	writers.Wait()
	close(stop)
	readers.Wait()
	select {
	case data := <-bad:
		t.Fatalf("a reader saw a file that neither conversion wrote:\n%s", data)
	default:
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("%d entries left, want only benchmark.json", len(entries))
	}
}
