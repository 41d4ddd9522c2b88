// Package hftok tokenizes text as the Hugging Face tokenizers library does,
// reading the same tokenizer.json, for the ids only (no offsets): added
// tokens, normalizer, pre-tokenizer, model (WordPiece, BPE, Unigram,
// WordLevel) and post-processor. Character classes come from tables probed
// from the reference library itself (scripts/tokref/tables.mjs).
//
// Not implemented, since nerbench needs none of it: offsets, sentence pairs,
// padding (nerbench pads its batches itself), decoders, BPE dropout, the
// UnicodeScripts pre-tokenizer and the ByteLevel normalizer; a tokenizer.json
// that uses an unknown component is an error naming it, never silently
// different ids.
//
// A Tokenizer is safe for concurrent use.
package hftok

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"os"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"
)

// Tokenizer is a loaded tokenizer.json.
type Tokenizer struct {
	norm  normalizer
	pre   preTokenizer
	model model
	post  *post
	added *addedVocab

	cache wordCache // word → ids, for the words the model has seen
	// firstMatters: the pre-tokenizer treats the text's first piece apart
	// (Metaspace's prepend_scheme "first").
	firstMatters bool
	size         int // vocabulary size with added tokens
	ids          map[string]int32
}

// Encoding is the result of Encode.
type Encoding struct {
	IDs, TypeIDs []int32
	// Truncated says whether tokens were cut to fit the maximum length.
	Truncated bool
}

// FromFile reads a tokenizer.json.
func FromFile(path string) (*Tokenizer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return FromJSON(data)
}

// FromJSON reads the contents of a tokenizer.json.
func FromJSON(data []byte) (*Tokenizer, error) {
	var doc struct {
		AddedTokens   []AddedToken    `json:"added_tokens"`
		Normalizer    json.RawMessage `json:"normalizer"`
		PreTokenizer  json.RawMessage `json:"pre_tokenizer"`
		Model         json.RawMessage `json:"model"`
		PostProcessor json.RawMessage `json:"post_processor"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("not valid JSON: %w", err)
	}
	if isNull(doc.Model) {
		return nil, errors.New(`no "model" object`)
	}
	t := &Tokenizer{}
	t.cache.seed = maphash.MakeSeed()
	var err error
	if t.model, err = parseModel(doc.Model); err != nil {
		return nil, err
	}
	if t.norm, err = parseNormalizer(doc.Normalizer); err != nil {
		return nil, err
	}
	if t.pre, err = parsePreTokenizer(doc.PreTokenizer); err != nil {
		return nil, err
	}
	t.firstMatters = bytes.Contains(doc.PreTokenizer, []byte(`"first"`))
	if t.post, err = parsePost(doc.PostProcessor); err != nil {
		return nil, err
	}
	t.added = newAddedVocab(doc.AddedTokens, t.norm)
	t.ids = map[string]int32{}
	maxID := int32(-1)
	for tok, id := range t.model.vocab() {
		t.ids[tok] = id
		maxID = max(maxID, id)
	}
	t.size = len(t.model.vocab())
	for _, a := range doc.AddedTokens {
		if _, ok := t.model.vocab()[a.Content]; !ok {
			t.size++
		}
		t.ids[a.Content] = a.ID
	}
	return t, nil
}

// New builds a tokenizer from its parts, each the JSON object tokenizer.json
// has for it (nil for none): for tokenizers that come without a
// tokenizer.json, such as a BERT vocab.txt.
func New(added []AddedToken, normalizer, preTokenizer, model, postProcessor any) (*Tokenizer, error) {
	doc := map[string]any{"added_tokens": added, "normalizer": normalizer, "pre_tokenizer": preTokenizer,
		"model": model, "post_processor": postProcessor}
	data, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	return FromJSON(data)
}

// VocabSize counts the vocabulary with the added tokens.
func (t *Tokenizer) VocabSize() int { return t.size }

// TokenToID returns the id of a token of the vocabulary or an added token.
func (t *Tokenizer) TokenToID(tok string) (int32, bool) {
	id, ok := t.ids[tok]
	return id, ok
}

// NumSpecial is the number of special tokens the post-processor adds.
func (t *Tokenizer) NumSpecial() int { return t.post.added() }

// Encode tokenizes text, adds the post-processor's special tokens when
// special is true, and truncates to maxLen tokens counting them (maxLen ≤ 0:
// no truncation), cutting the text's tokens at the end as the library's
// longest-first truncation does for one sequence.
func (t *Tokenizer) Encode(text string, special bool, maxLen int) (Encoding, error) {
	ids, types, trunc, err := t.AppendEncoding(nil, nil, text, special, maxLen)
	return Encoding{IDs: ids, TypeIDs: types, Truncated: trunc}, err
}

// AppendEncoding is Encode appending the ids and type ids to the given
// slices, for callers that reuse buffers; it also says whether the text
// was truncated.
func (t *Tokenizer) AppendEncoding(ids, typeIDs []int32, text string, special bool, maxLen int) ([]int32, []int32, bool, error) {
	p := t.post
	if !special {
		p = &post{}
	}
	if maxLen > 0 && maxLen < p.added() {
		return ids, typeIDs, false, fmt.Errorf("max length %d leaves no room for the %d special tokens", maxLen, p.added())
	}
	ids = append(ids, p.before...)
	n1 := len(ids)
	ids, err := t.tokens(ids, text)
	if err != nil {
		return ids, typeIDs, false, err
	}
	truncated := false
	if maxLen > 0 {
		if room := maxLen - p.added(); len(ids)-n1 > room {
			ids, truncated = ids[:n1+room], true
		}
	}
	n2 := len(ids)
	ids = append(ids, p.after...)
	typeIDs = append(typeIDs, p.typeBefore...)
	for range n2 - n1 {
		typeIDs = append(typeIDs, p.typeSeq)
	}
	typeIDs = append(typeIDs, p.typeAfter...)
	return ids, typeIDs, truncated, nil
}

// scratch holds the buffers of one tokens call, reused through a pool.
type scratch struct {
	spans, subs []span
	words       []string
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// tokens appends the ids of text without special tokens.
func (t *Tokenizer) tokens(out []int32, text string) ([]int32, error) {
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	var err error
	sc.spans = t.added.split(sc.spans[:0], text)
	for _, sp := range sc.spans {
		if sp.id >= 0 {
			out = append(out, sp.id)
			continue
		}
		s := sp.text
		if t.norm != nil {
			s = t.norm(s)
		}
		sc.subs = sc.subs[:0]
		if len(t.added.norm) > 0 {
			sc.subs = matchTokens(sc.subs, s, t.added.norm, &t.added.normFirst, sp.start)
		} else {
			sc.subs = append(sc.subs, span{text: s, id: -1, start: sp.start})
		}
		for _, sub := range sc.subs {
			if sub.id >= 0 {
				out = append(out, sub.id)
				continue
			}
			if sub.text == "" { // the library drops empty pieces before pre-tokenizing
				continue
			}
			sc.words = sc.words[:0]
			if t.pre != nil {
				first := sub.start == 0
				if first && t.firstMatters && t.norm != nil {
					// The text's first character must survive normalization for the
					// piece to start at original offset 0.
					r, n := firstRune(sp.text)
					first = n > 0 && t.norm(string(r)) != ""
				}
				sc.words = t.pre(sc.words, sub.text, first)
			} else if sub.text != "" {
				sc.words = append(sc.words, sub.text)
			}
			for _, w := range sc.words {
				if out, err = t.word(out, w); err != nil {
					return out, err
				}
			}
		}
	}
	return out, nil
}

// word appends the model's ids for one word, through the cache.
func (t *Tokenizer) word(out []int32, w string) ([]int32, error) {
	if len(w) > maxCachedWord {
		return t.model.tokenize(out, w)
	}
	sh := t.cache.shard(w)
	sh.mu.RLock()
	ids, ok := sh.m[w]
	sh.mu.RUnlock()
	if ok {
		return append(out, ids...), nil
	}
	n0 := len(out)
	out, err := t.model.tokenize(out, w)
	if err != nil {
		return out, err
	}
	ids = append([]int32(nil), out[n0:]...)
	sh.mu.Lock()
	if sh.m == nil {
		sh.m = map[string][]int32{}
	}
	if len(sh.m) < maxCachedWords/len(t.cache.shards) {
		sh.m[strings.Clone(w)] = ids
	}
	sh.mu.Unlock()
	return out, nil
}

// wordCache is a map sharded by hash, so that goroutines tokenizing at
// once seldom wait for one another, and looked up without allocating.
type wordCache struct {
	seed   maphash.Seed
	shards [64]cacheShard
}

type cacheShard struct {
	mu sync.RWMutex
	m  map[string][]int32
	_  [40]byte // a shard per cache line
}

func (c *wordCache) shard(w string) *cacheShard {
	return &c.shards[maphash.String(c.seed, w)%uint64(len(c.shards))]
}

func (c *wordCache) clear() {
	for i := range c.shards {
		c.shards[i].mu.Lock()
		c.shards[i].m = nil
		c.shards[i].mu.Unlock()
	}
}

// maxCachedWords bounds the cache (about 20 MB; the library's BPE cache holds 10,000 words).
const maxCachedWords = 1 << 18

const maxCachedWord = 64

// AddedToken is one entry of tokenizer.json's "added_tokens".
type AddedToken struct {
	ID         int32  `json:"id"`
	Content    string `json:"content"`
	SingleWord bool   `json:"single_word"`
	LStrip     bool   `json:"lstrip"`
	RStrip     bool   `json:"rstrip"`
	Normalized bool   `json:"normalized"`
	Special    bool   `json:"special"`
}

type addedVocab struct {
	raw, norm []AddedToken // matched on the original text, on the normalized text
	rawFirst  firstBytes
	normFirst firstBytes
}

// firstBytes marks the bytes an added token can start with, so that
// matching skips every other position at once.
type firstBytes struct {
	set  [256]bool
	only int // the one first byte when all tokens share it, else -1
}

func newFirstBytes(toks []AddedToken) firstBytes {
	f := firstBytes{only: -1}
	n := 0
	for _, t := range toks {
		if c := t.Content[0]; !f.set[c] {
			f.set[c] = true
			f.only = int(c)
			n++
		}
	}
	if n != 1 {
		f.only = -1
	}
	return f
}

// next returns the first position ≥ i where a token may start, or len(s).
func (f *firstBytes) next(s string, i int) int {
	if f.only >= 0 {
		if j := strings.IndexByte(s[i:], byte(f.only)); j >= 0 {
			return i + j
		}
		return len(s)
	}
	for i < len(s) && !f.set[s[i]] {
		i++
	}
	return i
}

func newAddedVocab(tokens []AddedToken, n normalizer) *addedVocab {
	a := &addedVocab{}
	for _, t := range tokens {
		if t.Content == "" {
			continue
		}
		if t.Normalized {
			if n != nil {
				t.Content = n(t.Content)
			}
			a.norm = append(a.norm, t)
		} else {
			a.raw = append(a.raw, t)
		}
	}
	// Longest first: at one position the longest token wins.
	sort.SliceStable(a.raw, func(i, j int) bool { return len(a.raw[i].Content) > len(a.raw[j].Content) })
	sort.SliceStable(a.norm, func(i, j int) bool { return len(a.norm[i].Content) > len(a.norm[j].Content) })
	a.rawFirst, a.normFirst = newFirstBytes(a.raw), newFirstBytes(a.norm)
	return a
}

// span is a piece of the text: an added token (id ≥ 0) or text to tokenize.
type span struct {
	text  string
	id    int32
	start int
}

// split cuts text at added tokens: first those matched on the original
// text, then, in the normalized rest, those matched after normalization.
func (a *addedVocab) split(out []span, text string) []span {
	if len(a.raw) == 0 {
		return append(out, span{text: text, id: -1})
	}
	return matchTokens(out, text, a.raw, &a.rawFirst, 0)
}

// matchTokens splits s at the leftmost-longest matches of toks.
func matchTokens(out []span, s string, toks []AddedToken, first *firstBytes, base int) []span {
	n0 := len(out)
	prev := 0
	for i := first.next(s, 0); i < len(s); i = first.next(s, i) {
		var hit *AddedToken
		for k := range toks {
			if strings.HasPrefix(s[i:], toks[k].Content) {
				hit = &toks[k]
				break
			}
		}
		if hit == nil {
			i++
			continue
		}
		start, stop := i, i+len(hit.Content)
		if hit.SingleWord && ((start > 0 && endsWithWord(s[:start])) || (stop < len(s) && startsWithWord(s[stop:]))) {
			i++
			continue
		}
		if hit.LStrip {
			for start > prev {
				r, n := lastRune(s[:start])
				if !isWhitespace(r) {
					break
				}
				start -= n
			}
		}
		if hit.RStrip {
			for stop < len(s) {
				r, n := firstRune(s[stop:])
				if !isWhitespace(r) {
					break
				}
				stop += n
			}
		}
		if start > prev {
			out = append(out, span{text: s[prev:start], id: -1, start: base + prev})
		}
		out = append(out, span{id: hit.ID, start: base + start})
		prev, i = stop, stop
	}
	if prev < len(s) || len(out) == n0 {
		out = append(out, span{text: s[prev:], id: -1, start: base + prev})
	}
	return out
}

func firstRune(s string) (rune, int) { return utf8.DecodeRuneInString(s) }
func lastRune(s string) (rune, int)  { return utf8.DecodeLastRuneInString(s) }

func startsWithWord(s string) bool {
	r, _ := firstRune(s)
	return is(r, cWord)
}

func endsWithWord(s string) bool {
	r, _ := lastRune(s)
	return is(r, cWord)
}

// ResetCache empties the word cache.
func (t *Tokenizer) ResetCache() { t.cache.clear() }
