package hftok

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"
)

// A model turns one pre-tokenized word into ids, appended to out.
type model interface {
	tokenize(out []int32, word string) ([]int32, error)
	vocab() map[string]int32
}

// parseModel reads the "model" object. Older files have no "type"; it is
// inferred from the fields present.
func parseModel(raw json.RawMessage) (model, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return nil, errors.New(`no "model" object`)
	}
	var typ string
	if t, ok := fields["type"]; ok {
		if err := json.Unmarshal(t, &typ); err != nil {
			return nil, fmt.Errorf("model type: %w", err)
		}
	} else {
		var err error
		if typ, err = inferModelType(fields); err != nil {
			return nil, err
		}
	}
	switch typ {
	case "WordPiece":
		return parseWordPiece(raw)
	case "BPE":
		return parseBPE(raw)
	case "Unigram":
		return parseUnigram(raw)
	case "WordLevel":
		return parseWordLevel(raw)
	}
	return nil, fmt.Errorf("unsupported model type %q", typ)
}

// inferModelType names the model of an old-format "model" object.
func inferModelType(model map[string]json.RawMessage) (string, error) {
	_, hasMerges := model["merges"]
	_, hasPrefix := model["continuing_subword_prefix"]
	_, hasMaxChars := model["max_input_chars_per_word"]
	vocab := bytes.TrimSpace(model["vocab"])
	switch {
	case hasMerges:
		return "BPE", nil
	case hasMaxChars || (hasPrefix && len(vocab) > 0 && vocab[0] == '{'):
		return "WordPiece", nil
	case len(vocab) > 0 && vocab[0] == '[':
		return "Unigram", nil
	case len(vocab) > 0 && vocab[0] == '{':
		return "WordLevel", nil
	}
	return "", errors.New(`"model" has no "type" and no fields to infer one from (merges, vocab, continuing_subword_prefix)`)
}

type wordPiece struct {
	v        map[string]int32
	unk      int32
	unkName  string
	prefix   string
	maxChars int
	maxLen   int // longest vocabulary entry in bytes
}

func parseWordPiece(raw json.RawMessage) (*wordPiece, error) {
	var m struct {
		UnkToken string           `json:"unk_token"`
		Prefix   *string          `json:"continuing_subword_prefix"`
		MaxChars *int             `json:"max_input_chars_per_word"`
		Vocab    map[string]int32 `json:"vocab"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("WordPiece model: %w", err)
	}
	wp := &wordPiece{v: m.Vocab, unk: -1, unkName: m.UnkToken, prefix: "##", maxChars: 100}
	if m.UnkToken == "" {
		wp.unkName = "[UNK]"
	}
	if m.Prefix != nil {
		wp.prefix = *m.Prefix
	}
	if m.MaxChars != nil {
		wp.maxChars = *m.MaxChars
	}
	if id, ok := wp.v[wp.unkName]; ok {
		wp.unk = id
	}
	for tok := range wp.v {
		wp.maxLen = max(wp.maxLen, len(tok))
	}
	return wp, nil
}

func (m *wordPiece) vocab() map[string]int32 { return m.v }

func (m *wordPiece) unknown(out []int32) ([]int32, error) {
	if m.unk < 0 {
		return out, fmt.Errorf("WordPiece: unknown token %q is not in the vocabulary", m.unkName)
	}
	return append(out, m.unk), nil
}

func (m *wordPiece) tokenize(out []int32, w string) ([]int32, error) {
	if len(w) > m.maxChars && utf8.RuneCountInString(w) > m.maxChars {
		return m.unknown(out)
	}
	if id, ok := m.v[w]; ok {
		return append(out, id), nil
	}
	n0 := len(out)
	var buf []byte
	for start := 0; start < len(w); {
		end := len(w)
		if end-start > m.maxLen {
			end = start + m.maxLen
			for end > start && !utf8.RuneStart(w[end]) {
				end--
			}
		}
		found := false
		for end > start {
			var id int32
			var ok bool
			if start > 0 {
				buf = append(append(buf[:0], m.prefix...), w[start:end]...)
				id, ok = m.v[string(buf)]
			} else {
				id, ok = m.v[w[start:end]]
			}
			if ok {
				out = append(out, id)
				found = true
				break
			}
			_, sz := utf8.DecodeLastRuneInString(w[start:end])
			end -= sz
		}
		if !found {
			return m.unknown(out[:n0])
		}
		start = end
	}
	return out, nil
}

type wordLevel struct {
	v   map[string]int32
	unk int32
}

func parseWordLevel(raw json.RawMessage) (*wordLevel, error) {
	var m struct {
		UnkToken string           `json:"unk_token"`
		Vocab    map[string]int32 `json:"vocab"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("WordLevel model: %w", err)
	}
	wl := &wordLevel{v: m.Vocab, unk: -1}
	if id, ok := m.Vocab[m.UnkToken]; ok {
		wl.unk = id
	}
	return wl, nil
}

func (m *wordLevel) vocab() map[string]int32 { return m.v }

func (m *wordLevel) tokenize(out []int32, w string) ([]int32, error) {
	if id, ok := m.v[w]; ok {
		return append(out, id), nil
	}
	if m.unk < 0 {
		return out, fmt.Errorf("WordLevel: %q is not in the vocabulary and there is no unknown token", w)
	}
	return append(out, m.unk), nil
}

type merge struct{ rank, id int32 }

type bpe struct {
	v            map[string]int32
	merges       map[uint64]merge
	unk          int32
	prefix       string
	suffix       string
	fuseUnk      bool
	byteFallback bool
	ignoreMerges bool
	byteIDs      [256]int32 // <0xXX> tokens, -1 when absent
}

func parseBPE(raw json.RawMessage) (*bpe, error) {
	var m struct {
		UnkToken     *string           `json:"unk_token"`
		Prefix       *string           `json:"continuing_subword_prefix"`
		Suffix       *string           `json:"end_of_word_suffix"`
		FuseUnk      bool              `json:"fuse_unk"`
		ByteFallback bool              `json:"byte_fallback"`
		IgnoreMerges bool              `json:"ignore_merges"`
		Vocab        map[string]int32  `json:"vocab"`
		Merges       []json.RawMessage `json:"merges"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("BPE model: %w", err)
	}
	b := &bpe{v: m.Vocab, unk: -1, fuseUnk: m.FuseUnk, byteFallback: m.ByteFallback, ignoreMerges: m.IgnoreMerges,
		merges: make(map[uint64]merge, len(m.Merges))}
	if m.UnkToken != nil {
		id, ok := m.Vocab[*m.UnkToken]
		if !ok {
			return nil, fmt.Errorf("BPE model: unk_token %q is not in the vocabulary", *m.UnkToken)
		}
		b.unk = id
	}
	if m.Prefix != nil {
		b.prefix = *m.Prefix
	}
	if m.Suffix != nil {
		b.suffix = *m.Suffix
	}
	for i := range b.byteIDs {
		b.byteIDs[i] = -1
		if id, ok := m.Vocab[fmt.Sprintf("<0x%02X>", i)]; ok {
			b.byteIDs[i] = id
		}
	}
	for rank, r := range m.Merges {
		var l, rt string
		var pair []string
		if err := json.Unmarshal(r, &pair); err == nil && len(pair) == 2 {
			l, rt = pair[0], pair[1]
		} else {
			var s string
			if err := json.Unmarshal(r, &s); err != nil {
				return nil, fmt.Errorf("BPE model: merge %d: %s", rank, r)
			}
			var ok bool
			if l, rt, ok = strings.Cut(s, " "); !ok || strings.Contains(rt, " ") {
				return nil, fmt.Errorf("BPE model: merge %d %q is not two tokens", rank, s)
			}
		}
		a, okA := m.Vocab[l]
		c, okC := m.Vocab[rt]
		if !okA || !okC {
			return nil, fmt.Errorf("BPE model: merge %d (%q %q) has a token not in the vocabulary", rank, l, rt)
		}
		merged := l + strings.TrimPrefix(rt, b.prefix)
		if len(b.prefix) > 0 && len(rt) >= len(b.prefix) {
			merged = l + rt[len(b.prefix):]
		}
		id, ok := m.Vocab[merged]
		if !ok {
			return nil, fmt.Errorf("BPE model: merge %d gives %q, which is not in the vocabulary", rank, merged)
		}
		key := uint64(uint32(a))<<32 | uint64(uint32(c))
		if _, dup := b.merges[key]; !dup {
			b.merges[key] = merge{int32(rank), id}
		}
	}
	return b, nil
}

func (m *bpe) vocab() map[string]int32 { return m.v }

func (m *bpe) tokenize(out []int32, w string) ([]int32, error) {
	if m.ignoreMerges {
		if id, ok := m.v[w]; ok {
			return append(out, id), nil
		}
	}
	n0 := len(out)
	unk, pending := int32(0), false
	var buf []byte
	for i := 0; i < len(w); {
		_, n := utf8.DecodeRuneInString(w[i:])
		end := i + n
		var id int32
		var ok bool
		if (i > 0 && m.prefix != "") || (end == len(w) && m.suffix != "") {
			buf = buf[:0]
			if i > 0 {
				buf = append(buf, m.prefix...)
			}
			buf = append(buf, w[i:end]...)
			if end == len(w) {
				buf = append(buf, m.suffix...)
			}
			id, ok = m.v[string(buf)]
		} else {
			id, ok = m.v[w[i:end]]
		}
		switch {
		case ok:
			if pending {
				out, pending = append(out, unk), false
			}
			out = append(out, id)
		case m.byteFallback && m.hasBytes(w[i:end]):
			for j := i; j < end; j++ {
				out = append(out, m.byteIDs[w[j]])
			}
		case m.unk >= 0:
			if pending && !m.fuseUnk {
				out = append(out, unk)
			}
			unk, pending = m.unk, true
		}
		i = end
	}
	if pending {
		out = append(out, unk)
	}
	return m.merge(out, n0), nil
}

func (m *bpe) hasBytes(s string) bool {
	for i := 0; i < len(s); i++ {
		if m.byteIDs[s[i]] < 0 {
			return false
		}
	}
	return true
}

// merge applies the merges to the symbols out[n0:], lowest rank first
// (leftmost among equals), as the Rust library does.
func (m *bpe) merge(out []int32, n0 int) []int32 {
	syms := out[n0:]
	for len(syms) > 1 {
		best, at := merge{rank: math.MaxInt32}, -1
		for i := 0; i+1 < len(syms); i++ {
			if mg, ok := m.merges[uint64(uint32(syms[i]))<<32|uint64(uint32(syms[i+1]))]; ok && mg.rank < best.rank {
				best, at = mg, i
			}
		}
		if at < 0 {
			break
		}
		syms[at] = best.id
		syms = append(syms[:at+1], syms[at+2:]...)
	}
	return out[:n0+len(syms)]
}

type unigram struct {
	v            map[string]int32
	scores       []float64
	unk          int32
	byteFallback bool
	minScore     float64
	maxLen       int
	byteIDs      [256]int32
}

func parseUnigram(raw json.RawMessage) (*unigram, error) {
	var m struct {
		UnkID        *int32            `json:"unk_id"`
		ByteFallback bool              `json:"byte_fallback"`
		Vocab        []json.RawMessage `json:"vocab"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("model Unigram: %w", err)
	}
	u := &unigram{v: make(map[string]int32, len(m.Vocab)), unk: -1, byteFallback: m.ByteFallback, minScore: math.Inf(1)}
	for i, r := range m.Vocab {
		var entry [2]json.RawMessage
		if err := json.Unmarshal(r, &entry); err != nil {
			return nil, fmt.Errorf("model Unigram: vocab entry %d: %w", i, err)
		}
		var tok string
		if err := json.Unmarshal(entry[0], &tok); err != nil {
			return nil, fmt.Errorf("model Unigram: vocab entry %d is not [piece, score]", i)
		}
		score, err := serdeFloat(string(bytes.TrimSpace(entry[1])))
		if err != nil {
			return nil, fmt.Errorf("model Unigram: vocab entry %d: %w", i, err)
		}
		if _, dup := u.v[tok]; !dup {
			u.v[tok] = int32(i)
		}
		u.scores = append(u.scores, score)
		u.minScore = min(u.minScore, score)
		u.maxLen = max(u.maxLen, len(tok))
	}
	if m.UnkID != nil {
		if *m.UnkID < 0 || int(*m.UnkID) >= len(m.Vocab) {
			return nil, fmt.Errorf("model Unigram: unk_id %d out of range", *m.UnkID)
		}
		u.unk = *m.UnkID
	}
	for i := range u.byteIDs {
		u.byteIDs[i] = -1
		if id, ok := u.v[fmt.Sprintf("<0x%02X>", i)]; ok {
			u.byteIDs[i] = id
		}
	}
	return u, nil
}

func (m *unigram) vocab() map[string]int32 { return m.v }

type lattice struct {
	score float64
	start int // -1: not reached
	id    int32
}

// tokenize runs the Viterbi search of the Rust library's encode_optimized.
func (m *unigram) tokenize(out []int32, s string) ([]int32, error) {
	if s == "" {
		return out, nil
	}
	const unkPenalty = 10.0
	unkScore := m.minScore - unkPenalty
	best := make([]lattice, len(s)+1)
	for i := range best {
		best[i].start = -1
	}
	best[0].start = 0
	for start := 0; start < len(s); {
		_, mb := utf8.DecodeRuneInString(s[start:])
		here := best[start].score
		single := false
		for end := start + 1; end <= len(s) && end-start <= m.maxLen; end++ {
			id, ok := m.v[s[start:end]]
			if !ok {
				continue
			}
			cand := m.scores[id] + here
			if t := &best[end]; t.start < 0 || cand > t.score {
				t.score, t.start, t.id = cand, start, id
			}
			if end-start == mb {
				single = true
			}
		}
		if !single {
			cand := unkScore + here
			if t := &best[start+mb]; t.start < 0 || cand > t.score {
				t.score, t.start, t.id = cand, start, m.unk
			}
		}
		start += mb
	}
	// Walk back; consecutive unknown pieces fuse into one.
	var pieces []string
	var ids []int32
	for end := len(s); end > 0; {
		n := best[end]
		if m.unk >= 0 && n.id == m.unk && len(ids) > 0 && ids[len(ids)-1] == m.unk {
			pieces[len(pieces)-1] = s[n.start:end] + pieces[len(pieces)-1]
		} else {
			pieces = append(pieces, s[n.start:end])
			ids = append(ids, n.id)
		}
		end = n.start
	}
	for i := len(pieces) - 1; i >= 0; i-- {
		p := pieces[i]
		if id, ok := m.v[p]; ok {
			out = append(out, id)
		} else if m.byteFallback && m.hasBytes(p) {
			for j := 0; j < len(p); j++ {
				out = append(out, m.byteIDs[p[j]])
			}
		} else if m.unk >= 0 {
			out = append(out, m.unk)
		} else {
			return out, fmt.Errorf("model Unigram: %q is unknown and the model has no unk_id", p)
		}
	}
	return out, nil
}

func (m *unigram) hasBytes(s string) bool {
	for i := 0; i < len(s); i++ {
		if m.byteIDs[s[i]] < 0 {
			return false
		}
	}
	return true
}
