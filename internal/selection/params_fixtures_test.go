//go:build fixtures

package selection

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/nerbench/nerbench/internal/fixtures"
	"github.com/nerbench/nerbench/internal/selection/onnxparams"
)

// The estimate from the optimum fixture's config.json matches the count of
// its ONNX model's initializers, less the pre_classifier layer that a
// sequence classifier has and a token classifier does not.
func TestEstimateMatchesONNXDistilBERT(t *testing.T) {
	dir := fixtures.Path(t, "optimum-tiny-distilbert")
	est, err := estimateFile(filepath.Join(dir, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := onnxparams.File(filepath.Join(dir, "model.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	const preClassifier = 2*2 + 2
	if est != c.Parameters-preClassifier {
		t.Errorf("estimate %d, ONNX %d − pre_classifier %d = %d", est, c.Parameters, preClassifier, c.Parameters-preClassifier)
	}
}

// The models and config.json that scan_test.go writes in place of the
// shared fixtures count as the fixtures do, so that the golden files hold
// for the real models too.
func TestStandInsCountAsFixtures(t *testing.T) {
	for name, path := range map[string]string{
		"tinybert":        "tribuo-tinybert/tinybert.onnx",
		"tiny-distilbert": "optimum-tiny-distilbert/model.onnx",
		"vespa":           "vespa-transformer/dummy_transformer_without_type_ids.onnx",
	} {
		want, err := onnxparams.File(fixtures.Path(t, path))
		if err != nil {
			t.Fatal(err)
		}
		got, err := onnxparams.Read(bytes.NewReader(standIn(t, name)))
		if err != nil {
			t.Fatal(err)
		}
		if got.Parameters != want.Parameters {
			t.Errorf("%s: %d parameters, %s has %d", name, got.Parameters, path, want.Parameters)
		}
	}
	want, err := estimateFile(fixtures.Path(t, "optimum-tiny-distilbert/config.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := json.Unmarshal([]byte(tinyDistilCfg), &cfg); err != nil {
		t.Fatal(err)
	}
	if got, err := EstimateParameters(cfg); err != nil || got != want {
		t.Errorf("tinyDistilCfg: estimate %d, %v; the fixture's config.json gives %d", got, err, want)
	}
}
