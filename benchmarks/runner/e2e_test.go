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
