package config

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/nerbench/nerbench/benchmarks/benchname"
)

// Error is one problem in a bench.toml file.
type Error struct {
	File   string // the file's path as given
	Line   int    // 1-based; 0 when unknown
	Column int    // 1-based, for TOML syntax errors only; 0 otherwise
	// Model is the name of the model whose [[model]] table holds the key,
	// and Index that table's position (1-based); "" and 0 outside them.
	Model string
	Index int
	Key   string // the key, dotted as in TOML ("batch_sizes", "check.alpha")
	Msg   string // what is wrong and what to do
}

// Error formats e as
//
//	bench.toml:14: model "x": batch_sizes: 0 is not a valid batch size (want ≥ 1)
//
// leaving out the parts that are unknown. A model without a name is
// "model #3".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Column > 0 {
			fmt.Fprintf(&b, ":%d", e.Column)
		}
	}
	b.WriteString(": ")
	switch {
	case e.Model != "":
		fmt.Fprintf(&b, "model %q: ", e.Model)
	case e.Index > 0:
		fmt.Fprintf(&b, "model #%d: ", e.Index)
	}
	if e.Key != "" {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Keys of each table.
var (
	settingKeys   = []string{"test_data", "batch_sizes", "iterations", "warmup", "max_length", "device", "intra_op_threads", "inter_op_threads", "keep_samples"}
	topKeys       = slices.Concat(settingKeys, []string{"model", "check", "selection"})
	modelKeys     = slices.Concat([]string{"name", "checkpoint", "output"}, settingKeys)
	checkKeys     = []string{"alpha", "threshold", "min_samples", "thresholds"}
	selectionKeys = []string{"hpo_dir", "metric", "goal", "accuracy_threshold", "relative", "min_accuracy_gain", "output"}
)

// Parse parses data, the content of the bench.toml file at path. path
// names the file in errors, and its folder is the base of relative paths.
// All problems are returned together, sorted by line, each an *Error.
func Parse(path string, data []byte) (*Config, error) {
	return parse(path, data, true)
}

// ParseTables is Parse without the checks that checkpoint folders and test
// data files exist: for commands that use only the [check] or [selection]
// table, or models' names and outputs, and may run where the checkpoints
// are not. Every other problem is still an error.
func ParseTables(path string, data []byte) (*Config, error) {
	return parse(path, data, false)
}

func parse(path string, data []byte, checkPaths bool) (*Config, error) {
	display := path
	if display == "" {
		display = "bench.toml"
	}
	var doc map[string]any
	if _, err := toml.Decode(string(data), &doc); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, syntaxError(display, string(data), pe)
		}
		return nil, fmt.Errorf("%s: invalid TOML: %w", display, err)
	}
	dir, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", display, err)
	}

	p := &parser{file: display, dir: dir, lines: indexLines(string(data)), checkPaths: checkPaths}
	c := &Config{
		Path:      path,
		Dir:       dir,
		Defaults:  DefaultSettings(),
		Check:     DefaultCheck(),
		Selection: DefaultSelection(),
	}
	for _, k := range slices.Sorted(maps.Keys(doc)) {
		l := loc{path: []string{k}, key: k}
		switch v := doc[k]; {
		case k == "model":
			// After the global settings, which models start from.
		case k == "check":
			p.check(v, &c.Check)
		case k == "selection":
			p.selection(v, &c.Selection)
		case slices.Contains(settingKeys, k):
			p.setting(&c.Defaults, k, v, l)
		default:
			p.unknown(l, "top")
		}
	}
	_, p.globalTestData = doc["test_data"]
	if v, ok := doc["model"]; ok {
		p.models(v, c)
	}

	if len(p.errs) > 0 {
		slices.SortStableFunc(p.errs, func(a, b *Error) int { return a.Line - b.Line })
		errs := make([]error, len(p.errs))
		for i, e := range p.errs {
			errs[i] = e
		}
		return nil, errors.Join(errs...)
	}
	return c, nil
}

// syntaxError describes a TOML syntax error, in the style of other errors.
func syntaxError(file, src string, pe toml.ParseError) *Error {
	msg := strings.TrimSuffix(pe.Message, ".")
	if msg != "" {
		msg = strings.ToLower(msg[:1]) + msg[1:]
	}
	e := &Error{File: file, Line: pe.Position.Line, Column: pe.Position.Col, Msg: "invalid TOML: " + msg}
	// The column is sometimes past the end of the line; leave it out then.
	if lines := strings.Split(src, "\n"); e.Line < 1 || e.Line > len(lines) || e.Column > len(lines[e.Line-1]) {
		e.Column = 0
	}
	return e
}

type parser struct {
	file  string // as shown in errors
	dir   string // absolute folder of the file
	lines lineIndex
	errs  []*Error
	// globalTestData is whether test_data is set at the top level (even
	// to a bad value, which is reported there and not again per model).
	globalTestData bool
	// checkPaths is whether checkpoints and test data must exist.
	checkPaths bool
}

// loc is where a value is: its location for the line, the model it
// belongs to, and the key to show.
type loc struct {
	path  []string
	index int    // 1-based position of the [[model]] table; 0 outside
	model string // its name, when known
	key   string
}

// in returns the location of key k inside the table at l.
func (l loc) in(k string) loc {
	l.path = slices.Concat(l.path, []string{k})
	if l.index > 0 {
		l.key = k // model keys are shown without the "model." prefix
	} else {
		l.key = toml.Key(l.path).String()
	}
	return l
}

func (p *parser) fail(l loc, format string, args ...any) {
	p.errs = append(p.errs, &Error{
		File:  p.file,
		Line:  p.lines.line(l.path...),
		Model: l.model,
		Index: l.index,
		Key:   l.key,
		Msg:   fmt.Sprintf(format, args...),
	})
}

// run reports the problems the check of key finds in v.
func run[T any](p *parser, v *T, checks []keyCheck[T], key string, l loc) {
	for _, c := range checks {
		if c.key == key {
			for _, msg := range c.check(v) {
				p.fail(l, "%s", msg)
			}
		}
	}
}

// setting sets key of s from v.
func (p *parser) setting(s *Settings, key string, v any, l loc) {
	switch key {
	case "test_data":
		if path, ok := p.path(v, l); ok {
			s.TestData = path
			p.mustExist(path, false, l)
		}
		return
	case "batch_sizes":
		list, ok := p.ints(v, l, "an array of batch sizes, such as [1, 8, 16]")
		if !ok {
			return
		}
		s.BatchSizes = list
	case "iterations":
		p.int(v, l, &s.Iterations)
	case "warmup":
		p.int(v, l, &s.Warmup)
	case "max_length":
		p.int(v, l, &s.MaxLength)
	case "intra_op_threads":
		p.int(v, l, &s.IntraOpThreads)
	case "inter_op_threads":
		p.int(v, l, &s.InterOpThreads)
	case "device":
		if str, ok := p.str(v, l); ok {
			s.Device = str
		}
	case "keep_samples":
		p.bool(v, l, &s.KeepSamples)
	}
	run(p, s, settingChecks, key, l)
}

func (p *parser) models(v any, c *Config) {
	top := loc{path: []string{"model"}, key: "model"}
	var tables []map[string]any
	switch v := v.(type) {
	case []map[string]any:
		tables = v
	case []any: // model = [{...}, {...}]
		for i, e := range v {
			t, ok := e.(map[string]any)
			if !ok {
				p.fail(loc{path: []string{"model", index(i)}, index: i + 1, key: "model"},
					"want a table with name and checkpoint, got %s", describe(e))
				continue
			}
			tables = append(tables, t)
		}
	case map[string]any:
		p.fail(top, "want [[model]] tables, got a single [model] table; write [[model]] (two brackets) above each model")
		return
	default:
		p.fail(top, "want [[model]] tables, got %s; write a [[model]] table for each model", describe(v))
		return
	}

	type seen struct {
		name string
		line int
	}
	names := map[string]int{}       // name → line
	benchNames := map[string]seen{} // bench name → first model with it
	for i, t := range tables {
		l := loc{path: []string{"model", index(i)}, index: i + 1}
		m := Model{Settings: c.Defaults.Clone()}

		nameLoc := l.in("name")
		if v, ok := t["name"]; !ok {
			p.fail(nameLoc, `missing; add name = "…" to this [[model]] table`)
		} else if name, ok := p.str(v, nameLoc); ok {
			if name == "" {
				p.fail(nameLoc, "empty; give the model a name")
			} else {
				m.Name, l.model = name, name
			}
		}

		for _, k := range slices.Sorted(maps.Keys(t)) {
			v, kl := t[k], l.in(k)
			switch {
			case k == "name":
			case k == "checkpoint":
				if path, ok := p.path(v, kl); ok {
					m.Checkpoint = path
					p.mustExist(path, true, kl)
				}
			case k == "output":
				if path, ok := p.path(v, kl); ok {
					m.Output = path
				}
			case slices.Contains(settingKeys, k):
				p.setting(&m.Settings, k, v, kl)
			default:
				p.unknown(kl, "model")
			}
		}

		if _, ok := t["checkpoint"]; !ok {
			p.fail(l.in("checkpoint"), `missing; add checkpoint = "path/to/checkpoint" (the folder that holds model.onnx) to this [[model]] table`)
		}
		if _, ok := t["test_data"]; !ok && !p.globalTestData {
			p.fail(l.in("test_data"), `not set; add test_data = "path/to/test_data.json" at the top of the file (for every model) or to this [[model]] table`)
		}
		if m.Output == "" && m.Checkpoint != "" {
			m.Output = DefaultOutput(m.Checkpoint)
		}

		if m.Name != "" {
			line := p.lines.line(nameLoc.path...)
			bn := benchname.Sanitize(m.Name)
			if first, dup := names[m.Name]; dup {
				p.fail(l.in("name"), "the name is also used by the model at line %d; give each model its own name", first)
			} else if other, clash := benchNames[bn]; clash {
				p.fail(l.in("name"), "its bench name %q is also that of model %q (line %d), since characters outside [A-Za-z0-9._+] become '_'; rename one of them",
					bn, other.name, other.line)
			} else {
				names[m.Name] = line
				benchNames[bn] = seen{m.Name, line}
			}
		}
		c.Models = append(c.Models, m)
	}
}

func (p *parser) check(v any, c *Check) {
	l := loc{path: []string{"check"}, key: "check"}
	t, ok := p.table(v, l, "[check]")
	if !ok {
		return
	}
	for _, k := range slices.Sorted(maps.Keys(t)) {
		v, kl := t[k], l.in(k)
		switch k {
		case "alpha":
			p.float(v, kl, &c.Alpha)
		case "threshold":
			p.float(v, kl, &c.Threshold)
		case "min_samples":
			p.int(v, kl, &c.MinSamples)
		case "thresholds":
			tt, ok := p.table(v, kl, "[check.thresholds]")
			if !ok {
				continue
			}
			c.Thresholds = make(map[string]float64, len(tt))
			for _, metric := range slices.Sorted(maps.Keys(tt)) {
				ml := kl.in(metric)
				if metric == "" {
					p.fail(ml, `empty metric name; want a unit such as "p99-ns/op" or a key such as "p99_ms"`)
					continue
				}
				var f float64
				if p.float(tt[metric], ml, &f) {
					c.Thresholds[metric] = f
					for _, msg := range checkThreshold(f) {
						p.fail(ml, "%s", msg)
					}
				}
			}
		default:
			p.unknown(kl, "check")
		}
		run(p, c, checkChecks, k, kl)
	}
}

func (p *parser) selection(v any, s *Selection) {
	l := loc{path: []string{"selection"}, key: "selection"}
	t, ok := p.table(v, l, "[selection]")
	if !ok {
		return
	}
	for _, k := range slices.Sorted(maps.Keys(t)) {
		v, kl := t[k], l.in(k)
		switch k {
		case "hpo_dir":
			if path, ok := p.path(v, kl); ok {
				s.HPODir = path
			}
		case "output":
			if path, ok := p.path(v, kl); ok {
				s.Output = path
			}
		case "metric":
			if str, ok := p.str(v, kl); ok {
				if str == "" {
					p.fail(kl, `empty; want the name of a metric, such as "eval_f1"`)
				}
				s.Metric = str
			}
		case "goal":
			if str, ok := p.str(v, kl); ok {
				s.Goal = str
			}
		case "accuracy_threshold":
			var f float64
			if p.float(v, kl, &f) {
				s.AccuracyThreshold = &f
			}
		case "min_accuracy_gain":
			var f float64
			if p.float(v, kl, &f) {
				s.MinAccuracyGain = &f
			}
		case "relative":
			p.bool(v, kl, &s.Relative)
		default:
			p.unknown(kl, "selection")
		}
		run(p, s, selectionChecks, k, kl)
	}
}

// Typed values. Each reports a value of the wrong type and returns false.

func (p *parser) table(v any, l loc, name string) (map[string]any, bool) {
	t, ok := v.(map[string]any)
	if !ok {
		p.fail(l, "want a table %s, got %s", name, describe(v))
	}
	return t, ok
}

func (p *parser) str(v any, l loc) (string, bool) {
	s, ok := v.(string)
	if !ok {
		p.fail(l, "want a string, got %s", describe(v))
	}
	return s, ok
}

func (p *parser) int(v any, l loc, dst *int) bool {
	n, ok := v.(int64)
	if !ok {
		p.fail(l, "want a whole number, got %s", describe(v))
		return false
	}
	*dst = int(n)
	return true
}

func (p *parser) float(v any, l loc, dst *float64) bool {
	switch n := v.(type) {
	case float64:
		*dst = n
	case int64:
		*dst = float64(n)
	default:
		p.fail(l, "want a number, got %s", describe(v))
		return false
	}
	return true
}

func (p *parser) bool(v any, l loc, dst *bool) bool {
	b, ok := v.(bool)
	if !ok {
		p.fail(l, "want true or false, got %s", describe(v))
		return false
	}
	*dst = b
	return true
}

func (p *parser) ints(v any, l loc, want string) ([]int, bool) {
	list, ok := v.([]any)
	if !ok {
		p.fail(l, "want %s, got %s", want, describe(v))
		return nil, false
	}
	out := make([]int, len(list))
	for i, e := range list {
		n, ok := e.(int64)
		if !ok {
			p.fail(l, "want %s, got %s as item %d", want, describe(e), i+1)
			return nil, false
		}
		out[i] = int(n)
	}
	return out, true
}

// path reads a path: relative paths are made absolute against the folder
// of the file.
func (p *parser) path(v any, l loc) (string, bool) {
	s, ok := p.str(v, l)
	if !ok {
		return "", false
	}
	if s == "" {
		p.fail(l, "empty; want a path")
		return "", false
	}
	if !filepath.IsAbs(s) {
		s = filepath.Join(p.dir, s)
	}
	return filepath.Clean(s), true
}

// mustExist reports a path that does not exist, or is not a folder (when
// dir) or not a file.
func (p *parser) mustExist(path string, dir bool, l loc) {
	if !p.checkPaths {
		return
	}
	what := "file"
	if dir {
		what = "folder"
	}
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		p.fail(l, "%s %s does not exist; fix the path (a relative path is relative to %s, the folder of %s)",
			what, path, p.dir, filepath.Base(p.file))
	case err != nil:
		p.fail(l, "%v", err)
	case dir && !info.IsDir():
		p.fail(l, "%s is a file; want the checkpoint folder, the one that holds model.onnx", path)
	case !dir && info.IsDir():
		p.fail(l, "%s is a folder; want a test data file (JSON or JSON Lines)", path)
	}
}

// tableKeys lists the keys of each table: "top" (the global settings and
// tables), "model", "check" and "selection".
var tableKeys = map[string][]string{"top": topKeys, "model": modelKeys, "check": checkKeys, "selection": selectionKeys}

// unknown reports an unknown key of table (a key of tableKeys) and says
// what to do: fix a misspelling, move the key to where it belongs, or
// remove it.
func (p *parser) unknown(l loc, table string) {
	key := l.path[len(l.path)-1]
	known := tableKeys[table]
	if s := suggest(key, known); s != "" {
		p.fail(l, "unknown key; did you mean %q?", s)
		return
	}
	places := []struct {
		table, name string
		keys        []string
	}{
		{"model", "a [[model]] table", modelKeys},
		{"top", "the top of the file (before any table)", settingKeys},
		{"check", "the [check] table", checkKeys},
		{"selection", "the [selection] table", selectionKeys},
	}
	var where []string
	for _, pl := range places {
		if pl.table != table && slices.Contains(pl.keys, key) {
			where = append(where, pl.name)
		}
	}
	if len(where) > 0 {
		p.fail(l, "unknown key here; it belongs in %s", strings.Join(where, " or "))
		return
	}
	p.fail(l, "unknown key; remove it (the keys here are %s)", strings.Join(known, ", "))
}

// suggest returns the known key that key is most likely a misspelling of,
// or "".
func suggest(key string, known []string) string {
	norm := func(s string) string { return strings.ReplaceAll(strings.ToLower(s), "-", "_") }
	best, bestDist := "", 3 // at most 2 edits
	for _, k := range known {
		if norm(k) == norm(key) {
			return k
		}
		if d := distance(key, k); d < bestDist {
			best, bestDist = k, d
		}
	}
	if bestDist > min(2, len(key)/3) { // short keys: fewer edits
		return ""
	}
	return best
}

// distance returns the Levenshtein distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// describe names a TOML value for an error message.
func describe(v any) string {
	switch v := v.(type) {
	case string:
		return fmt.Sprintf("the string %q", v)
	case int64:
		return fmt.Sprintf("the whole number %d", v)
	case float64:
		return fmt.Sprintf("the number %v", v)
	case bool:
		return fmt.Sprintf("%t", v)
	case []any:
		return "an array"
	case map[string]any:
		return "a table"
	case []map[string]any:
		return "an array of tables"
	case nil:
		return "nothing"
	default:
		return "a date or time"
	}
}
