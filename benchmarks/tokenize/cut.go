package tokenize

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Long texts are cut before tokenizing, so that a 10 MB text costs what its
// first max_length tokens cost, not seconds and gigabytes. The cut must
// not change those tokens; this is why it cannot.
//
// CutText(text, limit) returns text[:i] for the largest i ≤ limit such that
// text[i] is an ASCII space and text[i-1] is not white space. Take a
// tokenizer whose pipeline is made only of the stages that cutTokenizable
// accepts:
//
//  1. Normalizers that work on one character (or one grapheme) at a time,
//     or on the whole text's ends (lower-casing, NFC/NFD/NFKC/NFKD, accent
//     stripping, BERT's cleaning and CJK spacing, Strip, Prepend, a Replace
//     of a single character or of a run of spaces, Precompiled, which maps
//     graphemes). No grapheme spans a space (a space is never an
//     extending character), and the prefix ends in a non-space, so the
//     normalized prefix is a prefix of the normalized text, ending at the
//     same word end.
//  2. A pre-tokenizer that splits at U+0020 (BERT's, Whitespace,
//     WhitespaceSplit, ByteLevel with its regex, Metaspace with split, or
//     a Sequence holding one of them and otherwise only Punctuation,
//     Digits or those). Every pre-token of the prefix then lies within one
//     word that ends where the prefix ends: since the text goes on with a
//     space, the last word of the prefix is also a whole word of the text
//     (ByteLevel's regex puts a space into the next pre-token, " word", or
//     into a run of white space; Metaspace splits before "▁"). So the
//     prefix's pre-tokens are the text's first pre-tokens, unchanged.
//  3. A model (WordPiece, BPE, Unigram, WordLevel) that tokenizes each
//     pre-token on its own: the prefix's tokens are the text's first tokens.
//  4. Added tokens without a space in them: the text is split at added
//     tokens first, and one without a space cannot span the cut (lstrip and
//     rstrip only take white space next to the token, which does not change
//     the prefix's last non-space word either).
//
// Hence the tokens of the prefix are a prefix of the text's tokens. When the
// prefix alone has more than max_length tokens (its encoding is
// truncated), truncation keeps the same first tokens as for the whole text,
// and the post-processor adds the same special tokens around them: the ids
// are equal. When it is not truncated, Encode doubles the limit and tries
// again, up to the whole text: the cut never decides a result on its own.
// A tokenizer with any other stage is never cut.

// CutText returns the longest prefix of text of at most limit bytes that
// ends right before an ASCII space following a non-space character, or
// text itself when it is no longer than limit; "" when there is no such
// place.
func CutText(text string, limit int) string {
	if len(text) <= limit {
		return text
	}
	for i := limit; i > 0; i-- {
		if text[i] != ' ' {
			continue
		}
		r, _ := utf8.DecodeLastRuneInString(text[:i])
		if !unicode.IsSpace(r) {
			return text[:i]
		}
	}
	return ""
}

// cutStart is the first limit Encode tries, in bytes per token of maxLen.
const cutStart = 16

// cutTokenizable reports whether the tokenizer.json document doc is made
// only of the stages the proof above covers.
func cutTokenizable(doc map[string]json.RawMessage) bool {
	var added []struct {
		Content string `json:"content"`
	}
	if raw, ok := doc["added_tokens"]; ok && json.Unmarshal(raw, &added) != nil {
		return false
	}
	for _, a := range added {
		if strings.ContainsFunc(a.Content, unicode.IsSpace) {
			return false
		}
	}
	return safeNormalizer(doc["normalizer"]) && safePreTokenizer(doc["pre_tokenizer"], true)
}

type stage struct {
	Type         string            `json:"type"`
	Normalizers  []json.RawMessage `json:"normalizers"`
	Pretokenizer []json.RawMessage `json:"pretokenizers"`
	Pattern      struct {
		String *string `json:"String"`
		Regex  *string `json:"Regex"`
	} `json:"pattern"`
	UseRegex *bool `json:"use_regex"`
	Split    *bool `json:"split"`
}

func parseStage(raw json.RawMessage) (*stage, bool) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, true
	}
	var s stage
	if json.Unmarshal(raw, &s) != nil {
		return nil, false
	}
	return &s, true
}

func safeNormalizer(raw json.RawMessage) bool {
	s, ok := parseStage(raw)
	if !ok {
		return false
	}
	if s == nil {
		return true
	}
	switch s.Type {
	case "BertNormalizer", "Lowercase", "NFC", "NFD", "NFKC", "NFKD", "StripAccents", "Strip", "Prepend", "Precompiled":
		return true
	case "Replace":
		if p := s.Pattern.String; p != nil {
			return utf8.RuneCountInString(*p) == 1
		}
		if p := s.Pattern.Regex; p != nil {
			return slices.Contains([]string{" {2,}", " +", "  +"}, *p)
		}
		return false
	case "Sequence":
		for _, n := range s.Normalizers {
			if !safeNormalizer(n) {
				return false
			}
		}
		return true
	}
	return false
}

// safePreTokenizer reports whether raw splits at spaces (top: it must;
// inside a Sequence, one member splitting is enough).
func safePreTokenizer(raw json.RawMessage, top bool) bool {
	s, ok := parseStage(raw)
	if !ok || s == nil {
		return false // no pre-tokenizer: words are not split at spaces
	}
	switch {
	case splitsAtSpace(s):
		return true
	case s.Type == "Sequence":
		splits := false
		for _, p := range s.Pretokenizer {
			m, ok := parseStage(p)
			if !ok || m == nil {
				return false
			}
			switch {
			case splitsAtSpace(m):
				splits = true
			case m.Type == "Punctuation" || m.Type == "Digits":
			default:
				return false
			}
		}
		return splits
	}
	return false
}

func splitsAtSpace(s *stage) bool {
	switch s.Type {
	case "BertPreTokenizer", "Whitespace", "WhitespaceSplit":
		return true
	case "ByteLevel":
		return s.UseRegex == nil || *s.UseRegex
	case "Metaspace":
		return s.Split == nil || *s.Split
	}
	return false
}

// cuttableFile reads the tokenizer.json at path for cutTokenizable.
func cuttableFile(path string) bool {
	data, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	var doc map[string]json.RawMessage
	return json.Unmarshal(data, &doc) == nil && cutTokenizable(doc)
}
