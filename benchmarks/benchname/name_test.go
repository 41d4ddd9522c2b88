package benchname

import (
	"testing"
)

func TestNameRoundTrip(t *testing.T) {
	if got := Name("distilbert/trial 0", 8); got != "Inference/model=distilbert_trial_0/batch=8" {
		t.Errorf("Name = %q", got)
	}
	if got := Sub("a-2", 16); got != "model=a_2/batch=16" {
		t.Errorf("Sub = %q", got)
	}
	for _, model := range []string{"tiny_trial_0", "bert-base/trial 3", "x-12", ""} {
		for _, batch := range []int{1, 8, 128} {
			m, b, err := Parse(Name(model, batch) + "-2")
			if err != nil || m != Sanitize(model) || b != batch {
				t.Errorf("Parse(Name(%q, %d)) = %q, %d, %v", model, batch, m, b, err)
			}
		}
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name    string
		model   string
		batch   int
		wantErr string // "" for success; "other" for ErrNotOurs
	}{
		{"Inference/model=tiny_trial_0/batch=8", "tiny_trial_0", 8, ""},
		{"BenchmarkInference/model=tiny_trial_0/batch=8", "tiny_trial_0", 8, ""},
		{"Inference/model=tiny_trial_0/batch=8-16", "tiny_trial_0", 8, ""},
		{"Inference/batch=1/model=a.b+c", "a.b+c", 1, ""},
		{"Inference/model=bert_12_/batch=4-2", "bert_12_", 4, ""},
		{"Encode/format=json-2", "", 0, "other"},
		{"Decode", "", 0, "other"},
		{"Inference/model=tiny-2", "", 0, "no batch= part (want BenchmarkInference/model=<name>/batch=<n>)"},
		{"Inference/batch=8", "", 0, "no model= part (want BenchmarkInference/model=<name>/batch=<n>)"},
		{"Inference/model=x/batch=0", "", 0, `batch "0" is not a batch size (want an integer ≥ 1)`},
		{"Inference/model=x/batch=eight-2", "", 0, `batch "eight" is not a batch size (want an integer ≥ 1)`},
		{"Inference/model=x/batch=8/seq=128", "", 0, `unexpected name part "/seq=128" (want model=<name>[/threads=<t>]/batch=<n>)`},
		{"Inference/model=x/batch=8/fast", "", 0, `unexpected name part "/fast" (want model=<name>[/threads=<t>]/batch=<n>)`},
		{"Inference/model=x/model=y/batch=8", "", 0, "two model= parts"},
		{"Infer/model=x/batch=8", "", 0, "has a model= part but is not a sub-benchmark of BenchmarkInference"},
		{"Inference/model=/batch=8", "", 0, `model "" is not a bench name (only [A-Za-z0-9._+] allowed)`},
	} {
		model, batch, err := Parse(tc.name)
		switch {
		case tc.wantErr == "other":
			if err != ErrNotOurs {
				t.Errorf("%s: err = %v, want ErrNotOurs", tc.name, err)
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

func TestThreadsPart(t *testing.T) {
	if got := NameThreads("a b", 2, 8); got != "Inference/model=a_b/threads=2/batch=8" {
		t.Errorf("NameThreads = %q", got)
	}
	if got := SubThreads("a", 0, 1); got != "model=a/threads=0/batch=1" {
		t.Errorf("SubThreads(0) = %q", got)
	}
	if got := SubThreads("a", NoThreads, 1); got != Sub("a", 1) {
		t.Errorf("SubThreads(NoThreads) = %q, want Sub's name", got)
	}
	for _, threads := range []int{NoThreads, 0, 1, 16} {
		p, err := ParseName("Benchmark" + NameThreads("m", threads, 4) + "-2")
		if err != nil || p != (Parsed{"m", threads, 4}) {
			t.Errorf("ParseName(NameThreads(m, %d, 4)) = %+v, %v", threads, p, err)
		}
	}
	if m, b, err := Parse("Inference/model=m/threads=2/batch=4"); err != nil || m != "m" || b != 4 {
		t.Errorf("Parse of a threads name = %q, %d, %v", m, b, err)
	}
	for name, want := range map[string]string{
		"Inference/model=m/threads=x/batch=4":           `threads "x" is not a thread count (want an integer ≥ 0)`,
		"Inference/model=m/threads=-1/batch=4":          `threads "-1" is not a thread count (want an integer ≥ 0)`,
		"Inference/model=m/threads=01/batch=4":          `threads "01" is not a thread count (want an integer ≥ 0)`,
		"Inference/model=m/threads=1/threads=2/batch=4": "two threads= parts",
	} {
		if _, err := ParseName(name); err == nil || err.Error() != want {
			t.Errorf("%s: err = %v, want %q", name, err, want)
		}
	}
}

// Trim and Fields read any benchmark's name, not only the suite's.
func TestTrimAndFields(t *testing.T) {
	for _, c := range []struct {
		in, name, model string
		batch           int
	}{
		{"BenchmarkInference/model=tiny_trial_0/batch=8-2", "Inference/model=tiny_trial_0/batch=8", "tiny_trial_0", 8},
		{"Inference/model=a/batch=16", "Inference/model=a/batch=16", "a", 16},
		{"BenchmarkFoo-8", "Foo", "", 0},
		{"BenchmarkFoo/size=3", "Foo/size=3", "", 0},
	} {
		name := Trim(c.in)
		model, batch := Fields(name)
		if name != c.name || model != c.model || batch != c.batch {
			t.Errorf("%s: got %q %q %d, want %q %q %d", c.in, name, model, batch, c.name, c.model, c.batch)
		}
	}
	if got := WithModel("Inference/model=a/batch=1", "b"); got != "Inference/model=b/batch=1" {
		t.Errorf("WithModel = %q", got)
	}
}
