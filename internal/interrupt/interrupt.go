// Package interrupt stops nerbench cleanly on SIGINT or SIGTERM: no write
// completes after the signal, every temporary file of a write in progress
// is removed (contract.Interrupt), existing outputs stay as they were, and
// the process exits with a non-zero status (130, as shells report an
// interrupted command).
package interrupt

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/nerbench/nerbench/internal/contract"
)

// ExitCode is the exit status after a signal.
const ExitCode = 130

// exit is os.Exit; tests replace it.
var exit = os.Exit

// Handle makes SIGINT and SIGTERM stop the process cleanly, saying so on
// w with what. It returns a function that restores the default handling.
func Handle(w io.Writer, what string) (stop func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-ch:
			contract.Interrupt()
			fmt.Fprintf(w, "%s: %v: stopped; no output was written or changed after it, no temporary file is left\n", what, sig)
			exit(ExitCode)
		case <-done:
		}
	}()
	return func() {
		signal.Stop(ch)
		close(done)
	}
}
