package converter

import "github.com/nerbench/nerbench/benchmarks/config"

// FromConfig looks models up in a loaded bench.toml.
func FromConfig(cfg *config.Config) ModelFunc {
	return func(benchName string) (Model, bool) {
		m, ok := cfg.ModelByBenchName(benchName)
		if !ok {
			return Model{}, false
		}
		return Model{Name: m.Name, Checkpoint: m.Checkpoint, Output: m.Output, Threads: m.Settings.ThreadSweep}, true
	}
}
