//go:build !cgo

package main

import (
	"errors"
	"io"
)

// errNoCgo is the run command's error in a nerbench built without cgo: it
// measures with ONNX Runtime, a C library.
var errNoCgo = errors.New("this nerbench was built without cgo (CGO_ENABLED=0); run needs cgo and a C compiler: rebuild with CGO_ENABLED=1")

func init() {
	commands["run"] = command{runSummary + " (needs cgo)", func(io.Writer, io.Writer, []string) error { return errNoCgo }}
}
