package runner

import (
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/nerbench/nerbench/internal/contract"
)

const hogEnv = "NERBENCH_TEST_CPU_HOG"

// TestCPUHogHelper is not a test: run with NERBENCH_TEST_CPU_HOG=1 it
// keeps one CPU busy until it is killed (TestBusyMachineWarning starts it).
func TestCPUHogHelper(t *testing.T) {
	if os.Getenv(hogEnv) != "1" {
		return
	}
	x := 0
	for {
		x++
	}
}

// A short run beside CPU hogs, one per CPU, gets a busy-machine warning.
// (That a quiet run gets none is TestNoiseWarnings in internal/contract,
// on recorded conditions: this machine is not quiet on demand.)
func TestBusyMachineWarning(t *testing.T) {
	m := open(t, tinyDemoDir(t), settings())
	m.Settings.Texts = 50
	enc := encode(t, m, make50(t))
	bs := prepare(t, m, enc, 1)
	for range runtime.NumCPU() {
		hog := exec.Command(os.Args[0], "-test.run=^TestCPUHogHelper$")
		hog.Env = append(os.Environ(), hogEnv+"=1")
		if err := hog.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			hog.Process.Kill()
			hog.Wait()
		})
	}
	time.Sleep(300 * time.Millisecond) // let the hogs get going
	r, err := Measure(bs, 50, 500)
	if err != nil {
		t.Fatal(err)
	}
	if !(r.During.OtherCPUs > contract.MaxOtherCPUs) {
		t.Errorf("beside %d CPU hogs, others used %.2f CPUs (%s)", runtime.NumCPU(), r.During.OtherCPUs, r.During)
	}
	t.Logf("beside %d CPU hogs: %s, repeat noise %.1f%% (%v)", runtime.NumCPU(), r.During, r.Noise*100, r.HasNoise)
	warnings := strings.Join(r.Warnings(), "\n")
	if !strings.Contains(warnings, "busy machine") {
		t.Errorf("beside CPU hogs, warnings %q; want a busy-machine warning", warnings)
	}
}

// make50 returns 50 texts of the test set's.
func make50(t *testing.T) []string {
	t.Helper()
	var out []string
	for len(out) < 50 {
		out = append(out, texts...)
	}
	return out[:50]
}
