package check

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"golang.org/x/perf/benchunit"

	"github.com/nerbench/nerbench/internal/contract"
)

// A Reporter writes a report in one format.
type Reporter func(w io.Writer, r *Report) error

// Reporters maps the names of the output formats to their reporters:
// "text" (a table for terminals and logs), "markdown" (for
// $GITHUB_STEP_SUMMARY or a pull request comment) and "json".
var Reporters = map[string]Reporter{
	"text":     Text,
	"markdown": Markdown,
	"json":     JSON,
}

// MarkdownMarker is the first line of Markdown output, an HTML comment
// that a CI job can look for to update its earlier pull request comment.
const MarkdownMarker = "<!-- nerbench-check -->"

// metricLabel is the metric as benchstat shows it ("p95-sec/op").
func metricLabel(unit string) string { return tidyUnit(unit) }

// cells returns the formatted baseline and candidate of a row, each as
// "1.234m ± 2%", scaled alike.
func cells(r Row) (base, cand string) {
	tidy := func(v float64) float64 {
		t, _ := benchunit.Tidy(v, r.Unit)
		return t
	}
	var vals []float64
	for _, st := range []Stats{r.Baseline, r.Candidate} {
		if st.N > 0 && !math.IsNaN(st.Center) {
			vals = append(vals, tidy(st.Center))
		}
	}
	scaler := benchunit.CommonScale(vals, benchunit.ClassOf(tidyUnit(r.Unit)))
	one := func(st Stats) string {
		if st.N == 0 || math.IsNaN(st.Center) {
			return "–"
		}
		s := scaler.Format(tidy(st.Center))
		switch {
		case r.Exact:
		case st.N < 2 || !st.hasCI():
			s += " ± ∞"
		default:
			s += " ± " + pctRange(st)
		}
		return s
	}
	return one(r.Baseline), one(r.Candidate)
}

// pctRange is benchmath.Summary.PctRangeString.
func pctRange(st Stats) string {
	if st.Center == 0 {
		return "0%"
	}
	if math.Signbit(st.Lo) != math.Signbit(st.Center) || math.Signbit(st.Hi) != math.Signbit(st.Center) {
		return "?"
	}
	return fmt.Sprintf("%.0f%%", 100*math.Max(st.Hi/st.Center-1, 1-st.Lo/st.Center))
}

func fmtChange(r Row) string {
	if math.IsNaN(r.Change) {
		return "?"
	}
	return fmt.Sprintf("%+.2f%%", 100*r.Change)
}

func fmtP(r Row) string {
	switch {
	case r.Exact && r.Status != Inconclusive:
		return "exact"
	case math.IsNaN(r.P):
		return "–"
	case r.P < 0.001:
		return "<0.001"
	}
	return fmt.Sprintf("%.3f", r.P)
}

func fmtN(r Row) string {
	if r.Baseline.N == r.Candidate.N {
		return strconv.Itoa(r.Baseline.N)
	}
	return fmt.Sprintf("%d+%d", r.Baseline.N, r.Candidate.N)
}

func fmtPct(f float64) string {
	return strconv.FormatFloat(100*f, 'f', -1, 64) + "%"
}

// benchLabel returns the row's model and batch columns.
func benchLabel(r Row) (model, batch string) {
	if r.Model == "" {
		return r.Name, ""
	}
	if r.Batch == 0 {
		return r.Name, ""
	}
	return r.Model, strconv.Itoa(r.Batch)
}

func textStatus(r Row) string {
	switch r.Status {
	case Unchanged:
		return "~"
	case WithinThreshold:
		if (r.Better < 0) == (r.Change > 0) {
			return "worse, within threshold"
		}
		return "better, within threshold"
	case Improvement:
		return "improvement"
	case Regression:
		return "REGRESSION"
	case Inconclusive:
		return "INCONCLUSIVE"
	case Changed:
		return "changed (direction unknown)"
	case Worse:
		return "worse (does not vote)"
	}
	return r.Status.String()
}

// rule describes the regression rule of opts.
func rule(o Options) string {
	var b strings.Builder
	fmt.Fprintf(&b, "regression = p < %g (Mann-Whitney U) and worse by more than %s", o.Alpha, fmtPct(o.Threshold))
	if len(o.Thresholds) > 0 {
		var per []string
		for _, k := range slices.Sorted(maps.Keys(o.Thresholds)) {
			per = append(per, k+" "+fmtPct(o.Thresholds[k]))
		}
		fmt.Fprintf(&b, " (%s)", strings.Join(per, ", "))
	}
	fmt.Fprintf(&b, "; medians ± %g%% CI; ≥ %d samples per side", 100*o.Confidence, o.MinSamples)
	return b.String()
}

func sideLine(s SideInfo) string {
	var b strings.Builder
	b.WriteString(strings.Join(s.Files, ", "))
	var attrs []string
	if c := s.Config["commit"]; len(c) > 0 {
		attrs = append(attrs, "commit "+strings.Join(c, ", "))
	}
	attrs = append(attrs, fmt.Sprintf("up to %d run%s", s.Runs, plural(s.Runs)))
	fmt.Fprintf(&b, " (%s)", strings.Join(attrs, "; "))
	return b.String()
}

func pairNotes(r *Report) []string {
	var out []string
	for _, p := range r.Pairs {
		if p.Baseline != p.Candidate {
			out = append(out, fmt.Sprintf("baseline model %s compared with candidate model %s (%s)", p.Baseline, p.Candidate, p.How))
		}
	}
	return out
}

// Headline returns the one-line conclusion of r.
func Headline(r *Report) string {
	n := len(r.Rows)
	switch r.Verdict() {
	case VerdictRegression:
		s := fmt.Sprintf("FAIL: %d regression%s in %d comparisons", r.Regressions, plural(r.Regressions), n)
		if r.Inconclusive > 0 {
			s += fmt.Sprintf(" (and %d inconclusive)", r.Inconclusive)
		}
		return s
	case VerdictInconclusive:
		if len(r.Missing) > 0 {
			return fmt.Sprintf("INCONCLUSIVE: %d benchmark%s of the baseline missing or failed on the candidate (%s), %d of %d comparisons inconclusive; this is NOT a pass",
				len(r.Missing), plural(len(r.Missing)), strings.Join(r.Missing, ", "), r.Inconclusive, n)
		}
		return fmt.Sprintf("INCONCLUSIVE: %d of %d comparisons are inconclusive (too few samples, or the workload changed); this is NOT a pass", r.Inconclusive, n)
	}
	counts := map[Status]int{}
	for _, row := range r.Rows {
		counts[row.Status]++
	}
	return fmt.Sprintf("PASS: no regression in %d comparisons (%d unchanged, %d within threshold, %d improvements)",
		n, counts[Unchanged]+counts[Changed], counts[WithinThreshold], counts[Improvement])
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// details returns a line per regression and per distinct inconclusive
// reason.
func details(r *Report) (regressions, inconclusive []string) {
	reasons := map[string]int{}
	var order []string
	for _, row := range r.Rows {
		model, batch := benchLabel(row)
		where := model
		if batch != "" {
			where += " batch=" + batch
		}
		switch row.Status {
		case Regression:
			p := fmtP(row)
			if !strings.HasPrefix(p, "<") {
				p = "=" + p
			}
			regressions = append(regressions, fmt.Sprintf("%s %s: %s (p%s, threshold %s)", where, metricLabel(row.Unit), fmtChange(row), p, fmtPct(row.Threshold)))
		case Inconclusive:
			if reasons[row.Reason] == 0 {
				order = append(order, row.Reason)
			}
			reasons[row.Reason]++
		}
	}
	for _, reason := range order {
		inconclusive = append(inconclusive, fmt.Sprintf("%s (%d comparison%s)", reason, reasons[reason], plural(reasons[reason])))
	}
	return regressions, inconclusive
}

const rerunHint = "rerun with more repetitions: go test -count=10, or scripts/ab.sh -n 10"

// Text writes r as a table for terminals and CI logs.
func Text(w io.Writer, r *Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "baseline:  %s\n", sideLine(r.Baseline))
	fmt.Fprintf(&b, "candidate: %s\n", sideLine(r.Candidate))
	for _, p := range pairNotes(r) {
		fmt.Fprintf(&b, "models:    %s\n", p)
	}
	fmt.Fprintf(&b, "rule:      %s\n\n", rule(r.Options))
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "model\tbatch\tmetric\tbaseline\tcandidate\tchange\tp\tn\tresult")
	for _, row := range r.Rows {
		model, batch := benchLabel(row)
		bc, cc := cells(row)
		res := textStatus(row)
		if row.Baseline.Source == SourceIterations {
			res += " [iterations]"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", model, batch, metricLabel(row.Unit), bc, cc, fmtChange(row), fmtP(row), fmtN(row), res)
	}
	tw.Flush()
	if len(r.Warnings) > 0 {
		b.WriteString("\nwarnings:\n")
		for _, w := range r.Warnings {
			fmt.Fprintf(&b, "  %s\n", w)
		}
	}
	regs, inc := details(r)
	fmt.Fprintf(&b, "\n%s\n", Headline(r))
	for _, s := range regs {
		fmt.Fprintf(&b, "  regression: %s\n", s)
	}
	for _, s := range inc {
		fmt.Fprintf(&b, "  inconclusive: %s\n", s)
	}
	if len(inc) > 0 {
		fmt.Fprintf(&b, "  %s\n", rerunHint)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// mdEscape escapes text for a Markdown table cell.
func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "<", "&lt;", ">", "&gt;", "*", `\*`, "_", `\_`, "`", "'").Replace(s)
}

// Markdown writes r for GitHub: $GITHUB_STEP_SUMMARY or a pull request
// comment. It starts with MarkdownMarker.
func Markdown(w io.Writer, r *Report) error {
	var b strings.Builder
	b.WriteString(MarkdownMarker + "\n")
	switch r.Verdict() {
	case VerdictRegression:
		fmt.Fprintf(&b, "## :x: Performance regression: %d of %d comparisons\n\n", r.Regressions, len(r.Rows))
	case VerdictInconclusive:
		fmt.Fprintf(&b, "## :warning: INCONCLUSIVE: too few samples in %d of %d comparisons\n\n", r.Inconclusive, len(r.Rows))
		fmt.Fprintf(&b, "> [!WARNING]\n> This is **not** a pass: %s.\n\n", rerunHint)
	default:
		fmt.Fprintf(&b, "## :white_check_mark: No performance regression (%d comparisons)\n\n", len(r.Rows))
	}
	regs, inc := details(r)
	for _, s := range regs {
		fmt.Fprintf(&b, "- :x: **regression** %s\n", mdEscape(s))
	}
	for _, s := range inc {
		fmt.Fprintf(&b, "- :warning: **inconclusive**: %s\n", mdEscape(s))
	}
	if len(regs)+len(inc) > 0 {
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "Baseline: %s  \nCandidate: %s  \n", mdEscape(sideLine(r.Baseline)), mdEscape(sideLine(r.Candidate)))
	for _, p := range pairNotes(r) {
		fmt.Fprintf(&b, "Models: %s  \n", mdEscape(p))
	}
	fmt.Fprintf(&b, "Rule: %s\n\n", mdEscape(rule(r.Options)))
	var main, rest []Row
	for _, row := range r.Rows {
		if row.Status == Unchanged && !isPrimary(row.Unit) {
			rest = append(rest, row)
		} else {
			main = append(main, row)
		}
	}
	mdTable(&b, main)
	if len(rest) > 0 {
		fmt.Fprintf(&b, "\n<details><summary>%d more unchanged comparison%s (%s)</summary>\n\n", len(rest), plural(len(rest)), mdEscape(unitList(rest)))
		mdTable(&b, rest)
		b.WriteString("\n</details>\n")
	}
	if len(r.Warnings) > 0 {
		fmt.Fprintf(&b, "\n<details><summary>%d warning%s</summary>\n\n", len(r.Warnings), plural(len(r.Warnings)))
		for _, w := range r.Warnings {
			fmt.Fprintf(&b, "- %s\n", mdEscape(w))
		}
		b.WriteString("\n</details>\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// isPrimary reports whether unit is one of the metrics every benchmark.json
// must carry (latencies and throughput), always shown in Markdown's main
// table; other unchanged metrics are folded away.
func isPrimary(unit string) bool {
	m, ok := contract.MetricByUnit(unit)
	return ok && m.Required
}

func unitList(rows []Row) string {
	var units []string
	for _, r := range rows {
		if l := metricLabel(r.Unit); !slices.Contains(units, l) {
			units = append(units, l)
		}
	}
	return strings.Join(units, ", ")
}

func mdTable(b *strings.Builder, rows []Row) {
	b.WriteString("| model | batch | metric | baseline | candidate | change | p | n | result |\n")
	b.WriteString("|---|--:|---|--:|--:|--:|--:|--:|---|\n")
	for _, row := range rows {
		model, batch := benchLabel(row)
		bc, cc := cells(row)
		ch := fmtChange(row)
		res := textStatus(row)
		switch row.Status {
		case Regression:
			ch, res = "**"+ch+"**", ":x: **regression**"
		case Improvement:
			res = ":rocket: improvement"
		case Inconclusive:
			res = ":warning: **inconclusive**"
		}
		if row.Baseline.Source == SourceIterations {
			res += " (iterations)"
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", mdEscape(model), batch, mdEscape(metricLabel(row.Unit)),
			bc, cc, ch, mdEscape(fmtP(row)), fmtN(row), res)
	}
}

// JSON output types.
type (
	jsonReport struct {
		Verdict      Verdict            `json:"verdict"`
		Headline     string             `json:"headline"`
		Alpha        float64            `json:"alpha"`
		Threshold    float64            `json:"threshold"`
		Thresholds   map[string]float64 `json:"thresholds,omitempty"`
		MinSamples   int                `json:"min_samples"`
		Confidence   float64            `json:"confidence"`
		Baseline     jsonSideInfo       `json:"baseline"`
		Candidate    jsonSideInfo       `json:"candidate"`
		Pairs        []jsonPair         `json:"pairs,omitempty"`
		Regressions  int                `json:"regressions"`
		Improvements int                `json:"improvements"`
		Inconclusive int                `json:"inconclusive"`
		Comparisons  []jsonRow          `json:"comparisons"`
		Warnings     []string           `json:"warnings,omitempty"`
	}
	jsonSideInfo struct {
		Files  []string            `json:"files"`
		Config map[string][]string `json:"config,omitempty"`
	}
	jsonPair struct {
		Baseline  string `json:"baseline"`
		Candidate string `json:"candidate"`
		How       string `json:"how"`
	}
	jsonRow struct {
		Benchmark     string    `json:"benchmark"`
		BaselineBench string    `json:"baseline_benchmark,omitempty"`
		Model         string    `json:"model,omitempty"`
		BaselineModel string    `json:"baseline_model,omitempty"`
		Batch         int       `json:"batch,omitempty"`
		Unit          string    `json:"unit"`
		Key           string    `json:"key,omitempty"`
		Better        string    `json:"better"`
		Summary       string    `json:"summary"`
		Baseline      jsonStats `json:"baseline"`
		Candidate     jsonStats `json:"candidate"`
		Change        *float64  `json:"change"`
		P             *float64  `json:"p_value"`
		Threshold     float64   `json:"threshold"`
		Significant   bool      `json:"significant"`
		Status        string    `json:"status"`
		Reason        string    `json:"reason,omitempty"`
		Warnings      []string  `json:"warnings,omitempty"`
	}
	jsonStats struct {
		N      int         `json:"n"`
		Center *float64    `json:"center"`
		CI     *[2]float64 `json:"ci,omitempty"`
		Source Source      `json:"source"`
		Values []float64   `json:"values"`
	}
)

func finite(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

func jsonStatsOf(s Stats) jsonStats {
	js := jsonStats{N: s.N, Center: finite(s.Center), Source: s.Source, Values: s.Values}
	if js.Values == nil {
		js.Values = []float64{}
	}
	if s.hasCI() && s.N >= 2 {
		js.CI = &[2]float64{s.Lo, s.Hi}
	}
	return js
}

// JSON writes r as an indented JSON object: the verdict, the settings,
// and per comparison both sides' n, center (median), confidence interval
// (omitted when there are too few values), source and values in the unit
// as written, the relative change, the p-value (null when not tested),
// the threshold and the status (unchanged, within-threshold, improvement,
// regression, inconclusive, changed).
func JSON(w io.Writer, r *Report) error {
	jr := jsonReport{Verdict: r.Verdict(), Headline: Headline(r), Alpha: r.Options.Alpha,
		Threshold: r.Options.Threshold, Thresholds: r.Options.Thresholds, MinSamples: r.Options.MinSamples,
		Confidence:  r.Options.Confidence,
		Baseline:    jsonSideInfo{r.Baseline.Files, r.Baseline.Config},
		Candidate:   jsonSideInfo{r.Candidate.Files, r.Candidate.Config},
		Regressions: r.Regressions, Improvements: r.Improvements, Inconclusive: r.Inconclusive,
		Comparisons: []jsonRow{}, Warnings: r.Warnings}
	for _, p := range r.Pairs {
		jr.Pairs = append(jr.Pairs, jsonPair(p))
	}
	for _, row := range r.Rows {
		better := map[int]string{-1: "lower", 0: "unknown", 1: "higher"}[row.Better]
		summary := "median"
		if row.Exact {
			summary = "exact"
		}
		jrow := jsonRow{Benchmark: row.Name, Model: row.Model, Batch: row.Batch, Unit: row.Unit,
			Key: jsonKey(row.Unit), Better: better, Summary: summary,
			Baseline: jsonStatsOf(row.Baseline), Candidate: jsonStatsOf(row.Candidate),
			Change: finite(row.Change), P: finite(row.P), Threshold: row.Threshold,
			Significant: row.Significant, Status: row.Status.String(), Reason: row.Reason, Warnings: row.Warnings}
		if row.BaselineName != row.Name {
			jrow.BaselineBench, jrow.BaselineModel = row.BaselineName, row.BaselineModel
		}
		jr.Comparisons = append(jr.Comparisons, jrow)
	}
	data, err := json.MarshalIndent(jr, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(data, '\n'))
	return err
}
