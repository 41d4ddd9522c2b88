package decode

import (
	"math"
	"reflect"
	"testing"
)

var conll = Labels{"O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"}

// row returns logits with the value v at label and 0 elsewhere: the
// softmax score of label is then e^v / (e^v + 8).
func row(label int, v float32) []float32 {
	r := make([]float32, len(conll))
	r[label] = v
	return r
}

func score(v float64) float64 { return math.Exp(v) / (math.Exp(v) + 8) }

// "[CLS] John Smith visited New ##ark [SEP]" with hand-chosen logits,
// checked by hand against the pipeline's rules.
func TestSimpleHandChecked(t *testing.T) {
	text := "John Smith visited Newark"
	tokens := []Token{
		{Text: "[CLS]", Special: true},
		{Text: "John", Start: 0, End: 4},
		{Text: "Smith", Start: 5, End: 10},
		{Text: "visited", Start: 11, End: 18},
		{Text: "New", Start: 19, End: 22},
		{Text: "##ark", Start: 22, End: 25},
		{Text: "[SEP]", Special: true},
	}
	var logits []float32
	for _, r := range [][]float32{
		row(1, 9), // [CLS]: special, ignored whatever it says
		row(1, 4), // John B-PER
		row(2, 2), // Smith I-PER: same group
		row(0, 5), // visited O: dropped
		row(5, 3), // New B-LOC
		row(6, 1), // ##ark I-LOC: same group, joined to Newark
		row(3, 9), // [SEP]
	} {
		logits = append(logits, r...)
	}
	got, err := Simple(tokens, logits, conll, WordPieceJoin)
	if err != nil {
		t.Fatal(err)
	}
	want := []Entity{
		{Group: "PER", Score: (score(4) + score(2)) / 2, Word: "John Smith", Start: 0, End: 10},
		{Group: "LOC", Score: (score(3) + score(1)) / 2, Word: "Newark", Start: 19, End: 25},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i].Group != want[i].Group || got[i].Word != want[i].Word || got[i].Start != want[i].Start || got[i].End != want[i].End ||
			math.Abs(got[i].Score-want[i].Score) > 1e-6 {
			t.Errorf("entity %d = %+v, want %+v", i, got[i], want[i])
		}
		if s := text[got[i].Start:got[i].End]; s != want[i].Word {
			t.Errorf("entity %d spans %q, want %q", i, s, want[i].Word)
		}
	}
}

// A B- tag starts a new group even after the same type; a change of type
// starts one even on an I- tag; an I- tag after O starts a group.
func TestSimpleGroupBoundaries(t *testing.T) {
	labels := []int{1, 1, 2, 4, 0, 2, 2}
	tokens := make([]Token, len(labels))
	var logits []float32
	for i, l := range labels {
		tokens[i] = Token{Text: string(rune('a' + i)), Start: 2 * i, End: 2*i + 1}
		logits = append(logits, row(l, 2)...)
	}
	got, err := Simple(tokens, logits, conll, WordPieceJoin)
	if err != nil {
		t.Fatal(err)
	}
	var words []string
	var groups []string
	for _, e := range got {
		words, groups = append(words, e.Word), append(groups, e.Group)
	}
	if want := []string{"a", "b c", "d", "f g"}; !reflect.DeepEqual(words, want) {
		t.Errorf("words %q, want %q", words, want)
	}
	if want := []string{"PER", "PER", "ORG", "PER"}; !reflect.DeepEqual(groups, want) {
		t.Errorf("groups %q, want %q", groups, want)
	}
}

func TestSimpleErrors(t *testing.T) {
	if _, err := Simple([]Token{{Text: "a"}}, []float32{1, 2}, conll, WordPieceJoin); err == nil {
		t.Error("too few logits: no error")
	}
	if _, err := Simple(nil, nil, nil, WordPieceJoin); err == nil {
		t.Error("no labels: no error")
	}
}

func TestWordPieceJoin(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want string
	}{
		{[]string{"New", "##ark"}, "Newark"},
		{[]string{"John", "Smith"}, "John Smith"},
		{[]string{"##s"}, "s"},
		{nil, ""},
	} {
		if got := WordPieceJoin(tc.in); got != tc.want {
			t.Errorf("WordPieceJoin(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func BenchmarkSimple(b *testing.B) {
	tokens := make([]Token, 128)
	var logits []float32
	for i := range tokens {
		tokens[i] = Token{Text: "tok", Start: 4 * i, End: 4*i + 3}
		logits = append(logits, row(i%len(conll), 3)...)
	}
	for b.Loop() {
		if _, err := Simple(tokens, logits, conll, WordPieceJoin); err != nil {
			b.Fatal(err)
		}
	}
}
