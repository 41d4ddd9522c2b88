//go:build !cgo

package main

import (
	"errors"
	"io"
)

// errNoCgo is the run command's error in a nerbench built without cgo: it
// measures with ONNX Runtime, a C library.
var errNoCgo = errors.New("this nerbench was built without cgo (CGO_ENABLED=0); run needs cgo and a C compiler: rebuild with CGO_ENABLED=1")

// errSelectNoCgo is select --benchmark's error without cgo.
var errSelectNoCgo = errors.New("this nerbench was built without cgo (CGO_ENABLED=0); select --benchmark runs models and needs cgo and a C compiler: rebuild with CGO_ENABLED=1, or run select without --benchmark on existing benchmark.json files")

func init() {
	commands["run"] = command{runSummary + " (needs cgo)", func(io.Writer, io.Writer, []string) error { return errNoCgo }}
}
