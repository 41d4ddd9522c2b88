package runner

import "errors"

// Loop drives a timed loop of the end-to-end mode and the offline
// scenario (MeasureE2E, MeasureOffline): *testing.B in the suite, whose
// Loop decides the iteration count (-benchtime=Nx: N), and Count in
// nerbench run, which has no testing.B. StopTimer and StartTimer bracket
// work inside the loop that is not to be timed.
type Loop interface {
	Loop() bool
	StopTimer()
	StartTimer()
}

// Count returns a Loop of n iterations, as testing.B's Loop gives with
// -benchtime=Nx; its StopTimer and StartTimer do nothing.
func Count(n int) Loop { return &count{left: n} }

type count struct{ left int }

func (c *count) Loop() bool {
	if c.left <= 0 {
		return false
	}
	c.left--
	return true
}

func (*count) StopTimer()  {}
func (*count) StartTimer() {}

// firstRunError marks the failure of a batch size's first run, or of
// readying it: the model cannot run this input at all. Its message is the
// error's own.
type firstRunError struct{ err error }

func (e firstRunError) Error() string { return e.err.Error() }
func (e firstRunError) Unwrap() error { return e.err }

// IsFirstRun reports whether err is the failure of a batch size's first
// run or of readying it (MeasureE2E, MeasureOffline), rather than of a
// later one: nerbench run reports it as input that cannot run (exit 2),
// as it does a first inference run that fails.
func IsFirstRun(err error) bool {
	var f firstRunError
	return errors.As(err, &f)
}
