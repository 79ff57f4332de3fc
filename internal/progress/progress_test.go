package progress

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestReporter(t *testing.T) {
	t.Parallel()
	c := &clock{now: time.Unix(0, 0)}
	var out syncBuf
	r := New(&out, Options{Delay: time.Second, Every: time.Hour, Now: c.Now})
	ctx := WithReporter(context.Background(), r)

	stop := Start(ctx, "downloading %s", "jupyterhub-4.4.0.tgz")
	r.Draw()
	if got := out.String(); got != "" {
		t.Fatalf("work shorter than the delay printed %q", got)
	}
	c.add(1500 * time.Millisecond)
	stop2 := Start(ctx, "verifying egi-dev")
	r.Draw()
	if want := "\r\x1b[Kdownloading jupyterhub-4.4.0.tgz (1s) and 1 more"; out.String() != want {
		t.Fatalf("line = %q, want %q", out.String(), want)
	}
	stop()
	stop2()
	stop2() // a second call does nothing
	if want := "\r\x1b[Kdownloading jupyterhub-4.4.0.tgz (1s) and 1 more\r\x1b[K"; out.String() != want {
		t.Fatalf("after the work: %q, want the line cleared", out.String())
	}
}

func TestStartWithoutReporter(t *testing.T) {
	t.Parallel()
	Start(context.Background(), "nothing")() // must not panic or print
}

// TestNoDelay: with no delay the line shows as soon as work starts, before
// any refresh.
func TestNoDelay(t *testing.T) {
	t.Parallel()
	c := &clock{now: time.Unix(0, 0)}
	var out syncBuf
	ctx := WithReporter(context.Background(), New(&out, Options{Every: time.Hour, Now: c.Now}))
	stop := Start(ctx, "rendering %d site(s)", 5)
	if want := "\r\x1b[Krendering 5 site(s) (0s)"; out.String() != want {
		t.Fatalf("line = %q, want %q", out.String(), want)
	}
	stop()
	if want := "\r\x1b[Krendering 5 site(s) (0s)\r\x1b[K"; out.String() != want {
		t.Fatalf("after the work: %q, want the line cleared", out.String())
	}
}
