package converter

import (
	"testing"

	"golang.org/x/perf/benchfmt"
)

func TestParseName(t *testing.T) {
	for _, tc := range []struct {
		name    string
		model   string
		batch   int
		wantErr string // "" for success; "other" for errNotOurs
	}{
		{"Inference/model=tiny_trial_0/batch=8", "tiny_trial_0", 8, ""},
		{"Inference/model=tiny_trial_0/batch=8-16", "tiny_trial_0", 8, ""},
		{"Inference/batch=1/model=a.b+c", "a.b+c", 1, ""},
		{"Inference/model=bert_12_/batch=4-2", "bert_12_", 4, ""},
		{"Encode/format=json-2", "", 0, "other"},
		{"Decode", "", 0, "other"},
		{"Inference/model=tiny-2", "", 0, "no batch= part (want BenchmarkInference/model=<name>/batch=<n>)"},
		{"Inference/batch=8", "", 0, "no model= part (want BenchmarkInference/model=<name>/batch=<n>)"},
		{"Inference/model=x/batch=0", "", 0, `batch "0" is not a batch size (want an integer ≥ 1)`},
		{"Inference/model=x/batch=eight-2", "", 0, `batch "eight" is not a batch size (want an integer ≥ 1)`},
		{"Inference/model=x/batch=8/seq=128", "", 0, `unexpected name part "/seq=128" (want model=<name>/batch=<n>)`},
		{"Inference/model=x/batch=8/fast", "", 0, `unexpected name part "/fast" (want model=<name>/batch=<n>)`},
		{"Inference/model=x/model=y/batch=8", "", 0, "two model= parts"},
		{"Infer/model=x/batch=8", "", 0, "has a model= part but is not a sub-benchmark of BenchmarkInference"},
		{"Inference/model=/batch=8", "", 0, `model "" is not a bench name (only [A-Za-z0-9._+] allowed)`},
	} {
		model, batch, err := parseName(benchfmt.Name(tc.name))
		switch {
		case tc.wantErr == "other":
			if err != errNotOurs {
				t.Errorf("%s: err = %v, want errNotOurs", tc.name, err)
			}
		case tc.wantErr != "":
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("%s: err = %v, want %q", tc.name, err, tc.wantErr)
			}
		case err != nil || model != tc.model || batch != tc.batch:
			t.Errorf("%s: got (%q, %d, %v), want (%q, %d)", tc.name, model, batch, err, tc.model, tc.batch)
		}
	}
}

func TestParseConfigLine(t *testing.T) {
	for _, tc := range []struct {
		line, key, val string
		ok             bool
	}{
		{"device: cuda", "device", "cuda", true},
		{"cpu: AMD EPYC 7B13", "cpu", "AMD EPYC 7B13", true},
		{"commit:", "commit", "", true},
		{"ort-version:\t1.30.0", "ort-version", "1.30.0", true},
		{"Device: cpu", "", "", false},
		{"two words: x", "", "", false},
		{"key:value", "", "", false},
		{"PASS", "", "", false},
	} {
		k, v, ok := parseConfigLine(tc.line)
		if k != tc.key || v != tc.val || ok != tc.ok {
			t.Errorf("parseConfigLine(%q) = %q, %q, %v; want %q, %q, %v", tc.line, k, v, ok, tc.key, tc.val, tc.ok)
		}
	}
}

func TestParseP(t *testing.T) {
	for _, tc := range []struct {
		in     string
		p      float64
		n1, n2 int
		ok     bool
	}{
		{"p=0.002 n=6", 0.002, 6, 6, true},
		{"p=0.818 n=6+5", 0.818, 6, 5, true},
		{"n=10", 0, 10, 10, true},
		{"", 0, 0, 0, false},
		{"p=x n=6", 0, 0, 0, false},
	} {
		p, n1, n2, ok := parseP(tc.in)
		if p != tc.p || n1 != tc.n1 || n2 != tc.n2 || ok != tc.ok {
			t.Errorf("parseP(%q) = %v, %d, %d, %v; want %v, %d, %d, %v", tc.in, p, n1, n2, ok, tc.p, tc.n1, tc.n2, tc.ok)
		}
	}
}

func TestDetect(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want format
	}{
		{"goos: linux\nBenchmarkX 1 2 ns/op\n", formatGoBench},
		{"", formatGoBench},
		{"goos: linux\r\n,old.txt,,new.txt,,,\r\n,sec/op,CI,sec/op,CI,vs base,P\r\n", formatBenchstatCSV},
		{",a.txt,\n,sec/op,CI\nInference/model=x/batch=1,0.001,1%\n", formatBenchstatCSV},
		{"         │   old.txt   │   new.txt    │\n         │   sec/op    │   sec/op     vs base   │\n", formatBenchstatText},
	} {
		if got := detect([]byte(tc.in)); got != tc.want {
			t.Errorf("detect(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
