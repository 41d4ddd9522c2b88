package hftok

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const testdata = "../../testdata/tokenize"

// TruncLen is the maximum length of the *.trunc.jsonl reference ids
// (scripts/tokref/gen.mjs).
const truncLen = 24

func readTexts(t testing.TB) []string { return readSet(t, "texts.json") }

// readSet reads a JSON list of strings from testdata.
func readSet(t testing.TB, name string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testdata, name))
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	if err := json.Unmarshal(data, &texts); err != nil {
		t.Fatal(err)
	}
	return texts
}

type refLine struct {
	I   int     `json:"i"`
	IDs []int32 `json:"ids"`
}

func readRef(t testing.TB, path string) []refLine {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []refLine
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var l refLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, l)
	}
	return out
}

// CompareRef encodes every text of a reference file and reports the texts
// whose ids differ. It returns the number of texts compared.
func compareRef(t *testing.T, tk *Tokenizer, texts []string, ref string, maxLen int) int {
	t.Helper()
	lines := readRef(t, ref)
	bad := 0
	for _, l := range lines {
		enc, err := tk.Encode(texts[l.I], true, maxLen)
		if err != nil {
			t.Errorf("%s text %d: %v", ref, l.I, err)
			continue
		}
		if !slices.Equal(enc.IDs, l.IDs) {
			bad++
			if bad <= 3 {
				t.Errorf("%s text %d %q:\n got %v\nwant %v", filepath.Base(ref), l.I, texts[l.I], enc.IDs, l.IDs)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d of %d texts differ", filepath.Base(ref), bad, len(lines))
	}
	return len(lines)
}

// Every tokenizer that scripts/tokref/gen.mjs built with the reference
// library gives its ids, id for id, on the whole multilingual set (also
// truncated) and on the strings of fuzz.json.
func TestReferenceIDs(t *testing.T) {
	texts, fuzz := readTexts(t), readSet(t, "fuzz.json")
	files, _ := filepath.Glob(filepath.Join(testdata, "*.json"))
	n := 0
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		if name == "texts" || name == "fuzz" {
			continue
		}
		n++
		t.Run(name, func(t *testing.T) {
			tk, err := FromFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if c := compareRef(t, tk, texts, filepath.Join(testdata, name+".ids.jsonl"), 0); c < 200 {
				t.Errorf("only %d reference texts", c)
			}
			compareRef(t, tk, texts, filepath.Join(testdata, name+".trunc.jsonl"), truncLen)
			if c := compareRef(t, tk, fuzz, filepath.Join(testdata, name+".fuzz.jsonl"), 0); c < 500 {
				t.Errorf("only %d fuzz strings", c)
			}
		})
	}
	if n < 8 {
		t.Errorf("%d reference tokenizers in %s, want the 11 of scripts/tokref/gen.mjs", n, testdata)
	}
}

func TestEncodeTruncationKeepsFinalSpecial(t *testing.T) {
	tk, err := FromFile(filepath.Join(testdata, "wordpiece-uncased.json"))
	if err != nil {
		t.Fatal(err)
	}
	enc, err := tk.Encode(strings.Repeat("hello world ", 20), true, 6)
	if err != nil {
		t.Fatal(err)
	}
	cls, _ := tk.TokenToID("[CLS]")
	sep, _ := tk.TokenToID("[SEP]")
	if len(enc.IDs) != 6 || enc.IDs[0] != cls || enc.IDs[5] != sep || !enc.Truncated {
		t.Errorf("ids %v truncated %v: want 6 ids from [CLS]=%d to [SEP]=%d", enc.IDs, enc.Truncated, cls, sep)
	}
	if _, err := tk.Encode("hello", true, 1); err == nil {
		t.Error("max length 1 with 2 special tokens: no error")
	}
}

func ExampleTokenizer_Encode() {
	tk, err := FromFile("../../testdata/tokenize/wordpiece-uncased.json")
	if err != nil {
		panic(err)
	}
	enc, _ := tk.Encode("Zoë", true, 0)
	fmt.Println(len(enc.IDs) >= 3)
	// Output: true
}

// The Precompiled normalizer (SentencePiece's nmt_nfkc charsmap, from
// testdata's spm_train model) folds what NFKC folds, whole graphemes first.
func TestPrecompiledNormalizes(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(testdata, "unigram-precompiled.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Normalizer struct {
			Normalizers []json.RawMessage `json:"normalizers"`
		} `json:"normalizer"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	n, err := parseNormalizer(doc.Normalizer.Normalizers[0])
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{"ＡＢＣ１２３": "ABC123", "ﬁnancial": "financial", "a\u00a0b": "a b", "plain": "plain"} {
		if got := n(in); got != want {
			t.Errorf("%q → %q, want %q", in, got, want)
		}
	}
}

// Metaspace's prepend_scheme "first" goes by original offsets: a text whose
// start the normalizer (Nmt: \x01) or WhitespaceSplit drops, or that starts
// with an added token, gets no '▁'. Ids from the reference library.
func TestMetaspaceFirst(t *testing.T) {
	tk, err := FromFile(filepath.Join(testdata, "bpe-metaspace-first.json"))
	if err != nil {
		t.Fatal(err)
	}
	for text, want := range map[string][]int32{
		"\x01hello world": {1, 1953, 344, 352, 827, 341, 333},
		"  hello":         {1, 1953, 344},
		"\x01 hello":      {1, 1953, 344},
		"<s>hello":        {1, 1, 1953, 344},
		" <s>hello":       {1, 1, 1953, 344},
	} {
		enc, err := tk.Encode(text, true, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(enc.IDs, want) {
			t.Errorf("%q: %v, want %v", text, enc.IDs, want)
		}
	}
}
