//go:build fixtures

package runner

import (
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
		}, "output_0", 512, 1656},
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
// tinybert tokenizer 1656 tokens, and no config.json to warn from) make
// the first run fail with an error, not a crash.
func TestIDsPastTheEmbeddingVespa(t *testing.T) {
	m := open(t, checkpointDir(t, fixtureModel(t, "vespa-transformer/dummy_transformer_without_type_ids.onnx"), tinyTokenizer(t), nil), settings())
	bs := prepare(t, m, encode(t, m, texts), 2)
	_, err := Measure(bs, 1, 3)
	if err == nil {
		t.Fatal("ids up to 1655 on a 20-row embedding: no error")
	}
	if msg := err.Error(); !strings.Contains(msg, "warm-up iteration 0") || !strings.Contains(msg, "Gather") {
		t.Errorf("error %q should say which iteration failed and why", msg)
	}
}
