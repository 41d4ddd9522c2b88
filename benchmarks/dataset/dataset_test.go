package dataset

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestLoad(t *testing.T) {
	tests := []struct {
		name    string // file name; its extension picks the format
		content string
		texts   []string
		skipped int
	}{
		{"strings.json", `["a", "b c", "日本語"]`, []string{"a", "b c", "日本語"}, 0},
		{"pretty.json", "[\n  \"one\",\n  \"two\"\n]\n", []string{"one", "two"}, 0},
		{"objects.json", `[{"text": "x", "labels": [1, 2]}, {"id": 3, "text": "y"}]`, []string{"x", "y"}, 0},
		{"mixed.json", `["x", {"text": "y"}]`, []string{"x", "y"}, 0},
		{"escapes.json", `["tab\there", "quote \" and \u00e9"]`, []string{"tab\there", "quote \" and é"}, 0},
		{"skips.json", `["", "  ", "\t\n", "kept", {"text": ""}, " padded "]`, []string{"kept", " padded "}, 4},
		{"bom.json", "\xEF\xBB\xBF[\"a\"]", []string{"a"}, 0},
		{"leading-space.json", "\n\n  [\"a\"]  \n\n", []string{"a"}, 0},
		{"lines.jsonl", "\"a\"\n{\"text\": \"b\", \"ner\": []}\n\n   \n\"c\"", []string{"a", "b", "c"}, 0},
		{"crlf.jsonl", "\"a\"\r\n\"b\"\r\n", []string{"a", "b"}, 0},
		{"lines.ndjson", "{\"text\":\"a\"}\n{\"text\":\"  \"}\n", []string{"a"}, 1},
		{"upper.JSONL", "\"a\"\n", []string{"a"}, 0},
		{"bom.jsonl", "\xEF\xBB\xBF\"a\"\n", []string{"a"}, 0},
		{"detected-lines.json", "{\"text\": \"a\"}\n{\"text\": \"b\"}\n", []string{"a", "b"}, 0},
		{"detected-lines.txt", "\"a\"\n\"b\"", []string{"a", "b"}, 0},
		{"single-string.json", `"only"`, []string{"only"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := write(t, tt.name, tt.content)
			d, err := Load(path)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if d.Path != path {
				t.Errorf("Path = %q, want %q", d.Path, path)
			}
			if !slices.Equal(d.Texts, tt.texts) {
				t.Errorf("Texts = %q, want %q", d.Texts, tt.texts)
			}
			if d.Skipped != tt.skipped {
				t.Errorf("Skipped = %d, want %d", d.Skipped, tt.skipped)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name, content string
		want          string // the whole message
	}{
		{"number.json", "[\n\"a\",\n\"b\",\n 12\n]",
			`number.json: item 2 (line 4): want a string or an object with a "text" string, got number`},
		{"null.json", `["a", null]`,
			`null.json: item 1 (line 1): want a string or an object with a "text" string, got null`},
		{"bool.json", `[true]`,
			`bool.json: item 0 (line 1): want a string or an object with a "text" string, got boolean`},
		{"nested.json", `[["a"]]`,
			`nested.json: item 0 (line 1): want a string or an object with a "text" string, got array`},
		{"notext.json", "[{\"text\": \"a\"},\n {\"tokens\": [\"a\"], \"ner_tags\": [0]}]",
			`notext.json: item 1 (line 2): the object has no "text" key (it has keys "ner_tags", "tokens"); want a string or an object with a "text" string`},
		{"emptyobj.json", `[{}]`,
			`emptyobj.json: item 0 (line 1): the object has no "text" key (it has no keys); want a string or an object with a "text" string`},
		{"textnum.json", `[{"text": 3}]`,
			`textnum.json: item 0 (line 1): the object's "text" is a number; want a string`},
		{"textarr.json", `[{"text": ["a", "b"]}]`,
			`textarr.json: item 0 (line 1): the object's "text" is an array; want a string`},
		{"textnull.json", `[{"text": null}]`,
			`textnull.json: item 0 (line 1): the object's "text" is null; want a string`},
		{"textcase.json", `[{"Text": "a"}]`,
			`textcase.json: item 0 (line 1): the object has no "text" key (it has keys "Text"); want a string or an object with a "text" string`},
		{"syntax.json", "[\n  \"a\",\n  \"b\" x\n]",
			`syntax.json: item 2: invalid JSON at line 3, column 7: invalid character 'x' after array element`},
		{"badvalue.json", "[\n  \"a\",\n  }\n]",
			`badvalue.json: item 1: invalid JSON at line 3, column 3: invalid character '}' looking for beginning of value`},
		{"truncated.json", `["a", "b"`,
			`truncated.json: item 2: the file ends before the JSON array is closed; want a complete JSON array ending in ']'`},
		{"truncated-item.json", `["a", {"text": "b"`,
			`truncated-item.json: item 1: the file ends before the JSON array is closed; want a complete JSON array ending in ']'`},
		{"trailing.json", "[\"a\"]\n[\"b\"]\n",
			`trailing.json: line 2, column 1: more data after the end of the JSON array; want one JSON array, or JSON Lines with one text per line`},
		{"trailing-bom.json", "\xEF\xBB\xBF[\"a\"] x",
			`trailing-bom.json: line 1, column 7: more data after the end of the JSON array; want one JSON array, or JSON Lines with one text per line`},
		{"empty.json", "",
			`empty.json: the file is empty; want a JSON array of strings, a JSON array of objects with a "text" string, or JSON Lines (one string or {"text": …} object per line)`},
		{"blank.json", " \n\t\n",
			`blank.json: the file is empty; want a JSON array of strings, a JSON array of objects with a "text" string, or JSON Lines (one string or {"text": …} object per line)`},
		{"emptyarray.json", `[]`,
			`emptyarray.json: no texts; want at least one text (want a JSON array of strings, a JSON array of objects with a "text" string, or JSON Lines (one string or {"text": …} object per line))`},
		{"empty.jsonl", "\n\n",
			`empty.jsonl: no texts; want at least one text (want a JSON array of strings, a JSON array of objects with a "text" string, or JSON Lines (one string or {"text": …} object per line))`},
		{"allblank.json", `["", " ", {"text": "\n"}]`,
			`allblank.json: no usable text: all 3 texts are empty or white space; want at least one non-empty text`},
		{"allblank.jsonl", "\"\"\n\" \"\n",
			`allblank.jsonl: no usable text: all 2 texts are empty or white space; want at least one non-empty text`},
		{"num.jsonl", "\"a\"\n\n\"b\"\n3\n",
			`num.jsonl: line 4: want a string or an object with a "text" string, got number`},
		{"arr.jsonl", "[\"a\"]\n",
			`arr.jsonl: line 1: want a string or an object with a "text" string, got array (a file named .jsonl or .ndjson is read as JSON Lines, one text per line; to give a JSON array, name the file .json)`},
		{"arr2.jsonl", "\"a\"\n[\"b\"]\n",
			`arr2.jsonl: line 2: want a string or an object with a "text" string, got array`},
		{"pretty-array.jsonl", "[\n  \"a\"\n]\n",
			`pretty-array.jsonl: line 1: invalid JSON: the line ends before the value does; a file named .jsonl or .ndjson is read as JSON Lines, one text per line; to give a JSON array, name the file .json`},
		{"pretty-nested.jsonl", "\"a\"\n[\"b\",\n",
			`pretty-nested.jsonl: line 2: invalid JSON: the line ends before the value does; in JSON Lines each value must be on one line; to spread items over several lines, put them in a JSON array`},
		{"notext.jsonl", "{\"text\": \"a\"}\n{\"txt\": \"b\"}\n",
			`notext.jsonl: line 2: the object has no "text" key (it has keys "txt"); want a string or an object with a "text" string`},
		{"textnum.jsonl", "{\"text\": 1.5}\n",
			`textnum.jsonl: line 1: the object's "text" is a number; want a string`},
		{"syntax.jsonl", "\"a\"\n\"b\" \"c\"\n",
			`syntax.jsonl: line 2: invalid JSON at column 5: invalid character '"' after top-level value; want one JSON string or one object with a "text" string per line`},
		{"unquoted.jsonl", "hello world\n",
			`unquoted.jsonl: line 1: invalid JSON at column 1: invalid character 'h' looking for beginning of value; want one JSON string or one object with a "text" string per line`},
		{"pretty-object.json", "{\n  \"text\": \"a\"\n}\n",
			`pretty-object.json: line 1: invalid JSON: the line ends before the value does; in JSON Lines each value must be on one line; to spread items over several lines, put them in a JSON array`},
		{"unclosed.jsonl", "\"abc\n",
			`unclosed.jsonl: line 1: invalid JSON: the line ends before the value does; want one JSON string or one object with a "text" string per line`},
		{"latin1.jsonl", "\"ok\"\n\"caf\xe9\"\n",
			`latin1.jsonl: line 2: invalid UTF-8 (byte 0xe9); save the file as UTF-8`},
		{"latin1.json", "[{\"text\": \"caf\xe9\"}]",
			`latin1.json: item 0 (line 1): invalid UTF-8 (byte 0xe9); save the file as UTF-8`},
		{"bom-syntax.json", "\xEF\xBB\xBF[\"a\" \"b\"]",
			`bom-syntax.json: item 1: invalid JSON at line 1, column 6: invalid character '"' after array element`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			t.Chdir(dir)
			if err := os.WriteFile(tt.name, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			d, err := Load(tt.name)
			if err == nil {
				t.Fatalf("Load = %+v, want error %q", d, tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("error:\n got %s\nwant %s", err, tt.want)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.json")
	_, err := Load(path)
	if err == nil || !os.IsNotExist(unwrapAll(err)) || !strings.Contains(err.Error(), path) {
		t.Errorf("Load(missing) = %v, want a not-exist error naming %s", err, path)
	}
}

func TestLoadLarge(t *testing.T) {
	// Much larger than the reader's buffer, with long items, to exercise
	// streaming and positions across buffer refills.
	var b strings.Builder
	b.WriteString("[\n")
	long := strings.Repeat("word ", 2000)
	const n = 500
	for i := range n {
		if i > 0 {
			b.WriteString(",\n")
		}
		b.WriteString(`{"text": "` + long + `", "i": ` + string(rune('0'+i%10)) + `}`)
	}
	b.WriteString(",\n7\n]")
	path := write(t, "large.json", b.String())
	_, err := Load(path)
	want := path + `: item 500 (line 502): want a string or an object with a "text" string, got number`
	if err == nil || err.Error() != want {
		t.Fatalf("Load = %v, want %s", err, want)
	}

	path = write(t, "large-ok.json", strings.TrimSuffix(b.String(), ",\n7\n]")+"]")
	d, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Texts) != n || d.Texts[n-1] != long {
		t.Errorf("got %d texts, want %d", len(d.Texts), n)
	}

	lines := strings.Repeat(`"`+long+`"`+"\n", 100) + "{}\n"
	path = write(t, "large.jsonl", lines)
	_, err = Load(path)
	want = path + `: line 101: the object has no "text" key (it has no keys); want a string or an object with a "text" string`
	if err == nil || err.Error() != want {
		t.Fatalf("Load = %v, want %s", err, want)
	}
}

func TestPosition(t *testing.T) {
	path := write(t, "p.txt", "ab\ncdé\n\nx")
	tests := []struct {
		off       int64
		line, col int
	}{
		{0, 1, 1}, {1, 1, 2}, {2, 1, 3}, {3, 2, 1}, {5, 2, 3}, {7, 2, 4}, {8, 3, 1}, {9, 4, 1},
	}
	for _, tt := range tests {
		line, col := position(path, tt.off)
		if line != tt.line || col != tt.col {
			t.Errorf("position(%d) = %d:%d, want %d:%d", tt.off, line, col, tt.line, tt.col)
		}
	}
}

func write(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return err
		}
		err = u.Unwrap()
	}
}
