// Package benchname turns model names into names that are safe inside a Go
// benchmark name such as
//
//	BenchmarkInference/model=<bench name>/batch=8
//
// In the Go benchmark format every '/' starts a new name part, benchproc keys
// match only "key=value" parts, spaces end the name, and a trailing
// "-<digits>" is read as the GOMAXPROCS suffix. So a bench name may hold only
// the characters [A-Za-z0-9._+]. The real model name is kept elsewhere (in
// bench.toml, see package config), and the mapping must be one to one:
// [Collisions] and [Unique] find model names that would share a bench name.
//
// It is also the one place that writes ([Name], [Sub]) and parses ([Parse],
// [Fields], [Trim]) the names of the suite's results, for the suite,
// nerbench run, the converter and check alike.
package benchname

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Sanitize returns the bench name of a model name:
//
//   - every character (Unicode code point) outside [A-Za-z0-9._+] becomes '_'
//     (so "a/b c=d-3" becomes "a_b_c_d_3", and "é" becomes one '_');
//     an invalid UTF-8 byte becomes one '_' too;
//   - a name that would still end in "-<digits>" gets a final '_' (this
//     cannot happen with the rule above, since '-' is replaced, but it is
//     the property the format needs, so it is kept as a guard);
//   - the empty name becomes "_", so that "model=" always has a value.
//
// Sanitize is idempotent: Sanitize(Sanitize(s)) == Sanitize(s).
func Sanitize(name string) string {
	if name == "" {
		return "_"
	}
	var b strings.Builder
	b.Grow(len(name))
	for _, r := range name {
		if allowed(r) {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	s := b.String()
	if endsInProcSuffix(s) {
		s += "_"
	}
	return s
}

// Valid reports whether s can be used as is as a bench name: it is not
// empty, holds only [A-Za-z0-9._+], and does not end in "-<digits>".
// Valid(s) is true exactly when Sanitize(s) == s.
func Valid(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !allowed(r) {
			return false
		}
	}
	return !endsInProcSuffix(s)
}

func allowed(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' ||
		r == '.' || r == '_' || r == '+'
}

// endsInProcSuffix reports whether s ends in '-' followed by one or more
// ASCII digits, which the Go benchmark format reads as "-GOMAXPROCS".
func endsInProcSuffix(s string) bool {
	i := len(s)
	for i > 0 && '0' <= s[i-1] && s[i-1] <= '9' {
		i--
	}
	return i < len(s) && i > 0 && s[i-1] == '-'
}

// Collision is a set of different model names that share one bench name.
type Collision struct {
	BenchName string
	// Names are the colliding model names, in the order they were given.
	Names []string
}

// Collisions returns the bench names shared by two or more different model
// names, in the order in which each bench name was first produced. A name
// given twice is not a collision with itself (duplicates are a separate
// error, which the caller reports).
func Collisions(names []string) []Collision {
	byBench := map[string]*Collision{}
	var order []string
	for _, n := range names {
		bn := Sanitize(n)
		c, ok := byBench[bn]
		if !ok {
			c = &Collision{BenchName: bn}
			byBench[bn] = c
			order = append(order, bn)
		}
		if !slices.Contains(c.Names, n) {
			c.Names = append(c.Names, n)
		}
	}
	var out []Collision
	for _, bn := range order {
		if c := byBench[bn]; len(c.Names) > 1 {
			out = append(out, *c)
		}
	}
	return out
}

// Unique returns nil when no two different names share a bench name, and
// otherwise an error that lists every collision, such as
//
//	model names "a/b" and "a b" share the bench name "a_b"; rename one of them
func Unique(names []string) error {
	cs := Collisions(names)
	if len(cs) == 0 {
		return nil
	}
	msgs := make([]string, len(cs))
	for i, c := range cs {
		quoted := make([]string, len(c.Names))
		for j, n := range c.Names {
			quoted[j] = fmt.Sprintf("%q", n)
		}
		list := strings.Join(quoted[:len(quoted)-1], ", ") + " and " + quoted[len(quoted)-1]
		todo := "rename one of them"
		if len(c.Names) > 2 {
			todo = "rename all but one of them"
		}
		msgs[i] = fmt.Sprintf("model names %s share the bench name %q; %s", list, c.BenchName, todo)
	}
	return errors.New(strings.Join(msgs, "\n"))
}
