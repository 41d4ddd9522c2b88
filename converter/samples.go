package converter

import (
	"fmt"
	"slices"

	"github.com/nerbench/nerbench/benchmarks/benchname"
	"github.com/nerbench/nerbench/benchmarks/samplefile"
	"github.com/nerbench/nerbench/internal/contract"
)

// latency is the metric whose unit per-iteration latencies share: ns in
// the samples file, ms in samples_ms.
var latency, _ = contract.MetricByKey(contract.KeyMean)

// samplesRead is one samples file, read once.
type samplesRead struct {
	recs []samplefile.Record
	err  error
}

// readSamples reads path once per conversion.
func (c *collector) readSamples(path string) samplesRead {
	if c.samples == nil {
		c.samples = map[string]samplesRead{}
	}
	s, ok := c.samples[path]
	if !ok {
		s.recs, s.err = samplefile.Read(path)
		c.samples[path] = s
	}
	return s
}

// addSamples fills samples_ms of the batch sizes in sizes (those made
// from runs) from the samples files named by the runs' samples-file
// configuration lines (contract.ConfigSamplesFile): every record of the
// model and batch size, in file order, files in the order the runs name
// them, converted to milliseconds.
// A file that cannot be read is a warning that names it, once.
func (c *collector) addSamples(name string, f *contract.File, runs []*obs, sizes []int,
	warnf func(format string, args ...any)) {
	var paths []string
	for _, o := range runs {
		if p := o.config[contract.ConfigSamplesFile]; p != "" && !slices.Contains(paths, p) {
			paths = append(paths, p)
		}
	}
	for _, p := range paths {
		s := c.readSamples(p)
		if s.err != nil {
			if !c.samplesWarned[p] {
				c.samplesWarned[p] = true
				c.warn("", 0, fmt.Sprintf("samples file %s: %v; no samples_ms from it", p, s.err))
			}
			continue
		}
		found := false
		for _, r := range s.recs {
			if r.Model != name && benchname.Sanitize(r.Model) != name {
				continue
			}
			found = true
			b := f.Batches[r.Batch]
			if b == nil || !slices.Contains(sizes, r.Batch) {
				continue
			}
			for _, ns := range r.SamplesNs {
				b.SamplesMS = append(b.SamplesMS, round12(latency.JSONValue(ns)))
			}
		}
		if !found {
			warnf("samples file %s holds no samples of this model", p)
		}
	}
}
