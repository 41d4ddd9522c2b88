//go:build fixtures

package tokenize

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/nerbench/nerbench/internal/fixtures"
)

// The golden ids of ../shared/fixtures/README.md (Tribuo's BERTFeatureExtractorTest).
func TestGoldenTinyBERTIDs(t *testing.T) {
	tk, err := Load(fixtures.Path(t, "tribuo-tinybert/tinybert-tokenizer.json"), false)
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
func TestOldFormatWithoutModelTypeBertBaseCased(t *testing.T) {
	tk, err := Load(fixtures.Path(t, "tribuo-tinybert/bert-base-cased-tokenizer.json"), false)
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

func TestInferModelTypeFromStrippedDecoderBertBaseCased(t *testing.T) {
	// Same old-format file, but with the decoder removed: the type must
	// still come out as WordPiece from the model's own fields.
	data, err := os.ReadFile(fixtures.Path(t, "tribuo-tinybert/bert-base-cased-tokenizer.json"))
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

func TestTruncationKeepsSpecialTokensTinyBERT(t *testing.T) {
	tk, err := Load(fixtures.Path(t, "tribuo-tinybert/tinybert-tokenizer.json"), false)
	if err != nil {
		t.Fatal(err)
	}
	testTruncation(t, tk, 3, 1)
}
