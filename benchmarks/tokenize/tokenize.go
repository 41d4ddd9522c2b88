// Package tokenize turns texts into padded token batches for an encoder
// model, with ids exactly as the Hugging Face tokenizers library gives them
// (package internal/hftok, a Go implementation of its pipeline that reads
// the same tokenizer.json).
//
// A tokenizer comes from a Hugging Face tokenizer.json (including the older
// format whose "model" object has no "type" field) or from a WordPiece
// vocab.txt. Encoding adds the model's special tokens and truncates to a
// maximum length that counts them (the final special token is kept);
// padding goes to the longest sequence of a batch (or to a fixed length the
// model demands) with the tokenizer's pad id. EncodeAll tokenizes on all
// cores.
package tokenize

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/nerbench/nerbench/benchmarks/decode"
	"github.com/nerbench/nerbench/internal/hftok"
)

// Tokenizer encodes texts with special tokens and truncation. It is safe
// for concurrent use.
type Tokenizer struct {
	tk *hftok.Tokenizer
	// Path is the file it was loaded from.
	Path string
	// PadID is the id used for padding.
	PadID int64
	// PadTypeID is the token type id used for padding.
	PadTypeID int64
	// VocabSize counts the vocabulary including added tokens.
	VocabSize int
	// cuttable says whether long texts may be cut before tokenizing
	// (see CutText).
	cuttable bool
}

// Load reads a tokenizer.json, or a vocab.txt (WordPiece, as BERT ships it).
// For vocab.txt, lowerCase says whether texts are lower-cased first (the
// do_lower_case of the model's tokenizer_config.json).
func Load(path string, lowerCase bool) (_ *Tokenizer, err error) {
	var (
		tk       *hftok.Tokenizer
		cuttable bool
	)
	defer func() {
		if r := recover(); r != nil { // a panic inside the tokenizer is an error naming the file
			err = fmt.Errorf("loading tokenizer %s: the tokenizer failed: %v", path, r)
		}
	}()
	switch filepath.Ext(path) {
	case ".json":
		if tk, err = hftok.FromFile(path); err == nil {
			cuttable = cuttableFile(path)
		}
	case ".txt":
		tk, err = fromVocab(path, lowerCase)
		cuttable = true // BERT's normalizer and pre-tokenizer
	default:
		err = errors.New("want a tokenizer.json or a vocab.txt")
	}
	if err != nil {
		return nil, fmt.Errorf("loading tokenizer %s: %w", path, err)
	}
	t := &Tokenizer{tk: tk, Path: path, VocabSize: tk.VocabSize(), cuttable: cuttable}
	t.PadID, t.PadTypeID = padIDs(tk, path)
	return t, nil
}

// fromVocab builds a BERT WordPiece tokenizer from a vocab.txt, as the
// library's BertWordPieceTokenizer and transformers' BertTokenizerFast do:
// the id of a token is its line number (a repeated token keeps its last).
func fromVocab(path string, lowerCase bool) (*hftok.Tokenizer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	vocab := map[string]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for n := 0; sc.Scan(); n++ {
		vocab[strings.TrimRight(sc.Text(), "\r\n")] = n
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	for _, special := range []string{"[UNK]", "[CLS]", "[SEP]"} {
		if _, ok := vocab[special]; !ok {
			return nil, fmt.Errorf("vocab has no %s token; a vocab.txt must be a BERT WordPiece vocabulary", special)
		}
	}
	var added []hftok.AddedToken
	for _, s := range []string{"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"} {
		if id, ok := vocab[s]; ok {
			added = append(added, hftok.AddedToken{ID: int32(id), Content: s, Special: true})
		}
	}
	return hftok.New(added,
		map[string]any{"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true,
			"strip_accents": nil, "lowercase": lowerCase},
		map[string]any{"type": "BertPreTokenizer"},
		map[string]any{"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
			"max_input_chars_per_word": 100, "vocab": vocab},
		map[string]any{"type": "BertProcessing", "sep": []any{"[SEP]", vocab["[SEP]"]}, "cls": []any{"[CLS]", vocab["[CLS]"]}})
}

// padIDs returns the pad id and pad type id: from the file's "padding"
// section where it has one, else the id of a pad token in the vocabulary,
// else 0.
func padIDs(tk *hftok.Tokenizer, path string) (int64, int64) {
	if filepath.Ext(path) == ".json" {
		var doc struct {
			Padding *struct {
				PadID     *int64 `json:"pad_id"`
				PadTypeID *int64 `json:"pad_type_id"`
			} `json:"padding"`
		}
		if data, err := os.ReadFile(path); err == nil && json.Unmarshal(data, &doc) == nil &&
			doc.Padding != nil && doc.Padding.PadID != nil {
			var typeID int64
			if doc.Padding.PadTypeID != nil {
				typeID = *doc.Padding.PadTypeID
			}
			return *doc.Padding.PadID, typeID
		}
	}
	for _, tok := range []string{"[PAD]", "<pad>", "<PAD>", "[pad]"} {
		if id, ok := tk.TokenToID(tok); ok {
			return int64(id), 0
		}
	}
	return 0, 0
}

// Encoding is one text's token ids with special tokens added.
type Encoding struct {
	IDs     []int64
	TypeIDs []int64
	// Truncated says whether tokens were cut to fit the maximum length.
	Truncated bool
}

// Len returns the number of tokens.
func (e Encoding) Len() int { return len(e.IDs) }

// Encode tokenizes text, adds special tokens and truncates to maxLen tokens
// (special tokens included, the final one kept); maxLen ≤ 0 means no
// truncation.
//
// A long text is first cut (CutText) at a bound that cannot change the
// first maxLen tokens, when the tokenizer allows it: see cut.go. Invalid
// UTF-8 becomes U+FFFD first, as Python's decoding with errors="replace"
// (and Go's JSON decoder) makes it.
func (t *Tokenizer) Encode(text string, maxLen int) (Encoding, error) {
	text = strings.ToValidUTF8(text, "\uFFFD")
	if maxLen > 0 && t.cuttable {
		for limit := cutStart * maxLen; limit < len(text); limit *= 2 {
			prefix := CutText(text, limit)
			if prefix == "" {
				continue
			}
			e, err := t.encode(prefix, maxLen)
			if err != nil || e.Truncated {
				return e, err
			}
		}
	}
	return t.encode(text, maxLen)
}

// encode encodes text whole. A panic inside the tokenizer becomes an error
// that names the tokenizer file.
func (t *Tokenizer) encode(text string, maxLen int) (_ Encoding, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("tokenizer %s failed: %v", t.Path, r)
		}
	}()
	buf := bufPool.Get().(*encodeBuf)
	defer bufPool.Put(buf)
	var trunc bool
	buf.ids, buf.types, trunc, err = t.tk.AppendEncoding(buf.ids[:0], buf.types[:0], text, true, maxLen)
	if err != nil {
		return Encoding{}, err
	}
	// One allocation for both slices.
	n := len(buf.ids)
	out := make([]int64, 2*n)
	e := Encoding{IDs: out[:n:n], TypeIDs: out[n:], Truncated: trunc}
	for i, id := range buf.ids {
		e.IDs[i] = int64(id)
		e.TypeIDs[i] = int64(buf.types[i])
	}
	return e, nil
}

// encodeBuf holds the int32 ids of one Encode call, reused through a pool.
type encodeBuf struct {
	ids, types []int32
	offs       []hftok.Token
}

var bufPool = sync.Pool{New: func() any { return new(encodeBuf) }}

// EncodeAll encodes texts on `workers` goroutines (≤ 0: one per CPU,
// GOMAXPROCS), each taking texts in chunks; the result is in the order of
// texts. The first error stops it and names the text.
func (t *Tokenizer) EncodeAll(texts []string, maxLen, workers int) ([]Encoding, error) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	out := make([]Encoding, len(texts))
	const chunk = 16
	workers = min(workers, (len(texts)+chunk-1)/chunk)
	if workers <= 1 {
		for i, text := range texts {
			enc, err := t.Encode(text, maxLen)
			if err != nil {
				return nil, fmt.Errorf("tokenizing text %d: %w", i, err)
			}
			out[i] = enc
		}
		return out, nil
	}
	var (
		next    atomic.Int64
		wg      sync.WaitGroup
		errOnce sync.Once
		first   error
		failed  atomic.Bool
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !failed.Load() {
				lo := int(next.Add(chunk)) - chunk
				if lo >= len(texts) {
					return
				}
				for i := lo; i < min(lo+chunk, len(texts)); i++ {
					enc, err := t.Encode(texts[i], maxLen)
					if err != nil {
						errOnce.Do(func() { first = fmt.Errorf("tokenizing text %d: %w", i, err) })
						failed.Store(true)
						return
					}
					out[i] = enc
				}
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return nil, first
	}
	return out, nil
}

// Batch is a padded, row-major batch: Size rows of SeqLen tokens.
type Batch struct {
	Size, SeqLen int
	IDs          []int64
	Mask         []int64
	TypeIDs      []int64
	// Tokens counts the real (unpadded) tokens.
	Tokens int
}

// Pad lays encs out as a batch padded to the longest of them, or to
// fixedLen when it is > 0 (longer encodings are then cut to fixedLen).
func (t *Tokenizer) Pad(encs []Encoding, fixedLen int) *Batch {
	seq := fixedLen
	if seq <= 0 {
		for _, e := range encs {
			seq = max(seq, len(e.IDs))
		}
	}
	b := &Batch{Size: len(encs), SeqLen: seq,
		IDs: make([]int64, len(encs)*seq), Mask: make([]int64, len(encs)*seq), TypeIDs: make([]int64, len(encs)*seq)}
	for r, e := range encs {
		row := r * seq
		n := min(len(e.IDs), seq)
		b.Tokens += n
		for i := range seq {
			if i < n {
				b.IDs[row+i], b.Mask[row+i], b.TypeIDs[row+i] = e.IDs[i], 1, e.TypeIDs[i]
			} else {
				b.IDs[row+i], b.TypeIDs[row+i] = t.PadID, t.PadTypeID
			}
		}
	}
	return b
}

// LoadCheckpoint loads the tokenizer of a checkpoint folder (its
// tokenizer.json, else its vocab.txt) or the tokenizer file path names.
func LoadCheckpoint(path string) (*Tokenizer, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	if !info.IsDir() {
		return Load(path, DoLowerCase(filepath.Dir(path)))
	}
	for _, name := range []string{"tokenizer.json", "vocab.txt"} {
		if p := filepath.Join(path, name); fileExists(p) {
			return Load(p, DoLowerCase(path))
		}
	}
	return nil, fmt.Errorf("checkpoint %s: no tokenizer.json or vocab.txt", path)
}

func fileExists(p string) bool {
	info, err := os.Stat(p)
	return err == nil && info.Mode().IsRegular()
}

// DoLowerCase reads do_lower_case from dir's tokenizer_config.json, for a
// vocab.txt tokenizer; BERT's default is true.
func DoLowerCase(dir string) bool {
	var tc struct {
		DoLowerCase *bool `json:"do_lower_case"`
	}
	data, err := os.ReadFile(filepath.Join(dir, "tokenizer_config.json"))
	if err == nil && json.Unmarshal(data, &tc) == nil && tc.DoLowerCase != nil {
		return *tc.DoLowerCase
	}
	return true
}

// ResetCache empties the word cache, so that the next texts are tokenized
// as by a freshly loaded tokenizer (for timing).
func (t *Tokenizer) ResetCache() { t.tk.ResetCache() }

// EncodeTokens is Encode with, for each token, what decoding needs: its
// vocabulary spelling, its offsets in text (bytes) and whether it is
// special; toks is reused when it has room.
func (t *Tokenizer) EncodeTokens(text string, maxLen int, toks []decode.Token) (Encoding, []decode.Token, error) {
	buf := bufPool.Get().(*encodeBuf)
	defer bufPool.Put(buf)
	var (
		trunc bool
		err   error
	)
	buf.offs, trunc, err = t.tk.EncodeOffsets(buf.offs[:0], text, true, maxLen)
	if err != nil {
		return Encoding{}, toks, err
	}
	n := len(buf.offs)
	out := make([]int64, 2*n)
	e := Encoding{IDs: out[:n:n], TypeIDs: out[n:], Truncated: trunc}
	typeIDs := t.typeIDs(n)
	toks = toks[:0]
	for i, tok := range buf.offs {
		e.IDs[i] = int64(tok.ID)
		e.TypeIDs[i] = typeIDs[i]
		toks = append(toks, decode.Token{Text: t.tk.IDToToken(tok.ID), Start: tok.Start, End: tok.End, Special: tok.Special})
	}
	return e, toks, nil
}

// typeIDs returns the token type ids of an n-token encoding of one text.
func (t *Tokenizer) typeIDs(n int) []int64 {
	before, seq, after := t.tk.TypeIDs()
	out := make([]int64, 0, n)
	for _, v := range before {
		out = append(out, int64(v))
	}
	for len(out) < n-len(after) {
		out = append(out, int64(seq))
	}
	for _, v := range after {
		out = append(out, int64(v))
	}
	return out[:n]
}

// Joiner returns how decoding joins a group's tokens into its word: as
// WordPiece spells them ("New", "##ark" → "Newark") for a WordPiece
// tokenizer, else by concatenating them.
func (t *Tokenizer) Joiner() decode.Joiner {
	if t.tk.IsWordPiece() {
		return decode.WordPieceJoin
	}
	return func(tokens []string) string { return strings.Join(tokens, "") }
}
