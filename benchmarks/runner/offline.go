package runner

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/nerbench/nerbench/benchmarks/engine"
	"github.com/nerbench/nerbench/benchmarks/workload"
)

// Offline is the throughput scenario (scenario = "offline"): the whole
// test set is run as fast as the machine allows, by several streams at
// once, each a session of its own with its own batches, so that every core
// is kept busy. One pass runs every batch of the rotation once, the
// batches dealt round-robin to the streams; its docs/sec is the texts of
// those batches ÷ the pass's wall time.
type Offline struct {
	m       *Model
	Size    int
	streams []*stream
	docs    int // texts per pass
}

type stream struct {
	sess    *engine.Session
	batches *Batches
	own     bool // sess was opened for this stream (not the model's)
}

// StreamThreads is the intra-op thread count each of n streams gets:
// the model's intra_op_threads when set, else the cores (GOMAXPROCS)
// shared out, at least one each.
func (m *Model) StreamThreads(n int) int {
	if t := m.Settings.IntraOpThreads; t > 0 {
		return t
	}
	return max(1, runtime.GOMAXPROCS(0)/n)
}

// PrepareOffline readies n streams of batch size batchSize: one stream
// uses the model's own session; with more, each opens a session of its
// own with StreamThreads(n) intra-op threads and one inter-op thread.
// Each stream builds every batch of a pass (Prepare) for its session.
func (m *Model) PrepareOffline(enc *Encoded, batchSize, n int) (_ *Offline, err error) {
	if n < 1 {
		return nil, fmt.Errorf("%d streams: want ≥ 1", n)
	}
	o := &Offline{m: m, Size: batchSize}
	defer func() {
		if err != nil {
			err = errors.Join(err, o.Close())
		}
	}()
	o.docs = workload.PassLen(len(enc.Encodings), batchSize) * batchSize
	for i := range n {
		st := &stream{sess: m.Session}
		if n > 1 {
			s := m.Settings
			st.sess, err = engine.Open(m.Checkpoint.ModelPath, engine.Options{Device: s.Device,
				IntraOpThreads: m.StreamThreads(n), InterOpThreads: 1, GraphOptimization: s.GraphOptimization})
			if err != nil {
				return nil, fmt.Errorf("stream %d: %w", i, err)
			}
			st.own = true
		}
		o.streams = append(o.streams, st)
		mm := *m
		mm.Session = st.sess
		if st.batches, err = mm.Prepare(enc, batchSize); err != nil {
			return nil, fmt.Errorf("stream %d: %w", i, err)
		}
	}
	return o, nil
}

// Pass runs every batch once, dealt to the streams round-robin, the
// streams at once, and returns the wall time.
func (o *Offline) Pass() (time.Duration, error) {
	n := len(o.streams)
	errs := make([]error, n)
	var wg sync.WaitGroup
	t0 := time.Now()
	for s, st := range o.streams {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			for k := s; k < st.batches.Len(); k += n {
				if err := st.batches.Run(k); err != nil {
					errs[s] = fmt.Errorf("stream %d, batch %d: %w", s, k, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	return time.Since(t0), errors.Join(errs...)
}

// Docs is the number of texts one pass runs.
func (o *Offline) Docs() int { return o.docs }

// Batches is the number of batches one pass runs.
func (o *Offline) Batches() int { return o.streams[0].batches.Len() }

// Streams is the number of streams.
func (o *Offline) Streams() int { return len(o.streams) }

// Close frees every stream's batches and the sessions it opened.
func (o *Offline) Close() error {
	var errs []error
	for i := len(o.streams) - 1; i >= 0; i-- {
		st := o.streams[i]
		if st.batches != nil {
			errs = append(errs, st.batches.Close())
		}
		if st.own {
			errs = append(errs, st.sess.Destroy())
		}
	}
	o.streams = nil
	return errors.Join(errs...)
}
