package runner

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Peak resident memory comes from the kernel's high-water mark of the
// process (VmHWM in /proc/self/status), reset before each model's session
// is created by writing "5" to /proc/self/clear_refs (Linux ≥ 4.0), so
// that a model's peak covers its session load, batch building and runs,
// and not an earlier model's (memory an earlier model freed but the
// allocator kept still counts: make bench runs each model in a process of
// its own). The alternative, a child process per model, would measure the
// same with more machinery; the high-water mark also catches ONNX
// Runtime's own allocations, which Go's runtime statistics do not see.

// ResetPeakRSS sets the process's peak resident set size to its current
// one.
func ResetPeakRSS() error {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// PeakRSS returns the process's peak resident set size in bytes (VmHWM).
func PeakRSS() (int64, error) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			f := strings.Fields(rest)
			if len(f) != 2 || f[1] != "kB" {
				return 0, fmt.Errorf("/proc/self/status: unexpected VmHWM line %q", sc.Text())
			}
			kb, err := strconv.ParseInt(f[0], 10, 64)
			if err != nil {
				return 0, fmt.Errorf("/proc/self/status: %w", err)
			}
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("/proc/self/status has no VmHWM line")
}
