package tokenize

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nerbench/nerbench/internal/testmodel/wordpiece"
)

// corpus trains the test tokenizer; every word of it appears twice, so
// that the unbounded training makes each word one token.
var corpus = []string{
	"It is a truth universally acknowledged,",
	"that a single man in possession of a good fortune, must be in want of a wife.",
	"Hello Paris, hello Berlin",
}

// ownTokenizer writes a cased WordPiece tokenizer.json trained on corpus
// (with some words split into pieces when size is small), with the special
// tokens where Tribuo's tiny BERT has them ([UNK]=0 [SEP]=1 [PAD]=2
// [CLS]=3), so that code assuming BERT's usual ids shows. It returns the
// vocabulary and the tokenizer.json as a generic JSON document.
func ownTokenizer(t *testing.T, size int) (*wordpiece.Vocab, map[string]any) {
	t.Helper()
	toks := wordpiece.Train(append(slices.Clone(corpus), corpus...), size).Tokens()
	copy(toks, []string{"[UNK]", "[SEP]", "[PAD]", "[CLS]"})
	v, err := wordpiece.New(toks)
	if err != nil {
		t.Fatal(err)
	}
	data, err := v.TokenizerJSON()
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	return v, doc
}

// writeDoc writes a tokenizer.json document into a temporary folder.
func writeDoc(t *testing.T, doc map[string]any) string {
	t.Helper()
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "tokenizer.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func ids64(ids []int) []int64 {
	out := make([]int64, len(ids))
	for i, id := range ids {
		out[i] = int64(id)
	}
	return out
}

// A golden encoding of the project's own tokenizer: the ids the WordPiece
// generator computes itself, written down.
func TestGoldenOwnTokenizer(t *testing.T) {
	v, doc := ownTokenizer(t, 130)
	tk, err := Load(writeDoc(t, doc), false)
	if err != nil {
		t.Fatal(err)
	}
	if tk.VocabSize != v.Len() || tk.PadID != 2 {
		t.Errorf("vocab size %d, pad id %d; want %d, 2", tk.VocabSize, tk.PadID, v.Len())
	}
	const text = "It is a truth universally acknowledged,"
	enc, err := tk.Encode(text, 512)
	if err != nil {
		t.Fatal(err)
	}
	want := []int64{3, 119, 126, 11, 28, 114, 29, 103, 121, 5, 1}
	if !slices.Equal(enc.IDs, want) {
		t.Errorf("ids = %v, want %v", enc.IDs, want)
	}
	if own := ids64(v.Encode(text)); !slices.Equal(own, want) {
		t.Errorf("the generator's own encoding %v, want %v", own, want)
	}
	if enc.Truncated {
		t.Error("Truncated = true for a short text")
	}
}

// The older tokenizer.json format has no "model.type"; sugarme alone would
// guess, and must not fall back to BPE. Without the decoder too, the type
// must still come out as WordPiece from the model's own fields.
func TestOldFormatWithoutModelType(t *testing.T) {
	for _, stripDecoder := range []bool{false, true} {
		v, doc := ownTokenizer(t, 1<<20)
		delete(doc["model"].(map[string]any), "type")
		if stripDecoder {
			doc["decoder"] = nil
		}
		tk, err := Load(writeDoc(t, doc), false)
		if err != nil {
			t.Fatal(err)
		}
		if tk.VocabSize != v.Len() {
			t.Errorf("vocab size = %d, want %d", tk.VocabSize, v.Len())
		}
		enc, err := tk.Encode("Hello Paris", 512)
		if err != nil {
			t.Fatal(err)
		}
		hello, _ := v.ID("Hello")
		paris, _ := v.ID("Paris")
		if want := []int64{3, int64(hello), int64(paris), 1}; !slices.Equal(enc.IDs, want) || hello == 0 || paris == 0 {
			t.Errorf("decoder stripped %v: ids = %v, want [CLS]=3 Hello=%d Paris=%d [SEP]=1", stripDecoder, enc.IDs, hello, paris)
		}
		if tk.PadID != 2 {
			t.Errorf("pad id = %d, want 2 ([PAD])", tk.PadID)
		}
	}
}

func TestTruncationKeepsSpecialTokens(t *testing.T) {
	_, doc := ownTokenizer(t, 130)
	tk, err := Load(writeDoc(t, doc), false)
	if err != nil {
		t.Fatal(err)
	}
	testTruncation(t, tk, 3, 1)
}

// testTruncation checks that truncation to 8 tokens keeps [CLS] (id cls)
// first and [SEP] (id sep) last.
func testTruncation(t *testing.T, tk *Tokenizer, cls, sep int64) {
	t.Helper()
	enc, err := tk.Encode("It is a truth universally acknowledged, that a single man in possession of a good fortune", 8)
	if err != nil {
		t.Fatal(err)
	}
	if len(enc.IDs) != 8 {
		t.Fatalf("len = %d, want 8", len(enc.IDs))
	}
	if enc.IDs[0] != cls || enc.IDs[7] != sep {
		t.Errorf("ids = %v: want [CLS]=%d first and [SEP]=%d last", enc.IDs, cls, sep)
	}
	if !enc.Truncated {
		t.Error("Truncated = false")
	}
	// The first real tokens are those of the untruncated encoding.
	full, _ := tk.Encode("It is a truth universally acknowledged,", 0)
	if !slices.Equal(enc.IDs[1:7], full.IDs[1:7]) {
		t.Errorf("truncated body %v, want prefix %v", enc.IDs[1:7], full.IDs[1:7])
	}
}

func TestVocabTxt(t *testing.T) {
	dir := t.TempDir()
	vocab := "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\nworld\n##s\n,\n"
	path := filepath.Join(dir, "vocab.txt")
	if err := os.WriteFile(path, []byte(vocab), 0o644); err != nil {
		t.Fatal(err)
	}
	tk, err := Load(path, true)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := tk.Encode("Hello worlds, planet", 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []int64{2, 5, 6, 7, 8, 1, 3}
	if !slices.Equal(enc.IDs, want) {
		t.Errorf("ids = %v, want %v", enc.IDs, want)
	}
	if err := os.WriteFile(path, []byte("a\nb\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path, true); err == nil {
		t.Error("vocab without [UNK]/[CLS]/[SEP]: no error")
	}
}

func TestPad(t *testing.T) {
	tk := &Tokenizer{PadID: 7, PadTypeID: 0}
	encs := []Encoding{
		{IDs: []int64{1, 2, 3}, TypeIDs: []int64{0, 0, 0}},
		{IDs: []int64{1, 4}, TypeIDs: []int64{0, 1}},
	}
	b := tk.Pad(encs, 0)
	if b.Size != 2 || b.SeqLen != 3 || b.Tokens != 5 {
		t.Fatalf("size %d seq %d tokens %d, want 2 3 5", b.Size, b.SeqLen, b.Tokens)
	}
	if want := []int64{1, 2, 3, 1, 4, 7}; !slices.Equal(b.IDs, want) {
		t.Errorf("ids %v, want %v", b.IDs, want)
	}
	if want := []int64{1, 1, 1, 1, 1, 0}; !slices.Equal(b.Mask, want) {
		t.Errorf("mask %v, want %v", b.Mask, want)
	}
	if want := []int64{0, 0, 0, 0, 1, 0}; !slices.Equal(b.TypeIDs, want) {
		t.Errorf("type ids %v, want %v", b.TypeIDs, want)
	}
	// A fixed length pads past the longest and cuts what is longer.
	b = tk.Pad(encs, 2)
	if want := []int64{1, 2, 1, 4}; !slices.Equal(b.IDs, want) || b.Tokens != 4 {
		t.Errorf("fixed 2: ids %v tokens %d, want %v 4", b.IDs, b.Tokens, want)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "tokenizer.json")
	os.WriteFile(bad, []byte(`{"model": {"foo": 1}}`), 0o644)
	for _, path := range []string{bad, filepath.Join(dir, "missing.json"), filepath.Join(dir, "x.bin")} {
		if _, err := Load(path, false); err == nil {
			t.Errorf("Load(%s): no error", path)
		} else if !strings.Contains(err.Error(), path) {
			t.Errorf("Load(%s): error %q does not name the file", path, err)
		}
	}
}

// EncodeTokens gives Encode's ids, type ids and truncation, and a token
// per id with its spelling and offsets.
func TestEncodeTokens(t *testing.T) {
	tk, err := Load("../../testdata/tokenize/wordpiece-cased.json", false)
	if err != nil {
		t.Fatal(err)
	}
	text := "Angela Merkel visited Paris."
	for _, maxLen := range []int{0, 6} {
		want, err := tk.Encode(text, maxLen)
		if err != nil {
			t.Fatal(err)
		}
		got, toks, err := tk.EncodeTokens(text, maxLen, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.IDs, want.IDs) || !slices.Equal(got.TypeIDs, want.TypeIDs) || got.Truncated != want.Truncated || len(toks) != len(got.IDs) {
			t.Errorf("max length %d: EncodeTokens %+v (%d tokens), Encode %+v", maxLen, got, len(toks), want)
		}
		if !toks[0].Special || !toks[len(toks)-1].Special || toks[1].Special || toks[1].Text != "Ang" || text[toks[1].Start:toks[1].End] != "Ang" {
			t.Errorf("max length %d: tokens %+v", maxLen, toks)
		}
	}
}
