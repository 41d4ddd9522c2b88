//go:build fixtures

package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/nerbench/nerbench/internal/fixtures"
)

// fixtureCheckpoint lays out Tribuo's tiny BERT and its tokenizer as an
// optimum-style checkpoint folder .../tinybert/trial_3/checkpoint.
func fixtureCheckpoint(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "tinybert", "trial_3", "checkpoint")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for src, dst := range map[string]string{
		"tribuo-tinybert/tinybert.onnx":           "model.onnx",
		"tribuo-tinybert/tinybert-tokenizer.json": "tokenizer.json",
	} {
		data, err := os.ReadFile(fixtures.Path(t, src))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, dst), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// nerbench run on a checkpoint of Tribuo's tiny BERT, whose outputs are
// not a classifier's logits.
func TestRunWritesValidFileTinyBERT(t *testing.T) {
	testRunWritesValidFile(t, fixtureCheckpoint(t), "tinybert_trial_3")
}
