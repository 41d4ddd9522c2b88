package hftok

import (
	"encoding/binary"
	"errors"
	"strings"

	"github.com/rivo/uniseg"
)

// precompiled is SentencePiece's precompiled character map (the Precompiled
// normalizer of DeBERTa v3, XLM-R, T5 …): a darts double-array trie over
// UTF-8 bytes whose values index NUL-terminated replacement strings.
type precompiled struct {
	trie       []uint32
	normalized string
}

func newPrecompiled(data []byte) (*precompiled, error) {
	if len(data) < 4 {
		return nil, errors.New("charsmap too short")
	}
	size := int(binary.LittleEndian.Uint32(data))
	if size%4 != 0 || 4+size > len(data) {
		return nil, errors.New("charsmap trie size out of range")
	}
	p := &precompiled{trie: make([]uint32, size/4), normalized: string(data[4+size:])}
	for i := range p.trie {
		p.trie[i] = binary.LittleEndian.Uint32(data[4+4*i:])
	}
	if len(p.trie) == 0 {
		return nil, errors.New("charsmap trie is empty")
	}
	return p, nil
}

// firstPrefix returns the value of the shortest key that is a prefix of s.
func (p *precompiled) firstPrefix(s string) (int, bool) {
	unit := p.trie[0]
	pos := int(offset(unit))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == 0 {
			break
		}
		pos ^= int(c)
		if pos < 0 || pos >= len(p.trie) {
			return 0, false
		}
		unit = p.trie[pos]
		if int(unit&(1<<31|0xff)) != int(c) { // label
			return 0, false
		}
		pos ^= int(offset(unit))
		if (unit>>8)&1 == 1 { // has leaf
			if pos < 0 || pos >= len(p.trie) {
				return 0, false
			}
			return int(p.trie[pos] & (1<<31 - 1)), true
		}
	}
	return 0, false
}

func offset(unit uint32) uint32 { return (unit >> 10) << ((unit & (1 << 9)) >> 6) }

func (p *precompiled) transform(s string) (string, bool) {
	v, ok := p.firstPrefix(s)
	if !ok || v > len(p.normalized) {
		return "", false
	}
	end := strings.IndexByte(p.normalized[v:], 0)
	if end < 0 {
		end = len(p.normalized) - v
	}
	return p.normalized[v : v+end], true
}

// normalize replaces grapheme clusters (under 6 bytes) whole, else
// character by character, as spm_precompiled does.
func (p *precompiled) normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	g := uniseg.NewGraphemes(s)
	for g.Next() {
		gr := g.Str()
		if len(gr) < 6 {
			if n, ok := p.transform(gr); ok {
				b.WriteString(n)
				continue
			}
		}
		for i, r := range gr {
			part := gr[i : i+len(string(r))]
			if n, ok := p.transform(part); ok {
				b.WriteString(n)
			} else {
				b.WriteString(part)
			}
		}
	}
	return b.String()
}
