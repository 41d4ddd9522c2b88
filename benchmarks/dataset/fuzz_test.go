package dataset

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The test-data reader never panics, and what it accepts holds only
// non-empty texts.
func FuzzLoad(f *testing.F) {
	for _, s := range []string{
		`["a", "b"]`, `[{"text": "a"}, {"text": ""}]`, "\"a\"\n{\"text\": \"b\"}\n", "\xEF\xBB\xBF[\"bom\"]",
		`[`, `[1, 2]`, `{"text": 3}`, "", "  \n\t", `["\u00e9\ud800"]`, `[{"text": "a", "label": [1]}]`,
	} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, data []byte, jsonl bool) {
		name := "t.json"
		if jsonl {
			name = "t.jsonl"
		}
		path := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		d, err := Load(path)
		if err != nil {
			return
		}
		if len(d.Texts) == 0 {
			t.Fatal("accepted without texts")
		}
		for i, text := range d.Texts {
			if strings.TrimSpace(text) == "" {
				t.Errorf("text %d is empty: %q", i, text)
			}
		}
	})
}
