package progress

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"
)

// Options tune a Reporter.
type Options struct {
	// Delay before the line appears: short work shows nothing. Zero shows
	// the line as soon as work starts.
	Delay time.Duration
	// Every is how often the elapsed time is refreshed.
	Every time.Duration
	// Now is the clock.
	Now func() time.Time
}

// DefaultOptions shows the line after a second and refreshes it twice a second.
func DefaultOptions() Options {
	return Options{Delay: time.Second, Every: 500 * time.Millisecond, Now: time.Now}
}

// Reporter writes the progress line of the running tasks to a terminal.
type Reporter struct {
	w    io.Writer
	opts Options

	mu     sync.Mutex
	tasks  []*task
	shown  bool
	ticker *time.Ticker
	stopc  chan struct{}
}

type task struct {
	msg   string
	start time.Time
}

// New returns a Reporter writing to w (a terminal).
func New(w io.Writer, opts Options) *Reporter {
	return &Reporter{w: w, opts: opts}
}

type ctxKey struct{}

// WithReporter returns ctx carrying r (nil: no progress).
func WithReporter(ctx context.Context, r *Reporter) context.Context {
	if r == nil {
		return ctx
	}
	return context.WithValue(ctx, ctxKey{}, r)
}

// Start reports that the work described by format and args has begun;
// call the returned function when it ends. Without a reporter in ctx it
// does nothing.
func Start(ctx context.Context, format string, args ...any) (stop func()) {
	r, _ := ctx.Value(ctxKey{}).(*Reporter)
	if r == nil {
		return func() {}
	}
	return r.start(fmt.Sprintf(format, args...))
}

func (r *Reporter) start(msg string) func() {
	t := &task{msg: msg, start: r.opts.Now()}
	r.mu.Lock()
	r.tasks = append(r.tasks, t)
	if r.ticker == nil {
		r.ticker = time.NewTicker(r.opts.Every)
		r.stopc = make(chan struct{})
		go r.loop(r.ticker, r.stopc)
	}
	if r.opts.Delay == 0 {
		r.draw()
	}
	r.mu.Unlock()
	var once sync.Once
	return func() { once.Do(func() { r.end(t) }) }
}

func (r *Reporter) loop(tk *time.Ticker, stop chan struct{}) {
	for {
		select {
		case <-stop:
			return
		case <-tk.C:
			r.mu.Lock()
			r.draw()
			r.mu.Unlock()
		}
	}
}

// draw writes the line of the oldest running task, once it is older than
// the delay. Called with mu held.
func (r *Reporter) draw() {
	if len(r.tasks) == 0 {
		return
	}
	t := r.tasks[0]
	age := r.opts.Now().Sub(t.start)
	if age < r.opts.Delay {
		return
	}
	line := fmt.Sprintf("%s (%ds)", t.msg, int(age.Seconds()))
	if n := len(r.tasks) - 1; n > 0 {
		line += fmt.Sprintf(" and %d more", n)
	}
	fmt.Fprintf(r.w, "\r\x1b[K%s", line)
	r.shown = true
}

func (r *Reporter) end(t *task) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, x := range r.tasks {
		if x == t {
			r.tasks = append(r.tasks[:i], r.tasks[i+1:]...)
			break
		}
	}
	if len(r.tasks) > 0 {
		return
	}
	if r.shown {
		fmt.Fprint(r.w, "\r\x1b[K")
		r.shown = false
	}
	r.ticker.Stop()
	close(r.stopc)
	r.ticker, r.stopc = nil, nil
}

// Draw redraws the line now (for tests with a fake clock).
func (r *Reporter) Draw() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.draw()
}
