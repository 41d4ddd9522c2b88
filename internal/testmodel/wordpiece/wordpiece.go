// Package wordpiece trains and writes cased BERT WordPiece tokenizers in
// pure Go: scripts/gendemo makes the demo checkpoints' tokenizer.json with
// it, and tests make small ones in a temporary folder.
//
// Train learns a vocabulary from texts the way Hugging Face's
// WordPieceTrainer does; New takes one as it is (any order of the special
// tokens). Encode is WordPiece's greedy longest-match-first encoding, which
// agrees with what github.com/sugarme/tokenizer does with the file that
// TokenizerJSON writes.
package wordpiece

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Special are the special tokens; Train puts them first, in this order.
var Special = []string{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}

// The ids of the special tokens in a vocabulary made by Train.
const (
	PadID = 0
	UnkID = 1
	ClsID = 2
	SepID = 3
)

const (
	// Prefix marks a piece that continues a word.
	Prefix = "##"
	// MaxInputCharsPerWord is the longest word that is not [UNK].
	MaxInputCharsPerWord = 100
)

// isBertPunct is BERT's punctuation test: ASCII non-alphanumeric symbols and
// Unicode punctuation (categories P*).
func isBertPunct(r rune) bool {
	if (r >= 33 && r <= 47) || (r >= 58 && r <= 64) || (r >= 91 && r <= 96) || (r >= 123 && r <= 126) {
		return true
	}
	return unicode.IsPunct(r)
}

// PreTokenize does what BertNormalizer (clean_text, no lowercasing, no
// accent stripping) and BertPreTokenizer do for the demo corpus: split on
// whitespace and make every punctuation character a word of its own.
func PreTokenize(text string) []string {
	var words []string
	start := -1
	for i, r := range text {
		switch {
		case r == 0 || r == utf8.RuneError || (unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r'):
			// clean_text drops these.
			if start >= 0 {
				words = append(words, text[start:i])
				start = -1
			}
		case unicode.IsSpace(r):
			if start >= 0 {
				words = append(words, text[start:i])
				start = -1
			}
		case isBertPunct(r):
			if start >= 0 {
				words = append(words, text[start:i])
				start = -1
			}
			words = append(words, string(r))
		default:
			if start < 0 {
				start = i
			}
		}
	}
	if start >= 0 {
		words = append(words, text[start:])
	}
	return words
}

// Vocab is a WordPiece vocabulary: tokens in id order.
type Vocab struct {
	tokens   []string
	ids      map[string]int
	unk, cls int
	sep      int
}

func (v *Vocab) add(tok string) int {
	if id, ok := v.ids[tok]; ok {
		return id
	}
	v.ids[tok] = len(v.tokens)
	v.tokens = append(v.tokens, tok)
	return len(v.tokens) - 1
}

// New returns the vocabulary of tokens, in id order. It must hold [UNK],
// [CLS] and [SEP]; [PAD] and [MASK] are optional.
func New(tokens []string) (*Vocab, error) {
	v := &Vocab{ids: map[string]int{}}
	for _, t := range tokens {
		if _, dup := v.ids[t]; dup || t == "" {
			return nil, fmt.Errorf("wordpiece: token %q: empty or listed twice", t)
		}
		v.add(t)
	}
	var errs []error
	for _, s := range []struct {
		tok string
		id  *int
	}{{"[UNK]", &v.unk}, {"[CLS]", &v.cls}, {"[SEP]", &v.sep}} {
		id, ok := v.ids[s.tok]
		if !ok {
			errs = append(errs, fmt.Errorf("wordpiece: no %s token", s.tok))
		}
		*s.id = id
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return v, nil
}

// Tokens returns the tokens in id order.
func (v *Vocab) Tokens() []string { return slices.Clone(v.tokens) }

// Len is the number of tokens.
func (v *Vocab) Len() int { return len(v.tokens) }

// ID returns the id of tok.
func (v *Vocab) ID(tok string) (int, bool) {
	id, ok := v.ids[tok]
	return id, ok
}

// Train builds a WordPiece vocabulary from texts the way Hugging Face's
// WordPieceTrainer does: start from every character (alone and as a
// "##" continuation) and merge the most frequent adjacent pair of symbols,
// weighted by word frequency, until the vocabulary has size symbols or no
// pair occurs twice. The special tokens come first (see PadID …).
func Train(texts []string, size int) *Vocab {
	v := &Vocab{ids: map[string]int{}, unk: UnkID, cls: ClsID, sep: SepID}
	for _, s := range Special {
		v.add(s)
	}
	counts := map[string]int{}
	for _, t := range texts {
		for _, w := range PreTokenize(t) {
			counts[w]++
		}
	}
	words := make([]string, 0, len(counts))
	for w := range counts {
		words = append(words, w)
	}
	slices.Sort(words)

	// Alphabet: every character alone and as a continuation.
	var alphabet []string
	seen := map[rune]bool{}
	for _, w := range words {
		for _, r := range w {
			if !seen[r] {
				seen[r] = true
				alphabet = append(alphabet, string(r))
			}
		}
	}
	slices.Sort(alphabet)
	for _, c := range alphabet {
		v.add(c)
	}
	for _, c := range alphabet {
		v.add(Prefix + c)
	}

	type entry struct {
		syms  []int
		count int
	}
	entries := make([]entry, len(words))
	for i, w := range words {
		var syms []int
		for j, r := range w {
			if j == 0 {
				syms = append(syms, v.ids[string(r)])
			} else {
				syms = append(syms, v.ids[Prefix+string(r)])
			}
		}
		entries[i] = entry{syms: syms, count: counts[w]}
	}
	type pair [2]int
	pairs := map[pair]int{}
	addPairs := func(e entry, sign int) {
		for k := 0; k+1 < len(e.syms); k++ {
			pairs[pair{e.syms[k], e.syms[k+1]}] += sign * e.count
		}
	}
	for _, e := range entries {
		addPairs(e, 1)
	}
	merged := func(p pair) string {
		return v.tokens[p[0]] + strings.TrimPrefix(v.tokens[p[1]], Prefix)
	}
	for len(v.tokens) < size {
		var best pair
		bestN := 0
		var bestS string
		for p, n := range pairs {
			if n < bestN || n == 0 {
				continue
			}
			s := merged(p)
			if n > bestN || s < bestS {
				best, bestN, bestS = p, n, s
			}
		}
		if bestN < 2 {
			break
		}
		id := v.add(bestS)
		for i := range entries {
			e := &entries[i]
			has := false
			for k := 0; k+1 < len(e.syms); k++ {
				if e.syms[k] == best[0] && e.syms[k+1] == best[1] {
					has = true
					break
				}
			}
			if !has {
				continue
			}
			addPairs(*e, -1)
			out := e.syms[:0:0]
			for k := 0; k < len(e.syms); k++ {
				if k+1 < len(e.syms) && e.syms[k] == best[0] && e.syms[k+1] == best[1] {
					out = append(out, id)
					k++
				} else {
					out = append(out, e.syms[k])
				}
			}
			e.syms = out
			addPairs(*e, 1)
		}
		for p, n := range pairs {
			if n == 0 {
				delete(pairs, p)
			}
		}
	}
	return v
}

// EncodeWord appends WordPiece's greedy longest-match-first split of one
// word to out.
func (v *Vocab) EncodeWord(w string, out []int) []int {
	if utf8.RuneCountInString(w) > MaxInputCharsPerWord {
		return append(out, v.unk)
	}
	n := len(out)
	for start := 0; start < len(w); {
		end := len(w)
		found := -1
		for end > start {
			sub := w[start:end]
			if start > 0 {
				sub = Prefix + sub
			}
			if id, ok := v.ids[sub]; ok {
				found = id
				break
			}
			_, size := utf8.DecodeLastRuneInString(w[start:end])
			end -= size
		}
		if found < 0 {
			return append(out[:n], v.unk)
		}
		out = append(out, found)
		start = end
	}
	return out
}

// Encode returns [CLS] + word pieces of text + [SEP].
func (v *Vocab) Encode(text string) []int {
	ids := []int{v.cls}
	for _, w := range PreTokenize(text) {
		ids = v.EncodeWord(w, ids)
	}
	return append(ids, v.sep)
}

// orderedVocab marshals as a JSON object in id order, as Hugging Face
// writes it.
type orderedVocab []string

func (o orderedVocab) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, t := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := marshalNoEscape(t)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(i))
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

type addedToken struct {
	ID         int    `json:"id"`
	Content    string `json:"content"`
	SingleWord bool   `json:"single_word"`
	Lstrip     bool   `json:"lstrip"`
	Rstrip     bool   `json:"rstrip"`
	Normalized bool   `json:"normalized"`
	Special    bool   `json:"special"`
}

type tokenizerFile struct {
	Version       string       `json:"version"`
	Truncation    any          `json:"truncation"`
	Padding       any          `json:"padding"`
	AddedTokens   []addedToken `json:"added_tokens"`
	Normalizer    any          `json:"normalizer"`
	PreTokenizer  any          `json:"pre_tokenizer"`
	PostProcessor any          `json:"post_processor"`
	Decoder       any          `json:"decoder"`
	Model         any          `json:"model"`
}

type obj = map[string]any

// TokenizerJSON returns the Hugging Face tokenizers-format file for v
// (a cased BERT WordPiece tokenizer), two-space indented.
func (v *Vocab) TokenizerJSON() ([]byte, error) {
	var added []addedToken
	for _, s := range Special {
		if id, ok := v.ids[s]; ok {
			added = append(added, addedToken{ID: id, Content: s, Special: true})
		}
	}
	special := func(tok string, typeID int) obj {
		return obj{"SpecialToken": obj{"id": tok, "type_id": typeID}}
	}
	seq := func(id string, typeID int) obj {
		return obj{"Sequence": obj{"id": id, "type_id": typeID}}
	}
	f := tokenizerFile{
		Version:     "1.0",
		AddedTokens: added,
		Normalizer: obj{"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true,
			"strip_accents": nil, "lowercase": false},
		PreTokenizer: obj{"type": "BertPreTokenizer"},
		PostProcessor: obj{
			"type":   "TemplateProcessing",
			"single": []obj{special("[CLS]", 0), seq("A", 0), special("[SEP]", 0)},
			"pair":   []obj{special("[CLS]", 0), seq("A", 0), special("[SEP]", 0), seq("B", 1), special("[SEP]", 1)},
			"special_tokens": obj{
				"[CLS]": obj{"id": "[CLS]", "ids": []int{v.cls}, "tokens": []string{"[CLS]"}},
				"[SEP]": obj{"id": "[SEP]", "ids": []int{v.sep}, "tokens": []string{"[SEP]"}},
			},
		},
		Decoder: obj{"type": "WordPiece", "prefix": Prefix, "cleanup": true},
		Model: struct {
			Type                    string       `json:"type"`
			UnkToken                string       `json:"unk_token"`
			ContinuingSubwordPrefix string       `json:"continuing_subword_prefix"`
			MaxInputCharsPerWord    int          `json:"max_input_chars_per_word"`
			Vocab                   orderedVocab `json:"vocab"`
		}{"WordPiece", "[UNK]", Prefix, MaxInputCharsPerWord, orderedVocab(v.tokens)},
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(f); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// WriteFile writes v's tokenizer.json to path.
func (v *Vocab) WriteFile(path string) error {
	b, err := v.TokenizerJSON()
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

func marshalNoEscape(x any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(x); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
