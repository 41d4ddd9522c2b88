package tokenize

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The tokenizer adapter never panics, truncates to maxLen, and cutting a
// long text first (CutText) gives the ids of the whole text.
func FuzzEncode(f *testing.F) {
	for _, s := range []string{"Hello worlds, planet", "a  b\n\nc\t d", "café naïve 東京 x\u0301y", "", "\x00\xff", "hello hello hello hello hello"} {
		f.Add(s, uint8(4))
		f.Add(s, uint8(0))
	}
	dir := f.TempDir()
	path := filepath.Join(dir, "vocab.txt")
	if err := os.WriteFile(path, []byte("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\nworld\n##s\n,\na\nb\n##c\n"), 0o644); err != nil {
		f.Fatal(err)
	}
	tk, err := Load(path, true)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string, maxLen uint8) {
		n := int(maxLen)
		got, err := tk.Encode(text, n)
		if err != nil {
			return
		}
		if n > 0 && len(got.IDs) > n {
			t.Fatalf("%d ids, max length %d", len(got.IDs), n)
		}
		if len(got.IDs) != len(got.TypeIDs) {
			t.Fatalf("%d ids, %d type ids", len(got.IDs), len(got.TypeIDs))
		}
		whole, err := tk.encode(strings.ToValidUTF8(text, "\uFFFD"), n)
		if err != nil {
			t.Fatalf("whole text fails (%v) but the cut one does not", err)
		}
		if !slices.Equal(got.IDs, whole.IDs) || got.Truncated != whole.Truncated {
			t.Fatalf("cut %v (truncated %v), whole %v (truncated %v)", got.IDs, got.Truncated, whole.IDs, whole.Truncated)
		}
	})
}
