// Package nerplugin shows another module running the nerbench suite in its
// own go test: one exported call, and the same
// BenchmarkInference/model=<name>/batch=<n> sub-benchmarks, metrics,
// configuration and Unit lines.
//
//	go test -bench=. -run='^$' -benchtime=100x
package nerplugin

import (
	"testing"

	"github.com/nerbench/nerbench/benchmarks"
)

func BenchmarkInference(b *testing.B) { benchmarks.Run(b, "bench.toml") }
