package runner

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// Progress shows how far a long measurement is, with an estimate of the
// time left, on stderr: on a terminal a bar redrawn in place (and erased
// by Done), otherwise a line every Every. Its lines start with
// "nerbench progress" and hold no "key: value" before their first space,
// so that the converter never reads one as a configuration line. Callers
// call Due and Show between iterations, outside the timed region.
type Progress struct {
	w     io.Writer
	tty   bool
	label string
	// Total is the number of iterations expected, 0 when unknown.
	Total int
	// Every is the time between lines (not terminal) or redraws.
	Every time.Duration

	start, next time.Time
	drawn       int // width of the bar drawn, to erase it
}

// NewProgress returns a Progress on w labelled label ("model bert batch
// 16"), for total iterations (0: unknown). A bar is drawn when w is a
// terminal.
func NewProgress(w io.Writer, label string, total int) *Progress {
	p := &Progress{w: w, label: label, Total: total, Every: 5 * time.Second, start: time.Now()}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty, p.Every = true, 500*time.Millisecond
		}
	}
	p.next = p.start.Add(p.Every)
	return p
}

// Due reports whether it is time to Show; it only reads the clock.
func (p *Progress) Due() bool { return p != nil && !time.Now().Before(p.next) }

// Show shows that done iterations of the phase (warm-up or timed) are done.
func (p *Progress) Show(phase string, done int) {
	if p == nil {
		return
	}
	now := time.Now()
	p.next = now.Add(p.Every)
	el := now.Sub(p.start)
	msg := fmt.Sprintf("nerbench progress %s %s %d", p.label, phase, done)
	if p.Total > 0 {
		msg += fmt.Sprintf(" of %d", p.Total)
	}
	msg += fmt.Sprintf(" iterations, %v elapsed", el.Round(time.Second))
	if p.Total > 0 && done > 0 && done < p.Total {
		left := time.Duration(float64(el) / float64(done) * float64(p.Total-done))
		msg += fmt.Sprintf(", about %v left", left.Round(time.Second))
	}
	if !p.tty {
		fmt.Fprintln(p.w, msg)
		return
	}
	bar := ""
	if p.Total > 0 {
		const width = 20
		n := min(width, done*width/p.Total)
		bar = "[" + strings.Repeat("#", n) + strings.Repeat(".", width-n) + "] "
	}
	line := "\r" + bar + msg
	pad := max(0, p.drawn-len(line))
	fmt.Fprint(p.w, line+strings.Repeat(" ", pad))
	p.drawn = len(line)
}

// Restart starts a new phase of total iterations (0: unknown).
func (p *Progress) Restart(total int) {
	if p == nil {
		return
	}
	p.Total, p.start = total, time.Now()
	p.next = p.start.Add(p.Every)
}

// Done erases the bar on a terminal, so that nothing of it is left on the
// line that testing writes next.
func (p *Progress) Done() {
	if p == nil || !p.tty || p.drawn == 0 {
		return
	}
	fmt.Fprint(p.w, "\r"+strings.Repeat(" ", p.drawn)+"\r")
	p.drawn = 0
}
