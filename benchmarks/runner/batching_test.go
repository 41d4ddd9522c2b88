package runner

import (
	"fmt"
	"slices"
	"testing"

	"github.com/nerbench/nerbench/benchmarks/dataset"
	"github.com/nerbench/nerbench/benchmarks/workload"
)

// fakeEnc is an encoding of a given length, for SortedOrder.
type fakeEnc struct{ id, n int }

func (f fakeEnc) Len() int { return f.n }

// SortedOrder is a permutation whose full chunks are each batchSize texts
// of neighbouring lengths, in a fixed shuffled order, with a partial chunk
// (the longest texts) last.
func TestSortedOrder(t *testing.T) {
	lengths := []int{9, 3, 7, 1, 3, 8, 2, 6, 5, 4, 9, 2, 1}
	encs := make([]fakeEnc, len(lengths))
	for i, n := range lengths {
		encs[i] = fakeEnc{i, n}
	}
	for _, size := range []int{1, 2, 3, 4, 13, 20} {
		t.Run(fmt.Sprintf("size=%d", size), func(t *testing.T) {
			got := SortedOrder(encs, size)
			if again := SortedOrder(encs, size); !slices.Equal(got, again) {
				t.Fatalf("not deterministic: %v then %v", got, again)
			}
			ids := make([]int, len(got))
			for i, e := range got {
				ids[i] = e.id
			}
			slices.Sort(ids)
			for i, id := range ids {
				if id != i {
					t.Fatalf("not a permutation: %v", got)
				}
			}
			sorted := slices.Clone(encs)
			slices.SortStableFunc(sorted, func(a, b fakeEnc) int { return a.n - b.n })
			var chunks [][]fakeEnc
			for c := 0; c*size < len(sorted); c++ {
				chunks = append(chunks, sorted[c*size:min((c+1)*size, len(sorted))])
			}
			// Every batch of the result is one chunk of the sorted order.
			for k := 0; k*size < len(got); k++ {
				batch := got[k*size : min((k+1)*size, len(got))]
				if !slices.ContainsFunc(chunks, func(c []fakeEnc) bool { return slices.Equal(c, batch) }) {
					t.Errorf("batch %d %v is no chunk of the sorted order", k, batch)
				}
			}
			if full := len(encs) / size; full < len(chunks) && !slices.Equal(got[full*size:], chunks[len(chunks)-1]) {
				t.Errorf("the partial chunk is not last: %v", got)
			}
		})
	}
	// With enough chunks, the order is shuffled, not sorted.
	if got := SortedOrder(encs, 1); slices.IsSortedFunc(got, func(a, b fakeEnc) int { return a.n - b.n }) {
		t.Errorf("batches visited in length order: %v", got)
	}
}

// On the demo data at batch 16 (max length 128, as bench.toml), sorted
// batching computes almost only real tokens: the README's real-token
// shares come from this test (go test -run SortedBatchingShare -v
// ./benchmarks/runner).
func TestSortedBatchingShare(t *testing.T) {
	ds, err := dataset.Load("../../data/demo/test_data.json")
	if err != nil {
		t.Fatalf("%v: run make demo-tiny", err)
	}
	s := settings()
	s.MaxLength = 128
	m := open(t, tinyDemoDir(t), s)
	enc := encode(t, m, ds.Texts)
	const size = 16
	share := func(batching string) (float64, int) {
		m.Settings.Batching, m.Settings.Padding = batching, "longest"
		if batching == "max_length" {
			m.Settings.Batching, m.Settings.Padding = "rotate", "max_length"
		}
		bs := prepare(t, m, enc, size)
		return float64(bs.Tokens) / float64(bs.PaddedTokens), bs.Len()
	}
	rotate, nr := share("rotate")
	sorted, ns := share("sorted")
	fixed, _ := share("max_length")
	t.Logf("real-token share at batch %d over %d texts: rotate %.3f (%d batches), sorted %.3f (%d batches), padded to max_length %d: %.3f",
		size, len(enc.Encodings), rotate, nr, sorted, ns, m.MaxLength, fixed)
	if sorted < 0.9 {
		t.Errorf("sorted batching: real-token share %.3f, want ≥ 0.9", sorted)
	}
	if !(rotate < sorted) || !(fixed <= rotate) {
		t.Errorf("shares rotate %.3f, sorted %.3f, max_length %.3f: want max_length ≤ rotate < sorted", rotate, sorted, fixed)
	}
}

// The workload fingerprint is of the timed texts, not of the order a
// batching puts them in: the suite prints it before batches are built, and
// sorted batching orders texts by each model's own token lengths, while
// the same texts are the same work.
func TestWorkloadIgnoresBatching(t *testing.T) {
	ds, err := dataset.Load("../../data/demo/test_data.json")
	if err != nil {
		t.Fatalf("%v: run make demo-tiny", err)
	}
	var fps []string
	for _, batching := range []string{"rotate", "sorted"} {
		s := settings()
		s.MaxLength, s.Batching = 64, batching
		m := open(t, tinyDemoDir(t), s)
		enc := encode(t, m, ds.Texts[:24])
		bs, err := m.Prepare(enc, 4)
		if err != nil {
			t.Fatal(err)
		}
		if want := workload.Fingerprint(enc.Texts, 4, enc.MaxLength); bs.Workload != want {
			t.Errorf("%s: Prepare's workload %q, want the timed texts' %q", batching, bs.Workload, want)
		}
		if err := bs.Close(); err != nil {
			t.Fatal(err)
		}
		fps = append(fps, bs.Workload)
	}
	if fps[0] != fps[1] {
		t.Errorf("rotate and sorted give workloads %q and %q", fps[0], fps[1])
	}
}
