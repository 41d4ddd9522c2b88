package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/nerbench/nerbench/internal/testmodel/wordpiece"
)

const stampName = ".gendemo-stamp.json"

// generator holds one run's options and the in-memory corpus and tokenizer,
// which are cheap to rebuild and decide what the stamps must say.
type generator struct {
	opts   options
	stdout io.Writer
	log    io.Writer

	texts     []string
	vocab     *wordpiece.Vocab
	tokenizer []byte // tokenizer.json
}

func (g *generator) logf(format string, args ...any) {
	fmt.Fprintf(g.log, "gendemo: "+format+"\n", args...)
}

func (g *generator) run() error {
	start := time.Now()
	if err := g.prepare(); err != nil {
		return err
	}
	g.logf("corpus: %d texts; tokenizer: %d WordPiece entries (%.2fs)", len(g.texts), g.vocab.Len(), time.Since(start).Seconds())

	if err := g.writeData(); err != nil {
		return err
	}
	for _, a := range archs {
		if !slices.Contains(g.opts.only, a.Backbone) {
			continue
		}
		if err := g.writeBackbone(a); err != nil {
			return err
		}
	}
	return g.writeManifest()
}

// prepare builds the corpus and the tokenizer.
func (g *generator) prepare() error {
	g.texts = generateCorpus()
	g.vocab = wordpiece.Train(g.texts, targetVocab)
	tok, err := g.vocab.TokenizerJSON()
	if err != nil {
		return fmt.Errorf("encoding tokenizer.json: %w", err)
	}
	g.tokenizer = tok
	return nil
}

// stamp records what a generator run wrote into one folder.
type stamp struct {
	Generator string           `json:"generator"`
	Version   string           `json:"generator_version"`
	Key       string           `json:"key"` // hash of everything the outputs depend on
	Files     map[string]int64 `json:"files"`
	BestTrial *int             `json:"best_trial,omitempty"`
	MacroF1   float64          `json:"macro-f1,omitempty"`
	Params    int64            `json:"num_parameters,omitempty"`
}

func hashKey(parts ...[]byte) string {
	h := sha256.New()
	h.Write([]byte(generatorVersion))
	for _, p := range parts {
		fmt.Fprintf(h, "\x00%d\x00", len(p))
		h.Write(p)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// readStamp returns the stamp of dir when its key matches and every file it
// lists exists with the recorded size, else nil.
func readStamp(dir, key string) *stamp {
	b, err := os.ReadFile(filepath.Join(dir, stampName))
	if err != nil {
		return nil
	}
	var s stamp
	if json.Unmarshal(b, &s) != nil || s.Version != generatorVersion || s.Key != key {
		return nil
	}
	for rel, size := range s.Files {
		fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil || !fi.Mode().IsRegular() || fi.Size() != size {
			return nil
		}
	}
	return &s
}

func writeStamp(dir string, s *stamp) error {
	s.Generator = "scripts/gendemo"
	s.Version = generatorVersion
	b, err := marshalIndentNoEscape(s)
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, stampName), b)
}

// writeFileAtomic writes data to a temporary file in path's folder and
// renames it into place.
func writeFileAtomic(path string, data []byte) error {
	return writeAtomic(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

func writeAtomic(path string, write func(io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err := write(f); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Chmod(0o644); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// testDataFiles returns test_data.json and test_data.jsonl.
func testDataFiles(texts []string) (list, lines []byte, err error) {
	list, err = marshalIndentNoEscape(texts)
	if err != nil {
		return nil, nil, err
	}
	var b bytes.Buffer
	for _, t := range texts {
		line, err := marshalNoEscape(struct {
			Text string `json:"text"`
		}{t})
		if err != nil {
			return nil, nil, err
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	return list, b.Bytes(), nil
}

func (g *generator) writeData() error {
	dir := g.opts.data
	list, lines, err := testDataFiles(g.texts)
	if err != nil {
		return err
	}
	key := hashKey(list, lines)
	if !g.opts.force && readStamp(dir, key) != nil {
		g.logf("%s: test data up to date (%d texts)", dir, len(g.texts))
		return nil
	}
	files := map[string][]byte{"test_data.json": list, "test_data.jsonl": lines}
	s := &stamp{Key: key, Files: map[string]int64{}}
	for _, name := range []string{"test_data.json", "test_data.jsonl"} {
		if err := writeFileAtomic(filepath.Join(dir, name), files[name]); err != nil {
			return err
		}
		s.Files[name] = int64(len(files[name]))
	}
	if err := writeStamp(dir, s); err != nil {
		return err
	}
	g.logf("%s: wrote test_data.json and test_data.jsonl (%d texts)", dir, len(g.texts))
	g.logHistogram()
	return nil
}

// logHistogram prints the spread of text lengths in words, and token counts.
func (g *generator) logHistogram() {
	bounds := []int{8, 16, 31, 61, 121, 251, 501}
	labels := []string{"1-7", "8-15", "16-30", "31-60", "61-120", "121-250", "251-500", "501+"}
	counts := make([]int, len(labels))
	for _, t := range g.texts {
		n := wordCount(t)
		i, _ := slices.BinarySearch(bounds, n+1)
		counts[i]++
	}
	g.logf("length histogram (words per text):")
	maxC := slices.Max(counts)
	for i, l := range labels {
		bar := strings.Repeat("#", (counts[i]*40+maxC-1)/maxC)
		fmt.Fprintf(g.log, "  %8s %4d %s\n", l, counts[i], bar)
	}
	s := vocabStats(g.vocab, g.texts)
	g.logf("tokens per text (with [CLS]/[SEP]): min %d, median %d, max %d; %d texts over 512 tokens", s.min, s.median, s.max, s.over512)
}

func (g *generator) backboneDir(a arch) string {
	return filepath.Join(g.opts.out, "hpo", a.Backbone)
}

// backboneKey is the hash of everything a backbone's outputs depend on.
func (g *generator) backboneKey(a arch, ts []trial) string {
	aj, _ := json.Marshal(a)
	tj, _ := json.Marshal(ts)
	return hashKey([]byte(a.Backbone), aj, tj, g.tokenizer)
}

func modelSeed(backbone string, trial int) uint64 {
	h := uint64(1469598103934665603)
	for _, c := range []byte(fmt.Sprintf("%s/%d", backbone, trial)) {
		h = (h ^ uint64(c)) * 1099511628211
	}
	return h
}

func (g *generator) writeBackbone(a0 arch) error {
	a := a0.withVocab(g.vocab.Len())
	dir := g.backboneDir(a)
	ts := simulateTrials(a.Backbone)
	best := bestTrial(ts)
	key := g.backboneKey(a, ts)
	if !g.opts.force && readStamp(dir, key) != nil {
		g.logf("%s: up to date (best %s)", dir, trialDir(best))
		return nil
	}
	cfg, err := marshalIndentNoEscape(hfConfig(a))
	if err != nil {
		return err
	}
	s := &stamp{Key: key, Files: map[string]int64{}, BestTrial: &best, MacroF1: ts[best].Metrics.MacroF1, Params: a.numParams()}
	put := func(rel string, data []byte) error {
		s.Files[rel] = int64(len(data))
		return writeFileAtomic(filepath.Join(dir, filepath.FromSlash(rel)), data)
	}
	for _, t := range ts {
		td := trialDir(t.Index)
		hp, err := marshalIndentNoEscape(t.Hyper)
		if err != nil {
			return err
		}
		m, err := marshalIndentNoEscape(t.Metrics)
		if err != nil {
			return err
		}
		for rel, data := range map[string][]byte{
			td + "/hyperparameters.json":      hp,
			td + "/metrics.json":              m,
			td + "/checkpoint/config.json":    cfg,
			td + "/checkpoint/tokenizer.json": g.tokenizer,
		} {
			if err := put(rel, data); err != nil {
				return err
			}
		}
		modelPath := filepath.Join(dir, td, "checkpoint", "model.onnx")
		if t.Index != best {
			// Only the best trial keeps a model; drop one left by an older run.
			if err := os.Remove(modelPath); err != nil && !os.IsNotExist(err) {
				return err
			}
			continue
		}
		start := time.Now()
		size, err := writeModel(modelPath, a, modelSeed(a.Backbone, t.Index))
		if err != nil {
			return err
		}
		s.Files[td+"/checkpoint/model.onnx"] = size
		g.logf("%s: wrote %s (%d layers, hidden %d, %.1fM parameters, %.1f MB) in %.1fs",
			dir, filepath.Join(td, "checkpoint", "model.onnx"), a.Layers, a.Hidden,
			float64(a.numParams())/1e6, float64(size)/1e6, time.Since(start).Seconds())
	}
	if err := writeStamp(dir, s); err != nil {
		return err
	}
	g.logf("%s: %d trials, best %s (macro-f1 %.4f)", dir, len(ts), trialDir(best), ts[best].Metrics.MacroF1)
	return nil
}

// writeModel streams the ONNX model of a to path and returns its size.
func writeModel(path string, a arch, seed uint64) (int64, error) {
	m, err := buildModel(a, seed)
	if err != nil {
		return 0, err
	}
	var size int64
	err = writeAtomic(path, func(w io.Writer) error {
		n, err := m.WriteTo(w)
		size = n
		return err
	})
	return size, err
}

type manifestEntry struct {
	BestTrial  string  `json:"best_trial"`
	Checkpoint string  `json:"checkpoint"`
	MacroF1    float64 `json:"macro-f1"`
	ModelType  string  `json:"model_type"`
	Params     int64   `json:"num_parameters"`
}

// writeManifest lists, for every backbone whose outputs are up to date, its
// best trial and checkpoint (relative to the manifest's folder). It prints
// the best trials on stdout.
func (g *generator) writeManifest() error {
	hpo := filepath.Join(g.opts.out, "hpo")
	entries := map[string]manifestEntry{}
	for _, a0 := range archs {
		a := a0.withVocab(g.vocab.Len())
		ts := simulateTrials(a.Backbone)
		s := readStamp(g.backboneDir(a), g.backboneKey(a, ts))
		if s == nil || s.BestTrial == nil {
			continue
		}
		td := trialDir(*s.BestTrial)
		e := manifestEntry{
			BestTrial: td, Checkpoint: a.Backbone + "/" + td + "/checkpoint",
			MacroF1: s.MacroF1, ModelType: a.ModelType, Params: s.Params,
		}
		entries[a.Backbone] = e
		fmt.Fprintf(g.stdout, "%-10s best %s  macro-f1 %.4f  %s\n", a.Backbone, td, e.MacroF1,
			filepath.Join(hpo, filepath.FromSlash(e.Checkpoint)))
	}
	if len(entries) == 0 {
		return nil
	}
	b, err := marshalIndentNoEscape(struct {
		Note      string                   `json:"_note"`
		Metric    string                   `json:"metric"`
		Backbones map[string]manifestEntry `json:"backbones"`
	}{
		Note:      "written by scripts/gendemo; demo models have random weights; checkpoint paths are relative to this file's folder",
		Metric:    "macro-f1",
		Backbones: entries,
	})
	if err != nil {
		return err
	}
	path := filepath.Join(hpo, "manifest.json")
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, b) {
		return nil
	}
	if err := writeFileAtomic(path, b); err != nil {
		return err
	}
	g.logf("wrote %s", path)
	return nil
}
