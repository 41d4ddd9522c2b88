// Command nerbench measures how fast NER (token-classification) models run
// and turns the measurements into benchmark.json files, comparisons,
// regression checks and model selections.
//
// Each subcommand lives in its own file and registers itself in commands;
// main is a thin wrapper over run so that tests can drive it with buffers.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/nerbench/nerbench/internal/contract"
	"github.com/nerbench/nerbench/internal/interrupt"
)

// command is one subcommand. It writes results to stdout and progress and
// diagnostics to stderr, and returns an error for main to print.
type command struct {
	summary string
	run     func(stdout, stderr io.Writer, args []string) error
}

// commands is filled by the init functions of the subcommand files.
var commands = map[string]command{}

// exitError carries an exit status other than the default for its error.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageError marks bad usage or bad input: exit status 2.
func usageError(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, args...)}
}

// flagError turns a flag parsing error into a usage error; -h's
// flag.ErrHelp passes through, for run to exit 0.
func flagError(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	return usageError("%v", err)
}

// failure marks a failed check: exit status 1 with err's message.
func failure(err error) error { return &exitError{code: 1, err: err} }

func main() {
	interrupt.Handle(os.Stderr, "nerbench")
	os.Exit(run(os.Stdout, os.Stderr, os.Args[1:]))
}

// run dispatches args and returns the process exit status.
func run(stdout, stderr io.Writer, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "nerbench: unknown command %q\n", args[0])
		usage(stderr)
		return 2
	}
	err := cmd.run(stdout, stderr, args[1:])
	if err == nil || errors.Is(err, flag.ErrHelp) { // -h printed the usage
		return 0
	}
	var ee *exitError
	code := 1
	switch {
	case errors.As(err, &ee):
		code = ee.code
	case errors.Is(err, contract.ErrNotRegular), errors.Is(err, contract.ErrFailed):
		code = 2 // an output that is no regular file, an input that records a failure: bad input
	}
	if !errors.Is(err, errSilent) {
		fmt.Fprintf(stderr, "nerbench %s: %v\n", args[0], err)
	}
	return code
}

// errSilent is returned (wrapped in an exitError) by a command that has
// already said everything on stdout or stderr.
var errSilent = errors.New("failed")

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: nerbench <command> [flags]")
	fmt.Fprintln(w, "\ncommands:")
	var b strings.Builder
	for _, name := range slices.Sorted(maps.Keys(commands)) {
		fmt.Fprintf(&b, "  %-9s %s\n", name, commands[name].summary)
	}
	fmt.Fprint(w, b.String())
	fmt.Fprintln(w, "\nRun 'nerbench <command> -h' for a command's flags.")
}
