package selection

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
)

// EstimateParameters estimates the parameter count of a BERT-family
// token-classification model from its Hugging Face config.json, decoded into
// cfg. It is used when a trial has no ONNX model whose initializers could be
// counted.
//
// It reads vocab_size, hidden_size (DistilBERT: dim), num_hidden_layers
// (n_layers), all three required, and intermediate_size (hidden_dim; default
// 4 × hidden), max_position_embeddings (default 0), type_vocab_size
// (default 0), embedding_size (ALBERT, ELECTRA; default hidden) and the
// number of labels (id2label's size, else num_labels, else 2, the
// transformers default). The model counted is
//
//	embeddings   (vocab + positions + token types) × E + 2E (LayerNorm)
//	             + E × H + H when E ≠ H (projection to the hidden size)
//	per layer    4(H² + H) (query, key, value, output) + H·I + I + I·H + H
//	             (feed-forward) + 4H (two LayerNorms)
//	head         H × labels + labels (the token classifier; no pooler)
//
// with H the hidden size, I the intermediate size and E the embedding size;
// for ALBERT (model_type "albert") the layers counted are
// num_hidden_groups × inner_group_num (default 1 × 1), since its layers share
// weights. This is exact for BERT, RoBERTa, DistilBERT and ELECTRA token
// classifiers and close for other encoders of the family.
func EstimateParameters(cfg map[string]any) (int64, error) {
	get := func(def int64, keys ...string) (int64, bool, error) {
		for _, k := range keys {
			raw, ok := cfg[k]
			if !ok || raw == nil {
				continue
			}
			v, ok := raw.(float64)
			if !ok || v != math.Trunc(v) || v < 0 || v > 1<<40 {
				return 0, false, fmt.Errorf("%s = %s: want a non-negative integer", k, jsonText(raw))
			}
			return int64(v), true, nil
		}
		return def, false, nil
	}
	var errs []error
	var missing []string
	need := func(keys ...string) int64 {
		v, ok, err := get(0, keys...)
		if err != nil {
			errs = append(errs, err)
		} else if !ok || v == 0 {
			missing = append(missing, keys[0])
		}
		return v
	}
	opt := func(def int64, keys ...string) int64 {
		v, _, err := get(def, keys...)
		if err != nil {
			errs = append(errs, err)
		}
		return v
	}
	vocab := need("vocab_size")
	hidden := need("hidden_size", "dim")
	layers := need("num_hidden_layers", "n_layers")
	if len(missing) == 3 && len(errs) == 0 {
		return 0, errors.New("none of vocab_size, hidden_size (dim), num_hidden_layers (n_layers): not a BERT-family config")
	}
	inter := opt(4*hidden, "intermediate_size", "hidden_dim")
	positions := opt(0, "max_position_embeddings")
	types := opt(0, "type_vocab_size")
	emb := opt(hidden, "embedding_size")
	labels := opt(2, "num_labels")
	if m, ok := cfg["id2label"].(map[string]any); ok && len(m) > 0 {
		labels = int64(len(m))
	}
	if cfg["model_type"] == "albert" {
		layers = opt(1, "num_hidden_groups") * opt(1, "inner_group_num")
	}
	if len(missing) > 0 {
		errs = append(errs, fmt.Errorf("missing %s", strings.Join(missing, ", ")))
	}
	if err := errors.Join(errs...); err != nil {
		return 0, err
	}
	h := hidden
	n := (vocab+positions+types)*emb + 2*emb
	if emb != h {
		n += emb*h + h
	}
	layer := 4*(h*h+h) + h*inter + inter + inter*h + h + 4*h
	n += layers*layer + h*labels + labels
	if n <= 0 || n > 1<<50 {
		return 0, fmt.Errorf("estimate %d is implausible", n)
	}
	return n, nil
}

// estimateFile estimates the parameters of the model configured by the
// config.json at path. Errors name the file.
func estimateFile(path string) (int64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	var cfg map[string]any
	if err := json.Unmarshal(data, &cfg); err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	if cfg == nil {
		return 0, fmt.Errorf("%s: want a JSON object", path)
	}
	n, err := EstimateParameters(cfg)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	return n, nil
}
