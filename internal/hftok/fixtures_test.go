//go:build fixtures

package hftok

import (
	"path/filepath"
	"strings"
	"testing"
)

// The real tokenizers of ../shared/fixtures (run with -tags fixtures; the
// folder must be there): ids as the reference library gives them
// (testdata/tokenize/fixtures, written by scripts/tokref/gen.mjs).
func TestFixtureReferenceIDs(t *testing.T) {
	texts, fuzz := readTexts(t), readSet(t, "fuzz.json")
	for _, f := range []string{"tribuo-tinybert/tinybert-tokenizer.json", "tribuo-tinybert/bert-base-cased-tokenizer.json",
		"hf-tokenizers/roberta-tokenizer.json", "hf-tokenizers/bert-wiki-tokenizer.json"} {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(name, func(t *testing.T) {
			tk, err := FromFile(filepath.Join("../../../shared/fixtures", f))
			if err != nil {
				t.Fatalf("%v (the fixtures are in ../shared/fixtures beside the repository)", err)
			}
			ref := filepath.Join(testdata, "fixtures", name)
			if c := compareRef(t, tk, texts, ref+".ids.jsonl", 0); c < 200 {
				t.Errorf("only %d reference texts", c)
			}
			compareRef(t, tk, texts, ref+".trunc.jsonl", truncLen)
			compareRef(t, tk, fuzz, ref+".fuzz.jsonl", 0)
		})
	}
}
