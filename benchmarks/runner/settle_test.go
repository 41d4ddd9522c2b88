package runner

import (
	"testing"
	"time"

	"github.com/nerbench/nerbench/benchmarks/conditions"
	"github.com/nerbench/nerbench/benchmarks/dataset"
)

func processCPU(t *testing.T) time.Duration {
	t.Helper()
	d, ok := conditions.ProcessCPU()
	if !ok {
		t.Fatal("getrusage failed")
	}
	return d
}

// After a session's Runs, ONNX Runtime's intra-op workers keep a core
// busy for a while; Settle waits that out, and the process is quiet after
// it. This is why every warm-up settles first: a measurement started
// right after another session's would share the cores with its workers.
func TestSettleAfterRun(t *testing.T) {
	ds, err := dataset.Load("../../data/demo/test_data.json")
	if err != nil {
		t.Fatalf("%v: run make demo-tiny", err)
	}
	s := settings()
	s.MaxLength, s.IntraOpThreads = 64, 2 // a worker thread besides the caller
	m := open(t, tinyDemoDir(t), s)
	bs, err := m.Prepare(encode(t, m, ds.Texts[:16]), 1)
	if err != nil {
		t.Fatal(err)
	}
	defer bs.Close()
	for range 3 {
		for i := range bs.Len() {
			if err := bs.Run(i); err != nil {
				t.Fatal(err)
			}
		}
		waited := conditions.Settle(2 * time.Second)
		c0 := processCPU(t)
		time.Sleep(20 * time.Millisecond)
		after := processCPU(t) - c0
		t.Logf("settled after %v; then %v of CPU in 20ms", waited, after)
		if waited < 2*conditions.SettleStep {
			t.Errorf("Settle returned after %v, at its first look: ONNX Runtime's workers were not seen spinning", waited)
		}
		if waited >= 2*time.Second || after > 10*time.Millisecond {
			t.Errorf("not quiet: settled after %v, then %v of CPU in 20ms", waited, after)
		}
	}
}
