package config

import (
	"testing"

	"github.com/BurntSushi/toml"
)

func TestIndexLines(t *testing.T) {
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
	// The scanner is used only on valid TOML.
	if _, err := toml.Decode(src, new(map[string]any)); err != nil {
		t.Fatal(err)
	}
	ix := indexLines(src)
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
		if got := ix.line(tt.path...); got != tt.want {
			t.Errorf("line(%q) = %d, want %d", tt.path, got, tt.want)
		}
	}
}
