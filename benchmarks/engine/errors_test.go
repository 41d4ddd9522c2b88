package engine

import (
	"errors"
	"strings"
	"testing"
)

// ONNX Runtime's messages lose their colour codes and name the model.
func TestORTErrorsLoseColour(t *testing.T) {
	raw := errors.New("\x1b[1;31m2026-11-29 [E:onnxruntime:, sequential_executor.cc:671 ExecuteKernel] Non-zero status code returned while running Gather node. idx=114 must be within the inclusive range [-20,19]\x1b[m")
	err := ortError("model.onnx", raw)
	if msg := err.Error(); strings.Contains(msg, "\x1b") || !strings.HasPrefix(msg, "model.onnx: ONNX Runtime: 2026-11-29") || !strings.HasSuffix(msg, "[-20,19]") {
		t.Errorf("message %q", msg)
	}
}
