package tokenize

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

const testdata = "../../testdata/tokenize"

func readTexts(t testing.TB) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testdata, "texts.json"))
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	if err := json.Unmarshal(data, &texts); err != nil {
		t.Fatal(err)
	}
	return texts
}

// readRef reads the reference ids of scripts/tokref/gen.mjs: text index → ids.
func readRef(t testing.TB, path string) map[int][]int64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[int][]int64{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var l struct {
			I   int     `json:"i"`
			IDs []int64 `json:"ids"`
		}
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatal(err)
		}
		out[l.I] = l.IDs
	}
	return out
}

// A vocab.txt gives what the library's BERT WordPiece tokenizer gives for it:
// the vocabulary of testdata's uncased WordPiece, written as vocab.txt.
func TestVocabTxtMatchesReference(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(testdata, "wordpiece-uncased.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Model struct {
			Vocab map[string]int `json:"vocab"`
		} `json:"model"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	toks := make([]string, len(doc.Model.Vocab))
	for tok, id := range doc.Model.Vocab {
		toks[id] = tok
	}
	path := filepath.Join(t.TempDir(), "vocab.txt")
	if err := os.WriteFile(path, []byte(strings.Join(toks, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tk, err := Load(path, true)
	if err != nil {
		t.Fatal(err)
	}
	texts := readTexts(t)
	ref := readRef(t, filepath.Join(testdata, "wordpiece-uncased.ids.jsonl"))
	bad := 0
	for i, want := range ref {
		enc, err := tk.Encode(texts[i], 0)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(enc.IDs, want) {
			if bad++; bad <= 3 {
				t.Errorf("text %d %q:\n got %v\nwant %v", i, texts[i], enc.IDs, want)
			}
		}
	}
	if bad > 0 || len(ref) < 200 {
		t.Errorf("%d of %d texts differ", bad, len(ref))
	}
}

// EncodeAll gives, in order, what Encode gives text by text, whatever the
// number of workers.
func TestEncodeAll(t *testing.T) {
	tk, err := Load(filepath.Join(testdata, "bpe-roberta.json"), false)
	if err != nil {
		t.Fatal(err)
	}
	texts := readTexts(t)
	ref := readRef(t, filepath.Join(testdata, "bpe-roberta.trunc.jsonl"))
	for _, workers := range []int{0, 1, 3, 64} {
		encs, err := tk.EncodeAll(texts, 24, workers)
		if err != nil {
			t.Fatal(err)
		}
		if len(encs) != len(texts) {
			t.Fatalf("%d encodings for %d texts", len(encs), len(texts))
		}
		idx := make([]int, 0, len(ref))
		for i := range ref {
			idx = append(idx, i)
		}
		sort.Ints(idx)
		for _, i := range idx {
			if !slices.Equal(encs[i].IDs, ref[i]) {
				t.Fatalf("workers %d, text %d: %v, want %v", workers, i, encs[i].IDs, ref[i])
			}
			if e := encs[i]; e.Truncated && (len(e.IDs) != 24 || e.IDs[23] != 2) {
				t.Errorf("text %d truncated to %v: want 24 ids ending in </s>=2", i, e.IDs)
			}
		}
	}
}

func TestEncodeAllError(t *testing.T) {
	tk, err := Load(filepath.Join(testdata, "wordpiece-cased.json"), false)
	if err != nil {
		t.Fatal(err)
	}
	texts := make([]string, 100)
	for i := range texts {
		texts[i] = "hello world"
	}
	// Max length 1 leaves no room for [CLS] and [SEP]: every text fails.
	if _, err := tk.EncodeAll(texts, 1, 4); err == nil || !strings.Contains(err.Error(), "tokenizing text") {
		t.Errorf("error %v, want one naming the text", err)
	}
}
