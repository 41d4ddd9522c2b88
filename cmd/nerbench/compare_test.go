package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const compareTestdata = "../../internal/compare/testdata/"

var (
	cmpTiny = compareTestdata + "tiny/trial_0/benchmark.json"
	cmpDB   = compareTestdata + "distilbert/trial_1/benchmark.json"
	cmpBert = compareTestdata + "bert/trial_1/benchmark.json"
)

func TestCompareGolden(t *testing.T) {
	for _, tc := range []struct{ format, golden string }{
		{"", "three.txt"},
		{"text", "three.txt"},
		{"markdown", "three.md"},
		{"md", "three.md"},
		{"csv", "three.csv"},
		{"json", "three.json"},
	} {
		args := []string{"compare"}
		if tc.format != "" {
			args = append(args, "-format", tc.format)
		}
		// Flags may follow the files.
		args = append(args, cmpDB, cmpBert, cmpTiny)
		code, stdout, stderr := runNerbench(t, args...)
		if code != 0 {
			t.Fatalf("%q: exit %d, stderr %s", args, code, stderr)
		}
		want, err := os.ReadFile(compareTestdata + "golden/" + tc.golden)
		if err != nil {
			t.Fatal(err)
		}
		// The JSON golden holds paths relative to the compare package.
		got := strings.ReplaceAll(stdout, compareTestdata, "testdata/")
		if got != string(want) {
			t.Errorf("format %q: stdout differs from %s:\n%s", tc.format, tc.golden, stdout)
		}
	}
}

func TestCompareNamesAndOutput(t *testing.T) {
	out := filepath.Join(t.TempDir(), "cmp.md")
	code, stdout, stderr := runNerbench(t, "compare", cmpTiny, "--names", "tiny, distilbert", cmpDB, "--format=md", "-o", out)
	if code != 0 || stdout != "" || !strings.Contains(stderr, "wrote "+out) {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "| Batch Size | tiny | distilbert |") {
		t.Errorf("%s:\n%s", out, data)
	}
}

func TestCompareErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"names count", []string{"--names", "a,b,c", cmpTiny, cmpDB}, "nerbench compare: 3 names for 2 files"},
		{"no files", nil, "no benchmark.json files given"},
		{"missing file", []string{cmpTiny, "nope.json"}, "reading nope.json: no such file or directory"},
		{"invalid file", []string{compareTestdata + "garbage.json"}, compareTestdata + "garbage.json: invalid character"},
		{"format", []string{"-format", "xml", cmpTiny}, `-format "xml": want text, markdown, csv or json`},
		{"flag", []string{"-bogus", cmpTiny}, "flag provided but not defined: -bogus"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runNerbench(t, append([]string{"compare"}, tc.args...)...)
			if code != 2 || stdout != "" || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 2 and %q", code, stdout, stderr, tc.want)
			}
		})
	}
}
