package wordpiece

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sugarme/tokenizer/pretrained"
)

var texts = []string{
	"Angela Merkel met Emmanuel Macron in Paris on 3 May 2019.",
	"Apple opened an office in Berlin, then one in Paris.",
	"The United Nations convened in Geneva; Merkel spoke.",
	"Zürich's café: naïve déjà-vu!",
}

func TestPreTokenize(t *testing.T) {
	got := PreTokenize("Hello,  world!\x00 It's\tdéjà-vu.")
	want := []string{"Hello", ",", "world", "!", "It", "'", "s", "déjà", "-", "vu", "."}
	if !slices.Equal(got, want) {
		t.Errorf("PreTokenize = %q, want %q", got, want)
	}
}

func TestTrain(t *testing.T) {
	v := Train(texts, 100)
	if !slices.Equal(v.Tokens()[:len(Special)], Special) {
		t.Errorf("first tokens %q, want the special tokens %q", v.Tokens()[:len(Special)], Special)
	}
	if v.Len() != 100 {
		t.Errorf("%d tokens, want 100", v.Len())
	}
	if !slices.Equal(Train(texts, 100).Tokens(), v.Tokens()) {
		t.Error("Train is not deterministic")
	}
	// Every character is in the vocabulary, so nothing is [UNK].
	for _, text := range texts {
		if ids := v.Encode(text); slices.Contains(ids, UnkID) || ids[0] != ClsID || ids[len(ids)-1] != SepID {
			t.Errorf("%q: ids %v", text, ids)
		}
	}
	// Without a size limit, training stops when no pair occurs twice; a
	// word seen twice ("Paris") is then one token, one seen once is not.
	full := Train(texts, 1<<20)
	if n := full.Len(); n <= 100 || n >= 1<<20 {
		t.Errorf("unbounded training: %d tokens", n)
	}
	if id, ok := full.ID("Paris"); !ok || !slices.Equal(full.Encode("Paris"), []int{ClsID, id, SepID}) {
		t.Errorf("Paris is not one token: %v", full.Encode("Paris"))
	}
	if _, ok := full.ID("Geneva"); ok {
		t.Error("Geneva, seen once, is a token")
	}
	if ids := v.Encode("x" + strings.Repeat("a", MaxInputCharsPerWord)); !slices.Equal(ids, []int{ClsID, UnkID, SepID}) {
		t.Errorf("an over-long word gives %v, want [UNK]", ids)
	}
}

func TestNew(t *testing.T) {
	if _, err := New([]string{"[UNK]", "a", "a", "[CLS]", "[SEP]"}); err == nil || !strings.Contains(err.Error(), `"a"`) {
		t.Errorf("duplicate token: error %v", err)
	}
	if _, err := New([]string{"[PAD]", "a"}); err == nil || !strings.Contains(err.Error(), "[UNK]") || !strings.Contains(err.Error(), "[SEP]") {
		t.Errorf("no special tokens: error %v", err)
	}
	v, err := New([]string{"a", "##b", "[SEP]", "[UNK]", "[PAD]", "[CLS]"})
	if err != nil {
		t.Fatal(err)
	}
	if got := v.Encode("ab c"); !slices.Equal(got, []int{5, 0, 1, 3, 2}) {
		t.Errorf("Encode = %v, want [5 0 1 3 2]", got)
	}
}

// The tokenizer.json loads with sugarme/tokenizer, the library the
// benchmarks use, and gives the ids Encode gives, for the trained
// vocabulary and for one with the special tokens elsewhere.
func TestTokenizerJSONAgreesWithSugarme(t *testing.T) {
	trained := Train(texts, 100)
	moved := trained.Tokens()
	moved[PadID], moved[50] = moved[50], moved[PadID] // [PAD] at 50
	moved[ClsID], moved[60] = moved[60], moved[ClsID] // [CLS] at 60
	other, err := New(moved)
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]*Vocab{"trained": trained, "moved": other} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "tokenizer.json")
			if err := v.WriteFile(path); err != nil {
				t.Fatal(err)
			}
			tk, err := pretrained.FromFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if n := tk.GetVocabSize(true); n != v.Len() {
				t.Errorf("vocabulary size %d, want %d", n, v.Len())
			}
			for _, tok := range Special {
				id, _ := v.ID(tok)
				if got, ok := tk.TokenToId(tok); !ok || got != id {
					t.Errorf("TokenToId(%s) = %d, %v; want %d", tok, got, ok, id)
				}
			}
			for _, text := range append(slices.Clone(texts), "Unseen words: Zelvanrisova, Qx!") {
				enc, err := tk.EncodeSingle(text, true)
				if err != nil {
					t.Fatal(err)
				}
				if want := v.Encode(text); !slices.Equal(enc.Ids, want) {
					t.Errorf("%q: sugarme ids %v, Encode %v", text, enc.Ids, want)
				}
			}
		})
	}
}
