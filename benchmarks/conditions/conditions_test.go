package conditions

import (
	"math"
	"sync/atomic"
	"testing"
	"time"
)

func TestParseStat(t *testing.T) {
	data := []byte("cpu  100 10 50 800 20 5 5 10 0 0\ncpu0 50 5 25 400 10 2 3 5 0 0\ncpu1 50 5 25 400 10 3 2 5 0 0\nintr 1 2\n")
	busy, total, steal, cpus, ok := parseStat(data)
	if !ok || busy != 180 || total != 1000 || steal != 10 || cpus != 2 {
		t.Errorf("parseStat = busy %d total %d steal %d cpus %d ok %v; want 180 1000 10 2 true", busy, total, steal, cpus, ok)
	}
}

// Between attributes to others the busy time that this process did not use.
func TestBetween(t *testing.T) {
	t0 := time.Unix(0, 0)
	a := Snapshot{At: t0, Load1: 0.5, busy: 1000, total: 2000, steal: 0, hostCPUs: 2, procStats: true}
	// One second on 2 CPUs: 200 ticks, 150 busy, 10 stolen; this process
	// used 0.5 s of CPU.
	b := Snapshot{At: t0.Add(time.Second), Load1: 1.5, busy: 1150, total: 2200, steal: 10, hostCPUs: 2, procStats: true,
		ownCPU: 500 * time.Millisecond, nivcsw: 7, throttled: 30 * time.Millisecond, hasThrot: true}
	a.hasThrot = true
	d := Between(a, b)
	if d.LoadBefore != 0.5 || d.LoadAfter != 1.5 || d.Nivcsw != 7 || math.Abs(d.StealPct-5) > 1e-9 || math.Abs(d.OtherCPUs-1.0) > 1e-9 || math.Abs(d.ThrottledPct-3) > 1e-9 {
		t.Errorf("Between = %+v; want load 0.5→1.5, 7 switches, steal 5%%, others 1.0 CPU, throttled 3%%", d)
	}
	if d := Between(Snapshot{Load1: math.NaN()}, Snapshot{Load1: math.NaN()}); !math.IsNaN(d.OtherCPUs) || !math.IsNaN(d.StealPct) || !math.IsNaN(d.ThrottledPct) {
		t.Errorf("without /proc/stat: %+v, want NaNs", d)
	}
}

func TestStatField(t *testing.T) {
	data := []byte("usage_usec 100\nnr_throttled 4\nthrottled_usec 2500\n")
	if v, ok := statField(data, "throttled_usec"); !ok || v != 2500 {
		t.Errorf("throttled_usec = %d, %v", v, ok)
	}
	if _, ok := statField(data, "throttled_time"); ok {
		t.Error("throttled_time found in a v2 cpu.stat")
	}
}

// Settle returns after one quiet step in a quiet process, and waits its
// whole limit while a goroutine keeps a core busy.
func TestSettle(t *testing.T) {
	if d := Settle(time.Second); d > 20*SettleStep {
		t.Errorf("quiet process: Settle waited %v", d)
	}
	var stop atomic.Bool
	done := make(chan struct{})
	go func() { // keeps a core busy until stopped
		defer close(done)
		for !stop.Load() {
		}
	}()
	d := Settle(100 * time.Millisecond)
	stop.Store(true)
	<-done
	if d < 100*time.Millisecond {
		t.Errorf("busy process: Settle returned after %v, want its limit, 100ms", d)
	}
}
