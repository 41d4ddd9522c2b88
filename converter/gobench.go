package converter

import (
	"bytes"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchunit"

	"github.com/nerbench/nerbench/benchmarks/benchname"
	"github.com/nerbench/nerbench/internal/contract"
)

// metrics is the table of metrics (contract.Metrics), in its order; the
// converter indexes per-metric values by a metric's place in it.
var metrics = contract.Metrics()

// metricIndex returns the place of the metric of unit in metrics, or -1.
func metricIndex(unit string) int {
	return slices.IndexFunc(metrics, func(m contract.Metric) bool { return m.Unit == unit })
}

// tidyUnit returns unit as benchfmt and benchstat show it ("ns" → "sec").
func tidyUnit(unit string) string {
	_, u := benchunit.Tidy(1, unit)
	return u
}

// value returns the value of m in r, converted to m's benchmark.json unit
// (ns to ms). benchfmt tidies values on reading (ns/op becomes sec/op);
// the original value is used where there is one, so that no rounding noise
// creeps in (2077803 ns is 2.077803 ms, not 2.0778030000000003).
func value(r *benchfmt.Result, m contract.Metric) (float64, bool) {
	for _, v := range r.Values {
		if v.OrigUnit == m.Unit || v.OrigUnit == "" && v.Unit == m.Unit {
			x := v.Value
			if v.OrigUnit != "" {
				x = v.OrigValue
			}
			return m.JSONValue(x), true
		}
	}
	tidy := tidyUnit(m.Unit)
	for _, v := range r.Values {
		if v.Unit == tidy { // written in a tidied unit, e.g. sec/op
			return fromTidied(m, v.Value), true
		}
	}
	return 0, false
}

// fromTidied converts v, a value of m in its unit as benchstat shows it
// (sec/op for ns/op), to m's benchmark.json unit (ms), rounded to 12
// significant digits.
func fromTidied(m contract.Metric, v float64) float64 { return round12(v * tidiedScale(m)) }

// tidiedScale returns the JSON units in one tidied unit of m: 1000 ms in
// a second, 1 for units that tidying leaves alone.
func tidiedScale(m contract.Metric) float64 {
	f, _ := benchunit.Tidy(1, m.Unit) // 1 ns is 1e-9 sec
	return round12(1 / (f * m.Scale))
}

// round12 rounds v to 12 significant digits, dropping floating-point noise
// such as 1.2340000000000002.
func round12(v float64) float64 {
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return v
	}
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 12, 64), 64)
	if err != nil {
		return v
	}
	return r
}

// addGoBench reads one input in the Go benchmark format.
func (c *collector) addGoBench(in Input) {
	c.reader.Reset(bytes.NewReader(in.Data), in.Name)
	lines := strings.Split(string(in.Data), "\n")
	others := map[string]bool{}
	nOthers := 0
	defaulted := false
	for c.reader.Scan() {
		switch rec := c.reader.Result().(type) {
		case *benchfmt.SyntaxError:
			if model, batch, ok := oursAt(lines, rec.Line); ok {
				c.fail(Failure{File: rec.FileName, Line: rec.Line, Model: model, Batch: batch, Msg: rec.Msg + "; not a result"})
				continue
			}
			c.warn(rec.FileName, rec.Line, rec.Msg+"; line skipped")
		case *benchfmt.Result:
			pn, err := benchname.ParseName(string(rec.Name))
			model, batch := pn.Model, pn.Batch
			if err == benchname.ErrNotOurs {
				nOthers++
				others["Benchmark"+string(rec.Name.Base())] = true
				continue
			}
			c.ours++
			file, line := rec.Pos()
			full := "Benchmark" + rec.Name.String()
			if err != nil {
				c.warn(file, line, fmt.Sprintf("%s: %v; result skipped", full, err))
				continue
			}
			o := &obs{file: file, line: line, batch: batch, threads: pn.Threads, iters: rec.Iters, run: newRunValues()}
			var missing, bad []string
			for i, m := range metrics {
				v, ok := value(rec, m)
				switch {
				case !ok:
					if m.Required {
						missing = append(missing, m.Unit)
					}
				case math.IsNaN(v) || math.IsInf(v, 0) || v < 0:
					if m.Required {
						bad = append(bad, fmt.Sprintf("%s = %v", m.Unit, v))
					}
				default:
					o.run.values[i], o.run.has[i] = v, true
				}
			}
			if len(missing) > 0 {
				c.fail(Failure{File: file, Line: line, Model: model, Batch: batch, Msg: "missing " + strings.Join(missing, ", ") + "; not a result"}.withThreads(pn.Threads))
				continue
			}
			if len(bad) > 0 {
				c.fail(Failure{File: file, Line: line, Model: model, Batch: batch, Msg: strings.Join(bad, ", ") + ": want a finite, non-negative value; not a result"}.withThreads(pn.Threads))
				continue
			}
			o.config = map[string]string{}
			for _, cfg := range rec.Config {
				if cfg.File {
					o.config[cfg.Key] = string(cfg.Value)
				}
			}
			o.workload = o.config[contract.ConfigWorkload]
			delete(o.config, contract.ConfigWorkload)
			o.machine = o.config[contract.ConfigMachine]
			o.device = o.config[contract.ConfigDevice]
			if o.device == "" {
				o.device = "cpu"
				if !defaulted {
					defaulted = true
					c.warn(file, line, "no device: configuration line before this result; assuming cpu")
				}
			}
			c.add(model, o)
		}
	}
	if err := c.reader.Err(); err != nil {
		c.warn("", 0, fmt.Sprintf("%v; rest of the input skipped", err))
	}
	if nOthers > 0 {
		c.note(in.Name, fmt.Sprintf("ignored %d %s of other benchmarks (%s)",
			nOthers, plural(nOthers, "result"), strings.Join(slices.Sorted(maps.Keys(others)), ", ")))
	}
	c.others += nOthers
}

// oursAt returns the model and batch size of line n (1-based) when it is a
// result line of ours.
func oursAt(lines []string, n int) (model string, batch int, ok bool) {
	if n < 1 || n > len(lines) {
		return "", 0, false
	}
	f := strings.Fields(lines[n-1])
	if len(f) == 0 || !strings.HasPrefix(f[0], "Benchmark") {
		return "", 0, false
	}
	if _, _, err := benchname.Parse(f[0]); err == benchname.ErrNotOurs {
		return "", 0, false
	}
	model, batch = benchname.Fields(benchname.Trim(f[0]))
	return model, batch, model != ""
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
