package hftok

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/dlclark/regexp2"
	"golang.org/x/text/unicode/norm"
)

// A normalizer rewrites a text. Offsets are not tracked: nerbench needs ids only.
type normalizer func(string) string

// isASCIIOnly reports whether s has only bytes < 0x80.
func isASCIIOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func parseNormalizer(raw json.RawMessage) (normalizer, error) {
	if isNull(raw) {
		return nil, nil
	}
	var h struct {
		Type               string            `json:"type"`
		CleanText          *bool             `json:"clean_text"`
		HandleChineseChars *bool             `json:"handle_chinese_chars"`
		StripAccents       *bool             `json:"strip_accents"`
		Lowercase          *bool             `json:"lowercase"`
		Normalizers        []json.RawMessage `json:"normalizers"`
		StripLeft          bool              `json:"strip_left"`
		StripRight         bool              `json:"strip_right"`
		Pattern            json.RawMessage   `json:"pattern"`
		Content            string            `json:"content"`
		Prepend            string            `json:"prepend"`
		Charsmap           []byte            `json:"precompiled_charsmap"`
	}
	if err := json.Unmarshal(raw, &h); err != nil {
		return nil, fmt.Errorf("normalizer: %w", err)
	}
	switch h.Type {
	case "BertNormalizer":
		lower := boolOr(h.Lowercase, true)
		return bertNormalizer(boolOr(h.CleanText, true), boolOr(h.HandleChineseChars, true),
			boolOr(h.StripAccents, lower), lower), nil
	case "Sequence":
		var ns []normalizer
		for _, r := range h.Normalizers {
			n, err := parseNormalizer(r)
			if err != nil {
				return nil, err
			}
			if n != nil {
				ns = append(ns, n)
			}
		}
		return func(s string) string {
			for _, n := range ns {
				s = n(s)
			}
			return s
		}, nil
	case "Lowercase":
		return lowercase, nil
	case "StripAccents":
		return stripMarks, nil
	case "NFD":
		return nfd, nil
	case "NFKD":
		return nfkd, nil
	case "NFC":
		return nfc, nil
	case "NFKC":
		return nfkc, nil
	case "Strip":
		return func(s string) string {
			if h.StripLeft {
				s = strings.TrimLeftFunc(s, isWhitespace)
			}
			if h.StripRight {
				s = strings.TrimRightFunc(s, isWhitespace)
			}
			return s
		}, nil
	case "Prepend":
		return func(s string) string {
			if s == "" {
				return s
			}
			return h.Prepend + s
		}, nil
	case "Replace":
		m, err := parsePattern(h.Pattern)
		if err != nil {
			return nil, fmt.Errorf("normalizer Replace: %w", err)
		}
		return func(s string) string { return m.replaceAll(s, h.Content) }, nil
	case "Nmt":
		return nmt, nil
	case "Precompiled":
		if len(h.Charsmap) == 0 { // an empty charsmap normalizes nothing
			return nil, nil
		}
		p, err := newPrecompiled(h.Charsmap)
		if err != nil {
			return nil, fmt.Errorf("normalizer Precompiled: %w", err)
		}
		return p.normalize, nil
	}
	return nil, fmt.Errorf("unsupported normalizer %q", h.Type)
}

func boolOr(b *bool, def bool) bool {
	if b == nil {
		return def
	}
	return *b
}

func isWhitespace(r rune) bool { return is(r, cSpace) }

// bertNormalizer is BertNormalizer: clean_text drops control characters and
// turns every whitespace into a space, handle_chinese_chars puts spaces around
// CJK ideographs, strip_accents decomposes (NFD) and drops marks, lowercase
// lower-cases.
func bertNormalizer(clean, chinese, strip, lower bool) normalizer {
	return func(s string) string {
		if isASCIIOnly(s) { // fast path: only clean_text and lowercase apply
			ok := true
			for i := 0; i < len(s); i++ {
				c := s[i]
				if c < 0x20 || c == 0x7f || (lower && c >= 'A' && c <= 'Z') {
					ok = false
					break
				}
			}
			if ok {
				return s
			}
		}
		var b strings.Builder
		b.Grow(len(s) + 8)
		for _, r := range s {
			k := class(r)
			if clean {
				if r == 0 || r == utf8.RuneError || k&cControl != 0 {
					continue
				}
				if k&cBertSpace != 0 {
					b.WriteByte(' ')
					continue
				}
			}
			if chinese && k&cCJK != 0 {
				b.WriteByte(' ')
				b.WriteRune(r)
				b.WriteByte(' ')
				continue
			}
			b.WriteRune(r)
		}
		out := b.String()
		if strip {
			out = stripNonSpacing(nfd(out))
		}
		if lower {
			out = lowercase(out)
		}
		return out
	}
}

// lowercase maps every character as Rust's char::to_lowercase does.
func lowercase(s string) string {
	if isASCIIOnly(s) {
		for i := 0; i < len(s); i++ {
			if c := s[i]; c >= 'A' && c <= 'Z' {
				return strings.ToLower(s)
			}
		}
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r < 0x80 {
			if r >= 'A' && r <= 'Z' {
				r += 'a' - 'A'
			}
			b.WriteByte(byte(r))
		} else if l, ok := lowerFull[r]; ok {
			b.WriteString(l)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// stripMarks drops combining marks (the StripAccents normalizer).
func stripMarks(s string) string {
	if isASCIIOnly(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if !is(r, cMark) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func nfd(s string) string  { return normForm(s, norm.NFD) }
func nfkd(s string) string { return normForm(s, norm.NFKD) }
func nfc(s string) string  { return normForm(s, norm.NFC) }
func nfkc(s string) string { return normForm(s, norm.NFKC) }

// normForm normalizes s as the library does. Its Unicode tables are older
// than x/text's: characters they lack (cNormKeep) stay as they are and
// split the text, as starters that never compose or decompose would.
func normForm(s string, f norm.Form) string {
	if isASCIIOnly(s) {
		return s
	}
	var b strings.Builder
	start := 0
	for i, r := range s {
		if r >= 0x300 && is(r, cNormKeep) {
			if b.Len() == 0 {
				b.Grow(len(s) + 8)
			}
			b.WriteString(f.String(s[start:i]))
			b.WriteRune(r)
			start = i + utf8.RuneLen(r)
		}
	}
	if start == 0 {
		return f.String(s)
	}
	b.WriteString(f.String(s[start:]))
	return b.String()
}

// nmt is the Nmt normalizer (SentencePiece's nmt rules without NFKC).
func nmt(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r >= 1 && r <= 8, r == 0xB, r >= 0xE && r <= 0x1F, r == 0x7F, r == 0x8F, r == 0x9F:
			continue
		case r == 9, r == 0xA, r == 0xC, r == 0xD, r == 0x1680, r >= 0x200B && r <= 0x200F,
			r == 0x2028, r == 0x2029, r == 0x2581, r == 0xFEFF, r == 0xFFFD:
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// pattern is a Replace or Split pattern: a literal string or a regular
// expression. Go's regexp (RE2) runs those it can compile; patterns with
// look-around, such as the GPT-4 and Llama 3 split patterns' \s+(?!\S),
// run on regexp2, a backtracking engine like the library's Oniguruma.
type pattern struct {
	lit string
	re  *regexp.Regexp
	bt  *regexp2.Regexp
}

func parsePattern(raw json.RawMessage) (*pattern, error) {
	var p struct {
		String *string `json:"String"`
		Regex  *string `json:"Regex"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, err
	}
	switch {
	case p.String != nil:
		return &pattern{lit: *p.String}, nil
	case p.Regex != nil:
		if re, err := regexp.Compile(*p.Regex); err == nil {
			return &pattern{re: re}, nil
		}
		bt, err := regexp2.Compile(*p.Regex, regexp2.None)
		if err != nil {
			return nil, fmt.Errorf("regex %q is not supported: %w", *p.Regex, err)
		}
		return &pattern{bt: bt}, nil
	}
	return nil, errors.New("pattern is neither String nor Regex")
}

// find returns the [start, end) byte spans of the pattern's matches in s.
func (p *pattern) find(s string) [][2]int {
	var out [][2]int
	switch {
	case p.re != nil:
		for _, m := range p.re.FindAllStringIndex(s, -1) {
			out = append(out, [2]int{m[0], m[1]})
		}
	case p.bt != nil:
		// regexp2 works on runes: map rune indexes back to bytes.
		runes := make([]rune, 0, len(s))
		offs := make([]int, 0, len(s)+1)
		for i := 0; i < len(s); {
			r, n := utf8.DecodeRuneInString(s[i:])
			runes, offs = append(runes, r), append(offs, i)
			i += n
		}
		offs = append(offs, len(s))
		m, err := p.bt.FindRunesMatch(runes)
		for err == nil && m != nil {
			out = append(out, [2]int{offs[m.Index], offs[m.Index+m.Length]})
			m, err = p.bt.FindNextMatch(m)
		}
	case p.lit != "":
		for i := 0; ; {
			j := strings.Index(s[i:], p.lit)
			if j < 0 {
				break
			}
			out = append(out, [2]int{i + j, i + j + len(p.lit)})
			i += j + len(p.lit)
		}
	}
	return out
}

func (p *pattern) replaceAll(s, with string) string {
	if p.re != nil {
		return p.re.ReplaceAllLiteralString(s, with)
	}
	if p.lit != "" {
		return strings.ReplaceAll(s, p.lit, with)
	}
	spans := p.find(s)
	if len(spans) == 0 {
		return s
	}
	var b strings.Builder
	prev := 0
	for _, sp := range spans {
		b.WriteString(s[prev:sp[0]])
		b.WriteString(with)
		prev = sp[1]
	}
	b.WriteString(s[prev:])
	return b.String()
}

// stripNonSpacing drops non-spacing marks (Mn), as BertNormalizer's
// strip_accents does (StripAccents drops every combining mark).
func stripNonSpacing(s string) string {
	if isASCIIOnly(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if !is(r, cNonSpacingMark) {
			b.WriteRune(r)
		}
	}
	return b.String()
}
