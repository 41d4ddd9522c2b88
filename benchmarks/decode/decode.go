// Package decode turns a token-classification model's logits into entity
// spans, as the Hugging Face token-classification pipeline does with
// aggregation_strategy="simple":
//
//  1. every token that is not a special token gets the label of its
//     largest softmax score, with that score;
//  2. consecutive tokens are grouped while their tag (the label without
//     its B-/I- prefix) stays the same and the token is not a B- token; a
//     label without a prefix (such as O) counts as an I- tag of its own;
//  3. a group's score is the mean of its tokens' scores, its span runs from
//     the first token's start to the last token's end (character offsets
//     into the text), and its word is the tokens joined back into text;
//  4. groups named O are dropped (a group is named by its first label
//     after the first '-': B-PER → PER, O → O).
//
// It has no cgo and allocates only the entities it returns (and the
// tokens joined into their words), so that end-to-end timing measures the
// model, not the decoder.
package decode

import (
	"fmt"
	"math"
	"strings"
)

// Token is one position of an encoded text.
type Token struct {
	// Text is the token as the vocabulary spells it ("##ran", "Ġthe").
	Text string
	// Start and End are the character offsets of the token in the text,
	// End exclusive; in bytes of the UTF-8 text.
	Start, End int
	// Special marks [CLS], [SEP], padding and other added special tokens,
	// which get no label.
	Special bool
}

// Entity is one span the model found.
type Entity struct {
	// Group is the entity type: the label without its B-/I- prefix.
	Group string  `json:"entity_group"`
	Score float64 `json:"score"`
	Word  string  `json:"word"`
	Start int     `json:"start"`
	End   int     `json:"end"`
}

// Joiner turns the tokens of a group back into text, as the tokenizer's
// convert_tokens_to_string does.
type Joiner func(tokens []string) string

// WordPieceJoin joins WordPiece tokens: "New", "##ark" → "Newark"; words
// are separated by one space.
func WordPieceJoin(tokens []string) string {
	var b strings.Builder
	for i, t := range tokens {
		if rest, ok := strings.CutPrefix(t, "##"); ok {
			b.WriteString(rest)
			continue
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t)
	}
	return b.String()
}

// Labels is the id → label table of a model (config.json's id2label), in
// id order.
type Labels []string

// tag splits a label into its B/I part and its entity type, as the
// pipeline's get_tag does.
func tag(label string) (bi byte, typ string) {
	switch {
	case strings.HasPrefix(label, "B-"):
		return 'B', label[2:]
	case strings.HasPrefix(label, "I-"):
		return 'I', label[2:]
	}
	return 'I', label
}

// Simple decodes one text: logits holds len(tokens) rows of len(labels)
// scores, row-major (the model's output for this text, padding rows
// excluded or marked Special). The entities come in text order.
func Simple(tokens []Token, logits []float32, labels Labels, join Joiner) ([]Entity, error) {
	n := len(labels)
	if n == 0 {
		return nil, fmt.Errorf("no labels")
	}
	if len(logits) < len(tokens)*n {
		return nil, fmt.Errorf("%d logits for %d tokens of %d labels", len(logits), len(tokens), n)
	}
	var (
		out     []Entity
		group   []string // the current group's token texts
		cur     Entity
		curTag  string
		sum     float64
		count   int
		inGroup bool
	)
	flush := func() {
		if !inGroup {
			return
		}
		if cur.Group != "O" {
			cur.Score = sum / float64(count)
			cur.Word = join(group)
			out = append(out, cur)
		}
		inGroup, group, sum, count = false, group[:0], 0, 0
	}
	for i, t := range tokens {
		if t.Special {
			continue
		}
		label, score := best(logits[i*n : (i+1)*n])
		bi, typ := tag(labels[label])
		if !inGroup || typ != curTag || bi == 'B' {
			flush()
			inGroup, curTag = true, typ
			cur = Entity{Group: groupName(labels[label]), Start: t.Start}
		}
		group = append(group, t.Text)
		cur.End = t.End
		sum += score
		count++
	}
	flush()
	return out, nil
}

// groupName is the entity type a group is named by, as the pipeline's
// group_sub_entities derives it: the label after its first '-'.
func groupName(label string) string {
	if _, after, ok := strings.Cut(label, "-"); ok {
		return after
	}
	return label
}

// best returns the index of the largest score and its softmax probability.
func best(row []float32) (int, float64) {
	arg, max := 0, row[0]
	for j, v := range row {
		if v > max {
			arg, max = j, v
		}
	}
	var z float64
	for _, v := range row {
		z += math.Exp(float64(v - max))
	}
	return arg, 1 / z
}
