// Package dataset reads the texts a benchmark runs on.
//
// Three forms are accepted:
//
//   - a JSON array of strings: ["first text", "second text"];
//   - a JSON array of objects, each with a "text" string (other keys, such
//     as labels, are ignored): [{"text": "first", "id": 1}, …];
//   - JSON Lines: one JSON string or one object with a "text" string per
//     line; blank lines are ignored. A file is read as JSON Lines when its
//     name ends in .jsonl or .ndjson, or when its content does not start
//     with '[' (a single JSON array).
//
// Texts that are empty or only white space are skipped and counted in
// Dataset.Skipped; a file left with no text at all is an error. Errors name
// the file and the place: "item 12 (line 14)" (0-based, in a JSON array) or
// "line 7" (1-based, in JSON Lines), say what was found and what is wanted.
// Arrays are decoded as a stream, one item at a time.
package dataset

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"
)

// Dataset holds the texts of one test data file, in file order.
type Dataset struct {
	Path  string   // the path given to Load
	Texts []string // the usable texts, as written in the file (not trimmed)
	// Index holds, for each of Texts, its 0-based place among all the
	// file's texts, skipped ones included.
	Index []int
	// Skipped counts texts that were empty or only white space.
	Skipped int
}

const want = `want a string or an object with a "text" string`

var bom = []byte{0xEF, 0xBB, 0xBF}

// Load reads the test data file at path (see the package comment for the
// accepted forms).
func Load(path string) (*Dataset, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading test data: %w", err)
	}
	defer f.Close()

	d := &Dataset{Path: path}
	br := bufio.NewReaderSize(f, 64<<10)
	skip := 0 // bytes consumed before the decoder starts (a UTF-8 BOM)
	if b, _ := br.Peek(len(bom)); bytes.Equal(b, bom) {
		br.Discard(len(bom))
		skip = len(bom)
	}

	ext := strings.ToLower(filepath.Ext(path))
	if ext == ".jsonl" || ext == ".ndjson" {
		err = d.readLines(br)
	} else {
		first, perr := firstByte(br)
		switch {
		case perr == io.EOF:
			return nil, fmt.Errorf("%s: the file is empty; %s", path, formats)
		case perr != nil:
			return nil, fmt.Errorf("reading %s: %w", path, perr)
		case first == '[':
			err = d.readArray(br, skip)
		default:
			err = d.readLines(br)
		}
	}
	if err != nil {
		return nil, err
	}
	if len(d.Texts) == 0 {
		if d.Skipped > 0 {
			return nil, fmt.Errorf("%s: no usable text: all %d texts are empty or white space; want at least one non-empty text", path, d.Skipped)
		}
		return nil, fmt.Errorf("%s: no texts; want at least one text (%s)", path, formats)
	}
	return d, nil
}

const formats = `want a JSON array of strings, a JSON array of objects with a "text" string, or JSON Lines (one string or {"text": …} object per line)`

// firstByte returns the first byte that is not JSON white space, without
// consuming it.
func firstByte(br *bufio.Reader) (byte, error) {
	for {
		b, err := br.ReadByte()
		if err != nil {
			return 0, err
		}
		if !isSpace(b) {
			return b, br.UnreadByte()
		}
	}
}

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

func (d *Dataset) add(text string) {
	if strings.TrimSpace(text) == "" {
		d.Skipped++
		return
	}
	d.Index = append(d.Index, len(d.Texts)+d.Skipped)
	d.Texts = append(d.Texts, text)
}

// readArray decodes one JSON array, item by item. base is the number of
// bytes of the file before what r yields.
func (d *Dataset) readArray(r io.Reader, base int) error {
	dec := json.NewDecoder(r)
	// at turns a decoder offset into "line L, column C" of the file.
	at := func(off int64) string {
		line, col := position(d.Path, int64(base)+off)
		return fmt.Sprintf("line %d, column %d", line, col)
	}
	lineOf := func(off int64) int {
		line, _ := position(d.Path, int64(base)+off)
		return line
	}
	// jsonErr describes a decoding error, which is a syntax error or a
	// file that ends too early.
	jsonErr := func(where string, err error) error {
		var se *json.SyntaxError
		switch {
		case errors.As(err, &se):
			// The stream decoder's offsets are not always those of the
			// bad character, so find it again in the whole file (this
			// happens only once, on the way out).
			if off, msg, ok := syntaxError(d.Path, base); ok {
				return fmt.Errorf("%s: %s: invalid JSON at %s: %s", d.Path, where, at(off), msg)
			}
			return fmt.Errorf("%s: %s: invalid JSON: %v", d.Path, where, se)
		case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
			return fmt.Errorf("%s: %s: the file ends before the JSON array is closed; want a complete JSON array ending in ']'", d.Path, where)
		default:
			return fmt.Errorf("reading %s: %s: %w", d.Path, where, err)
		}
	}

	if _, err := dec.Token(); err != nil { // the '['
		return jsonErr("item 0", err)
	}
	i := 0
	for ; dec.More(); i++ {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return jsonErr(fmt.Sprintf("item %d", i), err)
		}
		text, err := textOf(raw)
		if err != nil {
			start := dec.InputOffset() - int64(len(raw))
			return fmt.Errorf("%s: item %d (line %d): %w", d.Path, i, lineOf(start), err)
		}
		d.add(text)
	}
	if _, err := dec.Token(); err != nil { // the ']'
		return jsonErr(fmt.Sprintf("item %d", i), err)
	}
	// Nothing but white space may follow the array.
	rest := bufio.NewReader(io.MultiReader(dec.Buffered(), r))
	off := dec.InputOffset()
	for {
		b, err := rest.ReadByte()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading %s: %w", d.Path, err)
		}
		if !isSpace(b) {
			return fmt.Errorf("%s: %s: more data after the end of the JSON array; want one JSON array, or JSON Lines with one text per line", d.Path, at(off))
		}
		off++
	}
}

// readLines reads JSON Lines: one string or object per line.
func (d *Dataset) readLines(r io.Reader) error {
	br := bufio.NewReader(r)
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if err != nil && err != io.EOF {
			return fmt.Errorf("reading %s: line %d: %w", d.Path, n, err)
		}
		if n == 1 {
			line = bytes.TrimPrefix(line, bom)
		}
		if trimmed := bytes.TrimSpace(line); len(trimmed) > 0 {
			if lerr := d.readLine(n, trimmed); lerr != nil {
				return lerr
			}
		}
		if err == io.EOF {
			return nil
		}
	}
}

func (d *Dataset) readLine(n int, line []byte) error {
	var raw json.RawMessage
	if err := json.Unmarshal(line, &raw); err != nil {
		var se *json.SyntaxError
		if !errors.As(err, &se) {
			return fmt.Errorf("%s: line %d: %w", d.Path, n, err)
		}
		if se.Offset >= int64(len(line)) { // the line ends inside a value
			hint := "want one JSON string or one object with a \"text\" string per line"
			if line[0] == '[' && n == 1 {
				hint = arrayHint
			} else if line[0] == '{' || line[0] == '[' {
				hint = "in JSON Lines each value must be on one line; to spread items over several lines, put them in a JSON array"
			}
			return fmt.Errorf("%s: line %d: invalid JSON: the line ends before the value does; %s", d.Path, n, hint)
		}
		col := utf8.RuneCount(line[:max(se.Offset-1, 0)]) + 1
		return fmt.Errorf("%s: line %d: invalid JSON at column %d: %v; want one JSON string or one object with a \"text\" string per line", d.Path, n, col, se)
	}
	text, err := textOf(raw)
	if err != nil {
		if n == 1 && kind(raw) == "array" {
			return fmt.Errorf("%s: line %d: %w (%s)", d.Path, n, err, arrayHint)
		}
		return fmt.Errorf("%s: line %d: %w", d.Path, n, err)
	}
	d.add(text)
	return nil
}

// arrayHint explains a JSON array in a file named as JSON Lines.
const arrayHint = "a file named .jsonl or .ndjson is read as JSON Lines, one text per line; to give a JSON array, name the file .json"

// syntaxError finds the first JSON syntax error in the file at path, whose
// first skip bytes are not JSON, and returns its offset (from the start of
// what follows those bytes) and message.
func syntaxError(path string, skip int) (off int64, msg string, ok bool) {
	data, err := os.ReadFile(path)
	if err != nil || len(data) < skip {
		return 0, "", false
	}
	var se *json.SyntaxError
	if err := json.Unmarshal(data[skip:], new(json.RawMessage)); !errors.As(err, &se) {
		return 0, "", false
	}
	return max(se.Offset-1, 0), se.Error(), true
}

// textOf returns the text of one item: a JSON string, or an object's
// "text" string.
func textOf(raw json.RawMessage) (string, error) {
	if !utf8.Valid(raw) {
		i := 0
		for i < len(raw) {
			r, size := utf8.DecodeRune(raw[i:])
			if r == utf8.RuneError && size == 1 {
				break
			}
			i += size
		}
		return "", fmt.Errorf("invalid UTF-8 (byte 0x%02x); save the file as UTF-8", raw[i])
	}
	switch kind(raw) {
	case "string":
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", fmt.Errorf("bad string: %w", err)
		}
		return s, nil
	case "object":
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			return "", fmt.Errorf("bad object: %w", err)
		}
		t, ok := obj["text"]
		if !ok {
			keys := slices.Sorted(func(yield func(string) bool) {
				for k := range obj {
					if !yield(fmt.Sprintf("%q", k)) {
						return
					}
				}
			})
			has := "no keys"
			if len(keys) > 0 {
				has = "keys " + strings.Join(keys, ", ")
			}
			return "", fmt.Errorf("the object has no \"text\" key (it has %s); %s", has, want)
		}
		if k := kind(t); k != "string" {
			return "", fmt.Errorf("the object's \"text\" is %s; want a string", article(k))
		}
		var s string
		if err := json.Unmarshal(t, &s); err != nil {
			return "", fmt.Errorf("bad \"text\" string: %w", err)
		}
		return s, nil
	default:
		return "", fmt.Errorf("%s, got %s", want, kind(raw))
	}
}

// kind names the JSON type of a valid JSON value.
func kind(raw []byte) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	default:
		return "number"
	}
}

func article(k string) string {
	switch k {
	case "null":
		return "null"
	case "array", "object":
		return "an " + k
	default:
		return "a " + k
	}
}

// position returns the 1-based line and column (in characters) of byte
// offset off of the file at path. It re-reads the file, which is done only
// to describe an error.
func position(path string, off int64) (line, col int) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	data, _ := io.ReadAll(io.LimitReader(f, max(off, 0)))
	line = 1 + bytes.Count(data, []byte{'\n'})
	last := data[bytes.LastIndexByte(data, '\n')+1:]
	if line == 1 {
		last = bytes.TrimPrefix(last, bom)
	}
	return line, utf8.RuneCount(last) + 1
}
