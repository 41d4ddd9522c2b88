package selection

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nerbench/nerbench/internal/selection/onnxparams"
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

// The estimate from the optimum fixture's config.json matches the count of
// its ONNX model's initializers, less the pre_classifier layer that a
// sequence classifier has and a token classifier does not.
func TestEstimateMatchesONNX(t *testing.T) {
	dir := fixture(t, "optimum-tiny-distilbert")
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

// fixtures is ../shared/fixtures seen from the project's root.
var fixtures = filepath.Join("..", "..", "shared", "fixtures")

func fixture(t *testing.T, rel string) string {
	t.Helper()
	p := filepath.Join(fixtures, rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("fixture not available: %v", err)
	}
	return p
}
