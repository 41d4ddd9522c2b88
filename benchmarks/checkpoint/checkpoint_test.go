package checkpoint

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// mkdir makes a temporary checkpoint directory holding files (name →
// content; a name ending in "/" makes a directory).
func mkdir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if strings.HasSuffix(name, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestFind(t *testing.T) {
	tests := []struct {
		name      string
		files     map[string]string
		model     string // expected file names, "" for none
		tokenizer string
		vocab     string
		config    bool
	}{
		{"optimum layout", map[string]string{"model.onnx": "m", "tokenizer.json": "{}", "config.json": "{}",
			"special_tokens_map.json": "{}", "tokenizer_config.json": "{}"},
			"model.onnx", "tokenizer.json", "", true},
		{"vocab only", map[string]string{"model.onnx": "m", "vocab.txt": "[PAD]"}, "model.onnx", "", "vocab.txt", false},
		{"both tokenizers", map[string]string{"model.onnx": "m", "vocab.txt": "x", "tokenizer.json": "{}"},
			"model.onnx", "tokenizer.json", "vocab.txt", false},
		{"model.onnx preferred over others", map[string]string{"model.onnx": "m", "model_quantized.onnx": "q", "tokenizer.json": "{}"},
			"model.onnx", "tokenizer.json", "", false},
		{"single other onnx", map[string]string{"tinybert.onnx": "m", "tokenizer.json": "{}"},
			"tinybert.onnx", "tokenizer.json", "", false},
		{"single onnx upper case", map[string]string{"Model.ONNX": "m", "tokenizer.json": "{}"},
			"Model.ONNX", "tokenizer.json", "", false},
		{"onnx directory is not a model", map[string]string{"x.onnx/": "", "y.onnx": "m", "tokenizer.json": "{}"},
			"y.onnx", "tokenizer.json", "", false},
		{"external data beside model", map[string]string{"model.onnx": "m", "model.onnx_data": "d", "tokenizer.json": "{}"},
			"model.onnx", "tokenizer.json", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := mkdir(t, tt.files)
			c, err := Find(dir)
			if err != nil {
				t.Fatalf("Find: %v", err)
			}
			path := func(name string) string {
				if name == "" {
					return ""
				}
				return filepath.Join(dir, name)
			}
			if c.Dir != dir {
				t.Errorf("Dir = %q, want %q", c.Dir, dir)
			}
			if c.ModelPath != path(tt.model) {
				t.Errorf("ModelPath = %q, want %q", c.ModelPath, path(tt.model))
			}
			if c.TokenizerPath != path(tt.tokenizer) {
				t.Errorf("TokenizerPath = %q, want %q", c.TokenizerPath, path(tt.tokenizer))
			}
			if c.VocabPath != path(tt.vocab) {
				t.Errorf("VocabPath = %q, want %q", c.VocabPath, path(tt.vocab))
			}
			if (c.Config != nil) != tt.config || (c.ConfigPath != "") != tt.config {
				t.Errorf("Config = %v, ConfigPath = %q, want config %v", c.Config, c.ConfigPath, tt.config)
			}
		})
	}
}

func TestFindRelativeDir(t *testing.T) {
	dir := mkdir(t, map[string]string{"ckpt/": ""})
	for _, f := range []string{"model.onnx", "tokenizer.json"} {
		if err := os.WriteFile(filepath.Join(dir, "ckpt", f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	c, err := Find("ckpt")
	if err != nil {
		t.Fatal(err)
	}
	real, _ := filepath.EvalSymlinks(filepath.Join(dir, "ckpt"))
	got, _ := filepath.EvalSymlinks(c.Dir)
	if !filepath.IsAbs(c.Dir) || got != real {
		t.Errorf("Dir = %q, want the absolute path of %q", c.Dir, real)
	}
	if c.ModelPath != filepath.Join(c.Dir, "model.onnx") {
		t.Errorf("ModelPath = %q, want it inside Dir", c.ModelPath)
	}
}

func TestFindErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string // the lines of the message; "DIR" stands for the directory
	}{
		{"empty dir", map[string]string{}, []string{
			"checkpoint DIR: no model.onnx (nor any other .onnx file); export the model to ONNX into it, e.g. optimum-cli export onnx --model <trained model> <dir>",
			"checkpoint DIR: no tokenizer.json or vocab.txt; save the tokenizer into the directory (tokenizer.save_pretrained(dir), as optimum-cli export onnx does)",
		}},
		{"no tokenizer", map[string]string{"model.onnx": ""}, []string{
			"checkpoint DIR: no tokenizer.json or vocab.txt; save the tokenizer into the directory (tokenizer.save_pretrained(dir), as optimum-cli export onnx does)",
		}},
		{"tokenizer is a directory", map[string]string{"model.onnx": "", "tokenizer.json/": ""}, []string{
			"checkpoint DIR: no tokenizer.json or vocab.txt; save the tokenizer into the directory (tokenizer.save_pretrained(dir), as optimum-cli export onnx does)",
		}},
		{"tokenizer under another name", map[string]string{"model.onnx": "", "tinybert-tokenizer.json": "{}"}, []string{
			"checkpoint DIR: no tokenizer.json or vocab.txt; save the tokenizer into the directory (tokenizer.save_pretrained(dir), as optimum-cli export onnx does)",
		}},
		{"no model", map[string]string{"tokenizer.json": "{}", "model.onnx/": ""}, []string{
			"checkpoint DIR: no model.onnx (nor any other .onnx file); export the model to ONNX into it, e.g. optimum-cli export onnx --model <trained model> <dir>",
		}},
		{"several onnx files", map[string]string{"encoder.onnx": "", "decoder.onnx": "", "b.onnx": "", "tokenizer.json": "{}"}, []string{
			"checkpoint DIR: no model.onnx, and 3 .onnx files (b.onnx, decoder.onnx, encoder.onnx); rename the one to benchmark to model.onnx",
		}},
		{"bad config json", map[string]string{"model.onnx": "", "tokenizer.json": "{}", "config.json": "{\"a\": }"}, []string{
			"checkpoint DIR: config.json: invalid JSON: invalid character '}' looking for beginning of value; fix or remove the file",
		}},
		{"config not an object", map[string]string{"model.onnx": "", "tokenizer.json": "{}", "config.json": "[1]"}, []string{
			"checkpoint DIR: config.json: want a JSON object, got array",
		}},
		{"config null", map[string]string{"model.onnx": "", "tokenizer.json": "{}", "config.json": "null"}, []string{
			"checkpoint DIR: config.json: want a JSON object, got null",
		}},
		{"config wrong types", map[string]string{"model.onnx": "", "tokenizer.json": "{}", "config.json": `{
			"model_type": 3, "vocab_size": "big", "max_position_embeddings": 1.5,
			"id2label": {"0": "O", "1": 7}, "random_weights": "yes"}`}, []string{
			`checkpoint DIR: config.json: "id2label.1": want a string label, got the number 7`,
			`checkpoint DIR: config.json: "max_position_embeddings": want a whole number ≥ 0, got the number 1.5`,
			`checkpoint DIR: config.json: "model_type": want a string, got the number 3`,
			`checkpoint DIR: config.json: "random_weights": want true or false, got the string "yes"`,
			`checkpoint DIR: config.json: "vocab_size": want a whole number ≥ 0, got the string "big"`,
		}},
		{"config id2label array", map[string]string{"model.onnx": "", "vocab.txt": "", "config.json": `{"id2label": ["O"], "vocab_size": -1}`}, []string{
			`checkpoint DIR: config.json: "id2label": want an object such as {"0": "O", "1": "B-PER"}, got an array`,
			`checkpoint DIR: config.json: "vocab_size": want a whole number ≥ 0, got the number -1`,
		}},
		{"everything wrong", map[string]string{"config.json": "{"}, []string{
			"checkpoint DIR: no model.onnx (nor any other .onnx file); export the model to ONNX into it, e.g. optimum-cli export onnx --model <trained model> <dir>",
			"checkpoint DIR: no tokenizer.json or vocab.txt; save the tokenizer into the directory (tokenizer.save_pretrained(dir), as optimum-cli export onnx does)",
			"checkpoint DIR: config.json: invalid JSON: unexpected end of JSON input; fix or remove the file",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := mkdir(t, tt.files)
			c, err := Find(dir)
			if err == nil {
				t.Fatalf("Find = %+v, want an error", c)
			}
			want := strings.ReplaceAll(strings.Join(tt.want, "\n"), "DIR", dir)
			if err.Error() != want {
				t.Errorf("error:\n got %s\nwant %s", err, want)
			}
		})
	}
}

func TestFindBadDir(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope")
	_, err := Find(missing)
	want := "checkpoint " + missing + ": the directory does not exist; give the folder that holds model.onnx and tokenizer.json"
	if err == nil || err.Error() != want {
		t.Errorf("Find(missing) = %v, want %s", err, want)
	}

	file := filepath.Join(dir, "model.onnx")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Find(file)
	want = "checkpoint " + file + ": not a directory; give the folder that holds model.onnx and tokenizer.json, not a file in it"
	if err == nil || err.Error() != want {
		t.Errorf("Find(file) = %v, want %s", err, want)
	}
}

func TestParseConfig(t *testing.T) {
	c, err := ParseConfig([]byte(`{
		"model_type": "bert", "vocab_size": 30522, "max_position_embeddings": 512,
		"id2label": {"0": "O", "1": "B-PER", "2": "I-PER"}, "random_weights": true,
		"hidden_size": 768, "architectures": ["BertForTokenClassification"]}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.ModelType != "bert" || c.VocabSize != 30522 || c.MaxPositionEmbeddings != 512 || !c.RandomWeights {
		t.Errorf("got %+v", c)
	}
	if want := map[string]string{"0": "O", "1": "B-PER", "2": "I-PER"}; !maps.Equal(c.ID2Label, want) {
		t.Errorf("ID2Label = %v, want %v", c.ID2Label, want)
	}
	if got := c.Labels(); !slices.Equal(got, []string{"O", "B-PER", "I-PER"}) {
		t.Errorf("Labels() = %q", got)
	}
	if c.Raw["hidden_size"] != 768.0 || len(c.Raw) != 7 {
		t.Errorf("Raw = %v, want all 7 keys", c.Raw)
	}

	// Absent keys and nulls leave zero values.
	c, err = ParseConfig([]byte(`{"id2label": null, "vocab_size": null, "random_weights": false}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.ModelType != "" || c.ID2Label != nil || c.VocabSize != 0 || c.RandomWeights || c.Labels() != nil {
		t.Errorf("got %+v", c)
	}

	// The other spelling is not read (and stays in Raw).
	c, err = ParseConfig([]byte(`{"nerbench_random_weights": true}`))
	if err != nil || c.RandomWeights || c.Raw["nerbench_random_weights"] != true {
		t.Errorf("got %+v, %v", c, err)
	}
}

func TestLabels(t *testing.T) {
	tests := []struct {
		id2label map[string]string
		want     []string
	}{
		{map[string]string{"1": "B", "0": "A"}, []string{"A", "B"}},
		{map[string]string{"0": "A", "2": "C"}, nil},  // a gap
		{map[string]string{"0": "A", "01": "B"}, nil}, // not canonical
		{map[string]string{"a": "A"}, nil},
		{map[string]string{"-1": "A"}, nil},
		{nil, nil},
	}
	for _, tt := range tests {
		c := &ModelConfig{ID2Label: tt.id2label}
		if got := c.Labels(); !slices.Equal(got, tt.want) {
			t.Errorf("Labels(%v) = %q, want %q", tt.id2label, got, tt.want)
		}
	}
	var nilConfig *ModelConfig
	if nilConfig.Labels() != nil {
		t.Error("nil ModelConfig has labels")
	}
}

// tinyDemo is the tiny demo checkpoint that make demo-tiny generates.
const tinyDemo = "../../outputs/hpo/tiny/trial_0/checkpoint"

// The demo checkpoint, as gendemo writes it (a Hugging Face config.json
// with id2label), and its files linked under other names.
func TestFindDemoCheckpoint(t *testing.T) {
	src, err := filepath.Abs(tinyDemo)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(src, "model.onnx")); err != nil {
		t.Fatalf("the tiny demo checkpoint is missing (%v): run make demo-tiny", err)
	}
	t.Run("as generated", func(t *testing.T) {
		c, err := Find(src)
		if err != nil {
			t.Fatal(err)
		}
		if c.ModelPath != filepath.Join(src, "model.onnx") || c.TokenizerPath != filepath.Join(src, "tokenizer.json") || c.VocabPath != "" {
			t.Errorf("paths: %+v", c)
		}
		cfg := c.Config
		if cfg == nil || c.ConfigPath != filepath.Join(src, "config.json") {
			t.Fatalf("config not read: %+v", c)
		}
		if cfg.ModelType != "bert" || cfg.MaxPositionEmbeddings != 512 || cfg.VocabSize != 2000 || !cfg.RandomWeights {
			t.Errorf("config: %+v", cfg)
		}
		if want := []string{"O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"}; !slices.Equal(cfg.Labels(), want) {
			t.Errorf("labels %v, want %v", cfg.Labels(), want)
		}
		if cfg.Raw["hidden_act"] != "gelu" {
			t.Errorf("Raw misses keys: %v", cfg.Raw)
		}
	})
	t.Run("model found by its only onnx file", func(t *testing.T) {
		dir := t.TempDir()
		link(t, filepath.Join(src, "model.onnx"), filepath.Join(dir, "tiny.onnx"))
		link(t, filepath.Join(src, "tokenizer.json"), filepath.Join(dir, "tokenizer.json"))
		c, err := Find(dir)
		if err != nil {
			t.Fatal(err)
		}
		if c.ModelPath != filepath.Join(dir, "tiny.onnx") || c.Config != nil {
			t.Errorf("got %+v", c)
		}
	})
	t.Run("tokenizer under another name", func(t *testing.T) {
		dir := t.TempDir()
		link(t, filepath.Join(src, "model.onnx"), filepath.Join(dir, "model.onnx"))
		link(t, filepath.Join(src, "tokenizer.json"), filepath.Join(dir, "tiny-tokenizer.json"))
		if _, err := Find(dir); err == nil || !strings.Contains(err.Error(), "no tokenizer.json or vocab.txt") || strings.Contains(err.Error(), "no model.onnx") {
			t.Errorf("Find = %v, want only a missing tokenizer error", err)
		}
	})
}

// link makes dst a symbolic link to src (the demo checkpoint and the
// shared fixtures must not be changed).
func link(t *testing.T, src, dst string) {
	t.Helper()
	if err := os.Symlink(src, dst); err != nil {
		t.Fatal(err)
	}
}
