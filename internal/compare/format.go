package compare

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/nerbench/nerbench/internal/contract"
)

// Reporter writes a Table in one format.
type Reporter func(w io.Writer, t *Table) error

// Reporters maps each -format value to its reporter ("md" is short for
// "markdown").
var Reporters = map[string]Reporter{
	"text":     Text,
	"markdown": Markdown,
	"md":       Markdown,
	"csv":      CSV,
	"json":     JSON,
}

// Formats lists the format names, for usage messages.
const Formats = "text, markdown, csv or json"

// NA is what a missing value shows as.
const NA = "N/A"

// FormatCell formats a value as the text and Markdown tables show it: two
// decimals, and for a relative speed an "x" after it and two significant
// digits when below 0.1.
func FormatCell(m Metric, c Cell) string {
	if !c.Valid {
		return NA
	}
	if c.Max {
		return strconv.FormatFloat(c.Value, 'f', 2, 64) + " (max)"
	}
	if m.Key == RelativeSpeed {
		// Two decimals, or two significant digits below 0.1 (0.018x
		// rather than 0.02x).
		decimals := 2
		if c.Value > 0 && c.Value < 0.1 {
			decimals = 1 - int(math.Floor(math.Log10(c.Value)))
		}
		return strconv.FormatFloat(c.Value, 'f', decimals, 64) + "x"
	}
	return strconv.FormatFloat(c.Value, 'f', 2, 64)
}

// exact is how CSV and JSON write a value: as read, except relative speeds,
// which are rounded to four decimals.
func exact(m Metric, v float64) float64 {
	if m.Key == RelativeSpeed {
		return math.Round(v*1e4) / 1e4
	}
	return v
}

const (
	batchHeader = "Batch Size"
	minColumn   = 16 // the original's column width
	ruleWidth   = 80
)

// Text writes the table as the original tool printed it: a title over a
// rule of "=", then per metric a heading, a header row, a rule of "-" and
// a row per batch size, in columns at least 16 wide.
func Text(w io.Writer, t *Table) error {
	widths := make([]int, len(t.Columns)+1)
	widths[0] = max(minColumn, utf8.RuneCountInString(batchHeader)+2)
	for i, c := range t.Columns {
		widths[i+1] = max(minColumn, utf8.RuneCountInString(c.Name)+2)
	}
	for _, s := range t.Sections {
		for _, r := range s.Rows {
			for i, c := range r.Cells {
				widths[i+1] = max(widths[i+1], utf8.RuneCountInString(FormatCell(s.Metric, c))+2)
			}
		}
	}
	total := 0
	for _, x := range widths {
		total += x
	}
	var b strings.Builder
	line := func(cells []string) {
		for i, c := range cells {
			if i == len(cells)-1 {
				b.WriteString(c)
				break
			}
			b.WriteString(c)
			b.WriteString(strings.Repeat(" ", max(1, widths[i]-utf8.RuneCountInString(c))))
		}
		b.WriteByte('\n')
	}
	b.WriteString(t.Title + "\n")
	b.WriteString(strings.Repeat("=", max(ruleWidth, total)) + "\n")
	header := []string{batchHeader}
	for _, c := range t.Columns {
		header = append(header, c.Name)
	}
	for _, s := range t.Sections {
		b.WriteString("\n" + s.Title + ":\n")
		line(header)
		b.WriteString(strings.Repeat("-", total) + "\n")
		for _, r := range s.Rows {
			cells := []string{strconv.Itoa(r.BatchSize)}
			for _, c := range r.Cells {
				cells = append(cells, FormatCell(s.Metric, c))
			}
			line(cells)
		}
	}
	writeNotes(&b, t, "")
	_, err := io.WriteString(w, b.String())
	return err
}

// writeNotes writes what a table's numbers must be read with: "(max)"
// when a percentile is the largest sample, and t.Notes; each line starts
// with prefix.
func writeNotes(b *strings.Builder, t *Table, prefix string) {
	var notes []string
	for _, s := range t.Sections {
		if slices.ContainsFunc(s.Rows, func(r Row) bool { return slices.ContainsFunc(r.Cells, func(c Cell) bool { return c.Max }) }) {
			notes = append(notes, fmt.Sprintf("(max): a p95 from fewer than %d samples, or a p99 from fewer than %d, is the largest sample", contract.MinSamplesP95, contract.MinSamplesP99))
			break
		}
	}
	notes = append(notes, t.Notes...)
	if len(notes) == 0 {
		return
	}
	b.WriteByte('\n')
	for _, n := range notes {
		b.WriteString(prefix + n + "\n")
	}
}

// mdEscape makes s safe inside a Markdown table cell.
func mdEscape(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", " ")
}

// Markdown writes the table as GitHub-flavoured Markdown: a heading per
// metric over a table with right-aligned numbers.
func Markdown(w io.Writer, t *Table) error {
	var b strings.Builder
	fmt.Fprintf(&b, "## %s\n", mdEscape(t.Title))
	header := "| " + batchHeader + " |"
	align := "|---:|"
	for _, c := range t.Columns {
		header += " " + mdEscape(c.Name) + " |"
		align += "---:|"
	}
	for _, s := range t.Sections {
		fmt.Fprintf(&b, "\n### %s\n\n%s\n%s\n", mdEscape(s.Title), header, align)
		for _, r := range s.Rows {
			fmt.Fprintf(&b, "| %d |", r.BatchSize)
			for _, c := range r.Cells {
				b.WriteString(" " + FormatCell(s.Metric, c) + " |")
			}
			b.WriteByte('\n')
		}
	}
	writeNotes(&b, t, "- ")
	_, err := io.WriteString(w, b.String())
	return err
}

// CSV writes one row per metric and batch size: metric key, batch size,
// then a value per model (empty where N/A), under a header row that names
// the models. Values are as in the files, at full precision; relative
// speeds are rounded to four decimals.
func CSV(w io.Writer, t *Table) error {
	cw := csv.NewWriter(w)
	header := []string{"metric", "batch_size"}
	for _, c := range t.Columns {
		header = append(header, c.Name)
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, s := range t.Sections {
		for _, r := range s.Rows {
			rec := []string{s.Key, strconv.Itoa(r.BatchSize)}
			for _, c := range r.Cells {
				v := ""
				if c.Valid {
					v = strconv.FormatFloat(exact(s.Metric, c.Value), 'f', -1, 64)
				}
				rec = append(rec, v)
			}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

type (
	jsonTable struct {
		Title      string        `json:"title"`
		Models     []jsonColumn  `json:"models"`
		BatchSizes []int         `json:"batch_sizes"`
		Sections   []jsonSection `json:"sections"`
		Notes      []string      `json:"notes,omitempty"`
	}
	jsonColumn struct {
		Name    string `json:"name"`
		Path    string `json:"path"`
		Model   string `json:"model,omitempty"`
		Device  string `json:"device"`
		Machine string `json:"machine,omitempty"`
	}
	jsonSection struct {
		Metric
		Rows []jsonRow `json:"rows"`
	}
	jsonRow struct {
		BatchSize int        `json:"batch_size"`
		Values    []*float64 `json:"values"` // per model; null where N/A
		// IsMax, per model, marks a percentile that is the largest
		// sample; left out when none is.
		IsMax []bool `json:"is_max,omitempty"`
	}
)

// JSON writes the table as one JSON object:
//
//	{"title": "Model Comparison",
//	 "models": [{"name": …, "path": …, "model": …, "device": …, "machine": …}, …],
//	 "batch_sizes": [1, 8],
//	 "sections": [{"key": "mean_ms", "title": "Mean Latency (ms)",
//	               "unit": "ms", "better": "lower",
//	               "rows": [{"batch_size": 1, "values": [18.5, null]}, …]}, …]}
//
// values follow the order of models; null is N/A. Values are as CSV writes
// them.
func JSON(w io.Writer, t *Table) error {
	out := jsonTable{Title: t.Title, BatchSizes: t.BatchSizes, Models: []jsonColumn{}, Sections: []jsonSection{}, Notes: t.Notes}
	if out.BatchSizes == nil {
		out.BatchSizes = []int{}
	}
	for _, c := range t.Columns {
		out.Models = append(out.Models, jsonColumn(c))
	}
	for _, s := range t.Sections {
		js := jsonSection{Metric: s.Metric, Rows: []jsonRow{}}
		for _, r := range s.Rows {
			jr := jsonRow{BatchSize: r.BatchSize, Values: make([]*float64, len(r.Cells))}
			for i, c := range r.Cells {
				if c.Valid {
					v := exact(s.Metric, c.Value)
					jr.Values[i] = &v
				}
				if c.Max {
					if jr.IsMax == nil {
						jr.IsMax = make([]bool, len(r.Cells))
					}
					jr.IsMax[i] = true
				}
			}
			js.Rows = append(js.Rows, jr)
		}
		out.Sections = append(out.Sections, js)
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
