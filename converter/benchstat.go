package converter

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/perf/benchfmt"

	"github.com/nerbench/nerbench/benchmarks/benchname"
	"github.com/nerbench/nerbench/internal/contract"
)

type format int

const (
	formatGoBench format = iota
	formatBenchstatCSV
	formatBenchstatText
)

// detect tells the Go benchmark format from benchstat's output. benchstat's
// CSV has a column header row such as ",sec/op,CI,sec/op,CI,vs base,P"; its
// text output has box-drawing column rules and a "vs base" column.
func detect(data []byte) format {
	s := bufio.NewScanner(bytes.NewReader(data))
	s.Buffer(nil, 1<<20)
	for s.Scan() {
		line := strings.TrimSuffix(s.Text(), "\r")
		switch {
		case strings.HasPrefix(line, "Benchmark"):
			return formatGoBench
		case strings.HasPrefix(line, ","):
			if f := strings.Split(line, ","); len(f) >= 3 && f[2] == "CI" {
				return formatBenchstatCSV
			}
		case strings.Contains(line, "│") && strings.Contains(line, "vs base"):
			return formatBenchstatText
		}
	}
	return formatGoBench
}

// csvUnits maps benchstat's (tidied) units to their metric's place in
// metrics; other units are ignored.
var csvUnits = func() map[string]int {
	m := map[string]int{}
	for i, mt := range metrics {
		m[tidyUnit(mt.Unit)] = i
	}
	return m
}()

// meanIndex is the place of the mean latency in metrics: its table comes
// first in benchstat's output, and counts the benchmarks found.
var meanIndex = metricIndex(contract.UnitMean)

// csvTable is the layout of one benchstat table.
type csvTable struct {
	metric     int // index into metrics, -1 to ignore
	base, new  int // columns of the baseline's and the new side's center
	delta, p   int // columns of "vs base" and "P"; -1 if none
	baseName   string
	newName    string
	comparable bool
}

func newCSVTable(rec, colRow []string) (*csvTable, error) {
	unit := rec[1]
	var centers []int
	for i := 1; i+1 < len(rec); i++ {
		if rec[i] == unit && rec[i+1] == "CI" {
			centers = append(centers, i)
		}
	}
	t := &csvTable{metric: -1, delta: -1, p: -1, base: centers[0], new: centers[len(centers)-1]}
	if m, ok := csvUnits[unit]; ok {
		t.metric = m
	}
	if len(centers) > 1 {
		t.comparable = true
		if t.new+3 >= len(rec) || rec[t.new+2] != "vs base" || rec[t.new+3] != "P" {
			return nil, fmt.Errorf("column header %q: want \"vs base\" and \"P\" after the last %s column", strings.Join(rec, ","), unit)
		}
		t.delta, t.p = t.new+2, t.new+3
	}
	cell := func(row []string, i int) string {
		if i < len(row) {
			return row[i]
		}
		return ""
	}
	t.baseName, t.newName = cell(colRow, t.base), cell(colRow, t.new)
	// Column by column: the row of column names (the inputs' names) must
	// name every column of values and nothing else, so that a column lost
	// on the way (the new side's, say) is never read as another one.
	if colRow != nil {
		if len(colRow) != len(rec) {
			return nil, fmt.Errorf("the column names row has %d cells and the units row %d: a column is missing", len(colRow), len(rec))
		}
		for i := 1; i < len(rec); i++ {
			isCenter := slices.Contains(centers, i)
			switch {
			case isCenter && colRow[i] == "":
				return nil, fmt.Errorf("column %d (%s) has no input name above it", i+1, unit)
			case !isCenter && colRow[i] != "":
				return nil, fmt.Errorf("input %q (column %d) has no %s column of values: a column is missing", colRow[i], i+1, unit)
			}
		}
	}
	for i := 1; i < len(rec); i++ {
		if !slices.Contains(centers, i) && (rec[i] != "CI" || !slices.Contains(centers, i-1)) && i != t.delta && i != t.p {
			return nil, fmt.Errorf("unexpected column %d %q in the units row", i+1, rec[i])
		}
	}
	return t, nil
}

// addBenchstatCSV reads the output of benchstat -format csv.
func (c *collector) addBenchstatCSV(in Input) {
	r := csv.NewReader(bytes.NewReader(in.Data))
	r.FieldsPerRecord = -1
	type key struct {
		model   string
		threads int
		batch   int
		device  string
	}
	var (
		config     = map[string]string{}
		tbl        *csvTable
		colRow     []string
		rows       = map[key]*obs{}
		order      []key
		others     = map[string]bool{}
		nOthers    int
		comparable bool
		defaulted  bool
		cols       []string
		header     []string
	)
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				c.inputErr(in.Name, pe.Line, pe.Err.Error())
			} else {
				c.inputErr(in.Name, 0, err.Error())
			}
			break
		}
		line, _ := r.FieldPos(0)
		switch {
		case len(rec) == 1:
			if k, v, ok := parseConfigLine(rec[0]); ok {
				if v == "" {
					delete(config, k)
				} else {
					config[k] = v
				}
			}
			tbl = nil
			continue
		case rec[0] == "" && len(rec) >= 3 && rec[2] == "CI":
			t, err := newCSVTable(rec, colRow)
			if err != nil {
				c.inputErr(in.Name, line, err.Error())
				tbl = nil
				continue
			}
			header = rec
			tbl = t
			comparable = comparable || t.comparable
			if t.comparable && cols == nil {
				cols = []string{t.baseName, t.newName}
			}
			continue
		case rec[0] == "":
			colRow = rec
			continue
		case tbl == nil:
			continue
		case len(rec) != len(header):
			c.inputErr(in.Name, line, fmt.Sprintf("row %q has %d cells, its table's header %d", rec[0], len(rec), len(header)))
			continue
		case rec[0] == "geomean":
			continue
		}

		pn, err := benchname.ParseName(rec[0])
		model, batch := pn.Model, pn.Batch
		if err == benchname.ErrNotOurs {
			if tbl.metric == meanIndex {
				nOthers++
				others["Benchmark"+string(benchfmt.Name(rec[0]).Base())] = true
			}
			continue
		}
		if tbl.metric == meanIndex {
			c.ours++
		}
		if err != nil {
			if tbl.metric == meanIndex {
				c.warn(in.Name, line, fmt.Sprintf("Benchmark%s: %v; row skipped", rec[0], err))
			}
			continue
		}
		if tbl.metric == -1 {
			continue
		}
		cell := func(i int) string {
			if i >= 0 && i < len(rec) {
				return rec[i]
			}
			return ""
		}
		parse := func(s string) (float64, error) {
			v, err := strconv.ParseFloat(s, 64)
			return fromTidied(metrics[tbl.metric], v), err
		}
		newCell := cell(tbl.new)
		if newCell == "" {
			if tbl.comparable && metrics[tbl.metric].Required {
				c.fail(Failure{File: in.Name, Line: line, Model: model, Batch: batch,
					Msg: fmt.Sprintf("no %s in the new column (%s): it ran on the baseline only", tidyUnit(metrics[tbl.metric].Unit), tbl.newName)}.withThreads(pn.Threads))
			}
			continue
		}
		v, err := parse(newCell)
		if err != nil || v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			c.fail(Failure{File: in.Name, Line: line, Model: model, Batch: batch,
				Msg: fmt.Sprintf("%s value %q: want a finite, non-negative number; not a result", tidyUnit(metrics[tbl.metric].Unit), newCell)}.withThreads(pn.Threads))
			continue
		}
		device := config[contract.ConfigDevice]
		if device == "" {
			device = "cpu"
			if !defaulted {
				defaulted = true
				c.warn(in.Name, line, "no device: configuration line before this row; assuming cpu")
			}
		}
		k := key{model, pn.Threads, batch, device}
		o, ok := rows[k]
		if !ok {
			o = &obs{file: in.Name, line: line, batch: batch, threads: pn.Threads, device: device, config: maps.Clone(config), cmp: newCmpValues()}
			rows[k] = o
			order = append(order, k)
		}
		cv := o.cmp
		m := tbl.metric
		if !metrics[m].Required {
			cv.values[m], cv.have[m] = v, true
			continue
		}
		if cv.have[m] {
			c.warn(in.Name, line, fmt.Sprintf("Benchmark%s: a second %s value; using this one", rec[0], tidyUnit(metrics[m].Unit)))
		}
		cv.values[m], cv.have[m] = v, true
		if !tbl.comparable {
			continue
		}
		if s := cell(tbl.base); s != "" {
			if bv, err := parse(s); err == nil {
				cv.base[m], cv.hasBase[m] = bv, true
			}
		}
		if d := cell(tbl.delta); d != "" {
			cv.sig[m], cv.hasSig[m] = d != "~", true
		}
		if p, n1, n2, ok := parseP(cell(tbl.p)); ok {
			cv.p[m], cv.hasP[m] = p, true
			cv.baseN, cv.n = n1, n2
		}
	}

	for _, k := range order {
		o := rows[k]
		var missing []string
		for i, m := range metrics {
			if m.Required && !o.cmp.have[i] {
				missing = append(missing, tidyUnit(m.Unit))
			}
		}
		if len(missing) > 0 {
			if !failedAt(c.res.Failures, k.model, k.threads, k.batch) {
				c.fail(Failure{File: in.Name, Line: o.line, Model: k.model, Batch: k.batch,
					Msg: fmt.Sprintf("no %s in the new column; not a result", strings.Join(missing, ", "))}.withThreads(k.threads))
			}
			continue
		}
		c.add(k.model, o)
		if cols != nil {
			c.comparison[k.model] = cols
		}
	}
	if !comparable && len(order) > 0 {
		c.warn(in.Name, 0, "benchstat compared nothing (one column per table); converting without a baseline. "+
			"If the runs differ in a configuration line such as commit, run benchstat with -ignore commit")
	}
	if nOthers > 0 {
		c.note(in.Name, fmt.Sprintf("ignored %d %s of other benchmarks (%s)",
			nOthers, plural(nOthers, "row"), strings.Join(slices.Sorted(maps.Keys(others)), ", ")))
	}
	c.others += nOthers
}

// parseConfigLine parses a "key: value" configuration line by the Go
// benchmark format's rule: the key starts with a lower-case letter and holds
// no space or upper-case letter; an empty value deletes the key.
func parseConfigLine(line string) (key, val string, ok bool) {
	key, val, found := strings.Cut(line, ":")
	if !found || key == "" {
		return "", "", false
	}
	for i, r := range key {
		if i == 0 && !unicode.IsLower(r) || unicode.IsSpace(r) || unicode.IsUpper(r) {
			return "", "", false
		}
	}
	if val != "" && val[0] != ' ' && val[0] != '\t' {
		return "", "", false
	}
	return key, strings.TrimLeft(val, " \t"), true
}

// parseP parses benchstat's P column: "p=0.002 n=6", "p=0.818 n=6+5", or
// "n=6" when the p-value is 0.
func parseP(s string) (p float64, n1, n2 int, ok bool) {
	if s == "" {
		return 0, 0, 0, false
	}
	haveN := false
	for f := range strings.FieldsSeq(s) {
		switch {
		case strings.HasPrefix(f, "p="):
			v, err := strconv.ParseFloat(f[2:], 64)
			if err != nil {
				return 0, 0, 0, false
			}
			p = v
		case strings.HasPrefix(f, "n="):
			a, b, two := strings.Cut(f[2:], "+")
			var err1, err2 error
			n1, err1 = strconv.Atoi(a)
			n2 = n1
			if two {
				n2, err2 = strconv.Atoi(b)
			}
			if err1 != nil || err2 != nil {
				return 0, 0, 0, false
			}
			haveN = true
		}
	}
	return p, n1, n2, haveN
}
