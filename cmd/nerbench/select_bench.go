package main

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/nerbench/nerbench/benchmarks/config"
	"github.com/nerbench/nerbench/benchmarks/dataset"
	"github.com/nerbench/nerbench/benchmarks/workload"
	"github.com/nerbench/nerbench/internal/contract"
	"github.com/nerbench/nerbench/internal/selection"
)

// staleness says why a candidate must be benchmarked again for select
// --benchmark: it has no benchmark.json, or one measured on other work
// (batch 1's workload fingerprint differs from the one s gives) or on
// another CPU; "" when its benchmark.json can be used.
func staleness(c *selection.Candidate, fp, cpu string) string {
	if c.BenchmarkPath == "" {
		return "no benchmark.json"
	}
	if c.Workload != fp {
		return "measured on other work (workload " + orNone(c.Workload) + ", want " + fp + ")"
	}
	f, err := contract.Read(c.BenchmarkPath)
	if err != nil {
		return "unreadable benchmark.json"
	}
	if got := strings.TrimSpace(f.Config["cpu"]); cpu != "" && got != cpu {
		return "measured on another machine (cpu " + orNone(got) + ")"
	}
	return ""
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// batch1Fingerprint returns the workload fingerprint that s gives at batch
// size 1, the one select compares.
func batch1Fingerprint(s config.Settings) (string, error) {
	ds, err := dataset.Load(s.TestData)
	if err != nil {
		return "", err
	}
	var texts []string
	for _, i := range workload.Subset(len(ds.Texts), s.Texts) {
		texts = append(texts, ds.Texts[i])
	}
	return workload.Fingerprint(texts, 1, s.MaxLength), nil
}

// cpuModel returns the CPU's model name as testing's cpu: line gives it on
// Linux (/proc/cpuinfo), or "".
func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	for line := range strings.Lines(string(data)) {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// checkpointOf returns the checkpoint folder of a trial: its checkpoint/
// folder when there is one, else the trial folder.
func checkpointOf(trialDir string) string {
	if st, err := os.Stat(filepath.Join(trialDir, "checkpoint")); err == nil && st.IsDir() {
		return filepath.Join(trialDir, "checkpoint")
	}
	return trialDir
}
