package tokenize

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// BenchmarkEncodeAll times one pass of EncodeAll over a test set on
// GOMAXPROCS goroutines (go test -cpu 1,2 gives one core and two), each pass
// with an empty word cache, as the suite's preparation tokenizes: the
// docs/sec it reports is what scripts/tokref/speed.sh sets against the
// reference library. NERBENCH_TOKENIZERS (comma-separated tokenizer.json
// paths), NERBENCH_TEXTS (a JSON list of strings) and NERBENCH_MAX_LENGTH
// (default 512) choose the work; by default, testdata's tokenizers on its
// multilingual texts.
func BenchmarkEncodeAll(b *testing.B) {
	textsFile := os.Getenv("NERBENCH_TEXTS")
	if textsFile == "" {
		textsFile = filepath.Join(testdata, "texts.json")
	}
	data, err := os.ReadFile(textsFile)
	if err != nil {
		b.Fatal(err)
	}
	var all, texts []string
	if err := json.Unmarshal(data, &all); err != nil {
		b.Fatal(err)
	}
	for _, t := range all {
		if strings.TrimSpace(t) != "" {
			texts = append(texts, t)
		}
	}
	maxLen := 512
	if s := os.Getenv("NERBENCH_MAX_LENGTH"); s != "" {
		if maxLen, err = strconv.Atoi(s); err != nil {
			b.Fatal(err)
		}
	}
	files := strings.Split(os.Getenv("NERBENCH_TOKENIZERS"), ",")
	if files[0] == "" {
		files = []string{"wordpiece-cased", "bpe-roberta", "unigram-metaspace"}
		for i, f := range files {
			files[i] = filepath.Join(testdata, f+".json")
		}
	}
	for _, file := range files {
		tk, err := Load(file, true)
		if err != nil {
			b.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		b.Run("tokenizer="+name, func(b *testing.B) {
			workers := runtime.GOMAXPROCS(0)
			tokens := 0
			for b.Loop() {
				tk.ResetCache()
				encs, err := tk.EncodeAll(texts, maxLen, workers)
				if err != nil {
					b.Fatal(err)
				}
				tokens = 0
				for _, e := range encs {
					tokens += len(e.IDs)
				}
			}
			b.ReportMetric(float64(len(texts))*float64(b.N)/b.Elapsed().Seconds(), "docs/sec")
			b.ReportMetric(float64(tokens)/float64(len(texts)), "tokens/doc")
		})
	}
}
