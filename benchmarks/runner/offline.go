package runner

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/nerbench/nerbench/benchmarks/engine"
	"github.com/nerbench/nerbench/benchmarks/stats"
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

// MeasureOffline measures the offline scenario for batch size size, as the
// suite and nerbench run both do: each loop.Loop() iteration is one timed
// pass over every batch of the rotation by S concurrent streams (Pass),
// the stream counts of m.Settings.OfflineStreams taking turns in blocks of
// ⌈total ÷ counts⌉ passes (each count after an untimed warm-up pass when
// warmup > 0), where total is the expected number of iterations (the
// suite's -benchtime=Nx, nerbench run's --iterations). The stream count
// with the best median docs/sec is reported: its per-batch time (pass ÷
// batches) as the Summary, and Streams. Iterations counts every timed
// pass of every count, as testing's b.N does. line says every count's
// median docs/sec, for the progress output.
//
// An error in readying the first stream count or in its first pass is
// one for which IsFirstRun reports true.
func (m *Model) MeasureOffline(enc *Encoded, size, total int, loop Loop) (r Result, line string, err error) {
	cands := m.Settings.OfflineStreams
	if len(cands) == 0 {
		return Result{}, "", errors.New("no stream counts (offline_streams)")
	}
	per := max(1, (total+len(cands)-1)/len(cands))
	passes := make([][]float64, len(cands)) // per-batch ns of each pass
	var off *Offline
	defer func() {
		if off != nil {
			err = errors.Join(err, off.Close())
		}
	}()
	ran, n := false, 0
	first := func(err error) error {
		if !ran {
			return firstRunError{err}
		}
		return err
	}
	for i := 0; loop.Loop(); i++ {
		c := min(i/per, len(cands)-1)
		if off == nil || off.Streams() != cands[c] {
			loop.StopTimer()
			if off != nil {
				err := off.Close()
				off = nil
				if err != nil {
					return Result{}, "", err
				}
			}
			if off, err = m.PrepareOffline(enc, size, cands[c]); err != nil {
				return Result{}, "", first(err)
			}
			if m.Settings.Warmup > 0 {
				if _, err := off.Pass(); err != nil {
					return Result{}, "", fmt.Errorf("warm-up: %w", first(err))
				}
				ran = true
			}
			loop.StartTimer()
		}
		d, err := off.Pass()
		if err != nil {
			return Result{}, "", first(err)
		}
		ran = true
		n++
		passes[c] = append(passes[c], float64(d)/float64(off.Batches()))
	}
	best, bestRate := -1, 0.0
	var counts []string
	for c, ps := range passes {
		if len(ps) == 0 {
			continue
		}
		rate := float64(size) * 1e9 / stats.Summarize(ps, size).MedianNs
		counts = append(counts, fmt.Sprintf("%d streams × %d intra-op threads %.4g docs/sec (%d passes)", cands[c], m.StreamThreads(cands[c]), rate, len(ps)))
		if best < 0 || rate > bestRate {
			best, bestRate = c, rate
		}
	}
	if best < 0 {
		return Result{}, "", errors.New("no timed pass")
	}
	r = Result{Model: m.Name, BatchSize: size, Iterations: n,
		Summary: stats.Summarize(passes[best], size), MeanTokens: enc.MeanTokens(size), Streams: cands[best],
		Workload: workload.Fingerprint(enc.Texts, size, enc.MaxLength)}
	if rss, err := PeakRSS(); err == nil {
		r.PeakRSS = float64(rss)
	}
	return r, fmt.Sprintf("best %d streams; %s", cands[best], strings.Join(counts, ", ")), nil
}
