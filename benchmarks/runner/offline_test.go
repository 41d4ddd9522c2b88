package runner

import (
	"strings"
	"testing"
)

// An offline pass runs every batch of the rotation once, by one or more
// streams each with a session of its own.
func TestOffline(t *testing.T) {
	m := open(t, tinyDemoDir(t), settings())
	enc := encode(t, m, append(texts[:5:5], "one more"))
	for _, n := range []int{1, 2, 3} {
		o, err := m.PrepareOffline(enc, 4, n) // 6 texts, batch 4: a pass is 2 batches, 8 texts (the last wraps around)
		if err != nil {
			t.Fatal(err)
		}
		if o.Streams() != n || o.Batches() != 2 || o.Docs() != 8 {
			t.Errorf("%d streams: %d streams, %d batches, %d docs; want %d, 2, 8", n, o.Streams(), o.Batches(), o.Docs(), n)
		}
		for range 2 {
			if d, err := o.Pass(); err != nil || d <= 0 {
				t.Errorf("%d streams: pass took %v, %v", n, d, err)
			}
		}
		if err := o.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := m.PrepareOffline(enc, 4, 0); err == nil {
		t.Error("0 streams: no error")
	}
	if got := m.StreamThreads(2); got != 1 { // settings() sets intra_op_threads = 1
		t.Errorf("StreamThreads(2) = %d with intra_op_threads 1", got)
	}
}

// MeasureOffline, as the suite and nerbench run call it: the stream counts
// take turns in blocks of the expected count, and the best one is
// reported with every pass counted as an iteration.
func TestMeasureOffline(t *testing.T) {
	s := settings()
	s.OfflineStreams, s.Warmup = []int{1, 2}, 1
	m := open(t, tinyDemoDir(t), s)
	enc := encode(t, m, append(texts[:5:5], "one more"))
	r, line, err := m.MeasureOffline(enc, 4, 5, Count(5)) // 3 passes of 1 stream, 2 of 2
	if err != nil {
		t.Fatal(err)
	}
	if r.Iterations != 5 || (r.Streams == 1) != (r.Summary.N == 3) || (r.Streams == 2) != (r.Summary.N == 2) {
		t.Errorf("%d iterations, best %d streams from %d passes", r.Iterations, r.Streams, r.Summary.N)
	}
	if !strings.Contains(line, "1 streams") || !strings.Contains(line, "2 streams") || !strings.HasPrefix(line, "best ") {
		t.Errorf("line %q", line)
	}
}
