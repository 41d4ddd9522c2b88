package selection

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nerbench/nerbench/internal/selection/onnxparams"
	"github.com/nerbench/nerbench/internal/testmodel"
)

// Published parameter counts of the base models (without task heads), and
// the sizes of the parts the token classifier drops or adds.
const (
	bertBaseUncased  = 109_482_240 // BertModel, bert-base-uncased
	distilBertBase   = 66_362_880  // DistilBertModel, distilbert-base-uncased
	albertBaseV2     = 11_683_584  // AlbertModel, albert-base-v2
	bertBasePooler   = 768*768 + 768
	tokenHead9Labels = 768*9 + 9
)

func TestEstimateParameters(t *testing.T) {
	id2label9 := map[string]any{}
	for _, k := range []string{"0", "1", "2", "3", "4", "5", "6", "7", "8"} {
		id2label9[k] = "L" + k
	}
	tests := []struct {
		name string
		cfg  map[string]any
		want int64
	}{
		{"bert-base-uncased token classifier", map[string]any{
			"model_type": "bert", "vocab_size": 30522.0, "hidden_size": 768.0, "num_hidden_layers": 12.0,
			"intermediate_size": 3072.0, "max_position_embeddings": 512.0, "type_vocab_size": 2.0,
			"id2label": id2label9, "num_labels": 3.0, // id2label wins
		}, bertBaseUncased - bertBasePooler + tokenHead9Labels},
		{"distilbert-base token classifier", map[string]any{
			"model_type": "distilbert", "vocab_size": 30522.0, "dim": 768.0, "n_layers": 6.0,
			"hidden_dim": 3072.0, "max_position_embeddings": 512.0, "num_labels": 9.0,
		}, distilBertBase + tokenHead9Labels},
		{"albert-base-v2 token classifier", map[string]any{
			"model_type": "albert", "vocab_size": 30000.0, "hidden_size": 768.0, "num_hidden_layers": 12.0,
			"embedding_size": 128.0, "intermediate_size": 3072.0, "max_position_embeddings": 512.0,
			"type_vocab_size": 2.0, "num_hidden_groups": 1.0, "inner_group_num": 1.0, "id2label": id2label9,
		}, albertBaseV2 - bertBasePooler + tokenHead9Labels},
		{"defaults: intermediate 4H, 2 labels, no positions", map[string]any{
			"vocab_size": 100.0, "hidden_size": 8.0, "num_hidden_layers": 1.0,
		}, 100*8 + 2*8 + (4*(64+8) + 8*32 + 32 + 32*8 + 8 + 4*8) + 8*2 + 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := EstimateParameters(tt.cfg)
			if err != nil || got != tt.want {
				t.Errorf("EstimateParameters = %d, %v; want %d", got, err, tt.want)
			}
		})
	}
}

func TestEstimateParametersErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  map[string]any
		want string
	}{
		{"not BERT", map[string]any{"model_type": "resnet", "num_channels": 3.0}, "not a BERT-family config"},
		{"missing one", map[string]any{"vocab_size": 10.0, "hidden_size": 8.0}, "missing num_hidden_layers"},
		{"fractional", map[string]any{"vocab_size": 10.5, "hidden_size": 8.0, "num_hidden_layers": 1.0}, "vocab_size = 10.5: want a non-negative integer"},
		{"string", map[string]any{"vocab_size": 10.0, "hidden_size": "8", "num_hidden_layers": 1.0}, `hidden_size = "8"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := EstimateParameters(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// The estimate from the config.json of a model of the project's graph
// builder matches the count of its ONNX model's initializers, for BERT (a
// token classifier without pooler) and DistilBERT key names.
func TestEstimateMatchesONNX(t *testing.T) {
	distil := testmodel.Tiny()
	distil.ModelType, distil.TypeVocab, distil.Layers, distil.Vocab, distil.NumLabels = "distilbert", 0, 2, 100, 5
	for name, tc := range map[string]struct {
		spec testmodel.Spec
		cfg  map[string]any
	}{
		"bert": {testmodel.Tiny(), map[string]any{"model_type": "bert", "vocab_size": 32, "hidden_size": 16,
			"num_hidden_layers": 1, "intermediate_size": 32, "max_position_embeddings": 64, "type_vocab_size": 2,
			"id2label": map[string]string{"0": "O", "1": "B-PER", "2": "I-PER", "3": "B-ORG", "4": "I-ORG",
				"5": "B-LOC", "6": "I-LOC", "7": "B-MISC", "8": "I-MISC"}}},
		"distilbert": {distil, map[string]any{"model_type": "distilbert", "vocab_size": 100, "dim": 16,
			"n_layers": 2, "hidden_dim": 32, "max_position_embeddings": 64, "num_labels": 5}},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			data, err := json.Marshal(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "config.json"), data, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := testmodel.WriteFile(filepath.Join(dir, "model.onnx"), tc.spec); err != nil {
				t.Fatal(err)
			}
			est, err := estimateFile(filepath.Join(dir, "config.json"))
			if err != nil {
				t.Fatal(err)
			}
			c, err := onnxparams.File(filepath.Join(dir, "model.onnx"))
			if err != nil {
				t.Fatal(err)
			}
			if est != c.Parameters || est != tc.spec.NumParams() {
				t.Errorf("estimate %d, ONNX %d, spec %d", est, c.Parameters, tc.spec.NumParams())
			}
		})
	}
}
