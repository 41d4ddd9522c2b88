package workload

import (
	"slices"
	"testing"
)

func TestSubset(t *testing.T) {
	for _, tc := range []struct {
		n, k int
		want []int
	}{
		{5, 0, []int{0, 1, 2, 3, 4}},
		{5, 9, []int{0, 1, 2, 3, 4}},
		{10, 4, []int{0, 2, 5, 7}}, // floor(i·10/4)
		{560, 3, []int{0, 186, 373}},
	} {
		if got := Subset(tc.n, tc.k); !slices.Equal(got, tc.want) {
			t.Errorf("Subset(%d, %d) = %v, want %v", tc.n, tc.k, got, tc.want)
		}
	}
}

func TestPasses(t *testing.T) {
	if got := PassLen(5, 2); got != 3 {
		t.Errorf("PassLen(5, 2) = %d, want 3", got)
	}
	if got := Batch(5, 2, 2); !slices.Equal(got, []int{4, 0}) {
		t.Errorf("Batch(5, 2, 2) = %v, want [4 0] (the last batch wraps)", got)
	}
	for _, tc := range [][3]int{{7, 3, 9}, {9, 3, 9}, {0, 3, 3}, {1, 560, 560}, {100, 35, 105}} {
		if got := RoundUp(tc[0], tc[1]); got != tc[2] {
			t.Errorf("RoundUp(%d, %d) = %d, want %d", tc[0], tc[1], got, tc[2])
		}
	}
}

// The fingerprint names the texts in order, the batch size and max_length,
// and nothing else.
func TestFingerprint(t *testing.T) {
	texts := []string{"a b", "c", "d e f"}
	fp := Fingerprint(texts, 2, 128)
	if fp != Fingerprint(slices.Clone(texts), 2, 128) {
		t.Error("not deterministic")
	}
	for name, other := range map[string]string{
		"batch size":  Fingerprint(texts, 1, 128),
		"max length":  Fingerprint(texts, 2, 64),
		"order":       Fingerprint([]string{"c", "a b", "d e f"}, 2, 128),
		"a text":      Fingerprint([]string{"a b", "c", "d e g"}, 2, 128),
		"a boundary":  Fingerprint([]string{"a", "b", "c", "d e f"}, 2, 128),
		"fewer texts": Fingerprint(texts[:2], 2, 128),
	} {
		if other == fp {
			t.Errorf("a different %s gives the same fingerprint %s", name, fp)
		}
	}
}
