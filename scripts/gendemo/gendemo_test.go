package main

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sugarme/tokenizer/pretrained"

	"github.com/nerbench/nerbench/internal/testmodel/wordpiece"
)

func TestCorpus(t *testing.T) {
	g, err := testSetup()
	if err != nil {
		t.Fatal(err)
	}
	if len(g.texts) < 500 {
		t.Errorf("%d texts, want at least 500", len(g.texts))
	}
	short := 0
	seen := map[string]bool{}
	for i, text := range g.texts {
		if strings.TrimSpace(text) == "" || strings.Contains(text, "{") {
			t.Errorf("text %d is empty or has an unfilled slot: %q", i, text)
		}
		if n := wordCount(text); n >= 8 && n <= 60 {
			short++
		}
		seen[text] = true
	}
	if short*2 < len(g.texts) {
		t.Errorf("%d of %d texts have 8–60 words, want most", short, len(g.texts))
	}
	if len(seen) < len(g.texts)*9/10 {
		t.Errorf("only %d distinct texts of %d", len(seen), len(g.texts))
	}
	if s := vocabStats(g.vocab, g.texts); s.over512 < 15 {
		t.Errorf("%d texts over 512 tokens, want at least 15", s.over512)
	}
	if !slices.Equal(generateCorpus(), g.texts) {
		t.Error("generateCorpus is not deterministic")
	}
}

// TestTokenizerLoads loads tokenizer.json with sugarme/tokenizer, the
// library the benchmarks use, and checks it agrees with the generator's own
// WordPiece on the whole corpus.
func TestTokenizerLoads(t *testing.T) {
	g, err := testSetup()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "tokenizer.json")
	if err := os.WriteFile(path, g.tokenizer, 0o644); err != nil {
		t.Fatal(err)
	}
	tk, err := pretrained.FromFile(path)
	if err != nil {
		t.Fatalf("pretrained.FromFile: %v", err)
	}
	if n := tk.GetVocabSize(true); n != g.vocab.Len() {
		t.Errorf("vocabulary size %d, want %d", n, g.vocab.Len())
	}
	for tok, id := range map[string]int{"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "[MASK]": 4} {
		if got, ok := tk.TokenToId(tok); !ok || got != id {
			t.Errorf("TokenToId(%s) = %d, %v; want %d", tok, got, ok, id)
		}
	}

	enc, err := tk.EncodeSingle("Angela Merkel visited Paris on Monday.", true)
	if err != nil {
		t.Fatal(err)
	}
	if len(enc.Ids) < 3 || enc.Ids[0] != wordpiece.ClsID || enc.Ids[len(enc.Ids)-1] != wordpiece.SepID {
		t.Fatalf("ids %v (tokens %q): want [CLS]=%d first and [SEP]=%d last", enc.Ids, enc.Tokens, wordpiece.ClsID, wordpiece.SepID)
	}
	if slices.Contains(enc.Ids, wordpiece.UnkID) {
		t.Errorf("tokens %q contain [UNK]", enc.Tokens)
	}

	// A frequent word is one token; a rare synthetic one splits into word
	// pieces. Both decode back to themselves.
	for _, word := range []string{"Paris", "Zelvanrisova"} {
		enc, err := tk.EncodeSingle(word, true)
		if err != nil {
			t.Fatal(err)
		}
		pieces := enc.Tokens[1 : len(enc.Tokens)-1]
		if word == "Paris" && len(pieces) != 1 {
			t.Errorf("%s: tokens %q, want one", word, pieces)
		}
		if word != "Paris" && len(pieces) < 2 {
			t.Errorf("%s: tokens %q, want several word pieces", word, pieces)
		}
		if got := tk.Decode(enc.Ids, true); got != word {
			t.Errorf("decode(encode(%q)) = %q (tokens %q)", word, got, enc.Tokens)
		}
	}

	// The generator counts tokens (e.g. "over 512") with its own WordPiece:
	// it must agree with the library on every text.
	pieces, words := 0, 0
	for i, text := range g.texts {
		enc, err := tk.EncodeSingle(text, true)
		if err != nil {
			t.Fatalf("text %d: %v", i, err)
		}
		if want := g.vocab.Encode(text); !slices.Equal(enc.Ids, want) {
			t.Fatalf("text %d: sugarme ids differ from the generator's\n got %v\nwant %v\ntext %q", i, enc.Ids, want, text)
		}
		if slices.Contains(enc.Ids, wordpiece.UnkID) {
			t.Errorf("text %d has [UNK]: %q", i, enc.Tokens)
		}
		pieces += len(enc.Ids) - 2
		words += len(wordpiece.PreTokenize(text))
	}
	t.Logf("%d texts: %.3f word pieces per pre-tokenized word", len(g.texts), float64(pieces)/float64(words))
}

// runGen runs the command with args and returns its stdout and stderr.
func runGen(t *testing.T, args ...string) (string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if err := run(args, &stdout, &stderr); err != nil {
		t.Fatalf("gendemo %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String(), stderr.String()
}

// snapshot returns every file under dir with its bytes and modification time.
func snapshot(t *testing.T, dir string) (map[string][]byte, map[string]time.Time) {
	t.Helper()
	data, mtime := map[string][]byte{}, map[string]time.Time{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		data[rel], mtime[rel] = b, fi.ModTime()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return data, mtime
}

func TestGenerateTinyReproducibleAndIdempotent(t *testing.T) {
	dirs := []string{t.TempDir(), t.TempDir()}
	for _, d := range dirs {
		out, errOut := runGen(t, "-only", "tiny", "-out", filepath.Join(d, "outputs"), "-data", filepath.Join(d, "data"))
		if !strings.Contains(out, "tiny") || !strings.Contains(out, "best trial_") {
			t.Errorf("stdout %q does not name the best tiny trial", out)
		}
		if !strings.Contains(errOut, "length histogram") {
			t.Errorf("stderr has no length histogram:\n%s", errOut)
		}
	}
	a, mtimes := snapshot(t, dirs[0])
	b, _ := snapshot(t, dirs[1])
	if len(a) != len(b) {
		t.Fatalf("runs wrote %d and %d files", len(a), len(b))
	}
	for rel, data := range a {
		if !bytes.Equal(data, b[rel]) {
			t.Errorf("%s differs between two runs", rel)
		}
	}

	// Layout: three trials, only the best one with a model.
	var man struct {
		Backbones map[string]struct {
			BestTrial  string `json:"best_trial"`
			Checkpoint string `json:"checkpoint"`
		} `json:"backbones"`
	}
	if err := json.Unmarshal(a[filepath.Join("outputs", "hpo", "manifest.json")], &man); err != nil {
		t.Fatalf("manifest.json: %v", err)
	}
	best := man.Backbones["tiny"]
	if best.Checkpoint != "tiny/"+best.BestTrial+"/checkpoint" || len(man.Backbones) != 1 {
		t.Fatalf("manifest %+v", man)
	}
	for i := range trialsPerBackbone {
		td := filepath.Join("outputs", "hpo", "tiny", trialDir(i))
		for _, f := range []string{"metrics.json", "hyperparameters.json", "checkpoint/config.json", "checkpoint/tokenizer.json"} {
			if _, ok := a[filepath.Join(td, filepath.FromSlash(f))]; !ok {
				t.Errorf("%s/%s missing", td, f)
			}
		}
		_, hasModel := a[filepath.Join(td, "checkpoint", "model.onnx")]
		if hasModel != (trialDir(i) == best.BestTrial) {
			t.Errorf("%s: has model.onnx = %v, best trial is %s", td, hasModel, best.BestTrial)
		}
		var m map[string]float64
		if err := json.Unmarshal(a[filepath.Join(td, "metrics.json")], &m); err != nil || len(m) != 4 || m["macro-f1"] <= 0 || m["macro-f1"] >= 1 {
			t.Errorf("%s/metrics.json = %v, %v", td, m, err)
		}
	}
	var cfg map[string]any
	if err := json.Unmarshal(a[filepath.Join("outputs", "hpo", "tiny", best.BestTrial, "checkpoint", "config.json")], &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg["model_type"] != "bert" || cfg["random_weights"] != true || cfg["num_hidden_layers"] != 2.0 || cfg["_note"] == nil {
		t.Errorf("config.json %v", cfg)
	}

	// A second run with the same flags finds everything up to date.
	args := []string{"-only", "tiny", "-out", filepath.Join(dirs[0], "outputs"), "-data", filepath.Join(dirs[0], "data")}
	_, errOut := runGen(t, args...)
	if strings.Count(errOut, "up to date") != 2 || strings.Contains(errOut, "wrote") {
		t.Errorf("second run's stderr:\n%s\nwant two \"up to date\" lines and nothing written", errOut)
	}
	_, mtimes2 := snapshot(t, dirs[0])
	for rel, mt := range mtimes {
		if !mtimes2[rel].Equal(mt) {
			t.Errorf("%s was rewritten by the second run", rel)
		}
	}

	// A damaged output is noticed and regenerated; -force regenerates all.
	model := filepath.Join(dirs[0], "outputs", "hpo", "tiny", best.BestTrial, "checkpoint", "model.onnx")
	if err := os.Truncate(model, 100); err != nil {
		t.Fatal(err)
	}
	_, errOut = runGen(t, args...)
	if !strings.Contains(errOut, "wrote "+filepath.Join(best.BestTrial, "checkpoint", "model.onnx")) {
		t.Errorf("a truncated model was not regenerated:\n%s", errOut)
	}
	if got, _ := os.ReadFile(model); !bytes.Equal(got, a[filepath.Join("outputs", "hpo", "tiny", best.BestTrial, "checkpoint", "model.onnx")]) {
		t.Error("the regenerated model differs from the first one")
	}
	_, errOut = runGen(t, append(args, "-force")...)
	if strings.Contains(errOut, "up to date") {
		t.Errorf("-force still found outputs up to date:\n%s", errOut)
	}
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{{"-only", "gpt2"}, {"-nope"}, {"extra"}} {
		var stdout, stderr bytes.Buffer
		err := run(args, &stdout, &stderr)
		if _, ok := err.(usageError); !ok {
			t.Errorf("run(%q) = %v, want a usage error", args, err)
		}
	}
}

func TestSimulatedHPO(t *testing.T) {
	bestOf := map[string]float64{}
	for _, a := range archs {
		ts := simulateTrials(a.Backbone)
		if len(ts) != trialsPerBackbone {
			t.Fatalf("%s: %d trials", a.Backbone, len(ts))
		}
		bestOf[a.Backbone] = ts[bestTrial(ts)].Metrics.MacroF1
		for _, tr := range ts {
			m := tr.Metrics
			if !(m.MacroF1 > 0 && m.MacroF1 < m.MicroF1 && m.MicroF1 < m.Accuracy && m.Accuracy < 1 && m.Loss > 0) {
				t.Errorf("%s trial %d: implausible metrics %+v", a.Backbone, tr.Index, m)
			}
		}
	}
	if !(bestOf["bert"] > bestOf["distilbert"] && bestOf["distilbert"] > bestOf["tiny"]+0.1) {
		t.Errorf("best macro-F1 per backbone %v, want bert > distilbert >> tiny", bestOf)
	}
}
