package hftok

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"
	"unsafe"
)

// Token is one token of EncodeOffsets: its id and where it came from in
// the original text.
type Token struct {
	ID int32
	// Start and End are byte offsets into the original text, End
	// exclusive; 0, 0 for the special tokens the post-processor adds.
	Start, End int
	// Special marks the post-processor's tokens and added tokens marked
	// special ([CLS], [SEP], [MASK] …).
	Special bool
}

// offsetInfo is what EncodeOffsets needs beyond the ids: built once, on
// first use.
type offsetInfo struct {
	byID    []string // token text by id
	special []bool   // added token marked special, by id
	// ascii[b] is the normalizer's output for the one-byte text b, to
	// align ASCII texts without calling it per character.
	ascii [128]string
	// byteLevel: words and tokens are spelt in GPT-2's byte-level
	// characters; metaspace: '▁' (or the replacement) stands for a space.
	byteLevel bool
	metaspace rune
	// trim, trimPrefixSpace: the post-processor trims spaces off
	// byte-level offsets (RobertaProcessing's or ByteLevel's
	// trim_offsets), keeping a first token's added prefix space.
	trim, trimPrefixSpace bool
}

// byteOfChar maps GPT-2's byte-level characters back to their bytes
// (built on first use: byteChars is filled by an init function).
var (
	byteOfChar     map[rune]byte
	byteOfCharOnce sync.Once
)

func byteOf(r rune) (byte, bool) {
	byteOfCharOnce.Do(func() {
		byteOfChar = make(map[rune]byte, 256)
		for b := range 256 {
			c, _ := utf8.DecodeRuneInString(byteChars[b])
			byteOfChar[c] = byte(b)
		}
	})
	b, ok := byteOfChar[r]
	return b, ok
}

func (t *Tokenizer) offsetData() *offsetInfo {
	t.offOnce.Do(func() {
		o := &offsetInfo{byID: make([]string, 0, t.size)}
		for tok, id := range t.ids {
			if int(id) >= len(o.byID) {
				o.byID = append(o.byID, make([]string, int(id)+1-len(o.byID))...)
			}
			o.byID[id] = tok
		}
		o.special = make([]bool, len(o.byID))
		for _, a := range t.addedTokens {
			if a.Special && int(a.ID) < len(o.special) {
				o.special[a.ID] = true
			}
		}
		if t.norm != nil {
			for b := range 128 {
				o.ascii[b] = t.norm(string(rune(b)))
			}
		}
		o.byteLevel = strings.Contains(string(t.preJSON), `"ByteLevel"`)
		var ms struct {
			Type          string            `json:"type"`
			Replacement   string            `json:"replacement"`
			PreTokenizers []json.RawMessage `json:"pretokenizers"`
		}
		pres := []json.RawMessage{t.preJSON}
		for len(pres) > 0 {
			raw := pres[0]
			pres = pres[1:]
			ms.PreTokenizers = nil
			if json.Unmarshal(raw, &ms) != nil {
				continue
			}
			pres = append(pres, ms.PreTokenizers...)
			if ms.Type == "Metaspace" {
				o.metaspace = '▁'
				if ms.Replacement != "" {
					o.metaspace, _ = utf8.DecodeRuneInString(ms.Replacement)
				}
			}
		}
		var pp struct {
			Type           string            `json:"type"`
			TrimOffsets    *bool             `json:"trim_offsets"`
			AddPrefixSpace *bool             `json:"add_prefix_space"`
			Processors     []json.RawMessage `json:"processors"`
		}
		posts := []json.RawMessage{t.postJSON}
		for len(posts) > 0 {
			raw := posts[0]
			posts = posts[1:]
			pp.Processors, pp.TrimOffsets, pp.AddPrefixSpace = nil, nil, nil
			if json.Unmarshal(raw, &pp) != nil {
				continue
			}
			posts = append(posts, pp.Processors...)
			if (pp.Type == "RobertaProcessing" || pp.Type == "ByteLevel") && boolOr(pp.TrimOffsets, true) {
				o.trim, o.trimPrefixSpace = true, boolOr(pp.AddPrefixSpace, true)
			}
		}
		t.off = o
	})
	return t.off
}

// IDToToken returns the vocabulary's spelling of id ("##ark", "Ġthe"), or
// "" for an id it does not have.
func (t *Tokenizer) IDToToken(id int32) string {
	o := t.offsetData()
	if id < 0 || int(id) >= len(o.byID) {
		return ""
	}
	return o.byID[id]
}

// EncodeOffsets is Encode with each token's offsets in the original text,
// as the library's Encoding.offsets (in bytes rather than characters),
// appended to dst; it also says whether the text was truncated.
//
// Offsets follow the text through the normalizer: a normalized character
// points back at the original character it came from, which is exact when
// the normalizer works character by character (BertNormalizer, Lowercase,
// StripAccents, NFD/NFKD, Replace of single characters …); for one that
// does not (NFC composing, Strip, Precompiled), normalized characters are
// spread evenly over the original ones. Pre-tokenizers that spell words
// differently (ByteLevel, Metaspace) are followed back to the bytes they
// spell; a prefix space they add takes no room. RoBERTa's trim_offsets is
// applied.
func (t *Tokenizer) EncodeOffsets(dst []Token, text string, special bool, maxLen int) ([]Token, bool, error) {
	p := t.post
	if !special {
		p = &post{}
	}
	if maxLen > 0 && maxLen < p.added() {
		return dst, false, fmt.Errorf("max length %d leaves no room for the %d special tokens", maxLen, p.added())
	}
	o := t.offsetData()
	for _, id := range p.before {
		dst = append(dst, Token{ID: id, Special: true})
	}
	n1 := len(dst)
	dst, err := t.tokenOffsets(dst, text, o)
	if err != nil {
		return dst, false, err
	}
	if o.trim && o.byteLevel {
		for i := n1; i < len(dst); i++ {
			trimToken(&dst[i], o.byID[dst[i].ID], i == n1, o.trimPrefixSpace)
		}
	}
	truncated := false
	if maxLen > 0 {
		if room := maxLen - p.added(); len(dst)-n1 > room {
			dst, truncated = dst[:n1+room], true
		}
	}
	for _, id := range p.after {
		dst = append(dst, Token{ID: id, Special: true})
	}
	return dst, truncated, nil
}

// trimToken is the library's byte-level process_offsets: leading and
// trailing spaces of the token leave its offsets, except the prefix space
// of a first token when one was added.
func trimToken(tok *Token, s string, first, prefixSpace bool) {
	space := func(r rune) bool { return r == 'Ġ' || isWhitespace(r) }
	lead, trail := 0, 0
	for _, r := range s {
		if !space(r) {
			break
		}
		lead++
	}
	for i := len(s); i > 0; {
		r, n := utf8.DecodeLastRuneInString(s[:i])
		if !space(r) {
			break
		}
		trail++
		i -= n
	}
	if lead > 0 {
		if (first || tok.Start == 0) && prefixSpace && lead == 1 {
			lead = 0
		}
		tok.Start = min(tok.Start+lead, tok.End)
	}
	if trail > 0 && tok.End >= trail {
		tok.End = max(tok.End-trail, tok.Start)
	}
}

// tokenOffsets appends the tokens of text without special tokens, as
// tokens does, with their offsets.
func (t *Tokenizer) tokenOffsets(out []Token, text string, o *offsetInfo) ([]Token, error) {
	var (
		spans, subs []span
		words       []string
		ids         []int32
		wpos        []int
		err         error
	)
	spans = t.added.split(spans, text)
	for _, sp := range spans {
		if sp.id >= 0 {
			out = append(out, Token{ID: sp.id, Start: sp.start, End: sp.start + len(o.byID[sp.id]), Special: o.special[sp.id]})
			continue
		}
		s := sp.text
		al := aligner{base: sp.start}
		if t.norm != nil {
			s = t.norm(s)
			al.align(sp.text, s, o, t.norm)
		}
		subs = subs[:0]
		if len(t.added.norm) > 0 {
			subs = matchTokens(subs, s, t.added.norm, &t.added.normFirst, 0)
		} else {
			subs = append(subs, span{text: s, id: -1})
		}
		for _, sub := range subs {
			if sub.id >= 0 {
				a, b := al.span(sub.start, sub.start+len(o.byID[sub.id]))
				out = append(out, Token{ID: sub.id, Start: a, End: b, Special: o.special[sub.id]})
				continue
			}
			if sub.text == "" {
				continue
			}
			words = words[:0]
			if t.pre != nil {
				first := sub.start == 0
				if first && t.firstMatters && t.norm != nil {
					r, n := firstRune(sp.text)
					first = n > 0 && t.norm(string(r)) != ""
				}
				words = t.pre(words, sub.text, first)
			} else {
				words = append(words, sub.text)
			}
			cur := 0 // in sub.text: where the next word can start
			for _, w := range words {
				wpos, cur = wordPositions(wpos[:0], w, sub.text, cur, o)
				ids = ids[:0]
				if ids, err = t.word(ids, w); err != nil {
					return out, err
				}
				at := 0 // in w
				for k, id := range ids {
					n := t.tokenBytes(o.byID[id], id, k, len(ids), w[at:])
					i, j := wpos[at], wpos[at+n]
					if i == j && n > 0 && i < len(sub.text) {
						// Only an added prefix space: the library aligns it
						// with the character it was put before.
						j += len(firstRuneString(sub.text[i:]))
					}
					a, b := al.span(sub.start+i, sub.start+j)
					out = append(out, Token{ID: id, Start: a, End: b, Special: o.special[id]})
					at += n
				}
			}
		}
	}
	return out, nil
}

// wordPositions returns, for each byte of word w (and its end), its
// position in s, the pre-tokenized text, from cur on. A word that is a
// slice of s is found where it lies; one spelt differently (byte-level,
// metaspace) is followed character by character: a character that spells
// the next byte(s) of s takes them, one that does not (an added prefix
// space) takes no room.
func wordPositions(pos []int, w, s string, cur int, o *offsetInfo) ([]int, int) {
	if p, q := uintptr(unsafe.Pointer(unsafe.StringData(w))), uintptr(unsafe.Pointer(unsafe.StringData(s))); len(w) > 0 && p >= q && p+uintptr(len(w)) <= q+uintptr(len(s)) {
		off := int(p - q)
		for i := range len(w) + 1 {
			pos = append(pos, off+i)
		}
		return pos, off + len(w)
	}
	var buf [4]byte
	for i := 0; i < len(w); {
		r, n := utf8.DecodeRuneInString(w[i:])
		src := w[i : i+n]
		if o.byteLevel {
			if b, ok := byteOf(r); ok {
				buf[0] = b
				src = string(buf[:1])
			}
		} else if o.metaspace != 0 && r == o.metaspace {
			src = " "
		}
		start := cur
		if strings.HasPrefix(s[cur:], src) {
			cur += len(src)
		}
		for range n {
			pos = append(pos, start)
		}
		i += n
	}
	return append(pos, cur), cur
}

// tokenBytes returns how many bytes of the rest of a word the k-th of its
// n tokens, spelt tok, covers.
func (t *Tokenizer) tokenBytes(tok string, id int32, k, n int, rest string) int {
	size := len(tok)
	switch m := t.model.(type) {
	case *wordPiece:
		if id == m.unk && n == 1 {
			return len(rest)
		}
		if k > 0 {
			size -= len(m.prefix)
		}
	case *bpe:
		if k > 0 && m.prefix != "" && strings.HasPrefix(tok, m.prefix) {
			size -= len(m.prefix)
		}
		if k == n-1 && m.suffix != "" && strings.HasSuffix(tok, m.suffix) {
			size -= len(m.suffix)
		}
		if m.byteFallback && m.isByteToken(id) {
			size = 1
		} else if id == m.unk {
			size = len(firstRuneString(rest))
		}
	case *unigram:
		if m.byteFallback && len(tok) == 6 && strings.HasPrefix(tok, "<0x") {
			size = 1
		} else if id == m.unk {
			size = len(firstRuneString(rest))
		}
	}
	if k == n-1 || size > len(rest) {
		size = len(rest)
	}
	return max(size, 0)
}

func (m *bpe) isByteToken(id int32) bool {
	for _, b := range m.byteIDs {
		if b == id {
			return true
		}
	}
	return false
}

func firstRuneString(s string) string {
	_, n := utf8.DecodeRuneInString(s)
	return s[:n]
}

// aligner maps byte offsets of a normalized text back to the original
// text's: start[i] and end[i] are the original span of the character that
// gave normalized byte i (nil: normalization kept the text as it was).
type aligner struct {
	base       int
	start, end []int
}

// align computes the alignment of normalized text s with original text
// orig: character by character when normalizing each character alone gives
// s, else spread evenly.
func (a *aligner) align(orig, s string, o *offsetInfo, norm normalizer) {
	if orig == s {
		return
	}
	a.start, a.end = make([]int, 0, len(s)), make([]int, 0, len(s))
	got := 0 // bytes of s matched so far
	ok := true
	for i := 0; i < len(orig) && ok; {
		r, n := utf8.DecodeRuneInString(orig[i:])
		var piece string
		if r < 128 {
			piece = o.ascii[r]
		} else {
			piece = norm(orig[i : i+n])
		}
		if !strings.HasPrefix(s[got:], piece) {
			ok = false
			break
		}
		for range len(piece) {
			a.start, a.end = append(a.start, i), append(a.end, i+n)
		}
		got += len(piece)
		i += n
	}
	if ok && got == len(s) {
		return
	}
	// Spread evenly: normalized character k of m to original character
	// k·c/m of c.
	a.start, a.end = a.start[:0], a.end[:0]
	var origAt []int
	for i := range orig {
		origAt = append(origAt, i)
	}
	origAt = append(origAt, len(orig))
	c := len(origAt) - 1
	m := utf8.RuneCountInString(s)
	k := 0
	for i := 0; i < len(s); {
		_, n := utf8.DecodeRuneInString(s[i:])
		j := 0
		if m > 0 {
			j = min(k*c/m, max(c-1, 0))
		}
		st, en := origAt[j], origAt[min(j+1, c)]
		for range n {
			a.start, a.end = append(a.start, st), append(a.end, en)
		}
		k++
		i += n
	}
}

// span maps normalized [i, j) to original offsets (plus the base).
func (a *aligner) span(i, j int) (int, int) {
	if a.start == nil {
		return a.base + i, a.base + j
	}
	if len(a.start) == 0 {
		return a.base, a.base
	}
	if j <= i { // empty: a point
		if i >= len(a.start) {
			return a.base + a.end[len(a.end)-1], a.base + a.end[len(a.end)-1]
		}
		return a.base + a.start[i], a.base + a.start[i]
	}
	i = min(i, len(a.start)-1)
	j = min(j, len(a.end))
	return a.base + a.start[i], a.base + a.end[j-1]
}

// TypeIDs returns the post-processor's token type ids for one sequence:
// of the special tokens before it, of its tokens, of those after it.
func (t *Tokenizer) TypeIDs() (before []int32, seq int32, after []int32) {
	return t.post.typeBefore, t.post.typeSeq, t.post.typeAfter
}

// IsWordPiece says whether the model is WordPiece.
func (t *Tokenizer) IsWordPiece() bool {
	_, ok := t.model.(*wordPiece)
	return ok
}
