package plan

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/term"
)

// Progress shows "label done/total" on a terminal once a run has taken
// longer than a moment. On anything but a terminal it prints nothing, so
// logs and CI output stay clean. Its Report method fits the progress
// callbacks of chart.Renderer.RenderAll and Options.Progress.
type Progress struct {
	w     io.Writer
	label string
	tty   bool
	delay time.Duration
	now   func() time.Time
	start time.Time

	mu    sync.Mutex
	shown bool
}

// NewProgress returns a Progress writing to w, shown only when w is a
// terminal and after half a second.
func NewProgress(w io.Writer, label string) *Progress {
	tty := false
	if f, ok := w.(*os.File); ok {
		tty = term.IsTerminal(int(f.Fd()))
	}
	return newProgress(w, label, tty, 500*time.Millisecond, time.Now)
}

func newProgress(w io.Writer, label string, tty bool, delay time.Duration, now func() time.Time) *Progress {
	return &Progress{w: w, label: label, tty: tty, delay: delay, now: now, start: now()}
}

// Report records that done of total items are finished.
func (p *Progress) Report(done, total int) {
	if !p.tty {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.now().Sub(p.start) < p.delay {
		return
	}
	fmt.Fprintf(p.w, "\r%s %d/%d", p.label, done, total)
	p.shown = true
}

// Finish clears the progress line, if one was shown.
func (p *Progress) Finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
		p.shown = false
	}
}
