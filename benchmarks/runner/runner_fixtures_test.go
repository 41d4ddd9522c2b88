//go:build fixtures

package runner

import (
	"errors"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nerbench/nerbench/internal/fixtures"
)

// fixtureModel copies a fixture model.
func fixtureModel(t *testing.T, rel string) func(string) error {
	return func(path string) error {
		copyFile(t, fixtures.Path(t, rel), path)
		return nil
	}
}

// tinyTokenizer is Tribuo's tiny BERT tokenizer (1656 tokens, [PAD]=2).
func tinyTokenizer(t *testing.T) string {
	return fixtures.Path(t, "tribuo-tinybert/tinybert-tokenizer.json")
}

// Each fixture model, as a checkpoint with a compatible tokenizer, runs end
// to end.
func TestFixtureCheckpointsEndToEnd(t *testing.T) {
	runEndToEnd(t, []endToEnd{
		{"tribuo-tinybert", func(t *testing.T) string {
			return checkpointDir(t, fixtureModel(t, "tribuo-tinybert/tinybert.onnx"), tinyTokenizer(t), nil)
		}, "output_0", 100, 1656}, // its 100 position embeddings bound max_length (no config.json)
		{"vespa-transformer", func(t *testing.T) string {
			return checkpointDir(t, fixtureModel(t, "vespa-transformer/dummy_transformer_without_type_ids.onnx"), wordLevelTokenizer(t), nil)
		}, "output_0", 512, 20},
		{"optimum-tiny-distilbert", func(t *testing.T) string {
			dir := checkpointDir(t, fixtureModel(t, "optimum-tiny-distilbert/model.onnx"), fixtures.Path(t, "tribuo-tinybert/bert-base-cased-tokenizer.json"), nil)
			copyFile(t, fixtures.Path(t, "optimum-tiny-distilbert/config.json"), filepath.Join(dir, "config.json"))
			return dir
		}, "logits", 512, 28996},
	})
}

// Tribuo's tiny BERT (100 position embeddings, no config.json) runs a text
// longer than 100 tokens at the default max_length: the graph's table
// lowers it.
func TestLongTextTinyBERT(t *testing.T) {
	m := open(t, checkpointDir(t, fixtureModel(t, "tribuo-tinybert/tinybert.onnx"), tinyTokenizer(t), nil), settings())
	if m.MaxLength != 100 {
		t.Errorf("max_length %d, want 100", m.MaxLength)
	}
	bs := prepare(t, m, encode(t, m, []string{strings.Repeat(texts[2]+" ", 10)}), 1)
	if _, err := Measure(bs, 0, 1); err != nil {
		t.Error(err)
	}
}

// Text to output through the runner reproduces Tribuo's golden vector
// (../shared/fixtures/README.md).
func TestGoldenThroughRunnerTinyBERT(t *testing.T) {
	m := open(t, checkpointDir(t, fixtureModel(t, "tribuo-tinybert/tinybert.onnx"), tinyTokenizer(t), nil), settings())
	bs := prepare(t, m, encode(t, m, texts[:1]), 1)
	if err := bs.Run(0); err != nil {
		t.Fatal(err)
	}
	got, _, err := bs.items[0].Float32Output("output_1")
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{-0.09987275302410126, -0.08381578326225281, -0.17915815114974976,
		0.1595402956008911, 0.12995541095733643, 0.02285454422235489}
	for i, w := range want {
		if math.Abs(float64(got[i])-w) > 1e-6 {
			t.Errorf("output_1[0][%d] = %v, want %v", i, got[i], w)
		}
	}
}

// Ids past a model's embedding table (the vespa model has 20 rows, the
// tinybert tokenizer 1656 tokens, and no config.json to warn from) are
// caught before running: the table is found as the one a Gather indexes
// with the ids input.
func TestIDsPastTheEmbeddingVespa(t *testing.T) {
	m := open(t, checkpointDir(t, fixtureModel(t, "vespa-transformer/dummy_transformer_without_type_ids.onnx"), tinyTokenizer(t), nil), settings())
	_, err := m.Encode(texts)
	if err == nil || !errors.Is(err, ErrMismatch) {
		t.Fatalf("ids up to 1655 on a 20-row embedding: error %v", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "≥ vocabulary 20 of") || !strings.Contains(msg, "do not match") {
		t.Errorf("error %q should name the id and the vocabulary", msg)
	}
}
