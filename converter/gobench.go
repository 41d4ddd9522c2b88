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

	"github.com/nerbench/nerbench/internal/contract"
)

// metric is one of the required metrics: its key in benchmark.json and its
// unit in the Go benchmark format.
type metric struct {
	key  string
	unit string // as the suite writes it
	ms   bool   // a latency in ns, written in ms
}

var metrics = [...]metric{
	{contract.KeyMean, "ns/op", true},
	{contract.KeyMedian, "p50-ns/op", true},
	{contract.KeyP95, "p95-ns/op", true},
	{contract.KeyP99, "p99-ns/op", true},
	{contract.KeyThroughput, "docs/sec", false},
}

const nMetrics = len(metrics)

// Optional metric: mean tokens per batch.
const (
	tokensUnit = "tokens/op"
	tokensKey  = "tokens_per_op"
)

// tidyUnit returns unit as benchfmt and benchstat show it ("ns" → "sec").
func tidyUnit(unit string) string {
	_, u := benchunit.Tidy(1, unit)
	return u
}

// value returns the value of unit in r, converted from ns to ms if ms is
// set. benchfmt tidies values on reading (ns/op becomes sec/op); the
// original value is used where there is one, so that no rounding noise
// creeps in (2077803 ns is 2.077803 ms, not 2.0778030000000003).
func value(r *benchfmt.Result, unit string, ms bool) (float64, bool) {
	for _, v := range r.Values {
		if v.OrigUnit == unit || v.OrigUnit == "" && v.Unit == unit {
			x := v.Value
			if v.OrigUnit != "" {
				x = v.OrigValue
			}
			if ms {
				x /= 1e6
			}
			return x, true
		}
	}
	tidy := tidyUnit(unit)
	for _, v := range r.Values {
		if v.Unit == tidy { // written in a tidied unit, e.g. sec/op
			if ms {
				return secToMS(v.Value), true
			}
			return v.Value, true
		}
	}
	return 0, false
}

// secToMS converts seconds to milliseconds.
func secToMS(v float64) float64 { return round12(v * 1e3) }

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
	others := map[string]bool{}
	nOthers := 0
	defaulted := false
	for c.reader.Scan() {
		switch rec := c.reader.Result().(type) {
		case *benchfmt.SyntaxError:
			c.warn(rec.FileName, rec.Line, rec.Msg+"; line skipped")
		case *benchfmt.Result:
			model, batch, err := parseName(rec.Name)
			if err == errNotOurs {
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
			o := &obs{file: file, line: line, batch: batch, iters: rec.Iters, run: new(runValues)}
			var missing, bad []string
			for i, m := range metrics {
				v, ok := value(rec, m.unit, m.ms)
				switch {
				case !ok:
					missing = append(missing, m.unit)
				case math.IsNaN(v) || math.IsInf(v, 0) || v < 0:
					bad = append(bad, fmt.Sprintf("%s = %v", m.unit, v))
				}
				o.run.values[i] = v
			}
			if len(missing) > 0 {
				c.warn(file, line, fmt.Sprintf("%s: missing %s; result skipped", full, strings.Join(missing, ", ")))
				continue
			}
			if len(bad) > 0 {
				c.warn(file, line, fmt.Sprintf("%s: %s: want a finite, non-negative value; result skipped", full, strings.Join(bad, ", ")))
				continue
			}
			if v, ok := value(rec, tokensUnit, false); ok && v >= 0 && !math.IsInf(v, 0) {
				o.run.tokens, o.run.hasTokens = v, true
			}
			o.config = map[string]string{}
			for _, cfg := range rec.Config {
				if cfg.File {
					o.config[cfg.Key] = string(cfg.Value)
				}
			}
			o.device = o.config["device"]
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

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
