package hftok

import (
	"fmt"
	"math"
	"strconv"
)

// pow10 holds 1e0 … 1e308, each correctly rounded (as Rust's literals are).
var pow10 [309]float64

func init() {
	for i := range pow10 {
		pow10[i], _ = strconv.ParseFloat("1e"+strconv.Itoa(i), 64)
	}
}

// serdeFloat parses a JSON number as serde_json does without its
// float_roundtrip feature, which the Rust library is built with: the digits
// make a u64 significand (digits past its range are dropped), converted to
// float64 and then multiplied or divided by a power of ten. For 17-digit
// scores this can differ from the correctly rounded value by one unit in
// the last place, and a Unigram tie can then go the other way; so the
// scores must be read exactly as the library reads them.
func serdeFloat(s string) (float64, error) {
	i := 0
	neg := false
	if i < len(s) && s[i] == '-' {
		neg, i = true, i+1
	}
	const maxU = math.MaxUint64
	var sig uint64
	exp := 0
	overflow := func(d uint64) bool { return sig >= maxU/10 && (sig > maxU/10 || d > maxU%10) }
	start := i
	dropping := false
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		d := uint64(s[i] - '0')
		if dropping || overflow(d) {
			dropping = true
			exp++
		} else {
			sig = sig*10 + d
		}
		i++
	}
	if i == start {
		return 0, fmt.Errorf("bad number %q", s)
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			d := uint64(s[i] - '0')
			if !dropping && overflow(d) {
				dropping = true
			}
			if !dropping {
				sig = sig*10 + d
				exp--
			}
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		eneg := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			eneg, i = s[i] == '-', i+1
		}
		e := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			if e < 1e6 {
				e = e*10 + int(s[i]-'0')
			}
			i++
		}
		if eneg {
			e = -e
		}
		exp += e
	}
	if i != len(s) {
		return 0, fmt.Errorf("bad number %q", s)
	}
	f := float64(sig)
	for {
		a := exp
		if a < 0 {
			a = -a
		}
		if a < len(pow10) {
			if exp >= 0 {
				f *= pow10[a]
			} else {
				f /= pow10[a]
			}
			break
		}
		if f == 0 {
			break
		}
		if exp >= 0 {
			return 0, fmt.Errorf("number %q out of range", s)
		}
		f /= 1e308
		exp += 308
	}
	if neg {
		f = -f
	}
	return f, nil
}
