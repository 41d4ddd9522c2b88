package hftok

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// A preTokenizer splits one piece of normalized text into words, appending
// them to out. first says whether the piece starts the original text (for
// Metaspace's prepend_scheme "first").
type preTokenizer func(out []string, s string, first bool) []string

func parsePreTokenizer(raw json.RawMessage) (preTokenizer, error) {
	if isNull(raw) {
		return nil, nil
	}
	var h struct {
		Type             string            `json:"type"`
		PreTokenizers    []json.RawMessage `json:"pretokenizers"`
		AddPrefixSpace   *bool             `json:"add_prefix_space"`
		UseRegex         *bool             `json:"use_regex"`
		Replacement      string            `json:"replacement"`
		PrependScheme    string            `json:"prepend_scheme"`
		Split            *bool             `json:"split"`
		Pattern          json.RawMessage   `json:"pattern"`
		Behavior         string            `json:"behavior"`
		Invert           bool              `json:"invert"`
		IndividualDigits bool              `json:"individual_digits"`
		Delimiter        string            `json:"delimiter"`
	}
	if err := json.Unmarshal(raw, &h); err != nil {
		return nil, fmt.Errorf("pre_tokenizer: %w", err)
	}
	switch h.Type {
	case "BertPreTokenizer":
		return bertPre, nil
	case "Whitespace":
		return whitespacePre, nil
	case "WhitespaceSplit":
		return func(out []string, s string, _ bool) []string {
			return splitFunc(out, s, func(r rune) bool { return is(r, cSpace) }, removed)
		}, nil
	case "ByteLevel":
		return byteLevelPre(boolOr(h.AddPrefixSpace, true), boolOr(h.UseRegex, true)), nil
	case "Metaspace":
		rep, _ := utf8.DecodeRuneInString(h.Replacement)
		if h.Replacement == "" {
			rep = '▁'
		}
		scheme := h.PrependScheme
		if scheme == "" { // older files: add_prefix_space
			scheme = "never"
			if boolOr(h.AddPrefixSpace, true) {
				scheme = "always"
			}
		}
		return metaspacePre(rep, scheme, boolOr(h.Split, true)), nil
	case "Sequence":
		var ps []preTokenizer
		for _, r := range h.PreTokenizers {
			p, err := parsePreTokenizer(r)
			if err != nil {
				return nil, err
			}
			if p != nil {
				ps = append(ps, p)
			}
		}
		return func(out []string, s string, first bool) []string {
			pieces := []string{s}
			for _, p := range ps {
				var next []string
				for i, piece := range pieces {
					next = p(next, piece, first && i == 0)
				}
				// Only a piece that still starts where the text did is first
				// (Metaspace's prepend_scheme "first" goes by original offsets).
				first = first && len(next) > 0 && len(pieces) > 0 && unsafe.StringData(next[0]) == unsafe.StringData(pieces[0])
				pieces = next
			}
			return append(out, pieces...)
		}, nil
	case "Punctuation":
		b, err := parseBehavior(h.Behavior, isolated)
		if err != nil {
			return nil, err
		}
		return func(out []string, s string, _ bool) []string {
			return splitFunc(out, s, func(r rune) bool { return is(r, cPunct) }, b)
		}, nil
	case "Digits":
		b := contiguous
		if h.IndividualDigits {
			b = isolated
		}
		return func(out []string, s string, _ bool) []string {
			return splitFunc(out, s, func(r rune) bool { return is(r, cDigit) }, b)
		}, nil
	case "CharDelimiterSplit":
		d, _ := utf8.DecodeRuneInString(h.Delimiter)
		return func(out []string, s string, _ bool) []string {
			return splitFunc(out, s, func(r rune) bool { return r == d }, removed)
		}, nil
	case "Split":
		p, err := parsePattern(h.Pattern)
		if err != nil {
			return nil, fmt.Errorf("pre-tokenizer Split: %w", err)
		}
		b, err := parseBehavior(h.Behavior, removed)
		if err != nil {
			return nil, err
		}
		return func(out []string, s string, _ bool) []string {
			spans := p.find(s)
			if h.Invert {
				spans = invertSpans(spans, len(s))
			}
			return splitSpans(out, s, spans, b)
		}, nil
	}
	return nil, fmt.Errorf("unsupported pre_tokenizer %q", h.Type)
}

// behavior says what a split does with the delimiters it matched.
type behavior int

const (
	removed behavior = iota
	isolated
	mergedWithPrevious
	mergedWithNext
	contiguous
)

func parseBehavior(s string, def behavior) (behavior, error) {
	switch s {
	case "":
		return def, nil
	case "Removed":
		return removed, nil
	case "Isolated":
		return isolated, nil
	case "MergedWithPrevious":
		return mergedWithPrevious, nil
	case "MergedWithNext":
		return mergedWithNext, nil
	case "Contiguous":
		return contiguous, nil
	}
	return 0, fmt.Errorf("unknown split behavior %q", s)
}

// splitFunc splits s on every character for which match is true.
func splitFunc(out []string, s string, match func(rune) bool, b behavior) []string {
	var spans [][2]int
	for i, r := range s {
		if match(r) {
			spans = append(spans, [2]int{i, i + utf8.RuneLen(r)})
		}
	}
	if r := utf8.RuneError; strings.ContainsRune(s, r) { // invalid UTF-8 counts one byte
		spans = spans[:0]
		for i := 0; i < len(s); {
			r, n := utf8.DecodeRuneInString(s[i:])
			if match(r) {
				spans = append(spans, [2]int{i, i + n})
			}
			i += n
		}
	}
	return splitSpans(out, s, spans, b)
}

// splitSpans splits s at the delimiter spans (sorted, not overlapping), as
// NormalizedString::split does; empty pieces are dropped.
func splitSpans(out []string, s string, spans [][2]int, b behavior) []string {
	if len(spans) == 0 {
		if s != "" {
			out = append(out, s)
		}
		return out
	}
	if b == contiguous { // merge adjacent delimiters
		merged := spans[:1:1]
		for _, sp := range spans[1:] {
			if last := &merged[len(merged)-1]; last[1] == sp[0] {
				last[1] = sp[1]
			} else {
				merged = append(merged, sp)
			}
		}
		spans, b = merged, isolated
	}
	add := func(from, to int) {
		if to > from {
			out = append(out, s[from:to])
		}
	}
	prev := 0
	switch b {
	case removed, isolated:
		for _, sp := range spans {
			add(prev, sp[0])
			if b == isolated {
				add(sp[0], sp[1])
			}
			prev = sp[1]
		}
		add(prev, len(s))
	case mergedWithPrevious:
		for _, sp := range spans {
			add(prev, sp[1])
			prev = sp[1]
		}
		add(prev, len(s))
	case mergedWithNext:
		for _, sp := range spans {
			add(prev, sp[0])
			prev = sp[0]
		}
		add(prev, len(s))
	}
	return out
}

func invertSpans(spans [][2]int, n int) [][2]int {
	var out [][2]int
	prev := 0
	for _, sp := range spans {
		if sp[0] > prev {
			out = append(out, [2]int{prev, sp[0]})
		}
		prev = sp[1]
	}
	if prev < n {
		out = append(out, [2]int{prev, n})
	}
	return out
}

// bertPre splits on whitespace and isolates punctuation.
func bertPre(out []string, s string, _ bool) []string {
	start := -1
	for i, r := range s {
		var k uint16
		if r < 0x80 {
			k = bmpClass[r]
		} else {
			k = class(r)
		}
		switch {
		case k&cSpace != 0:
			if start >= 0 {
				out = append(out, s[start:i])
				start = -1
			}
		case k&cPunct != 0:
			if start >= 0 {
				out = append(out, s[start:i])
				start = -1
			}
			out = append(out, s[i:i+utf8.RuneLen(r)])
		default:
			if start < 0 {
				start = i
			}
		}
	}
	if start >= 0 {
		out = append(out, s[start:])
	}
	return out
}

// whitespacePre is the Whitespace pre-tokenizer: \w+|[^\w\s]+.
func whitespacePre(out []string, s string, _ bool) []string {
	start, kind := -1, 0 // kind 1: word, 2: other
	for i, r := range s {
		k := class(r)
		cur := 2
		if k&cWord != 0 {
			cur = 1
		} else if k&cWordSpace != 0 {
			cur = 0
		}
		if cur != kind {
			if start >= 0 {
				out = append(out, s[start:i])
			}
			start, kind = -1, cur
			if cur != 0 {
				start = i
			}
		}
	}
	if start >= 0 {
		out = append(out, s[start:])
	}
	return out
}

// byteChars maps every byte to the printable character GPT-2's byte-level
// encoding uses for it.
var byteChars [256]string

func init() {
	n := 0
	for b := 0; b < 256; b++ {
		if (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF) {
			byteChars[b] = string(rune(b))
		} else {
			byteChars[b] = string(rune(256 + n))
			n++
		}
	}
}

// byteLevelEncode maps s's bytes to byte-level characters.
func byteLevelEncode(s string) string {
	var b strings.Builder
	b.Grow(len(s) * 2)
	for i := 0; i < len(s); i++ {
		b.WriteString(byteChars[s[i]])
	}
	return b.String()
}

func byteLevelPre(addPrefixSpace, useRegex bool) preTokenizer {
	return func(out []string, s string, _ bool) []string {
		if addPrefixSpace && !strings.HasPrefix(s, " ") {
			s = " " + s
		}
		if s == "" {
			return out
		}
		enc := byteLevelEncode(s) // one string; the pieces are slices of it
		if !useRegex {
			return append(out, enc)
		}
		e := 0
		for i := 0; i < len(s); {
			n := gpt2Match(s, i)
			start := e
			for _, c := range []byte(s[i : i+n]) {
				e += len(byteChars[c])
			}
			out = append(out, enc[start:e])
			i += n
		}
		return out
	}
}

// runeClass decodes the rune at s[i:] and returns it, its size and classes.
func runeClass(s string, i int) (rune, int, uint16) {
	c := s[i]
	if c < 0x80 {
		return rune(c), 1, bmpClass[c]
	}
	r, n := utf8.DecodeRuneInString(s[i:])
	return r, n, class(r)
}

const gptL, gptN, gptS = cLetter, cNumber, cRegexSpace

var contractions = []string{"s", "t", "re", "ve", "m", "ll", "d"}

// gpt2Match returns the length of the match at s[i:] of GPT-2's pattern
//
//	's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//
// which matches at every position, so the pieces cover s.
func gpt2Match(s string, i int) int {
	if s[i] == '\'' {
		for _, c := range contractions {
			if strings.HasPrefix(s[i+1:], c) {
				return 1 + len(c)
			}
		}
	}
	j := i
	if s[j] == ' ' && j+1 < len(s) {
		if _, _, k := runeClass(s, j+1); k&gptS == 0 {
			j++
		}
	}
	_, n, k := runeClass(s, j)
	var want func(uint16) bool
	switch {
	case k&gptL != 0:
		want = func(k uint16) bool { return k&gptL != 0 }
	case k&gptN != 0:
		want = func(k uint16) bool { return k&gptN != 0 }
	case k&gptS == 0:
		want = func(k uint16) bool { return k&(gptL|gptN|gptS) == 0 }
	}
	if want != nil {
		j += n
		for j < len(s) {
			_, n, k := runeClass(s, j)
			if !want(k) {
				break
			}
			j += n
		}
		return j - i
	}
	// Whitespace: \s+(?!\S) leaves the last space to the word after it.
	j = i
	last := i
	for j < len(s) {
		_, n, k := runeClass(s, j)
		if k&gptS == 0 {
			break
		}
		last = j
		j += n
	}
	if j == len(s) || last == i {
		return j - i
	}
	return last - i
}

func metaspacePre(rep rune, scheme string, split bool) preTokenizer {
	repStr := string(rep)
	return func(out []string, s string, first bool) []string {
		s = strings.ReplaceAll(s, " ", repStr)
		if (scheme == "always" || (scheme == "first" && first)) && !strings.HasPrefix(s, repStr) {
			s = repStr + s
		}
		if !split {
			if s != "" {
				out = append(out, s)
			}
			return out
		}
		return splitFunc(out, s, func(r rune) bool { return r == rep }, mergedWithNext)
	}
}
