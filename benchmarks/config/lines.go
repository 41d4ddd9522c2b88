package config

import (
	"strconv"
	"strings"
)

// The toml package does not say on which line a key was defined (its
// MetaData keeps only the last position of each key name, so all [[model]]
// tables would share one). lineIndex finds the lines itself, by scanning
// the text of a file that has already been parsed without error.
//
// A location is a path of key segments as the TOML document nests them;
// the i-th table of an array of tables adds the segment index(i) after the
// array's name, so model #3's batch_sizes is
// {"model", index(2), "batch_sizes"}.

// index returns the path segment of the i-th (0-based) element of an array
// of tables. It cannot collide with a key: keys hold no NUL byte here.
func index(i int) string { return "\x00" + strconv.Itoa(i) }

func isIndex(seg string) bool { return strings.HasPrefix(seg, "\x00") }

func joinPath(path []string) string { return strings.Join(path, "\x01") }

// lineIndex maps locations to the 1-based line where they are defined: the
// line of the key for keys, of the header for tables.
type lineIndex map[string]int

// line returns the line of path, or of its nearest enclosing location that
// has one (keys inside an inline table or array of inline tables are on the
// line of that table's key), or 0.
func (ix lineIndex) line(path ...string) int {
	for n := len(path); n > 0; n-- {
		if l, ok := ix[joinPath(path[:n])]; ok {
			return l
		}
		// An element of an inline array of tables: try the array itself.
		if isIndex(path[n-1]) {
			if l, ok := ix[joinPath(path[:n-1])]; ok {
				return l
			}
		}
	}
	return 0
}

// indexLines scans valid TOML text.
func indexLines(src string) lineIndex {
	s := &scanner{src: src, line: 1}
	ix := lineIndex{}
	set := func(path []string, line int) {
		if k := joinPath(path); ix[k] == 0 {
			ix[k] = line
		}
	}
	arrays := map[string]int{} // array of tables (resolved path) → tables seen
	var table []string         // the current table, resolved
	for {
		s.skipBlank()
		if s.done() {
			return ix
		}
		switch s.peek() {
		case '#':
			s.skipComment()
		case '[':
			line := s.line
			isArray := strings.HasPrefix(s.src[s.i:], "[[")
			s.i++
			if isArray {
				s.i++
			}
			keys := s.key()
			table = resolve(keys, arrays, isArray)
			set(table, line)
			s.skipLine()
		default:
			line := s.line
			keys := s.key()
			s.skipSpace()
			if !s.done() && s.peek() == '=' {
				s.i++
			}
			for j := range keys {
				set(append(table[:len(table):len(table)], keys[:j+1]...), line)
			}
			s.skipValue()
		}
	}
}

// resolve turns the key of a table header into a location: tables of
// arrays named on the way get the index of their latest element, and the
// header of an array of tables adds the index of the new element.
func resolve(keys []string, arrays map[string]int, isArray bool) []string {
	var out []string
	for j, k := range keys {
		out = append(out, k)
		name := joinPath(out)
		if j == len(keys)-1 && isArray {
			n := arrays[name]
			arrays[name] = n + 1
			out = append(out, index(n))
		} else if n, ok := arrays[name]; ok {
			out = append(out, index(n-1))
		}
	}
	return out
}

type scanner struct {
	src  string
	i    int
	line int
}

func (s *scanner) done() bool { return s.i >= len(s.src) }
func (s *scanner) peek() byte { return s.src[s.i] }

func (s *scanner) skipSpace() {
	for !s.done() && (s.peek() == ' ' || s.peek() == '\t') {
		s.i++
	}
}

// skipBlank skips white space and newlines.
func (s *scanner) skipBlank() {
	for !s.done() {
		switch s.peek() {
		case '\n':
			s.line++
		case ' ', '\t', '\r':
		default:
			return
		}
		s.i++
	}
}

// skipComment skips to the end of the line, leaving the newline.
func (s *scanner) skipComment() {
	for !s.done() && s.peek() != '\n' {
		s.i++
	}
}

// skipLine skips the rest of a header line: "]", "]]", a comment.
func (s *scanner) skipLine() { s.skipComment() }

// key reads a possibly dotted key: bare, "basic" or 'literal' parts.
func (s *scanner) key() []string {
	var keys []string
	for {
		s.skipSpace()
		if s.done() {
			return keys
		}
		switch c := s.peek(); c {
		case '"':
			start := s.i
			s.i++
			for !s.done() && s.peek() != '"' {
				if s.peek() == '\\' {
					s.i++
				}
				s.i++
			}
			s.i++ // closing quote
			raw := s.src[start:min(s.i, len(s.src))]
			if k, err := strconv.Unquote(raw); err == nil {
				keys = append(keys, k)
			} else {
				keys = append(keys, strings.Trim(raw, `"`))
			}
		case '\'':
			s.i++
			start := s.i
			for !s.done() && s.peek() != '\'' {
				s.i++
			}
			keys = append(keys, s.src[start:s.i])
			s.i++
		default:
			start := s.i
			for !s.done() && isBare(s.peek()) {
				s.i++
			}
			if s.i == start { // not a key (cannot happen in valid TOML)
				s.i++
				return keys
			}
			keys = append(keys, s.src[start:s.i])
		}
		s.skipSpace()
		if s.done() || s.peek() != '.' {
			return keys
		}
		s.i++
	}
}

func isBare(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-'
}

// skipValue skips a value and the rest of its line, leaving the newline.
func (s *scanner) skipValue() {
	depth := 0
	for !s.done() {
		switch s.peek() {
		case '\n':
			if depth == 0 {
				return
			}
			s.line++
			s.i++
		case '#':
			s.skipComment()
		case '"':
			s.skipString('"', true)
		case '\'':
			s.skipString('\'', false)
		case '[', '{':
			depth++
			s.i++
		case ']', '}':
			depth--
			s.i++
		default:
			s.i++
		}
	}
}

// skipString skips a string that starts at s.i with quote q: single-line
// or multi-line (three quotes). Basic strings have backslash escapes.
func (s *scanner) skipString(q byte, escapes bool) {
	triple := strings.Repeat(string(q), 3)
	if strings.HasPrefix(s.src[s.i:], triple) {
		s.i += 3
		for !s.done() {
			switch c := s.peek(); {
			case escapes && c == '\\':
				s.i++
				if !s.done() && s.peek() == '\n' {
					s.line++
				}
				s.i++
			case c == '\n':
				s.line++
				s.i++
			case strings.HasPrefix(s.src[s.i:], triple):
				s.i += 3
				// Up to two more quotes belong to the content.
				for n := 0; n < 2 && !s.done() && s.peek() == q; n++ {
					s.i++
				}
				return
			default:
				s.i++
			}
		}
		return
	}
	s.i++
	for !s.done() && s.peek() != q && s.peek() != '\n' {
		if escapes && s.peek() == '\\' {
			s.i++
		}
		s.i++
	}
	s.i++
}
