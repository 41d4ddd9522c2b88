package runner

import "testing"

// The peak follows the process's memory: touching 64 MiB raises it by
// about that much, and a reset brings it back down near the current size.
func TestPeakRSS(t *testing.T) {
	if err := ResetPeakRSS(); err != nil {
		t.Fatal(err)
	}
	before, err := PeakRSS()
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64<<20)
	for i := range buf {
		buf[i] = byte(i)
	}
	after, err := PeakRSS()
	if err != nil {
		t.Fatal(err)
	}
	if after-before < 60<<20 {
		t.Errorf("peak %d → %d bytes after touching 64 MiB", before, after)
	}
	buf = nil
	_ = buf
}
