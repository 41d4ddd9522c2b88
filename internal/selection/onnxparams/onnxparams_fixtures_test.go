//go:build fixtures

package onnxparams

import (
	"path/filepath"
	"testing"

	"github.com/nerbench/nerbench/internal/fixtures"
)

func TestFixturesAgainstArchitecture(t *testing.T) {
	tests := []struct {
		path string
		want int64
	}{
		// tiny DistilBertForSequenceClassification (config.json beside it):
		// dim 2, hidden_dim 2, 2 layers, vocab 30522, 512 positions, no token
		// types, then pre_classifier (2×2+2) and classifier (2×2+2).
		{"optimum-tiny-distilbert/model.onnx", bertParams(30522, 2, 2, 2, 512, 0) + (2*2 + 2) + (2*2 + 2)},
		// Tribuo's 1-layer BertModel: hidden 50, vocab 1656 (its tokenizer),
		// intermediate 200, 100 positions, 2 token types, and the pooler.
		{"tribuo-tinybert/tinybert.onnx", bertParams(1656, 50, 1, 200, 100, 2) + (50*50 + 50)},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			c, err := File(fixtures.Path(t, tt.path))
			if err != nil {
				t.Fatal(err)
			}
			if c.Parameters != tt.want {
				t.Errorf("Parameters = %d, want %d", c.Parameters, tt.want)
			}
		})
	}
}

func TestFixturesAgainstReference(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join(fixtures.Dir(t), "*", "*.onnx"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no *.onnx in the folder of shared fixtures %s (%v): see its README.md", fixtures.Dir(t), err)
	}
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			testAgainstReference(t, p)
		})
	}
}
