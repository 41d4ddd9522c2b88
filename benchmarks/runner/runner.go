// Package runner measures inference latency: it loads a checkpoint, builds
// every batch before timing, warms up, and times each session run alone.
// The go test -bench suite (benchmarks/bench_test.go) and `nerbench run`
// both measure through it, so the two cannot disagree.
//
// What one iteration is: the wall time of one Session.Run on one batch.
// Tokenization, tensor building and output reading happen before or after
// the timed loop. Which texts are timed, and in which batches, is package
// workload's rule: it depends on the test data, the batch size and the
// schedule only. Each batch is padded to its longest sequence. Warm-up
// runs whole passes (at least one, so no timed iteration is a batch's
// first run), and timing starts at batch 0 and covers whole passes.
package runner

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"time"

	"github.com/nerbench/nerbench/benchmarks/checkpoint"
	"github.com/nerbench/nerbench/benchmarks/conditions"
	"github.com/nerbench/nerbench/benchmarks/config"
	"github.com/nerbench/nerbench/benchmarks/engine"
	"github.com/nerbench/nerbench/benchmarks/stats"
	"github.com/nerbench/nerbench/benchmarks/tokenize"
	"github.com/nerbench/nerbench/benchmarks/workload"
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
	// LoadNs is the time creating the ONNX Runtime session took, in ns.
	LoadNs float64
	// ORTThreads is the number of threads the session started plus the
	// calling thread: the intra-op pool in effect (0 when unknown).
	ORTThreads int
	// TokenizerPath is the tokenizer file read (tokenizer.json or vocab.txt).
	TokenizerPath string
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
	m.TokenizerPath = tokPath
	if m.Tokenizer, err = tokenize.Load(tokPath, tokenize.DoLowerCase(ck.Dir)); err != nil {
		return nil, err
	}
	threads := conditions.Threads()
	// A failed reset leaves the peak since the process started: still an
	// upper bound.
	_ = ResetPeakRSS()
	start := time.Now()
	m.Session, err = engine.Open(ck.ModelPath, engine.Options{
		Device: s.Device, IntraOpThreads: s.IntraOpThreads, InterOpThreads: s.InterOpThreads,
		GraphOptimization: s.GraphOptimization})
	if err != nil {
		return nil, err
	}
	m.LoadNs = float64(time.Since(start))
	switch after := conditions.Threads(); {
	case s.IntraOpThreads > 0:
		m.ORTThreads = s.IntraOpThreads
	case threads > 0 && after >= threads:
		// The threads the session started, plus the calling thread. The Go
		// runtime may start a thread meanwhile, so this can be one high.
		m.ORTThreads = after - threads + 1
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

// SHA256File returns the hex SHA-256 of the file at path.
func SHA256File(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hashing %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Encoded is the timed texts of a test set, tokenized once for all batch
// sizes.
type Encoded struct {
	// Texts are the timed texts (workload.Subset of the test set), in
	// order, and Encodings their tokens.
	Texts     []string
	Encodings []tokenize.Encoding
	// Truncated counts timed texts cut to MaxLength.
	Truncated int
	// Elapsed is the time tokenization took (not part of any latency).
	Elapsed time.Duration
	// MaxLength is the max_length configured (before a model lowered it),
	// part of the workload fingerprint.
	MaxLength int
}

// MeanTokens is the mean number of real tokens per batch of size over
// the timed texts (the end-to-end mode and the offline scenario report it
// as tokens/op).
func (enc *Encoded) MeanTokens(size int) float64 {
	t := 0
	for _, e := range enc.Encodings {
		t += e.Len()
	}
	return float64(t) * float64(size) / float64(len(enc.Encodings))
}

// Encode tokenizes the timed texts of the test set texts (all of them, or
// the Settings.Texts that workload.Subset picks) with special tokens,
// truncated to m.MaxLength, on all cores (GOMAXPROCS).
func (m *Model) Encode(texts []string) (*Encoded, error) {
	if len(texts) == 0 {
		return nil, errors.New("no texts to encode")
	}
	var timed []string
	for _, i := range workload.Subset(len(texts), m.Settings.Texts) {
		timed = append(timed, texts[i])
	}
	texts = timed
	start := time.Now()
	encs, err := m.Tokenizer.EncodeAll(texts, m.MaxLength, 0)
	if err != nil {
		return nil, err
	}
	e := &Encoded{Texts: texts, Encodings: encs, MaxLength: m.Settings.MaxLength}
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

// Batches is one pass of bound batches at one batch size (package
// workload): iteration i runs batch i mod Len().
type Batches struct {
	Size  int
	items []*engine.Batch
	sess  *engine.Session
	// Tokens and PaddedTokens count real tokens and computed positions
	// (padding included) over one pass; whole passes are timed, so their
	// means per batch are those of the timed batches.
	Tokens, PaddedTokens int
	// Elapsed is the time padding and binding took.
	Elapsed time.Duration
	// Workload is the workload fingerprint of the pass.
	Workload string
	// LoadNs is the model's session load time, carried into results.
	LoadNs float64
}

// Len returns the number of batches of a pass.
func (b *Batches) Len() int { return len(b.items) }

// Prepare builds one pass of batches of size batchSize over the timed
// texts (workload.Batch): ceil(k/size) batches, the last one filled by
// wrapping around to the first texts.
func (m *Model) Prepare(enc *Encoded, batchSize int) (_ *Batches, err error) {
	if batchSize < 1 {
		return nil, fmt.Errorf("batch size %d: want ≥ 1", batchSize)
	}
	// The fingerprint is of the timed texts in their own order, as the
	// suite prints it: batching orders them per model (by its tokenizer's
	// lengths), and the same texts are the same work.
	fp := workload.Fingerprint(enc.Texts, batchSize, enc.MaxLength)
	enc = m.Ordered(enc, batchSize)
	n := len(enc.Encodings)
	count := workload.PassLen(n, batchSize)
	if err := m.checkMemory(enc, batchSize, count); err != nil {
		return nil, err
	}
	start := time.Now()
	fixed := m.Session.FixedSeqLen
	if fixed == 0 && m.Settings.Padding == "max_length" {
		fixed = m.MaxLength
	}
	bs := &Batches{Size: batchSize, sess: m.Session, items: make([]*engine.Batch, 0, count),
		Workload: fp, LoadNs: m.LoadNs}
	defer func() {
		if err != nil {
			err = errors.Join(err, bs.Close())
		}
	}()
	rows := make([]tokenize.Encoding, batchSize)
	for k := range count {
		for j, p := range workload.Batch(n, batchSize, k) {
			rows[j] = enc.Encodings[p]
		}
		p := m.Tokenizer.Pad(rows, fixed)
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

// Ordered returns enc with its texts in the order batches of batchSize
// take them (TextOrder): enc itself for batching = "rotate", a permuted
// copy for "sorted". The pass schedule (workload.Batch) then runs over it
// unchanged, and the workload fingerprint follows the order.
func (m *Model) Ordered(enc *Encoded, batchSize int) *Encoded {
	if m.Settings.Batching != "sorted" {
		return enc
	}
	out := *enc
	out.Texts = make([]string, 0, len(enc.Encodings))
	out.Encodings = make([]tokenize.Encoding, 0, len(enc.Encodings))
	for _, i := range m.TextOrder(enc, batchSize) {
		if i < len(enc.Texts) {
			out.Texts = append(out.Texts, enc.Texts[i])
		}
		out.Encodings = append(out.Encodings, enc.Encodings[i])
	}
	return &out
}

// TextOrder returns the order in which batches of batchSize take the
// texts of enc: the test set's own order for batching = "rotate", and
// SortedOrder's for "sorted". Prepare and PrepareE2E both batch by it.
func (m *Model) TextOrder(enc *Encoded, batchSize int) []int {
	idx := make([]indexedLen, len(enc.Encodings))
	for i, e := range enc.Encodings {
		idx[i] = indexedLen{i, e.Len()}
	}
	if m.Settings.Batching == "sorted" {
		idx = SortedOrder(idx, batchSize)
	}
	out := make([]int, len(idx))
	for i, x := range idx {
		out[i] = x.i
	}
	return out
}

// indexedLen is a text's index and token count, for SortedOrder.
type indexedLen struct{ i, n int }

func (x indexedLen) Len() int { return x.n }

// sortSeed fixes the order in which sorted batches are visited.
const sortSeed = 0x6e657262656e6368 // "nerbench"

// SortedOrder returns encs in the order of batching = "sorted": ordered by
// token count (stably, so equal lengths keep their test-set order), cut
// into chunks of batchSize, and the chunks shuffled with a fixed seed, so
// that each batch holds texts of similar length while consecutive batches
// do not creep from short to long (a last, partial chunk, the longest
// texts, comes last). It is a permutation of the texts: the
// batch schedule built on it is the same as for "rotate", and when
// batchSize divides the number of texts every batch is one chunk.
func SortedOrder[E interface{ Len() int }](encs []E, batchSize int) []E {
	idx := make([]int, len(encs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return encs[a].Len() - encs[b].Len() })
	full := len(idx) / batchSize // a last, partial chunk stays last
	order := make([]int, (len(idx)+batchSize-1)/batchSize)
	for i := range order {
		order[i] = i
	}
	rand.New(rand.NewPCG(sortSeed, uint64(batchSize))).Shuffle(full, func(i, j int) { order[i], order[j] = order[j], order[i] })
	out := make([]E, 0, len(encs))
	for _, c := range order {
		for _, i := range idx[c*batchSize : min((c+1)*batchSize, len(idx))] {
			out = append(out, encs[i])
		}
	}
	return out
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
			for _, p := range workload.Batch(n, batchSize, k) {
				seq = max(seq, len(enc.Encodings[p].IDs))
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

// Run runs iteration i's batch once.
func (b *Batches) Run(i int) error { return b.sess.Run(b.items[i%len(b.items)]) }

// Warmup runs n iterations untimed, rounded up to whole passes (at least
// one: every batch is run once before it is timed), and returns the wall
// time of the first one, the cold first run of this batch size, in ns.
func (b *Batches) Warmup(n int) (firstNs float64, err error) {
	return b.WarmupProgress(n, nil)
}

// SettleLimit is the longest a warm-up waits for the process to be quiet
// first (conditions.Settle).
const SettleLimit = 300 * time.Millisecond

// WarmupProgress is Warmup showing its progress on p (nil: none). It first
// waits (up to SettleLimit) for the process's threads to be quiet, such as
// the intra-op threads of a session run just before, which spin for a
// while after their last Run (conditions.Settle).
func (b *Batches) WarmupProgress(n int, p *Progress) (firstNs float64, err error) {
	conditions.Settle(SettleLimit)
	total := workload.RoundUp(n, b.Len())
	p.Restart(total)
	for i := range total {
		t0 := time.Now()
		err := b.Run(i)
		if i == 0 {
			firstNs = float64(time.Since(t0))
		}
		if err != nil {
			return 0, fmt.Errorf("warm-up iteration %d: %w", i, err)
		}
		if p.Due() {
			p.Show("warm-up", i+1)
		}
	}
	return firstNs, nil
}

// Passes returns the whole passes that n timed iterations make, rounded up.
func (b *Batches) Passes(n int) int { return workload.RoundUp(n, b.Len()) / max(b.Len(), 1) }

// Time runs iterations first, first+1, … and stores the wall time of each
// run in samples, in nanoseconds. This is the timed loop: it calls nothing
// but TimeOne, and makes no Go allocation.
func (b *Batches) Time(samples []float64, first int) error {
	return b.TimeProgress(samples, first, nil)
}

// TimeProgress is Time showing its progress on p (nil: none), between
// iterations, outside the timed region.
func (b *Batches) TimeProgress(samples []float64, first int, p *Progress) error {
	p.Restart(len(samples))
	for i := range samples {
		d, err := b.TimeOne(first + i)
		if err != nil {
			return err
		}
		samples[i] = d
		if p.Due() {
			p.Show("timed", i+1)
		}
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
	// MeanTokens is the mean number of real tokens per timed batch, and
	// MeanPadded the mean number of positions computed (padding included).
	MeanTokens, MeanPadded float64
	// Stages holds the mean time of each stage per batch, in ns, in mode
	// e2e (Summary is then of whole iterations); nil otherwise.
	Stages *Stages
	// PeakRSS is the process's peak resident memory in bytes, since the
	// model's session was created (see PeakRSS); 0 when unknown.
	PeakRSS float64
	// Streams is, in the offline scenario, the stream count of the best
	// sustained docs/sec; 0 otherwise.
	Streams int
	// Workload is the workload fingerprint (package workload).
	Workload string
	// FirstRunNs is the cold first run of the batch size, LoadNs the
	// session's load time; 0 when unknown.
	FirstRunNs, LoadNs float64
	// Noise is stats.RepeatNoise of the samples; HasNoise is false with
	// fewer than two passes.
	Noise    float64
	HasNoise bool
	// MedianCI and P95CI are distribution-free 95 % confidence intervals
	// (stats.QuantileCI), where there are enough samples for one.
	MedianCI, P95CI       [2]float64
	HasMedianCI, HasP95CI bool
	// During is the state of the machine during the timed loop; HasDuring
	// says whether it was taken.
	During    conditions.During
	HasDuring bool
}

// NewResult summarizes samplesNs, whole passes timed on b from batch 0.
func (b *Batches) NewResult(model string, samplesNs []float64, firstRunNs float64, during *conditions.During) Result {
	r := Result{Model: model, BatchSize: b.Size, Iterations: len(samplesNs),
		Summary: stats.Summarize(samplesNs, b.Size), SamplesNs: samplesNs,
		Workload: b.Workload, FirstRunNs: firstRunNs, LoadNs: b.LoadNs}
	if n := b.Len(); n > 0 {
		r.MeanTokens = float64(b.Tokens) / float64(n)
		r.MeanPadded = float64(b.PaddedTokens) / float64(n)
	}
	r.Noise, r.HasNoise = stats.RepeatNoise(samplesNs, b.Len())
	sorted := slices.Sorted(slices.Values(samplesNs))
	var lo, hi float64
	lo, hi, r.HasMedianCI = stats.QuantileCI(sorted, 0.5, 0.95)
	r.MedianCI = [2]float64{lo, hi}
	lo, hi, r.HasP95CI = stats.QuantileCI(sorted, 0.95, 0.95)
	r.P95CI = [2]float64{lo, hi}
	if during != nil {
		r.During, r.HasDuring = *during, true
	}
	return r
}

// Measure warms up and times iterations runs of b, rounded up to whole
// passes, the way the suite does.
func Measure(b *Batches, warmup, iterations int) (Result, error) {
	return MeasureProgress(b, warmup, iterations, nil)
}

// MeasureProgress is Measure showing its progress on p (nil: none).
func MeasureProgress(b *Batches, warmup, iterations int, p *Progress) (Result, error) {
	if iterations < 1 {
		return Result{}, fmt.Errorf("iterations %d: want ≥ 1", iterations)
	}
	defer p.Done()
	first, err := b.WarmupProgress(warmup, p)
	if err != nil {
		return Result{}, err
	}
	samples := make([]float64, workload.RoundUp(iterations, b.Len()))
	before := conditions.Take()
	if err := b.TimeProgress(samples, 0, p); err != nil {
		return Result{}, err
	}
	during := conditions.Between(before, conditions.Take())
	return b.NewResult("", samples, first, &during), nil
}
