package tokenize

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const fixtures = "../../../shared/fixtures"

// The golden ids of ../shared/fixtures/README.md (Tribuo's BERTFeatureExtractorTest).
func TestGoldenTinyBERTIDs(t *testing.T) {
	tk, err := Load(filepath.Join(fixtures, "tribuo-tinybert/tinybert-tokenizer.json"), false)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := tk.Encode("It is a truth universally acknowledged,", 512)
	if err != nil {
		t.Fatal(err)
	}
	want := []int64{3, 114, 134, 18, 1528, 269, 297, 55, 66, 385, 1599, 6, 1}
	if !slices.Equal(enc.IDs, want) {
		t.Errorf("ids = %v, want %v", enc.IDs, want)
	}
	if enc.Truncated {
		t.Error("Truncated = true for a short text")
	}
}

// The older tokenizer.json format has no "model.type"; sugarme alone would
// guess, and must not fall back to BPE.
func TestOldFormatWithoutModelType(t *testing.T) {
	tk, err := Load(filepath.Join(fixtures, "tribuo-tinybert/bert-base-cased-tokenizer.json"), false)
	if err != nil {
		t.Fatal(err)
	}
	if tk.VocabSize != 28996 {
		t.Errorf("vocab size = %d, want 28996", tk.VocabSize)
	}
	enc, err := tk.Encode("Hello Paris", 512)
	if err != nil {
		t.Fatal(err)
	}
	// bert-base-cased: [CLS]=101 Hello=8667 Paris=2123 [SEP]=102
	want := []int64{101, 8667, 2123, 102}
	if !slices.Equal(enc.IDs, want) {
		t.Errorf("ids = %v, want %v", enc.IDs, want)
	}
	if tk.PadID != 0 {
		t.Errorf("pad id = %d, want 0 ([PAD])", tk.PadID)
	}
}

func TestInferModelTypeFromStrippedDecoder(t *testing.T) {
	// Same old-format file, but with the decoder removed: the type must
	// still come out as WordPiece from the model's own fields.
	data, err := os.ReadFile(filepath.Join(fixtures, "tribuo-tinybert/bert-base-cased-tokenizer.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	doc["decoder"] = nil
	if data, err = json.Marshal(doc); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "tokenizer.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	tk, err := Load(path, false)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := tk.Encode("Hello Paris", 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int64{101, 8667, 2123, 102}; !slices.Equal(enc.IDs, want) {
		t.Errorf("ids = %v, want %v", enc.IDs, want)
	}
}

func TestTruncationKeepsSpecialTokens(t *testing.T) {
	tk, err := Load(filepath.Join(fixtures, "tribuo-tinybert/tinybert-tokenizer.json"), false)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := tk.Encode("It is a truth universally acknowledged, that a single man in possession of a good fortune", 8)
	if err != nil {
		t.Fatal(err)
	}
	if len(enc.IDs) != 8 {
		t.Fatalf("len = %d, want 8", len(enc.IDs))
	}
	if enc.IDs[0] != 3 || enc.IDs[7] != 1 {
		t.Errorf("ids = %v: want [CLS]=3 first and [SEP]=1 last", enc.IDs)
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
