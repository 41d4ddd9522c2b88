// Package runner measures inference latency: it loads a checkpoint, builds
// every batch before timing, warms up, and times each session run alone.
// The go test -bench suite (benchmarks/bench_test.go) and `nerbench run`
// both measure through it, so the two cannot disagree.
//
// What one iteration is: the wall time of one Session.Run on one batch.
// Tokenization, tensor building and output reading happen before or after
// the timed loop. Batch k takes the next batch-size texts of the test set
// (batch 0 the first ones, wrapping around at the end), padded to the
// longest sequence in that batch; warm-up runs the first batches and the
// timed iterations continue the rotation.
package runner

import (
	"errors"
	"fmt"
	"time"

	"github.com/nerbench/nerbench/benchmarks/checkpoint"
	"github.com/nerbench/nerbench/benchmarks/config"
	"github.com/nerbench/nerbench/benchmarks/engine"
	"github.com/nerbench/nerbench/benchmarks/stats"
	"github.com/nerbench/nerbench/benchmarks/tokenize"
)

// Model is a loaded checkpoint: its session and tokenizer.
type Model struct {
	Name       string
	Checkpoint *checkpoint.Checkpoint
	Session    *engine.Session
	Tokenizer  *tokenize.Tokenizer
	Settings   config.Settings
	// MaxLength is the truncation length used: the configured max_length,
	// lowered to the model's fixed sequence length and to its
	// max_position_embeddings.
	MaxLength int
	// Warnings says what was adjusted or looks wrong, for the user to read.
	Warnings []string
	// vocab is the number of rows of the model's word embedding table
	// (0 when unknown): Encode refuses ids past it.
	vocab int
}

// Open loads the checkpoint in dir. engine.Init must have been called.
func Open(name, dir string, s config.Settings) (*Model, error) {
	ck, err := checkpoint.Find(dir)
	if err != nil {
		return nil, err
	}
	m := &Model{Name: name, Checkpoint: ck, Settings: s, MaxLength: s.MaxLength}
	tokPath := ck.TokenizerPath
	if tokPath == "" {
		tokPath = ck.VocabPath
	}
	if m.Tokenizer, err = tokenize.Load(tokPath, tokenize.DoLowerCase(ck.Dir)); err != nil {
		return nil, err
	}
	m.Session, err = engine.Open(ck.ModelPath, engine.Options{
		Device: s.Device, IntraOpThreads: s.IntraOpThreads, InterOpThreads: s.InterOpThreads})
	if err != nil {
		return nil, err
	}
	if n := m.Session.FixedSeqLen; n > 0 && n < m.MaxLength {
		m.Warnings = append(m.Warnings, fmt.Sprintf("%s fixes the sequence length at %d: max_length %d lowered to it", ck.ModelPath, n, m.MaxLength))
		m.MaxLength = n
	}
	if c := ck.Config; c != nil {
		if n := usablePositions(c); n > 0 && n < m.MaxLength {
			m.Warnings = append(m.Warnings, fmt.Sprintf("%s: max_position_embeddings allows %d tokens: max_length %d lowered to it", ck.ConfigPath, n, m.MaxLength))
			m.MaxLength = n
		}
		if v := c.VocabSize; v > 0 && m.Tokenizer.VocabSize > v {
			m.Warnings = append(m.Warnings, fmt.Sprintf("%s has %d tokens but %s says vocab_size %d: ids past the embedding table will make the model fail", m.Tokenizer.Path, m.Tokenizer.VocabSize, ck.ConfigPath, v))
		}
	}
	// The graph's own tables: the position embeddings' rows bound
	// max_length (when config.json did not already lower it as far), and
	// the word embeddings' rows bound the token ids.
	var idsInput string
	for _, in := range m.Session.Inputs {
		if in.Role == engine.RoleInputIDs {
			idsInput = in.Name
		}
	}
	g, err := readGraphTables(ck.ModelPath, idsInput)
	if err != nil {
		m.Warnings = append(m.Warnings, fmt.Sprintf("reading the embedding tables of %s: %v", ck.ModelPath, err))
	}
	if n := g.Positions; n > 0 && n < m.MaxLength {
		m.Warnings = append(m.Warnings, fmt.Sprintf("%s: its position embeddings (%s) allow %d tokens: max_length %d lowered to it", ck.ModelPath, g.PositionsName, n, m.MaxLength))
		m.MaxLength = n
	}
	m.vocab = g.Vocab
	return m, nil
}

// usablePositions returns how many tokens the position embeddings cover.
// RoBERTa-family models number positions from pad_token_id+1, so of their
// max_position_embeddings (514) only 512 are usable, as in transformers'
// create_position_ids_from_input_ids.
func usablePositions(c *checkpoint.ModelConfig) int {
	n := c.MaxPositionEmbeddings
	switch c.ModelType {
	case "roberta", "xlm-roberta", "camembert", "longformer", "data2vec-text", "xmod", "roberta-prelayernorm":
		pad := 1
		if v, ok := c.Raw["pad_token_id"].(float64); ok {
			pad = int(v)
		}
		n -= pad + 1
	}
	return n
}

// Close frees the session.
func (m *Model) Close() error {
	if m == nil {
		return nil
	}
	return m.Session.Destroy()
}

// Encoded is a test set tokenized once for all batch sizes.
type Encoded struct {
	Encodings []tokenize.Encoding
	// Truncated counts texts cut to MaxLength.
	Truncated int
	// Elapsed is the time tokenization took (not part of any latency).
	Elapsed time.Duration
}

// Encode tokenizes texts with special tokens, truncated to m.MaxLength, on
// all cores (GOMAXPROCS).
func (m *Model) Encode(texts []string) (*Encoded, error) {
	if len(texts) == 0 {
		return nil, errors.New("no texts to encode")
	}
	start := time.Now()
	encs, err := m.Tokenizer.EncodeAll(texts, m.MaxLength, 0)
	if err != nil {
		return nil, err
	}
	e := &Encoded{Encodings: encs}
	for i, enc := range encs {
		if len(enc.IDs) == 0 {
			return nil, fmt.Errorf("tokenizing text %d gave no tokens", i)
		}
		if m.vocab > 0 {
			for _, id := range enc.IDs {
				if id >= int64(m.vocab) || id < 0 {
					return nil, fmt.Errorf("text %d: token id %d ≥ vocabulary %d of %s (tokenizer %s): %w",
						i, id, m.vocab, m.Checkpoint.ModelPath, m.Tokenizer.Path, ErrMismatch)
				}
			}
		}
		if enc.Truncated {
			e.Truncated++
		}
	}
	e.Elapsed = time.Since(start)
	return e, nil
}

// Batches is the set of bound batches one batch size rotates through.
type Batches struct {
	Size  int
	items []*engine.Batch
	sess  *engine.Session
	// Tokens and PaddedTokens count real and padded tokens over all batches.
	Tokens, PaddedTokens int
	// Elapsed is the time padding and binding took.
	Elapsed time.Duration
}

// Len returns the number of distinct batches.
func (b *Batches) Len() int { return len(b.items) }

// Prepare builds the batches of size batchSize that runs of up to `runs`
// iterations visit: batch k holds texts k·size … k·size+size−1 (mod n), so
// the rotation repeats after n / gcd(n, size) batches and never more than
// that many are built.
func (m *Model) Prepare(enc *Encoded, batchSize, runs int) (_ *Batches, err error) {
	if batchSize < 1 {
		return nil, fmt.Errorf("batch size %d: want ≥ 1", batchSize)
	}
	n := len(enc.Encodings)
	count := min(max(runs, 1), n/gcd(n, batchSize))
	if err := m.checkMemory(enc, batchSize, count); err != nil {
		return nil, err
	}
	start := time.Now()
	bs := &Batches{Size: batchSize, sess: m.Session, items: make([]*engine.Batch, 0, count)}
	defer func() {
		if err != nil {
			err = errors.Join(err, bs.Close())
		}
	}()
	rows := make([]tokenize.Encoding, batchSize)
	for k := range count {
		for j := range batchSize {
			rows[j] = enc.Encodings[(k*batchSize+j)%n]
		}
		p := m.Tokenizer.Pad(rows, m.Session.FixedSeqLen)
		b, err := m.Session.NewBatch(p.Size, p.SeqLen, p.IDs, p.Mask, p.TypeIDs)
		if err != nil {
			return nil, fmt.Errorf("model %s, batch size %d: %w", m.Name, batchSize, err)
		}
		bs.items = append(bs.items, b)
		bs.Tokens += p.Tokens
		bs.PaddedTokens += p.Size * p.SeqLen
	}
	bs.Elapsed = time.Since(start)
	return bs, nil
}

// ErrMismatch is wrapped by errors that say the tokenizer and the model
// do not fit together: bad input, not a failed measurement.
var ErrMismatch = errors.New("tokenizer and model do not match")

// checkMemory estimates, before anything is allocated, the memory of the
// count distinct batches of batchSize that Prepare would build: per batch
// its input tensors and bound outputs (engine.Session.BatchBytes), plus
// the padded rows built on the way. It refuses more than MemoryLimit.
func (m *Model) checkMemory(enc *Encoded, batchSize, count int) error {
	limit := MemoryLimit
	if limit <= 0 {
		limit = DefaultMemoryLimit()
	}
	n := len(enc.Encodings)
	var total int64
	for k := range count {
		seq := m.Session.FixedSeqLen
		if seq <= 0 {
			for j := range batchSize {
				seq = max(seq, len(enc.Encodings[(k*batchSize+j)%n].IDs))
			}
		}
		b, err := m.Session.BatchBytes(batchSize, seq)
		if err != nil {
			return fmt.Errorf("model %s, batch size %d: %w", m.Name, batchSize, err)
		}
		total += b
		if pad := 3 * 8 * int64(batchSize) * int64(seq); total+pad > limit { // + the padded rows of the batch being built
			total += pad
			return fmt.Errorf("%w: model %s, batch size %d: %d distinct batches would take more than %s (inputs and outputs), over the limit of %s; "+
				"lower the batch size or raise the limit (nerbench run --memory-limit, the suite's -nerbench.memory-limit)",
				ErrTooMuchMemory, m.Name, batchSize, count, config.FormatBytes(total), config.FormatBytes(limit))
		}
	}
	return nil
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// Run runs iteration i's batch once.
func (b *Batches) Run(i int) error { return b.sess.Run(b.items[i%len(b.items)]) }

// Warmup runs iterations 0 … n−1 untimed.
func (b *Batches) Warmup(n int) error {
	for i := range n {
		if err := b.Run(i); err != nil {
			return fmt.Errorf("warm-up iteration %d: %w", i, err)
		}
	}
	return nil
}

// Time runs iterations first, first+1, … and stores the wall time of each
// run in samples, in nanoseconds. This is the timed loop: it calls nothing
// but TimeOne, and makes no Go allocation.
func (b *Batches) Time(samples []float64, first int) error {
	for i := range samples {
		d, err := b.TimeOne(first + i)
		if err != nil {
			return err
		}
		samples[i] = d
	}
	return nil
}

// TimeOne runs iteration i's batch once and returns the wall time of the
// run alone, in nanoseconds: the clock is read right around Session.Run.
// The suite's b.Loop body and Time both call it.
func (b *Batches) TimeOne(i int) (float64, error) {
	batch := b.items[i%len(b.items)]
	t0 := time.Now()
	err := b.sess.Run(batch)
	d := time.Since(t0)
	if err != nil {
		return 0, fmt.Errorf("iteration %d: %w", i, err)
	}
	return float64(d), nil
}

// Close frees every batch, the last built first.
func (b *Batches) Close() error {
	var errs []error
	for i := len(b.items) - 1; i >= 0; i-- {
		errs = append(errs, b.items[i].Destroy())
	}
	b.items = nil
	return errors.Join(errs...)
}

// Result is one model × batch size measurement.
type Result struct {
	Model      string
	BatchSize  int
	Iterations int
	Summary    stats.Summary
	// SamplesNs holds the per-iteration latencies, in run order.
	SamplesNs []float64
	// MeanTokens is the mean number of real tokens per batch.
	MeanTokens float64
}

// Measure warms up and times iterations runs of b, the way the suite does.
func Measure(b *Batches, warmup, iterations int) (Result, error) {
	if iterations < 1 {
		return Result{}, fmt.Errorf("iterations %d: want ≥ 1", iterations)
	}
	if err := b.Warmup(warmup); err != nil {
		return Result{}, err
	}
	samples := make([]float64, iterations)
	if err := b.Time(samples, warmup); err != nil {
		return Result{}, err
	}
	return Result{BatchSize: b.Size, Iterations: iterations,
		Summary: stats.Summarize(samples, b.Size), SamplesNs: samples,
		MeanTokens: float64(b.Tokens) / float64(len(b.items))}, nil
}
