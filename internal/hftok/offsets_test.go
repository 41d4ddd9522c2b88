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
	"unicode/utf8"
)

// charOffsets turns byte offsets into the reference library's character
// offsets: a start inside a character moves to its start, an end inside
// one to its end (a byte-level token may hold part of a character).
func charOffsets(text string, toks []Token) [][2]int {
	charAt := make([]int, len(text)+1) // byte → index of the character holding it
	c := 0
	for i := 0; i < len(text); {
		_, n := utf8.DecodeRuneInString(text[i:])
		for k := range n {
			charAt[i+k] = c
		}
		i += n
		c++
	}
	charAt[len(text)] = c
	out := make([][2]int, len(toks))
	for k, tok := range toks {
		if tok.Special && tok.Start == 0 && tok.End == 0 {
			continue
		}
		s, e := charAt[tok.Start], charAt[tok.End]
		if tok.End > 0 && tok.End < len(text) && !utf8.RuneStart(text[tok.End]) {
			e++ // ends inside a character: up to its end
		}
		if tok.End > tok.Start && e == s {
			e = s + 1
		}
		out[k] = [2]int{s, e}
	}
	return out
}

// EncodeOffsets gives the reference library's offsets on every other text
// of texts.json for the tokenizers of scripts/tokref/offsets.mjs (cased and
// uncased WordPiece, with and without accent stripping; byte-level BPE as
// RoBERTa and GPT-2), and the same ids as Encode.
func TestReferenceOffsets(t *testing.T) {
	texts := readTexts(t)
	files, _ := filepath.Glob(filepath.Join(testdata, "*.offsets.jsonl"))
	if len(files) < 8 {
		t.Fatalf("%d offset reference files in %s, want the 8 of scripts/tokref/offsets.mjs", len(files), testdata)
	}
	for _, ref := range files {
		name := strings.TrimSuffix(filepath.Base(ref), ".offsets.jsonl")
		t.Run(name, func(t *testing.T) {
			tk, err := FromFile(filepath.Join(testdata, name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(ref)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			sc := bufio.NewScanner(f)
			sc.Buffer(nil, 1<<24)
			n, bad := 0, 0
			for sc.Scan() {
				var l struct {
					I       int      `json:"i"`
					Offsets [][2]int `json:"offsets"`
				}
				if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
					t.Fatal(err)
				}
				n++
				text := texts[l.I]
				toks, _, err := tk.EncodeOffsets(nil, text, true, 0)
				if err != nil {
					t.Fatal(err)
				}
				enc, _ := tk.Encode(text, true, 0)
				ids := make([]int32, len(toks))
				for i, tok := range toks {
					ids[i] = tok.ID
				}
				if !slices.Equal(ids, enc.IDs) {
					t.Fatalf("text %d: EncodeOffsets ids %v, Encode %v", l.I, ids, enc.IDs)
				}
				if got := charOffsets(text, toks); !slices.Equal(got, l.Offsets) {
					bad++
					if bad <= 3 {
						t.Errorf("text %d %q:\n got %v\nwant %v", l.I, text, got, l.Offsets)
					}
				}
			}
			if bad > 0 {
				t.Errorf("%d of %d texts differ", bad, n)
			}
		})
	}
}

func ExampleTokenizer_EncodeOffsets() {
	tk, err := FromFile("../../testdata/tokenize/wordpiece-cased.json")
	if err != nil {
		panic(err)
	}
	text := "Angela Merkel visited Paris."
	toks, _, _ := tk.EncodeOffsets(nil, text, true, 0)
	for _, t := range toks {
		fmt.Printf("%s %q %d-%d\n", tk.IDToToken(t.ID), text[t.Start:t.End], t.Start, t.End)
	}
	// Output:
	// [CLS] "" 0-0
	// Ang "Ang" 0-3
	// ##el "el" 3-5
	// ##a "a" 5-6
	// Me "Me" 7-9
	// ##r "r" 9-10
	// ##k "k" 10-11
	// ##el "el" 11-13
	// v "v" 14-15
	// ##is "is" 15-17
	// ##it "it" 17-19
	// ##ed "ed" 19-21
	// Paris "Paris" 22-27
	// . "." 27-28
	// [SEP] "" 0-0
}
