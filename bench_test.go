package nerbench_test

import (
	"testing"

	"github.com/nerbench/nerbench/benchmarks"
)

// BenchmarkInference runs the suite on bench.toml at the module root:
//
//	go test -bench=. -run='^$'                       # testing's iteration count
//	make bench                                       # each model's iterations from bench.toml
//	NERBENCH_CONFIG=my.toml go test -bench=. -run='^$'
func BenchmarkInference(b *testing.B) { benchmarks.Run(b, "bench.toml") }
