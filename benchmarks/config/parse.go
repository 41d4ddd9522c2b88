package config

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
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

// A field is a key of a table and where its value goes: a pointer to an
// int, float64, *float64, string, bool or []int, a path or a nonEmpty;
// nil for the keys that the caller decodes itself.
type field struct {
	key string
	dst any
}

// path is the destination of a path. Relative paths are made absolute
// against the folder of the file; a path of kind "file" or "folder" must
// be one (unless the paths are not checked).
type path struct {
	dst  *string
	kind string
}

// nonEmpty is the destination of a string that must not be empty; todo
// says what to do when it is.
type nonEmpty struct {
	dst  *string
	todo string
}

// threadCounts is the destination of intra_op_threads: an integer, or a
// list of integers (a threads sweep when it has two or more; one is the
// same as that integer). The first count of a list goes to n too.
type threadCounts struct {
	n     *int
	sweep *[]int
}

// selectionThreads is the destination of [selection] threads: a whole
// number ≥ 0 (kept as its decimal string), "best" or "first".
type selectionThreads struct{ dst *string }

func settingFields(s *Settings) []field {
	return []field{
		{"test_data", path{&s.TestData, "file"}}, {"batch_sizes", &s.BatchSizes},
		{"iterations", &s.Iterations}, {"warmup", &s.Warmup}, {"texts", &s.Texts}, {"max_length", &s.MaxLength},
		{"device", &s.Device}, {"intra_op_threads", threadCounts{&s.IntraOpThreads, &s.ThreadSweep}},
		{"inter_op_threads", &s.InterOpThreads}, {"keep_samples", &s.KeepSamples},
		{"batching", &s.Batching}, {"padding", &s.Padding}, {"mode", &s.Mode},
		{"graph_optimization", &s.GraphOptimization}, {"scenario", &s.Scenario},
		{"offline_streams", &s.OfflineStreams},
	}
}

func topFields(c *Config) []field {
	return append(settingFields(&c.Defaults), field{"model", nil}, field{"check", nil}, field{"selection", nil})
}

func modelFields(m *Model) []field {
	return append([]field{{"name", nil}, {"checkpoint", path{&m.Checkpoint, "folder"}}, {"output", path{&m.Output, ""}}},
		settingFields(&m.Settings)...)
}

func checkFields(c *Check) []field {
	return []field{{"alpha", &c.Alpha}, {"threshold", &c.Threshold}, {"min_samples", &c.MinSamples}, {"thresholds", nil}}
}

func selectionFields(s *Selection) []field {
	return []field{
		{"hpo_dir", path{&s.HPODir, ""}}, {"metric", nonEmpty{&s.Metric, `want the name of a metric, such as "eval_f1"`}},
		{"goal", &s.Goal}, {"accuracy_threshold", &s.AccuracyThreshold}, {"relative", &s.Relative},
		{"min_accuracy_gain", &s.MinAccuracyGain}, {"output", path{&s.Output, ""}},
		{"threads", selectionThreads{&s.Threads}},
	}
}

func keys(fields []field) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = f.key
	}
	return out
}

// The keys of each table, in the order that errors list them.
var (
	settingKeys   = keys(settingFields(new(Settings)))
	modelKeys     = keys(modelFields(new(Model)))
	checkKeys     = keys(checkFields(new(Check)))
	selectionKeys = keys(selectionFields(new(Selection)))
	tableKeys     = map[string][]string{"top": keys(topFields(new(Config))), "model": modelKeys, "check": checkKeys, "selection": selectionKeys}
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
	// Each value stays a toml.Primitive until it is decoded into its field
	// on its own: decoding the file into structs at once would stop at the
	// first bad value, and would match keys to fields ignoring case.
	var doc map[string]toml.Primitive
	md, err := toml.Decode(string(data), &doc)
	if err != nil {
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

	p := &parser{md: &md, file: display, dir: dir, lines: keyLines(md, string(data)), checkPaths: checkPaths}
	c := &Config{Path: path, Dir: dir, Defaults: DefaultSettings(), Check: DefaultCheck(), Selection: DefaultSelection()}
	decodeTable(p, doc, loc{}, "top", topFields(c), &c.Defaults, settingChecks)
	p.conflicts(doc, loc{}, &c.Defaults)
	if v, ok := doc["check"]; ok {
		p.check(v, &c.Check)
	}
	if v, ok := doc["selection"]; ok {
		l := loc{}.in("selection")
		if t, ok := p.table(v, l, "a table [selection]"); ok {
			decodeTable(p, t, l, "selection", selectionFields(&c.Selection), &c.Selection, selectionChecks)
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
	md    *toml.MetaData
	file  string         // as shown in errors
	dir   string         // absolute folder of the file
	lines map[string]int // see keyLines
	errs  []*Error
	// globalTestData is whether test_data is set at the top level (even
	// to a bad value, which is reported there and not again per model).
	globalTestData bool
	// checkPaths is whether checkpoints and test data must exist.
	checkPaths bool
}

// loc is where a value is: its key path for the line (see keyLines), the
// model it belongs to, and the key to show.
type loc struct {
	path  toml.Key
	index int    // 1-based position of the [[model]] table; 0 outside
	model string // its name, when known
	key   string
}

// index returns the path segment of the i-th (0-based) table of an array
// of tables. It cannot collide with a key: keys hold no NUL byte here.
func index(i int) string { return "\x00" + strconv.Itoa(i) }

// in returns the location of key k inside the table at l.
func (l loc) in(k string) loc {
	l.path = slices.Concat(l.path, toml.Key{k})
	if l.index > 0 {
		l.key = k // model keys are shown without the "model." prefix
	} else {
		l.key = l.path.String()
	}
	return l
}

// line returns the line of the key at l, or of the nearest enclosing key
// that has one (keys inside an inline table are on the line of its key).
func (p *parser) line(l loc) int {
	for n := len(l.path); n > 0; n-- {
		if line, ok := p.lines[l.path[:n].String()]; ok {
			return line
		}
	}
	return 0
}

func (p *parser) fail(l loc, format string, args ...any) {
	p.errs = append(p.errs, &Error{File: p.file, Line: p.line(l), Model: l.model, Index: l.index, Key: l.key,
		Msg: fmt.Sprintf(format, args...)})
}

// decodeTable decodes the keys of table t at l into their fields, and
// reports unknown keys, values of the wrong type and the problems that
// checks finds in the values of v.
func decodeTable[T any](p *parser, t map[string]toml.Primitive, l loc, table string, fields []field, v *T, checks []keyCheck[T]) {
	for _, k := range slices.Sorted(maps.Keys(t)) {
		kl := l.in(k)
		i := slices.IndexFunc(fields, func(f field) bool { return f.key == k })
		if i < 0 {
			p.unknown(kl, table)
			continue
		}
		if fields[i].dst == nil || !p.decode(t[k], fields[i].dst, kl) {
			continue
		}
		for _, c := range checks {
			if c.key == k {
				for _, msg := range c.check(v) {
					p.fail(kl, "%s", msg)
				}
			}
		}
	}
}

// conflicts reports a combination of settings that cannot go together
// (Settings.conflict) where table t sets one of them: at its scenario
// key, else at its mode key. A combination wholly inherited from the top
// of the file was reported there.
func (p *parser) conflicts(t map[string]toml.Primitive, l loc, s *Settings) {
	msg := s.conflict()
	if msg == "" {
		return
	}
	if _, ok := t["scenario"]; ok {
		p.fail(l.in("scenario"), "%s", msg)
	} else if _, ok := t["mode"]; ok {
		p.fail(l.in("mode"), `"e2e" cannot be combined with scenario = "offline", which times inference only; use one or the other`)
	}
}

// decode decodes v into dst (see field) and reports a value of the wrong
// type, an empty string or path, and a path that is not there.
func (p *parser) decode(v toml.Primitive, dst any, l loc) bool {
	switch d := dst.(type) {
	case selectionThreads:
		var n int
		if p.md.PrimitiveDecode(v, &n) == nil {
			*d.dst = strconv.Itoa(n)
			return true
		}
		var s string
		if p.md.PrimitiveDecode(v, &s) == nil && (s == "best" || s == "first") {
			*d.dst = s
			return true
		}
		var raw any
		_ = p.md.PrimitiveDecode(v, &raw)
		p.fail(l, `want a thread count of the sweep such as 2, "best" or "first", got %s`, describe(raw))
		return false
	case threadCounts:
		var n int
		if p.md.PrimitiveDecode(v, &n) == nil {
			*d.n, *d.sweep = n, nil
			return true
		}
		var list []int
		if p.md.PrimitiveDecode(v, &list) != nil {
			var raw any
			_ = p.md.PrimitiveDecode(v, &raw)
			want := "a whole number or an array of them, such as 4 or [1, 2, 4]"
			items, _ := raw.([]any)
			if i := slices.IndexFunc(items, func(e any) bool { _, ok := e.(int64); return !ok }); i >= 0 {
				p.fail(l, "want %s, got %s as item %d", want, describe(items[i]), i+1)
			} else {
				p.fail(l, "want %s, got %s", want, describe(raw))
			}
			return false
		}
		if len(list) == 0 {
			p.fail(l, "empty; want a thread count or a list of them, such as [1, 2, 4]")
			return false
		}
		*d.n, *d.sweep = list[0], nil
		if len(list) > 1 {
			*d.sweep = list
		}
		return true
	case path:
		var s string
		if !p.decode(v, nonEmpty{&s, "want a path"}, l) {
			return false
		}
		if !filepath.IsAbs(s) {
			s = filepath.Join(p.dir, s)
		}
		*d.dst = filepath.Clean(s)
		p.mustExist(*d.dst, d.kind, l)
		return true
	case nonEmpty:
		if !p.decode(v, d.dst, l) {
			return false
		}
		if *d.dst == "" {
			p.fail(l, "empty; %s", d.todo)
		}
		return *d.dst != ""
	}
	if p.md.PrimitiveDecode(v, dst) == nil {
		return true
	}
	var raw any
	_ = p.md.PrimitiveDecode(v, &raw)
	var want string
	switch dst.(type) {
	case *int:
		want = "a whole number"
	case *float64, **float64:
		want = "a number"
	case *bool:
		want = "true or false"
	case *string:
		want = "a string"
	case *[]int:
		want = "an array of batch sizes, such as [1, 8, 16]"
		list, _ := raw.([]any)
		if i := slices.IndexFunc(list, func(e any) bool { _, ok := e.(int64); return !ok }); i >= 0 {
			p.fail(l, "want %s, got %s as item %d", want, describe(list[i]), i+1)
			return false
		}
	}
	p.fail(l, "want %s, got %s", want, describe(raw))
	return false
}

// table decodes v, a table, into the values of its keys, and reports a
// value that is not a table.
func (p *parser) table(v toml.Primitive, l loc, want string) (map[string]toml.Primitive, bool) {
	var raw any
	if _ = p.md.PrimitiveDecode(v, &raw); !isTable(raw) {
		p.fail(l, "want %s, got %s", want, describe(raw))
		return nil, false
	}
	var t map[string]toml.Primitive
	return t, p.md.PrimitiveDecode(v, &t) == nil
}

func isTable(v any) bool { _, ok := v.(map[string]any); return ok }

func (p *parser) check(v toml.Primitive, c *Check) {
	l := loc{}.in("check")
	t, ok := p.table(v, l, "a table [check]")
	if !ok {
		return
	}
	decodeTable(p, t, l, "check", checkFields(c), c, checkChecks)
	if v, ok = t["thresholds"]; !ok {
		return
	}
	l = l.in("thresholds")
	if t, ok = p.table(v, l, "a table [check.thresholds]"); !ok {
		return
	}
	c.Thresholds = make(map[string]float64, len(t))
	for _, metric := range slices.Sorted(maps.Keys(t)) {
		ml := l.in(metric)
		var f float64
		switch {
		case metric == "":
			p.fail(ml, `empty metric name; want a unit such as "p99-ns/op" or a key such as "p99_ms"`)
		case p.decode(t[metric], &f, ml):
			c.Thresholds[metric] = f
			for _, msg := range checkThreshold(f) {
				p.fail(ml, "%s", msg)
			}
		}
	}
}

func (p *parser) models(v toml.Primitive, c *Config) {
	var raw any
	_ = p.md.PrimitiveDecode(v, &raw)
	switch raw.(type) {
	case []map[string]any, []any:
	case map[string]any:
		p.fail(loc{}.in("model"), "want [[model]] tables, got a single [model] table; write [[model]] (two brackets) above each model")
		return
	default:
		p.fail(loc{}.in("model"), "want [[model]] tables, got %s; write a [[model]] table for each model", describe(raw))
		return
	}
	var tables []toml.Primitive
	_ = p.md.PrimitiveDecode(v, &tables)
	type first struct {
		name string
		line int
	}
	seen := map[string]first{} // by bench name (equal names have equal bench names)
	var locs []loc
	for i, v := range tables {
		l := loc{path: toml.Key{"model", index(i)}, index: i + 1, key: "model"}
		t, ok := p.table(v, l, "a table with name and checkpoint")
		if !ok {
			continue
		}
		m := Model{Settings: c.Defaults.Clone()}
		if v, ok := t["name"]; !ok {
			p.fail(l.in("name"), `missing; add name = "…" to this [[model]] table`)
		} else if p.decode(v, nonEmpty{&m.Name, "give the model a name"}, l.in("name")) {
			l.model = m.Name
		}
		decodeTable(p, t, l, "model", modelFields(&m), &m.Settings, settingChecks)
		p.conflicts(t, l, &m.Settings)
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
			bn := m.BenchName()
			other, dup := seen[bn]
			switch {
			case !dup:
				seen[bn] = first{m.Name, p.line(l.in("name"))}
			case other.name == m.Name:
				p.fail(l.in("name"), "the name is also used by the model at line %d; give each model its own name", other.line)
			default:
				p.fail(l.in("name"), "its bench name %q is also that of model %q (line %d), since characters outside [A-Za-z0-9._+] become '_'; rename one of them",
					bn, other.name, other.line)
			}
		}
		c.Models = append(c.Models, m)
		locs = append(locs, l)
	}
	if len(p.errs) > 0 {
		return // outputs are compared once the models are otherwise valid
	}
	// Two models with one output would overwrite each other's results
	// (two models of one checkpoint share its default output).
	outputs := map[string]first{}
	for i, m := range c.Models {
		key := filepath.Clean(m.Output)
		if other, dup := outputs[key]; dup {
			p.fail(locs[i].in("output"), "%s is also the output of model %q (line %d); give each model its own output = \"…\"", m.Output, other.name, other.line)
		} else {
			outputs[key] = first{m.Name, p.line(locs[i].in("name"))}
		}
	}
}

// mustExist reports a path that does not exist, or is not of kind "file"
// or "folder"; any path is fine for kind "".
func (p *parser) mustExist(path, kind string, l loc) {
	if !p.checkPaths || kind == "" {
		return
	}
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		p.fail(l, "%s %s does not exist; fix the path (a relative path is relative to %s, the folder of %s)",
			kind, path, p.dir, filepath.Base(p.file))
	case err != nil:
		p.fail(l, "%v", err)
	case kind == "folder" && !info.IsDir():
		p.fail(l, "%s is a file; want the checkpoint folder, the one that holds model.onnx", path)
	case kind == "file" && info.IsDir():
		p.fail(l, "%s is a folder; want a test data file (JSON or JSON Lines)", path)
	}
}

// unknown reports an unknown key of table (a key of tableKeys) and says
// what to do: fix a misspelling, move the key to where it belongs, or
// remove it.
func (p *parser) unknown(l loc, table string) {
	key, known := l.path[len(l.path)-1], tableKeys[table]
	if s := suggest(key, known); s != "" {
		p.fail(l, "unknown key; did you mean %q?", s)
		return
	}
	var where []string
	for _, pl := range []struct {
		table, name string
		keys        []string
	}{
		{"model", "a [[model]] table", modelKeys},
		{"top", "the top of the file (before any table)", settingKeys},
		{"check", "the [check] table", checkKeys},
		{"selection", "the [selection] table", selectionKeys},
	} {
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
