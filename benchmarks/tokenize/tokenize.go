// Package tokenize turns texts into padded token batches for an encoder
// model, using github.com/sugarme/tokenizer.
//
// A tokenizer comes from a Hugging Face tokenizer.json (including the older
// format whose "model" object has no "type" field) or from a WordPiece
// vocab.txt. Encoding adds the model's special tokens and truncates to a
// maximum length that counts them; padding goes to the longest sequence of a
// batch (or to a fixed length the model demands) with the tokenizer's pad id.
package tokenize

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/sugarme/tokenizer"
	"github.com/sugarme/tokenizer/model"
	"github.com/sugarme/tokenizer/model/wordpiece"
	"github.com/sugarme/tokenizer/normalizer"
	"github.com/sugarme/tokenizer/pretokenizer"
	"github.com/sugarme/tokenizer/pretrained"
	"github.com/sugarme/tokenizer/processor"
)

// Tokenizer encodes texts with special tokens and truncation.
type Tokenizer struct {
	tk *tokenizer.Tokenizer
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
		tk       *tokenizer.Tokenizer
		cuttable bool
	)
	defer func() {
		if r := recover(); r != nil { // the tokenizer library panics on some files
			err = fmt.Errorf("loading tokenizer %s: the tokenizer library failed: %v", path, r)
		}
	}()
	switch filepath.Ext(path) {
	case ".json":
		tk, cuttable, err = fromJSON(path)
	case ".txt":
		tk, err = fromVocab(path, lowerCase)
		cuttable = true // BERT's normalizer and pre-tokenizer
	default:
		err = errors.New("want a tokenizer.json or a vocab.txt")
	}
	if err != nil {
		return nil, fmt.Errorf("loading tokenizer %s: %w", path, err)
	}
	// Encode adds special tokens and truncates per call; nerbench pads batches itself.
	tk.WithPadding(nil)
	tk.WithTruncation(nil)
	t := &Tokenizer{tk: tk, Path: path, VocabSize: tk.GetVocabSize(true), cuttable: cuttable}
	t.PadID, t.PadTypeID = padIDs(tk, path)
	return t, nil
}

// fromJSON loads a tokenizer.json. A "model" without "type" (the older
// format) gets one inferred from the fields present, since sugarme's loader
// otherwise guesses from the decoder or falls back to BPE.
func fromJSON(path string) (*tokenizer.Tokenizer, bool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, false, err
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, false, fmt.Errorf("not valid JSON: %w", err)
	}
	var model map[string]json.RawMessage
	if err := json.Unmarshal(doc["model"], &model); err != nil || model == nil {
		return nil, false, errors.New(`no "model" object`)
	}
	if _, ok := model["type"]; !ok {
		typ, err := inferModelType(model)
		if err != nil {
			return nil, false, err
		}
		model["type"], _ = json.Marshal(typ)
		if doc["model"], err = json.Marshal(model); err != nil {
			return nil, false, err
		}
		if data, err = json.Marshal(doc); err != nil {
			return nil, false, err
		}
	}
	tk, err := pretrained.FromReader(bytes.NewReader(data))
	if err != nil {
		return nil, false, err
	}
	return tk, cutTokenizable(doc), nil
}

// inferModelType names the tokenizer model of an old-format "model" object.
func inferModelType(model map[string]json.RawMessage) (string, error) {
	_, hasMerges := model["merges"]
	_, hasPrefix := model["continuing_subword_prefix"]
	_, hasMaxChars := model["max_input_chars_per_word"]
	vocab := bytes.TrimSpace(model["vocab"])
	switch {
	case hasMerges:
		return "BPE", nil
	case hasMaxChars || (hasPrefix && len(vocab) > 0 && vocab[0] == '{'):
		return "WordPiece", nil
	case len(vocab) > 0 && vocab[0] == '[':
		return "Unigram", nil
	case len(vocab) > 0 && vocab[0] == '{':
		return "WordLevel", nil
	}
	return "", errors.New(`"model" has no "type" and no fields to infer one from (merges, vocab, continuing_subword_prefix)`)
}

// fromVocab builds a BERT WordPiece tokenizer from a vocab.txt.
func fromVocab(path string, lowerCase bool) (*tokenizer.Tokenizer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	vocab := map[string]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		tok := strings.TrimRight(sc.Text(), "\r")
		if _, dup := vocab[tok]; !dup {
			vocab[tok] = len(vocab)
		} else {
			vocab[fmt.Sprintf("\x00dup%d", len(vocab))] = len(vocab) // keep line numbers as ids
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	for _, special := range []string{"[UNK]", "[CLS]", "[SEP]"} {
		if _, ok := vocab[special]; !ok {
			return nil, fmt.Errorf("vocab has no %s token; a vocab.txt must be a BERT WordPiece vocabulary", special)
		}
	}
	v := model.Vocab(vocab)
	wp := wordpiece.NewWordPieceBuilder().Vocab(&v).UnkToken("[UNK]").Build()
	tk := tokenizer.NewTokenizer(wp)
	tk.WithNormalizer(normalizer.NewBertNormalizer(true, true, lowerCase, lowerCase))
	tk.WithPreTokenizer(pretokenizer.NewBertPreTokenizer())
	tk.WithPostProcessor(processor.NewBertProcessing(
		processor.PostToken{Value: "[SEP]", Id: vocab["[SEP]"]},
		processor.PostToken{Value: "[CLS]", Id: vocab["[CLS]"]}))
	return tk, nil
}

// padIDs returns the pad id and pad type id: from the file's "padding"
// section where it has one, else the id of a pad token in the vocabulary,
// else 0.
func padIDs(tk *tokenizer.Tokenizer, path string) (int64, int64) {
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
		if id, ok := tk.TokenToId(tok); ok {
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

// Encode tokenizes text, adds special tokens and truncates to maxLen tokens
// (special tokens included); maxLen ≤ 0 means no truncation.
//
// A long text is first cut (CutText) at a bound that cannot change the
// first maxLen tokens, when the tokenizer allows it: see cut.go.
//
// Invalid UTF-8 becomes U+FFFD first, as Python's decoding with
// errors="replace" (and Go's JSON decoder) makes it: the tokenizer library
// exits the process (log.Fatal) on some invalid sequences.
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

// encode encodes text whole. A panic of the tokenizer library becomes an
// error that names the tokenizer file.
func (t *Tokenizer) encode(text string, maxLen int) (_ Encoding, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("tokenizer %s failed: %v", t.Path, r)
		}
	}()
	if maxLen > 0 {
		t.tk.WithTruncation(&tokenizer.TruncationParams{MaxLength: maxLen, Strategy: tokenizer.LongestFirst})
	} else {
		t.tk.WithTruncation(nil)
	}
	enc, err := t.tk.EncodeSingle(text, true)
	if err != nil {
		return Encoding{}, err
	}
	e := Encoding{IDs: make([]int64, len(enc.Ids)), TypeIDs: make([]int64, len(enc.Ids)),
		Truncated: len(enc.Overflowing) > 0}
	for i, id := range enc.Ids {
		e.IDs[i] = int64(id)
	}
	for i, id := range enc.TypeIds {
		if i < len(e.TypeIDs) {
			e.TypeIDs[i] = int64(id)
		}
	}
	if maxLen > 0 && len(e.IDs) > maxLen { // post-processors without special tokens truncate nothing
		e.IDs, e.TypeIDs, e.Truncated = e.IDs[:maxLen], e.TypeIDs[:maxLen], true
	}
	return e, nil
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
