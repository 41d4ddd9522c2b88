package config

import (
	"regexp"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
)

// The toml package knows the line of every key but does not say it.
// MetaData.Keys lists the keys in the order of the file: each key set to a
// value, each table header, and each key inside an inline value (which
// follows the key of that value). keyLines pairs that list with the lines
// where a key or a header starts, which a short scan of the text finds.

// keyLines returns the line where each key of valid TOML src, decoded
// into md, is first defined: the line of the key, or of the header for
// tables; the tables that a dotted key or header implies are on its line,
// and keys inside an inline value on the line of its key. Each key is
// named by the String of its path, in which the index of the table (see
// index) follows the name of an array of tables: the batch_sizes of the
// third [[model]] is toml.Key{"model", index(2), "batch_sizes"}.
func keyLines(md toml.MetaData, src string) map[string]int {
	starts := statements(src)
	lines := map[string]int{}
	arrays := map[string]int{} // array of tables → tables so far
	var value toml.Key         // the last key set to a value
	line := 0
	for _, k := range md.Keys() {
		inValue := value != nil && len(k) > len(value) && slices.Equal(k[:len(value)], value)
		if !inValue { // on a line of its own
			value, line = nil, 0
			if len(starts) > 0 {
				s := starts[0]
				starts, line = starts[1:], s.line
				switch {
				case strings.HasPrefix(s.text, "[["):
					arrays[k.String()]++
				case !strings.HasPrefix(s.text, "["):
					value = k
				}
			}
		}
		var path toml.Key
		set := func() {
			if _, ok := lines[path.String()]; !ok {
				lines[path.String()] = line
			}
		}
		for i := range k {
			path = append(path, k[i])
			set()
			if n := arrays[k[:i+1].String()]; n > 0 {
				path = append(path, index(n-1))
				set()
			}
		}
	}
	return lines
}

type statement struct {
	line int    // 1-based
	text string // the line, without leading and trailing space
}

var (
	// token matches what matters on a line: strings, comments, brackets.
	token = regexp.MustCompile(`"""|'''|"(?:[^"\\]|\\.)*"|'[^']*'|[#\[\]{}]`)
	// closing matches up to the end of a multi-line string, whose closing
	// quotes may follow up to two quotes of the content.
	closing = map[string]*regexp.Regexp{
		`"""`: regexp.MustCompile(`^(?:[^\\]|\\.)*?"""("{0,2})`),
		`'''`: regexp.MustCompile(`^.*?'''('{0,2})`),
	}
)

// statements returns the lines of valid TOML src where a key or a table
// header starts: the lines that are not blank, not a comment and not
// inside a multi-line string or a value that spans lines.
func statements(src string) []statement {
	var out []statement
	depth, quote := 0, "" // brackets open in a value; the open multi-line string's quotes
	for n, line := range strings.Split(src, "\n") {
		if t := strings.TrimSpace(line); depth == 0 && quote == "" && t != "" && t[0] != '#' {
			out = append(out, statement{n + 1, t})
		}
		for line != "" {
			if quote != "" {
				m := closing[quote].FindStringIndex(line)
				if m == nil {
					break
				}
				line, quote = line[m[1]:], ""
				continue
			}
			m := token.FindStringIndex(line)
			if m == nil {
				break
			}
			tok := line[m[0]:m[1]]
			line = line[m[1]:]
			switch tok {
			case `"""`, `'''`:
				quote = tok
			case "#":
				line = ""
			case "[", "{":
				depth++
			case "]", "}":
				depth--
			}
		}
	}
	return out
}
