// Package checkpoint finds the files of a model checkpoint: a directory laid
// out as Hugging Face optimum exports it (optimum-cli export onnx):
//
//	model.onnx        the model; required. When it is absent, a directory
//	                  that holds exactly one *.onnx file is accepted too.
//	tokenizer.json    the fast tokenizer; this or vocab.txt is required,
//	vocab.txt         and tokenizer.json is preferred when both exist.
//	config.json       the transformers model config; optional.
//
// config.json is read into [ModelConfig]. A checkpoint made with random
// weights (a demo, or a smoke test) says so with the boolean key
// "random_weights" in config.json; results of such checkpoints measure
// speed only.
package checkpoint

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// File names looked for in a checkpoint directory.
const (
	ModelFile     = "model.onnx"
	TokenizerFile = "tokenizer.json"
	VocabFile     = "vocab.txt"
	ConfigFile    = "config.json"
)

// RandomWeightsKey is the boolean config.json key that marks a checkpoint
// whose weights are random (untrained).
const RandomWeightsKey = "random_weights"

// ModelConfig is what nerbench reads from config.json. Keys that are absent
// leave their field at the zero value; Raw holds the whole file.
type ModelConfig struct {
	ModelType             string            // "model_type", e.g. "distilbert"
	ID2Label              map[string]string // "id2label", e.g. {"0": "O", "1": "B-PER"}
	MaxPositionEmbeddings int               // "max_position_embeddings"
	VocabSize             int               // "vocab_size"
	RandomWeights         bool              // "random_weights"
	Raw                   map[string]any    // every key, as encoding/json decodes it
}

// Labels returns the labels of ID2Label in id order when the ids are
// exactly 0, 1, …, n−1, and nil otherwise.
func (c *ModelConfig) Labels() []string {
	if c == nil || len(c.ID2Label) == 0 {
		return nil
	}
	labels := make([]string, len(c.ID2Label))
	for k, v := range c.ID2Label {
		i, err := strconv.Atoi(k)
		if err != nil || i < 0 || i >= len(labels) || strconv.Itoa(i) != k {
			return nil
		}
		labels[i] = v
	}
	return labels
}

// Checkpoint holds the absolute paths of the files of one checkpoint.
type Checkpoint struct {
	Dir       string
	ModelPath string
	// TokenizerPath is the tokenizer.json file, "" when there is none.
	TokenizerPath string
	// VocabPath is the vocab.txt file, "" when there is none. Both paths
	// are set when both files exist; use TokenizerPath then.
	VocabPath  string
	ConfigPath string       // "" when there is no config.json
	Config     *ModelConfig // nil when there is no config.json
}

// Find looks for the checkpoint files in dir. All problems found are
// returned together; each names the directory, what is missing or wrong,
// and what to do.
func Find(dir string) (*Checkpoint, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", dir, err)
	}
	info, err := os.Stat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("checkpoint %s: the directory does not exist; give the folder that holds model.onnx and tokenizer.json", dir)
	case err != nil:
		return nil, fmt.Errorf("checkpoint %s: %w", dir, err)
	case !info.IsDir():
		return nil, fmt.Errorf("checkpoint %s: not a directory; give the folder that holds model.onnx and tokenizer.json, not a file in it", dir)
	}

	c := &Checkpoint{Dir: abs}
	var errs []error

	if model, err := findModel(abs); err != nil {
		errs = append(errs, fmt.Errorf("checkpoint %s: %w", dir, err))
	} else {
		c.ModelPath = model
	}

	if p := filepath.Join(abs, TokenizerFile); isFile(p) {
		c.TokenizerPath = p
	}
	if p := filepath.Join(abs, VocabFile); isFile(p) {
		c.VocabPath = p
	}
	if c.TokenizerPath == "" && c.VocabPath == "" {
		errs = append(errs, fmt.Errorf("checkpoint %s: no %s or %s; save the tokenizer into the directory (tokenizer.save_pretrained(dir), as optimum-cli export onnx does)", dir, TokenizerFile, VocabFile))
	}

	if p := filepath.Join(abs, ConfigFile); isFile(p) {
		cfg, err := readConfig(p)
		if err != nil {
			// One line per problem, each naming the checkpoint.
			list := []error{err}
			if j, ok := err.(interface{ Unwrap() []error }); ok {
				list = j.Unwrap()
			}
			for _, e := range list {
				errs = append(errs, fmt.Errorf("checkpoint %s: %w", dir, e))
			}
		} else {
			c.ConfigPath, c.Config = p, cfg
		}
	}

	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return c, nil
}

// findModel returns dir/model.onnx, or the only *.onnx file of dir.
func findModel(dir string) (string, error) {
	p := filepath.Join(dir, ModelFile)
	if isFile(p) {
		return p, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	var onnx []string
	for _, e := range entries {
		if strings.EqualFold(filepath.Ext(e.Name()), ".onnx") && isFile(filepath.Join(dir, e.Name())) {
			onnx = append(onnx, e.Name())
		}
	}
	switch len(onnx) {
	case 1:
		return filepath.Join(dir, onnx[0]), nil
	case 0:
		return "", fmt.Errorf("no %s (nor any other .onnx file); export the model to ONNX into it, e.g. optimum-cli export onnx --model <trained model> <dir>", ModelFile)
	default:
		slices.Sort(onnx)
		return "", fmt.Errorf("no %s, and %d .onnx files (%s); rename the one to benchmark to %s", ModelFile, len(onnx), strings.Join(onnx, ", "), ModelFile)
	}
}

func isFile(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular()
}

// readConfig reads config.json.
func readConfig(path string) (*ModelConfig, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseConfig(data)
}

// ParseConfig decodes the content of a config.json file. Errors name the
// key and say what was found and what is wanted.
func ParseConfig(data []byte) (*ModelConfig, error) {
	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field == "" {
			return nil, fmt.Errorf("%s: want a JSON object, got %s", ConfigFile, te.Value)
		}
		return nil, fmt.Errorf("%s: invalid JSON: %w; fix or remove the file", ConfigFile, err)
	}
	if raw == nil { // the file is "null"
		return nil, fmt.Errorf("%s: want a JSON object, got null", ConfigFile)
	}
	c := &ModelConfig{Raw: raw}
	var errs []error
	bad := func(key, want string, v any) {
		errs = append(errs, fmt.Errorf("%s: %q: want %s, got %s", ConfigFile, key, want, describe(v)))
	}

	if v, ok := raw["model_type"]; ok {
		if s, ok := v.(string); ok {
			c.ModelType = s
		} else {
			bad("model_type", "a string", v)
		}
	}
	if v, ok := raw["id2label"]; ok && v != nil {
		m, ok := v.(map[string]any)
		if !ok {
			bad("id2label", `an object such as {"0": "O", "1": "B-PER"}`, v)
		} else {
			c.ID2Label = make(map[string]string, len(m))
			for _, k := range slices.Sorted(func(yield func(string) bool) {
				for k := range m {
					if !yield(k) {
						return
					}
				}
			}) {
				s, ok := m[k].(string)
				if !ok {
					bad("id2label."+k, "a string label", m[k])
					continue
				}
				c.ID2Label[k] = s
			}
		}
	}
	for key, dst := range map[string]*int{
		"max_position_embeddings": &c.MaxPositionEmbeddings,
		"vocab_size":              &c.VocabSize,
	} {
		v, ok := raw[key]
		if !ok || v == nil {
			continue
		}
		f, ok := v.(float64)
		if !ok || f != math.Trunc(f) || f < 0 || f > math.MaxInt32 {
			bad(key, "a whole number ≥ 0", v)
			continue
		}
		*dst = int(f)
	}
	if v, ok := raw[RandomWeightsKey]; ok {
		if b, ok := v.(bool); ok {
			c.RandomWeights = b
		} else {
			bad(RandomWeightsKey, "true or false", v)
		}
	}
	if len(errs) > 0 {
		slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
		return nil, errors.Join(errs...)
	}
	return c, nil
}

// describe names a decoded JSON value and shows it when it is short.
func describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("the string %q", v)
	case float64:
		return "the number " + strconv.FormatFloat(v, 'g', -1, 64)
	case bool:
		return fmt.Sprintf("%t", v)
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	default:
		return fmt.Sprintf("%T", v)
	}
}
