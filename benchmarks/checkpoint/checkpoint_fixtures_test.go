//go:build fixtures

package checkpoint

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nerbench/nerbench/internal/fixtures"
)

// The real fixtures, used as they are.
func TestFindFixtures(t *testing.T) {
	t.Run("optimum-tiny-distilbert has no tokenizer", func(t *testing.T) {
		dir := fixtures.Path(t, "optimum-tiny-distilbert")
		_, err := Find(dir)
		want := "checkpoint " + dir + ": no tokenizer.json or vocab.txt; save the tokenizer into the directory (tokenizer.save_pretrained(dir), as optimum-cli export onnx does)"
		if err == nil || err.Error() != want {
			t.Errorf("Find = %v, want %s", err, want)
		}
	})
	t.Run("tribuo-tinybert has a tokenizer under another name", func(t *testing.T) {
		dir := fixtures.Path(t, "tribuo-tinybert")
		_, err := Find(dir)
		if err == nil || !strings.Contains(err.Error(), "no tokenizer.json or vocab.txt") {
			t.Errorf("Find = %v, want a missing tokenizer error", err)
		}
	})
	t.Run("vespa-transformer", func(t *testing.T) {
		dir := fixtures.Path(t, "vespa-transformer")
		_, err := Find(dir)
		if err == nil || !strings.Contains(err.Error(), "no tokenizer.json or vocab.txt") || strings.Contains(err.Error(), "no model.onnx") {
			t.Errorf("Find = %v, want only a missing tokenizer error", err)
		}
	})
	t.Run("distilbert model and config with the tinybert tokenizer", func(t *testing.T) {
		src := fixtures.Path(t, "optimum-tiny-distilbert")
		tok := fixtures.Path(t, "tribuo-tinybert/tinybert-tokenizer.json")
		dir := t.TempDir()
		link(t, filepath.Join(src, "model.onnx"), filepath.Join(dir, "model.onnx"))
		link(t, filepath.Join(src, "config.json"), filepath.Join(dir, "config.json"))
		link(t, tok, filepath.Join(dir, "tokenizer.json"))
		c, err := Find(dir)
		if err != nil {
			t.Fatal(err)
		}
		if c.ModelPath != filepath.Join(dir, "model.onnx") || c.TokenizerPath != filepath.Join(dir, "tokenizer.json") || c.VocabPath != "" {
			t.Errorf("paths: %+v", c)
		}
		cfg := c.Config
		if cfg == nil || c.ConfigPath != filepath.Join(dir, "config.json") {
			t.Fatalf("config not read: %+v", c)
		}
		if cfg.ModelType != "distilbert" || cfg.MaxPositionEmbeddings != 512 || cfg.VocabSize != 30522 || cfg.RandomWeights {
			t.Errorf("config: %+v", cfg)
		}
		if !slices.Equal(cfg.Labels(), []string{"NEGATIVE", "POSITIVE"}) {
			t.Errorf("labels: %v", cfg.ID2Label)
		}
		if cfg.Raw["finetuning_task"] != "sst-2" {
			t.Errorf("Raw misses keys: %v", cfg.Raw)
		}
	})
	t.Run("tinybert model found by its only onnx file", func(t *testing.T) {
		src := fixtures.Path(t, "tribuo-tinybert")
		dir := t.TempDir()
		link(t, filepath.Join(src, "tinybert.onnx"), filepath.Join(dir, "tinybert.onnx"))
		link(t, filepath.Join(src, "tinybert-tokenizer.json"), filepath.Join(dir, "tokenizer.json"))
		c, err := Find(dir)
		if err != nil {
			t.Fatal(err)
		}
		if c.ModelPath != filepath.Join(dir, "tinybert.onnx") || c.Config != nil {
			t.Errorf("got %+v", c)
		}
	})
}
