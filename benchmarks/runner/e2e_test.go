package runner

import (
	"slices"
	"testing"

	"github.com/nerbench/nerbench/benchmarks/dataset"
	"github.com/nerbench/nerbench/benchmarks/tokenize"
)

// End-to-end batch k holds the texts of Prepare's batch k, for both
// batchings, tokenized and padded as Prepare's are; iterations time every
// stage and decode entities.
func TestE2E(t *testing.T) {
	ds, err := dataset.Load("../../data/demo/test_data.json")
	if err != nil {
		t.Fatalf("%v: run make demo-tiny", err)
	}
	texts := ds.Texts[:40]
	for _, batching := range []string{"rotate", "sorted"} {
		t.Run(batching, func(t *testing.T) {
			s := settings()
			s.MaxLength, s.Batching = 128, batching
			m := open(t, tinyDemoDir(t), s)
			enc := encode(t, m, texts)
			const size = 8
			order := m.TextOrder(enc, size)
			if batching == "rotate" && !slices.Equal(order, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39}) {
				t.Fatalf("rotate order %v", order)
			}
			e, err := m.PrepareE2E(enc, size)
			if err != nil {
				t.Fatal(err)
			}
			for k := range 6 { // wraps around the 5 batches
				got := e.tokenizeBatch(k)
				if got.err != nil {
					t.Fatal(got.err)
				}
				rows := make([]tokenize.Encoding, size)
				for j := range size {
					rows[j] = enc.Encodings[order[(k*size+j)%len(texts)]]
				}
				want := m.Tokenizer.Pad(rows, 0)
				if !slices.Equal(got.pad.IDs, want.IDs) || !slices.Equal(got.pad.Mask, want.Mask) || !slices.Equal(got.pad.TypeIDs, want.TypeIDs) || got.pad.SeqLen != want.SeqLen {
					t.Errorf("batch %d: e2e batch differs from Prepare's", k)
				}
			}
			for i := range 7 {
				st, err := e.Iterate(i)
				if err != nil {
					t.Fatal(err)
				}
				if !(st.Total > 0 && st.Tokenize > 0 && st.Infer > 0 && st.Decode > 0) || st.Infer+st.Decode > st.Total {
					t.Errorf("iteration %d: implausible stages %+v", i, st)
				}
			}
			if err := e.Close(); err != nil {
				t.Fatal(err)
			}
			if e.Entities() == 0 {
				t.Error("no entities decoded from 56 texts")
			}
		})
	}
}

// MeasureE2E, as the suite and nerbench run call it: a Count loop times
// exactly that many iterations after the warm-up, and the stages' means
// fit inside the iterations' mean.
func TestMeasureE2E(t *testing.T) {
	ds, err := dataset.Load("../../data/demo/test_data.json")
	if err != nil {
		t.Fatalf("%v: run make demo-tiny", err)
	}
	s := settings()
	s.MaxLength, s.Warmup = 64, 2
	m := open(t, tinyDemoDir(t), s)
	enc := encode(t, m, ds.Texts[:10])
	r, err := m.MeasureE2E(enc, 4, Count(5), 5)
	if err != nil {
		t.Fatal(err)
	}
	if r.Iterations != 5 || len(r.SamplesNs) != 5 || r.Summary.N != 5 || r.Stages == nil || r.Workload == "" || r.MeanTokens <= 0 {
		t.Fatalf("result %+v", r)
	}
	if st := r.Stages; !(st.Tokenize > 0 && st.Infer > 0 && st.Decode > 0) || st.Infer+st.Decode > r.Summary.MeanNs {
		t.Errorf("stages %+v, mean %v", *st, r.Summary.MeanNs)
	}
}

// Tokenizing on the calling goroutine takes Ahead batches at a time, in
// order, each the batch its iteration runs, and every iteration's Total
// is its own tokenization, inference and decoding; an iteration out of
// order starts a new run of batches ahead from itself.
func TestE2EAhead(t *testing.T) {
	for _, c := range [][2]int{{1, 16}, {8, 16}, {16, 16}, {32, 8}, {100, 2}, {256, 1}, {1000, 1}} {
		if got := AheadBatches(c[0]); got != c[1] {
			t.Errorf("AheadBatches(%d) = %d, want %d", c[0], got, c[1])
		}
	}
	ds, err := dataset.Load("../../data/demo/test_data.json")
	if err != nil {
		t.Fatalf("%v: run make demo-tiny", err)
	}
	s := settings()
	s.MaxLength = 64
	m := open(t, tinyDemoDir(t), s)
	enc := encode(t, m, ds.Texts[:12])
	e, err := m.PrepareE2E(enc, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	e.Sync, e.Ahead = true, 3
	check := func(i, wantReady int) {
		t.Helper()
		want := e.tokenizeBatch(i)
		if len(e.ready) > 0 && e.readyAt == i && !slices.Equal(e.ready[0].pad.IDs, want.pad.IDs) {
			t.Errorf("iteration %d: the batch tokenized ahead is not batch %d", i, i)
		}
		st, err := e.Iterate(i)
		if err != nil {
			t.Fatal(err)
		}
		if len(e.ready) != wantReady || e.readyAt != i+1 {
			t.Errorf("after iteration %d: %d batches ready from %d, want %d from %d", i, len(e.ready), e.readyAt, wantReady, i+1)
		}
		if sum := st.Tokenize + st.Infer + st.Decode; st.Tokenize <= 0 || st.Total < sum-1 || st.Total > sum+1 {
			t.Errorf("iteration %d: Total %v, want tokenize+infer+decode = %v", i, st.Total, sum)
		}
	}
	for i, ready := range []int{2, 1, 0, 2, 1} {
		check(i, ready)
	}
	check(9, 2) // out of order: a new run of batches from 9
	check(10, 1)
	// Overlapping on another goroutine: batch 11 is still ready from the
	// chunk 9–11; 12 starts a chunk (12–14) and the tokenizing of the next
	// (15–17) on another goroutine, and so on. Total is the iteration's
	// wall time.
	e.Sync = false
	for i := 11; i < 19; i++ {
		want := e.tokenizeBatch(i)
		if len(e.ready) > 0 && e.readyAt == i && !slices.Equal(e.ready[0].pad.IDs, want.pad.IDs) {
			t.Errorf("iteration %d (overlapped): the batch tokenized ahead is not batch %d", i, i)
		}
		st, err := e.Iterate(i)
		if err != nil {
			t.Fatal(err)
		}
		if st.Total < st.Infer+st.Decode {
			t.Errorf("iteration %d (overlapped): Total %v < infer+decode %v", i, st.Total, st.Infer+st.Decode)
		}
		if i == 11 {
			if e.pending != nil {
				t.Error("after iteration 11 (overlapped): tokenizing on another goroutine already")
			}
		} else if wantNext := 15 + (i-12)/3*3; e.pending == nil || e.next != wantNext {
			t.Errorf("after iteration %d (overlapped): tokenizing from %d on another goroutine (pending %v), want from %d", i, e.next, e.pending != nil, wantNext)
		}
	}
}
