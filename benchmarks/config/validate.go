package config

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// A keyCheck validates the value of one key; it returns a message per
// problem (without the key).
type keyCheck[T any] struct {
	key   string
	check func(*T) []string
}

// Upper bounds of counts: larger values cannot be meant and would only end
// in an out-of-memory crash (iterations keep one float64 sample each, a
// batch holds batch size × sequence length tokens per input). The runner
// also estimates the memory of the batches it builds before building them
// (runner.EstimateMemory).
const (
	MaxBatchSize  = 1 << 16
	MaxIterations = 10_000_000
	MaxMaxLength  = 1 << 20
	MaxThreads    = 1 << 12
)

// settingChecks validate the keys of Settings, except test_data whose path
// is checked where it is read.
var settingChecks = []keyCheck[Settings]{
	{"batch_sizes", func(s *Settings) []string { return checkBatchSizes(s.BatchSizes) }},
	{"iterations", func(s *Settings) []string {
		return append(atLeast(s.Iterations, 1, "%d is not a valid number of iterations (want ≥ 1)"), atMost(s.Iterations, MaxIterations, "iterations")...)
	}},
	{"warmup", func(s *Settings) []string {
		return append(atLeast(s.Warmup, 0, "%d is not a valid number of warm-up iterations (want ≥ 0)"), atMost(s.Warmup, MaxIterations, "warm-up iterations")...)
	}},
	{"texts", func(s *Settings) []string {
		return atLeast(s.Texts, 0, "%d is not a valid number of texts (want ≥ 0; 0 times every text)")
	}},
	{"max_length", func(s *Settings) []string {
		return append(atLeast(s.MaxLength, 1, "%d is not a valid max length (want ≥ 1)"), atMost(s.MaxLength, MaxMaxLength, "a max length")...)
	}},
	{"device", func(s *Settings) []string { return oneOf(s.Device, Devices, "a device") }},
	{"intra_op_threads", func(s *Settings) []string {
		if s.ThreadSweep != nil {
			return checkThreadSweep(s.ThreadSweep)
		}
		return checkThreads(s.IntraOpThreads)
	}},
	{"inter_op_threads", func(s *Settings) []string { return checkThreads(s.InterOpThreads) }},
	{"keep_samples", func(*Settings) []string { return nil }},
	{"batching", func(s *Settings) []string { return oneOf(s.Batching, Batchings, "a batching") }},
	{"padding", func(s *Settings) []string { return oneOf(s.Padding, Paddings, "a padding") }},
	{"mode", func(s *Settings) []string { return oneOf(s.Mode, Modes, "a mode") }},
	{"graph_optimization", func(s *Settings) []string {
		return oneOf(s.GraphOptimization, GraphOptimizations, "a graph optimization level")
	}},
	{"scenario", func(s *Settings) []string { return oneOf(s.Scenario, Scenarios, "a scenario") }},
	{"offline_streams", func(s *Settings) []string { return checkStreams(s.OfflineStreams) }},
}

var checkChecks = []keyCheck[Check]{
	{"alpha", func(c *Check) []string {
		if !(c.Alpha > 0 && c.Alpha < 1) {
			return []string{fmt.Sprintf("%v is out of range; want a significance level between 0 and 1 (exclusive), such as 0.05", c.Alpha)}
		}
		return nil
	}},
	{"threshold", func(c *Check) []string { return checkThreshold(c.Threshold) }},
	{"min_samples", func(c *Check) []string {
		return atLeast(c.MinSamples, 1, "%d is not a valid number of samples (want ≥ 1)")
	}},
}

var selectionChecks = []keyCheck[Selection]{
	{"goal", func(s *Selection) []string { return oneOf(s.Goal, Goals, "a goal") }},
	{"accuracy_threshold", func(s *Selection) []string { return checkFinite(s.AccuracyThreshold) }},
	{"min_accuracy_gain", func(s *Selection) []string { return checkFinite(s.MinAccuracyGain) }},
	{"threads", func(s *Selection) []string {
		if n, err := strconv.Atoi(s.Threads); err == nil {
			return checkThreads(n)
		}
		return nil
	}},
}

func checkBatchSizes(sizes []int) []string {
	if len(sizes) == 0 {
		return []string{"empty; want at least one batch size, such as [1, 8, 16]"}
	}
	var msgs []string
	seen := map[int]int{}
	for _, b := range sizes {
		if b < 1 {
			msgs = append(msgs, fmt.Sprintf("%d is not a valid batch size (want ≥ 1)", b))
		}
		msgs = append(msgs, atMost(b, MaxBatchSize, "a batch size")...)
		if seen[b]++; seen[b] == 2 {
			msgs = append(msgs, fmt.Sprintf("%d is listed more than once; list each batch size once", b))
		}
	}
	return msgs
}

func checkStreams(streams []int) []string {
	if len(streams) == 0 {
		return []string{"empty; want at least one stream count, such as [1, 2]"}
	}
	var msgs []string
	seen := map[int]int{}
	for _, n := range streams {
		if n < 1 {
			msgs = append(msgs, fmt.Sprintf("%d is not a valid number of streams (want ≥ 1)", n))
		}
		if seen[n]++; seen[n] == 2 {
			msgs = append(msgs, fmt.Sprintf("%d is listed more than once; list each stream count once", n))
		}
	}
	return msgs
}

func checkThreadSweep(counts []int) []string {
	var msgs []string
	seen := map[int]int{}
	for _, n := range counts {
		msgs = append(msgs, checkThreads(n)...)
		if seen[n]++; seen[n] == 2 {
			msgs = append(msgs, fmt.Sprintf("%d is listed more than once; list each thread count once", n))
		}
	}
	return msgs
}

func checkThreads(n int) []string {
	return append(atLeast(n, 0, "%d is not a valid number of threads (want ≥ 0; 0 lets ONNX Runtime choose)"), atMost(n, MaxThreads, "threads")...)
}

func checkThreshold(t float64) []string {
	if !(t >= 0) || math.IsInf(t, 1) {
		return []string{fmt.Sprintf("%v is not a valid threshold; want a fraction ≥ 0, such as 0.05 for 5 %%", t)}
	}
	return nil
}

func checkFinite(p *float64) []string {
	if p != nil && (math.IsNaN(*p) || math.IsInf(*p, 0)) {
		return []string{fmt.Sprintf("%v is not a number; want a finite number", *p)}
	}
	return nil
}

// atMost refuses n > most: a count that large cannot be meant.
func atMost(n, most int, what string) []string {
	if n > most {
		return []string{fmt.Sprintf("%d is too large for %s (at most %d)", n, what, most)}
	}
	return nil
}

func atLeast(n, least int, format string) []string {
	if n < least {
		return []string{fmt.Sprintf(format, n)}
	}
	return nil
}

func oneOf(v string, valid []string, what string) []string {
	if slices.Contains(valid, v) {
		return nil
	}
	return []string{fmt.Sprintf("%q is not %s; want %s", v, what, orList(valid))}
}

// orList quotes and joins words: `"a", "b" or "c"`.
func orList(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = fmt.Sprintf("%q", w)
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}

func runChecks[T any](v *T, checks []keyCheck[T], prefix ...string) []error {
	var errs []error
	for _, c := range checks {
		for _, msg := range c.check(v) {
			errs = append(errs, fmt.Errorf("%s: %s", toml.Key(slices.Concat(prefix, []string{c.key})), msg))
		}
	}
	return errs
}

// Validate checks the effective settings of a model, as built from flags
// for example: a test data file must be named (whether it exists is not
// checked here) and every value must be in range. All problems are
// returned, joined; each starts with its bench.toml key.
func (s Settings) Validate() error {
	var errs []error
	if s.TestData == "" {
		errs = append(errs, errors.New("test_data: not set; want the path of a test data file"))
	}
	errs = append(errs, runChecks(&s, settingChecks)...)
	if msg := s.conflict(); msg != "" {
		errs = append(errs, fmt.Errorf("scenario: %s", msg))
	}
	return errors.Join(errs...)
}

// conflict says what is wrong with a combination of settings that are
// each valid alone, or returns "". Its message is written for the
// scenario key.
func (s *Settings) conflict() string {
	if s.Mode == "e2e" && s.Scenario == "offline" {
		return `"offline" times inference only and cannot be combined with mode = "e2e"; use one or the other`
	}
	return ""
}

// Validate checks the values of c; see Settings.Validate.
func (c Check) Validate() error {
	errs := runChecks(&c, checkChecks, "check")
	for _, k := range slices.Sorted(maps.Keys(c.Thresholds)) {
		for _, msg := range checkThreshold(c.Thresholds[k]) {
			errs = append(errs, fmt.Errorf("%s: %s", toml.Key{"check", "thresholds", k}, msg))
		}
	}
	return errors.Join(errs...)
}

// Validate checks the values of s; see Settings.Validate.
func (s Selection) Validate() error {
	return errors.Join(runChecks(&s, selectionChecks, "selection")...)
}
