package runner

import (
	"errors"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"time"

	"github.com/nerbench/nerbench/benchmarks/conditions"
	"github.com/nerbench/nerbench/benchmarks/decode"
	"github.com/nerbench/nerbench/benchmarks/engine"
	"github.com/nerbench/nerbench/benchmarks/stats"
	"github.com/nerbench/nerbench/benchmarks/tokenize"
	"github.com/nerbench/nerbench/benchmarks/workload"
)

// E2E runs batches end to end, as a service would: tokenize the batch's
// texts (with offsets), pad them, write them into bound tensors (one set
// per sequence length, made the first time that length comes and refilled
// in place after, as a server with a tensor pool would), run the model,
// and decode every text's entities (decode.Simple).
//
// Batches are tokenized Ahead at a time, in one of two ways (see Sync): on
// another goroutine, the next Ahead batches while the current ones run,
// when the model's threads leave a core free; else on the calling
// goroutine, before the first of them runs. Tokenizing several at once is
// about
// ONNX Runtime, not Go: with intra-op threads on every core, tokenizing
// one text right before each Run makes the Run itself 3–4 % slower than
// back to back (distilbert-shaped demo model, batch 1, 2-core development
// machine), while tokenizing 16 texts before every 16th Run costs 0.3–0.5 %
// (make gap-cost). Tokenizing Ahead batches at once puts that cost on one
// Run in Ahead.
//
// Batch k holds the same texts as Prepare's batch k (with the same
// batching), so the two modes time the same work.
type E2E struct {
	m      *Model
	Size   int
	texts  []string // in batch order
	labels decode.Labels
	join   decode.Joiner
	logits string // the output holding the logits

	// batches holds one bound batch per sequence length seen, refilled
	// in place (engine.Batch.Fill) for every batch of that shape.
	batches map[int]*engine.Batch
	// Sync tokenizes on the calling goroutine instead of on another one
	// during the previous batches' inference. PrepareE2E sets it when the
	// model's intra-op threads fill every core (GOMAXPROCS): tokenizing on
	// another goroutine then takes a core from a running parallel
	// operator, whose other threads wait for it, which costs more than it
	// hides (on the 2-core development machine, tiny model at batch 1 with
	// ONNX Runtime's default threads, 6 runs each, medians of e2e/inference:
	// calling goroutine 16 at a time 0.74, another goroutine 16 at a time
	// 0.71, another goroutine one at a time 0.67; make e2e-ratio with
	// -nerbench.e2e-ratio-sync and -nerbench.e2e-ratio-ahead).
	Sync bool
	// Ahead is how many batches are tokenized at once (AheadBatches).
	Ahead    int
	ready    []tokenized // tokenized batches readyAt, readyAt+1, …
	readyAt  int
	pending  chan []tokenized // batches next, next+1, … being made
	next     int
	entities int // counted so that decoding cannot be optimized away
}

// AheadBatches is how many batches of size batchSize E2E tokenizes at a
// time on the calling goroutine: 16, or fewer for large batches, so that
// at most about 256 texts wait tokenized.
func AheadBatches(batchSize int) int {
	return min(16, max(1, 256/max(batchSize, 1)))
}

// tokenized is one batch, tokenized and padded.
type tokenized struct {
	pad     *tokenize.Batch
	toks    [][]decode.Token
	elapsed time.Duration
	err     error
}

// Stages is one end-to-end iteration's time in each stage, in ns. Total is
// the batch's end-to-end time: with Sync, its own tokenization (done in
// this iteration or an earlier one, as Ahead decides) plus writing the
// tensors, Run and decoding, so that the time of tokenizing batches ahead
// is counted once, in their own iterations; without Sync, the iteration's
// wall time (waiting for the tokenization that ran on another goroutine
// during the previous iteration included, when it took longer than that
// iteration's inference).
type Stages struct {
	Total, Tokenize, Infer, Decode float64
}

// PrepareE2E readies end-to-end iterations of batch size batchSize over
// the timed texts of enc (its encodings order them for batching =
// "sorted").
func (m *Model) PrepareE2E(enc *Encoded, batchSize int) (*E2E, error) {
	if batchSize < 1 {
		return nil, fmt.Errorf("batch size %d: want ≥ 1", batchSize)
	}
	if len(enc.Texts) != len(enc.Encodings) || len(enc.Texts) == 0 {
		return nil, fmt.Errorf("%d texts for %d encodings", len(enc.Texts), len(enc.Encodings))
	}
	labels := m.Checkpoint.Config.Labels()
	if labels == nil {
		return nil, fmt.Errorf("model %s: mode e2e needs the labels (id2label, ids 0…n−1) of %s", m.Name, m.Checkpoint.ConfigPath)
	}
	if len(m.Session.Outputs) == 0 {
		return nil, fmt.Errorf("model %s has no output", m.Name)
	}
	e := &E2E{m: m, Size: batchSize, labels: labels, join: m.Tokenizer.Joiner(), logits: m.Session.Outputs[0].Name,
		Sync: m.StreamThreads(1) >= runtime.GOMAXPROCS(0), Ahead: AheadBatches(batchSize)}
	e.texts = m.Ordered(enc, batchSize).Texts
	return e, nil
}

// tokenizeBatch tokenizes and pads batch k.
func (e *E2E) tokenizeBatch(k int) tokenized {
	t0 := time.Now()
	n := len(e.texts)
	encs := make([]tokenize.Encoding, e.Size)
	toks := make([][]decode.Token, e.Size)
	for j, p := range workload.Batch(n, e.Size, k%workload.PassLen(n, e.Size)) {
		var err error
		encs[j], toks[j], err = e.m.Tokenizer.EncodeTokens(e.texts[p], e.m.MaxLength, nil)
		if err != nil {
			return tokenized{err: err}
		}
	}
	fixed := e.m.Session.FixedSeqLen
	if fixed == 0 && e.m.Settings.Padding == "max_length" {
		fixed = e.m.MaxLength
	}
	p := e.m.Tokenizer.Pad(encs, fixed)
	return tokenized{pad: p, toks: toks, elapsed: time.Since(t0)}
}

// chunk tokenizes batches k … k+Ahead−1, stopping at an error.
func (e *E2E) chunk(k int) []tokenized {
	out := make([]tokenized, 0, max(e.Ahead, 1))
	for j := range max(e.Ahead, 1) {
		t := e.tokenizeBatch(k + j)
		out = append(out, t)
		if t.err != nil {
			break
		}
	}
	return out
}

// start tokenizes the chunk from batch k on another goroutine.
func (e *E2E) start(k int) {
	ch := make(chan []tokenized, 1)
	go func() { ch <- e.chunk(k) }()
	e.pending, e.next = ch, k
}

// take returns batch i tokenized, from the batches tokenized ahead:
// when i is not among them, the chunk from i is tokenized first, or, when
// it is being made on another goroutine, waited for. Without Sync, taking
// the first batch of a chunk starts tokenizing the next chunk on another
// goroutine, to overlap this chunk's inference.
func (e *E2E) take(i int) tokenized {
	if len(e.ready) == 0 || e.readyAt != i {
		if e.pending != nil && e.next == i {
			e.ready = <-e.pending
		} else {
			if e.pending != nil {
				<-e.pending
			}
			e.ready = e.chunk(i)
		}
		e.pending, e.readyAt = nil, i
		if !e.Sync {
			e.start(i + len(e.ready))
		}
	}
	cur := e.ready[0]
	e.ready, e.readyAt = e.ready[1:], i+1
	return cur
}

// Iterate runs iteration i (batch i of the rotation) end to end and
// returns the time of each stage. Iterations are meant to be run in order
// (0, 1, 2, …), which lets batches be tokenized ahead (see take).
func (e *E2E) Iterate(i int) (Stages, error) {
	t0 := time.Now()
	cur := e.take(i)
	if cur.err != nil {
		return Stages{}, fmt.Errorf("iteration %d: %w", i, cur.err)
	}
	t1 := time.Now()
	p := cur.pad
	b, ok := e.batches[p.SeqLen]
	var err error
	if ok {
		err = b.Fill(p.IDs, p.Mask, p.TypeIDs)
	} else if b, err = e.m.Session.NewBatch(p.Size, p.SeqLen, p.IDs, p.Mask, p.TypeIDs); err == nil {
		if e.batches == nil {
			e.batches = map[int]*engine.Batch{}
		}
		e.batches[p.SeqLen] = b
	}
	if err == nil {
		err = e.m.Session.Run(b)
	}
	t2 := time.Now()
	if err == nil {
		err = e.decode(b, cur)
	}
	t3 := time.Now()
	if err != nil {
		return Stages{}, fmt.Errorf("iteration %d: %w", i, err)
	}
	total := t3.Sub(t0)
	if e.Sync {
		total = cur.elapsed + t3.Sub(t1)
	}
	return Stages{Total: float64(total), Tokenize: float64(cur.elapsed),
		Infer: float64(t2.Sub(t1)), Decode: float64(t3.Sub(t2))}, nil
}

// decode turns the batch's logits into each text's entities.
func (e *E2E) decode(b interface {
	Float32Output(string) ([]float32, []int64, error)
}, cur tokenized) error {
	logits, shape, err := b.Float32Output(e.logits)
	if err != nil {
		return err
	}
	if len(shape) != 3 || int(shape[2]) != len(e.labels) {
		return fmt.Errorf("output %q has shape %v, want [batch, sequence, %d labels]", e.logits, shape, len(e.labels))
	}
	row := int(shape[1]) * len(e.labels)
	for r, toks := range cur.toks {
		ents, err := decode.Simple(toks, logits[r*row:(r+1)*row], e.labels, e.join)
		if err != nil {
			return err
		}
		e.entities += len(ents)
	}
	return nil
}

// Entities returns the number of entities decoded so far.
func (e *E2E) Entities() int { return e.entities }

// Close waits for the tokenization still running and frees the batches.
func (e *E2E) Close() error {
	var errs []error
	if e.pending != nil {
		for _, t := range <-e.pending {
			if t.err != nil {
				errs = append(errs, errors.New("tokenizing a batch after the last: "+t.err.Error()))
			}
		}
		e.pending = nil
	}
	for _, n := range slices.Sorted(maps.Keys(e.batches)) {
		errs = append(errs, e.batches[n].Destroy())
	}
	e.batches = nil
	return errors.Join(errs...)
}

// MeasureE2E measures batch size size end to end (mode = "e2e"), as the
// suite and nerbench run both do: m.Settings.Warmup untimed iterations,
// then one timed iteration (E2E.Iterate) per loop.Loop(), with no
// rounding to whole passes. capHint is the expected iteration count (0:
// unknown), to size the samples. The result's Summary and SamplesNs are of
// whole iterations, its Stages each stage's mean; it carries the workload
// fingerprint of the timed texts and the peak resident memory.
//
// An error in readying the batch size or in its first iteration is one
// for which IsFirstRun reports true.
func (m *Model) MeasureE2E(enc *Encoded, size int, loop Loop, capHint int) (_ Result, err error) {
	e, err := m.PrepareE2E(enc, size)
	if err != nil {
		return Result{}, firstRunError{err}
	}
	defer func() { err = errors.Join(err, e.Close()) }()
	ran := false
	iterate := func(i int) (Stages, error) {
		st, err := e.Iterate(i)
		if err != nil && !ran {
			err = firstRunError{err}
		}
		ran = true
		return st, err
	}
	conditions.Settle(SettleLimit) // as Batches.WarmupProgress does
	for i := range m.Settings.Warmup {
		if _, err := iterate(i); err != nil {
			return Result{}, fmt.Errorf("warm-up: %w", err)
		}
	}
	samples := make([]float64, 0, min(max(capHint, 1024), 1<<20))
	var sum Stages
	for i := m.Settings.Warmup; loop.Loop(); i++ {
		st, err := iterate(i)
		if err != nil {
			return Result{}, err
		}
		samples = append(samples, st.Total)
		sum.Tokenize += st.Tokenize
		sum.Infer += st.Infer
		sum.Decode += st.Decode
	}
	if len(samples) == 0 {
		return Result{}, errors.New("no timed iteration")
	}
	k := float64(len(samples))
	mean := Stages{Tokenize: sum.Tokenize / k, Infer: sum.Infer / k, Decode: sum.Decode / k}
	r := Result{Model: m.Name, BatchSize: size, Iterations: len(samples), SamplesNs: samples,
		Summary: stats.Summarize(samples, size), MeanTokens: enc.MeanTokens(size), Stages: &mean,
		Workload: workload.Fingerprint(enc.Texts, size, enc.MaxLength)}
	if rss, err := PeakRSS(); err == nil {
		r.PeakRSS = float64(rss)
	}
	return r, nil
}
