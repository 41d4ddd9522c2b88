package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Special tokens and their ids.
var specialTokens = []string{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}

const (
	padID = 0
	unkID = 1
	clsID = 2
	sepID = 3

	wordPiecePrefix      = "##"
	maxInputCharsPerWord = 100
	// targetVocab bounds the trained vocabulary: small enough that rare
	// names split into word pieces, as they do with a real BERT vocabulary
	// (about 1.16 pieces per word on the demo corpus).
	targetVocab = 2000
)

// isBertPunct is BERT's punctuation test: ASCII non-alphanumeric symbols and
// Unicode punctuation (categories P*).
func isBertPunct(r rune) bool {
	if (r >= 33 && r <= 47) || (r >= 58 && r <= 64) || (r >= 91 && r <= 96) || (r >= 123 && r <= 126) {
		return true
	}
	return unicode.IsPunct(r)
}

// preTokenize does what BertNormalizer (clean_text, no lowercasing, no
// accent stripping) and BertPreTokenizer do for the demo corpus: split on
// whitespace and make every punctuation character a word of its own.
func preTokenize(text string) []string {
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

// vocab is a WordPiece vocabulary: tokens in id order.
type vocab struct {
	tokens []string
	ids    map[string]int
}

func (v *vocab) add(tok string) int {
	if id, ok := v.ids[tok]; ok {
		return id
	}
	v.ids[tok] = len(v.tokens)
	v.tokens = append(v.tokens, tok)
	return len(v.tokens) - 1
}

// trainVocab builds a WordPiece vocabulary from texts the way Hugging Face's
// WordPieceTrainer does: start from every character (alone and as a
// "##" continuation) and merge the most frequent adjacent pair of symbols,
// weighted by word frequency, until the vocabulary has size symbols.
func trainVocab(texts []string, size int) *vocab {
	v := &vocab{ids: map[string]int{}}
	for _, s := range specialTokens {
		v.add(s)
	}
	counts := map[string]int{}
	for _, t := range texts {
		for _, w := range preTokenize(t) {
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
		v.add(wordPiecePrefix + c)
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
				syms = append(syms, v.ids[wordPiecePrefix+string(r)])
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
		return v.tokens[p[0]] + strings.TrimPrefix(v.tokens[p[1]], wordPiecePrefix)
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

// encodeWord is WordPiece's greedy longest-match-first split of one word.
func (v *vocab) encodeWord(w string, out []int) []int {
	if utf8.RuneCountInString(w) > maxInputCharsPerWord {
		return append(out, unkID)
	}
	n := len(out)
	for start := 0; start < len(w); {
		end := len(w)
		found := -1
		for end > start {
			sub := w[start:end]
			if start > 0 {
				sub = wordPiecePrefix + sub
			}
			if id, ok := v.ids[sub]; ok {
				found = id
				break
			}
			_, size := utf8.DecodeLastRuneInString(w[start:end])
			end -= size
		}
		if found < 0 {
			return append(out[:n], unkID)
		}
		out = append(out, found)
		start = end
	}
	return out
}

// encode returns [CLS] + word pieces of text + [SEP].
func (v *vocab) encode(text string) []int {
	ids := []int{clsID}
	for _, w := range preTokenize(text) {
		ids = v.encodeWord(w, ids)
	}
	return append(ids, sepID)
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

// tokenizerJSON returns the Hugging Face tokenizers-format file for v
// (a cased BERT WordPiece tokenizer).
func (v *vocab) tokenizerJSON() ([]byte, error) {
	var added []addedToken
	for _, s := range specialTokens {
		added = append(added, addedToken{ID: v.ids[s], Content: s, Special: true})
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
				"[CLS]": obj{"id": "[CLS]", "ids": []int{clsID}, "tokens": []string{"[CLS]"}},
				"[SEP]": obj{"id": "[SEP]", "ids": []int{sepID}, "tokens": []string{"[SEP]"}},
			},
		},
		Decoder: obj{"type": "WordPiece", "prefix": wordPiecePrefix, "cleanup": true},
		Model: struct {
			Type                    string       `json:"type"`
			UnkToken                string       `json:"unk_token"`
			ContinuingSubwordPrefix string       `json:"continuing_subword_prefix"`
			MaxInputCharsPerWord    int          `json:"max_input_chars_per_word"`
			Vocab                   orderedVocab `json:"vocab"`
		}{"WordPiece", "[UNK]", wordPiecePrefix, maxInputCharsPerWord, orderedVocab(v.tokens)},
	}
	return marshalIndentNoEscape(f)
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

// marshalIndentNoEscape is json.MarshalIndent with two spaces, no HTML
// escaping, and a final newline.
func marshalIndentNoEscape(x any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(x); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// tokenStats summarises token counts (with [CLS] and [SEP]) of texts.
type tokenStats struct {
	min, median, max, over512 int
}

func (v *vocab) stats(texts []string) tokenStats {
	n := make([]int, len(texts))
	for i, t := range texts {
		n[i] = len(v.encode(t))
	}
	slices.SortFunc(n, cmp.Compare)
	s := tokenStats{min: n[0], median: n[len(n)/2], max: n[len(n)-1]}
	for _, x := range n {
		if x > 512 {
			s.over512++
		}
	}
	return s
}
