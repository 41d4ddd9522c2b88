package tokenize

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// byteLevelBPE writes a RoBERTa-style byte-level BPE tokenizer.json: the
// 256 byte symbols, a few merges, <s> … </s> around each text.
func byteLevelBPE(t *testing.T) string {
	t.Helper()
	// GPT-2's bytes_to_unicode.
	var bs []int
	for b := '!'; b <= '~'; b++ {
		bs = append(bs, int(b))
	}
	for b := 0xA1; b <= 0xAC; b++ {
		bs = append(bs, b)
	}
	for b := 0xAE; b <= 0xFF; b++ {
		bs = append(bs, b)
	}
	cs := slices.Clone(bs)
	n := 0
	for b := range 256 {
		if !slices.Contains(bs, b) {
			bs = append(bs, b)
			cs = append(cs, 256+n)
			n++
		}
	}
	vocab := map[string]int{"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
	for _, c := range cs {
		vocab[string(rune(c))] = len(vocab)
	}
	merges := []string{"Ġ t", "h e", "Ġt he", "i n", "Ġ a", "e r", "Ġ s", "o n", "Ġ in"}
	for _, m := range merges {
		vocab[strings.ReplaceAll(m, " ", "")] = len(vocab)
	}
	doc := map[string]any{
		"version":       "1.0",
		"added_tokens":  []any{map[string]any{"id": 0, "content": "<s>", "special": true}, map[string]any{"id": 2, "content": "</s>", "special": true}},
		"normalizer":    nil,
		"pre_tokenizer": map[string]any{"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true},
		"post_processor": map[string]any{"type": "RobertaProcessing", "sep": []any{"</s>", 2}, "cls": []any{"<s>", 0},
			"trim_offsets": true, "add_prefix_space": false},
		"decoder": map[string]any{"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true},
		"model": map[string]any{"type": "BPE", "dropout": nil, "unk_token": nil, "continuing_subword_prefix": "",
			"end_of_word_suffix": "", "fuse_unk": false, "vocab": vocab, "merges": merges},
	}
	return writeDoc(t, doc)
}

// longText is n words of varied shapes: runs of spaces, new lines, tabs,
// punctuation, accents and CJK.
func longText(r *rand.Rand, n int) string {
	words := []string{"the", "in", "a", "truth", "universally", "acknowledged,", "Paris", "hello", "Berlin.",
		"café", "naïve", "東京", "x\u0301y", "(s)", "1,234", "--", "wife", "possession", "of", "good", "fortune"}
	seps := []string{" ", " ", " ", "  ", "\n", " \t ", "\n\n", " "}
	var b strings.Builder
	for range n {
		b.WriteString(words[r.IntN(len(words))])
		b.WriteString(seps[r.IntN(len(seps))])
	}
	return b.String()
}

// Cutting a long text before tokenizing gives exactly the ids of the whole
// text, for WordPiece (tokenizer.json and vocab.txt) and byte-level BPE.
func TestCutKeepsFirstTokens(t *testing.T) {
	_, doc := ownTokenizer(t, 60)
	wpJSON := writeDoc(t, doc)
	vocabTxt := filepath.Join(t.TempDir(), "vocab.txt")
	if err := os.WriteFile(vocabTxt, []byte("[PAD]\n[UNK]\n[CLS]\n[SEP]\nthe\nin\na\n##s\n,\n.\nhello\npar\n##is\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for _, path := range []string{wpJSON, vocabTxt, byteLevelBPE(t)} {
		tk, err := Load(path, true)
		if err != nil {
			t.Fatal(err)
		}
		if !tk.cuttable {
			t.Fatalf("%s: not cut", path)
		}
		for round := range 10 {
			text := longText(r, 50+r.IntN(600))
			for _, maxLen := range []int{3, 8, 17, 128, 512} {
				got, err := tk.Encode(text, maxLen)
				if err != nil {
					t.Fatal(err)
				}
				want, err := tk.encode(text, maxLen)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got.IDs, want.IDs) || !slices.Equal(got.TypeIDs, want.TypeIDs) || got.Truncated != want.Truncated {
					t.Fatalf("%s round %d max_length %d: cut gives %v, whole text %v", filepath.Base(path), round, maxLen, got.IDs, want.IDs)
				}
			}
		}
	}
}

// A 10 MB text costs what its first tokens cost.
func TestCutLongTextIsFast(t *testing.T) {
	tk, err := Load(byteLevelBPE(t), false)
	if err != nil {
		t.Fatal(err)
	}
	text := longText(rand.New(rand.NewPCG(3, 4)), 2_000_000) // ~14 MB
	start := time.Now()
	enc, err := tk.Encode(text, 128)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second || len(enc.IDs) != 128 || !enc.Truncated {
		t.Errorf("%d MB text: %v, %d ids (truncated %v)", len(text)>>20, d, len(enc.IDs), enc.Truncated)
	}
}

func TestCutText(t *testing.T) {
	for _, c := range []struct {
		text  string
		limit int
		want  string
	}{
		{"short", 10, "short"},
		{"aaa bbb ccc", 5, "aaa"},
		{"aaa bbb ccc", 7, "aaa bbb"},
		{"aaa  bbb ccc", 5, "aaa"},
		{"aaa\n bbb", 6, ""},
		{"nospacesatall", 4, ""},
	} {
		if got := CutText(c.text, c.limit); got != c.want {
			t.Errorf("CutText(%q, %d) = %q, want %q", c.text, c.limit, got, c.want)
		}
	}
}

// Stages the proof does not cover turn the cut off.
func TestCutOnlyForKnownStages(t *testing.T) {
	for _, c := range []struct {
		doc  string
		want bool
	}{
		{`{"normalizer": null, "pre_tokenizer": {"type": "ByteLevel"}}`, true},
		{`{"normalizer": {"type": "Sequence", "normalizers": [{"type": "NFD"}, {"type": "Lowercase"}]}, "pre_tokenizer": {"type": "BertPreTokenizer"}}`, true},
		{`{"pre_tokenizer": {"type": "Sequence", "pretokenizers": [{"type": "WhitespaceSplit"}, {"type": "Metaspace"}]}}`, true},
		{`{"pre_tokenizer": null}`, false},
		{`{"pre_tokenizer": {"type": "ByteLevel", "use_regex": false}}`, false},
		{`{"normalizer": {"type": "Replace", "pattern": {"Regex": "a b"}, "content": "x"}, "pre_tokenizer": {"type": "Whitespace"}}`, false},
		{`{"added_tokens": [{"content": "New York"}], "pre_tokenizer": {"type": "Whitespace"}}`, false},
		{`{"pre_tokenizer": {"type": "Split", "pattern": {"Regex": "x"}}}`, false},
	} {
		var doc map[string]json.RawMessage
		if err := json.Unmarshal([]byte(c.doc), &doc); err != nil {
			t.Fatal(err)
		}
		if got := cutTokenizable(doc); got != c.want {
			t.Errorf("%s: cut %v, want %v", c.doc, got, c.want)
		}
	}
}

// A BPE tokenizer.json without an unknown token once made the tokenizer
// library panic on an unknown character: it is now skipped, as Hugging
// Face's tokenizers skip it. Any panic inside the tokenizer is an error that
// names the file, never a crash.
func TestPanicsBecomeErrors(t *testing.T) {
	doc := map[string]any{
		"pre_tokenizer": map[string]any{"type": "Whitespace"},
		"model": map[string]any{"type": "BPE", "unk_token": nil, "continuing_subword_prefix": "", "end_of_word_suffix": "",
			"vocab": map[string]int{"a": 0, "b": 1, "ab": 2}, "merges": []string{"a b"}},
	}
	path := writeDoc(t, doc)
	tk, err := Load(path, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tk.Encode("ab c", 0); err != nil {
		t.Errorf("unknown character without an unknown token: %v", err)
	}
	broken := &Tokenizer{Path: "broken/tokenizer.json"} // no tokenizer inside: Encode panics within
	if _, err := broken.Encode("ab c", 0); err == nil || !strings.Contains(err.Error(), "broken/tokenizer.json") {
		t.Errorf("err = %v, want an error naming broken/tokenizer.json", err)
	}
}
