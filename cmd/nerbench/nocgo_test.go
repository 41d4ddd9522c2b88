package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Every command that runs no model builds without cgo, and so do the
// converter and the internal packages: only benchmarks/engine (and the
// suite packages above it) need a C compiler and ONNX Runtime. The run
// command of such a build says how to get one that runs models.
func TestBuildsWithoutCgo(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("this test builds nerbench with the go command: %v", err)
	}
	bin := t.TempDir()
	build := exec.Command(goCmd, "build", "-o", bin+string(filepath.Separator), "./cmd/nerbench", "./converter/...", "./internal/...")
	build.Dir = "../.."
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("CGO_ENABLED=0 go build: %v\n%s", err, out)
	}
	nerbench := filepath.Join(bin, "nerbench")
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"run", "--checkpoint", "x"}, 1, "nerbench run: " + errNoCgoText + "\n"},
		{[]string{"help"}, 0, "run       " + runSummary + " (needs cgo)"},
		{[]string{"convert", "-h"}, 0, "usage: nerbench convert"},
		{[]string{"select", "--benchmark", "--config", "../../bench.toml"}, 1, "select --benchmark runs models and needs cgo"},
	} {
		cmd := exec.Command(nerbench, c.args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != c.code || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("nerbench %s: exit %d, stderr:\n%s\nwant exit %d and %q", strings.Join(c.args, " "), code, stderr.String(), c.code, c.want)
		}
	}
}

const errNoCgoText = "this nerbench was built without cgo (CGO_ENABLED=0); run needs cgo and a C compiler: rebuild with CGO_ENABLED=1"
