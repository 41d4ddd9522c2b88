package hftok

// classRun starts a run of code points with the same classes.
type classRun struct {
	lo rune
	k  uint16
}

// bmpClass holds the classes of the Basic Multilingual Plane, for speed.
var bmpClass [0x10000]uint16

func init() {
	for i, r := range classRuns {
		hi := rune(0x110000)
		if i+1 < len(classRuns) {
			hi = classRuns[i+1].lo
		}
		for c := r.lo; c < hi && c < 0x10000; c++ {
			bmpClass[c] = r.k
		}
	}
}

// class returns the classes of r (c* bits of tables.go).
func class(r rune) uint16 {
	if r >= 0 && r < 0x10000 {
		return bmpClass[r]
	}
	lo, hi := 0, len(classRuns)
	for lo+1 < hi {
		m := (lo + hi) / 2
		if classRuns[m].lo <= r {
			lo = m
		} else {
			hi = m
		}
	}
	return classRuns[lo].k
}

func is(r rune, bits uint16) bool { return class(r)&bits != 0 }
