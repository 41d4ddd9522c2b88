package engine

import (
	"errors"
	"fmt"
	"regexp"
)

// ansi matches the terminal colour codes ONNX Runtime puts in its messages.
var ansi = regexp.MustCompile("\x1b\\[[0-9;]*[A-Za-z]")

// CleanMessage drops terminal colour codes from an ONNX Runtime message.
func CleanMessage(s string) string { return ansi.ReplaceAllString(s, "") }

// ortError returns err, an error of ONNX Runtime about the model at path,
// without colour codes and naming the model.
func ortError(path string, err error) error {
	return fmt.Errorf("%s: ONNX Runtime: %w", path, errors.New(CleanMessage(err.Error())))
}

// recovered turns a panic inside a call into ONNX Runtime's binding into an
// error naming the model; use it as defer recovered(path, &err).
func recovered(path string, err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%s: ONNX Runtime binding failed: %v", path, r)
	}
}
