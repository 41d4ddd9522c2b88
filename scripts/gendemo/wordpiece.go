package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"slices"

	"github.com/nerbench/nerbench/internal/testmodel/wordpiece"
)

// targetVocab bounds the trained vocabulary: small enough that rare names
// split into word pieces, as they do with a real BERT vocabulary (about 1.16
// pieces per word on the demo corpus).
const targetVocab = 2000

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

func vocabStats(v *wordpiece.Vocab, texts []string) tokenStats {
	n := make([]int, len(texts))
	for i, t := range texts {
		n[i] = len(v.Encode(t))
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
