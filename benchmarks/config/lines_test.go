package config

import (
	"testing"

	"github.com/BurntSushi/toml"
)

// keyLines finds the line of each key, past multi-line strings and values
// that look like keys or headers, and tells the tables of an array apart.
func TestKeyLines(t *testing.T) {
	src := `# comment
top = 1
dotted.key = "v"          # 3
"quoted key" = 'lit'      # 4
multi = """
x = 1
[[not_a_table]]
"""                       # 8
lit = '''
[fake]
'''                       # 11
arr = [
  [1, 2],
  { a = 1 },              # 14
]
after = 2                 # 16

[[a]]                     # 18
k = 1
  [[a.b]]                 # 20
  k = 2
  [[a.b]]                 # 22
  k = 3
[[a]]                     # 24
k = 4
[a.c]                     # 26
k = 5
[t]                       # 28
"x.y" = 1
inline = { p = 1, q = 2 } # 30
tables = [ { k = 1 }, { k = 2 } ]  # 31
esc = "a\"b # not a comment"
next = 1                  # 33
`
	// keyLines is used only on valid TOML.
	md, err := toml.Decode(src, new(map[string]any))
	if err != nil {
		t.Fatal(err)
	}
	p := &parser{lines: keyLines(md, src)}
	tests := []struct {
		path []string
		want int
	}{
		{[]string{"top"}, 2},
		{[]string{"dotted"}, 3},
		{[]string{"dotted", "key"}, 3},
		{[]string{"quoted key"}, 4},
		{[]string{"multi"}, 5},
		{[]string{"not_a_table"}, 0},
		{[]string{"lit"}, 9},
		{[]string{"fake"}, 0},
		{[]string{"x"}, 0},
		{[]string{"arr"}, 12},
		{[]string{"after"}, 16},
		{[]string{"a", index(0)}, 18},
		{[]string{"a", index(0), "k"}, 19},
		{[]string{"a", index(0), "b", index(0)}, 20},
		{[]string{"a", index(0), "b", index(0), "k"}, 21},
		{[]string{"a", index(0), "b", index(1), "k"}, 23},
		{[]string{"a", index(1)}, 24},
		{[]string{"a", index(1), "k"}, 25},
		{[]string{"a", index(1), "c"}, 26},
		{[]string{"a", index(1), "c", "k"}, 27},
		{[]string{"a", index(1), "unknown"}, 24}, // falls back to the table
		{[]string{"t", "x.y"}, 29},
		{[]string{"t", "inline", "q"}, 30},           // inside an inline table
		{[]string{"t", "tables", index(1), "k"}, 31}, // inline array of tables
		{[]string{"t", "esc"}, 32},
		{[]string{"t", "next"}, 33},
		{[]string{"nothing"}, 0},
	}
	for _, tt := range tests {
		if got := p.line(loc{path: tt.path}); got != tt.want {
			t.Errorf("line(%q) = %d, want %d", tt.path, got, tt.want)
		}
	}
}

// Errors name the right line in files that the line scan must read with
// care: CRLF line ends, an inline table over several lines (TOML 1.1),
// multi-line strings that end in an escaped quote or in up to five quotes,
// and models given as an inline array (whose keys are on its line).
func TestErrorLinesTrickySyntax(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"crlf", "iterations = 0\r\n[[model]]\r\nname = \"a\"\r\ncheckpoint = \"c\"\r\ntest_data = \"t.json\"\r\nwarmup = -1\r\n",
			"bench.toml:1: iterations: 0 is not a valid number of iterations (want ≥ 1)\n" +
				`bench.toml:6: model "a": warmup: -1 is not a valid number of warm-up iterations (want ≥ 0)`},
		{"multi-line inline table", "[check]\nthresholds = {\n  \"a\" = 1, # ] }\n  \"b\" = -1,\n}\nalpha = 2\n",
			"bench.toml:2: check.thresholds.b: -1 is not a valid threshold; want a fraction ≥ 0, such as 0.05 for 5 %\n" +
				"bench.toml:6: check.alpha: 2 is out of range; want a significance level between 0 and 1 (exclusive), such as 0.05"},
		{"escaped quote in a multi-line string", "[selection]\nmetric = \"\"\"a\\\"\"\"\n[[model]]\n\"\"\"\ngoal = \"up\"\n",
			`bench.toml:5: selection.goal: "up" is not a goal; want "maximize" or "minimize"`},
		{"five quotes", "[selection]\nmetric = '''x''''' \ngoal = \"\"\"y\"\"\"\"\"\nrelative = 1\n",
			"bench.toml:3: selection.goal: \"y\\\"\\\"\" is not a goal; want \"maximize\" or \"minimize\"\n" +
				"bench.toml:4: selection.relative: want true or false, got the whole number 1"},
		{"inline array of models", "test_data = \"t.json\"\nmodel = [\n  {name = \"a\", checkpoint = \"c\", warmup = -1},\n]\nwarmup = -2\n",
			"bench.toml:2: model \"a\": warmup: -1 is not a valid number of warm-up iterations (want ≥ 0)\n" +
				"bench.toml:5: warmup: -2 is not a valid number of warm-up iterations (want ≥ 0)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseTables("bench.toml", []byte(tt.src))
			if got := errString(err); got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}
