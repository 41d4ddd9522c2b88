package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nerbench/nerbench/internal/contract/schematest"
)

const convertTestdata = "../../converter/testdata/"

func runConvert(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	old := convertStdin
	convertStdin = strings.NewReader(stdin)
	defer func() { convertStdin = old }()
	var o, e bytes.Buffer
	code = run(&o, &e, append([]string{"convert"}, args...))
	return code, o.String(), e.String()
}

func TestConvertOutDir(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := runConvert(t, "", convertTestdata+"count5.txt", "-out-dir", dir)
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	path := filepath.Join(dir, "tiny_trial_0", "benchmark.json")
	if want := path + "\tmodel=tiny_trial_0\tbatches=1,8\truns=5\n"; stdout != want {
		t.Errorf("stdout = %q, want %q", stdout, want)
	}
	if !strings.Contains(stderr, "warning: model tiny_trial_0: batch_1, batch_8: no ci95") {
		t.Errorf("stderr = %q", stderr)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	schematest.Validate(t, data)
}

func TestConvertStdinJSON(t *testing.T) {
	in, err := os.ReadFile(convertTestdata + "single.txt")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	code, stdout, stderr := runConvert(t, string(in), "-json", "-out-dir", dir, "-")
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	var got struct {
		Files []struct {
			Path       string `json:"path"`
			Model      string `json:"model"`
			BatchSizes []int  `json:"batch_sizes"`
			Runs       []int  `json:"runs"`
		} `json:"files"`
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	if len(got.Files) != 1 || got.Files[0].Model != "tiny_trial_0" || len(got.Files[0].BatchSizes) != 3 || got.Files[0].Runs[0] != 1 {
		t.Errorf("stdout = %s", stdout)
	}
	data, err := os.ReadFile(got.Files[0].Path)
	if err != nil {
		t.Fatal(err)
	}
	schematest.Validate(t, data)
}

func TestConvertConfig(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(convertTestdata+"sanitized")); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runConvert(t, "", "-config", filepath.Join(dir, "bench.toml"), convertTestdata+"sanitized.txt")
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	path := filepath.Join(dir, "checkpoints", "distilbert", "trial-3", "benchmark.json")
	if want := path + "\tmodel=distilbert/trial-3\tbatches=1,8\truns=1\n"; stdout != want {
		t.Errorf("stdout = %q, want %q", stdout, want)
	}
	if !strings.Contains(stderr, "model unlisted_model: not in bench.toml") {
		t.Errorf("stderr = %q", stderr)
	}
}

func TestConvertBadInput(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"empty", []string{"-out-dir", dir, convertTestdata + "empty.txt"}, "no benchmark results in"},
		{"other benchmarks only", []string{"-out-dir", dir, convertTestdata + "other.txt"}, "no nerbench results"},
		{"unreadable", []string{"-out-dir", dir, filepath.Join(dir, "missing.txt")}, "reading " + filepath.Join(dir, "missing.txt")},
		{"nowhere to write", []string{convertTestdata + "single.txt"}, "give -config bench.toml or -out-dir DIR"},
		{"bad flag", []string{"-bogus"}, "flag provided but not defined"},
		{"bad config", []string{"-config", filepath.Join(dir, "nope.toml"), convertTestdata + "single.txt"}, "nope.toml"},
	} {
		code, stdout, stderr := runConvert(t, "", tc.args...)
		if code != 2 || stdout != "" || !strings.Contains(stderr, tc.want) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 2 and %q", tc.name, code, stdout, stderr, tc.want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("bad input wrote %d entries", len(entries))
	}
}
