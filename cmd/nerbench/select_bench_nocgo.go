//go:build !cgo

package main

import (
	"io"

	"github.com/nerbench/nerbench/benchmarks/config"
	"github.com/nerbench/nerbench/internal/selection"
)

// benchmarkCandidates needs ONNX Runtime, a C library.
func benchmarkCandidates(io.Writer, selection.Options, config.Settings, int) error {
	return errSelectNoCgo
}
