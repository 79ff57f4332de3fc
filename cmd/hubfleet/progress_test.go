package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hubfleet/hubfleet/internal/progress"
)

// fakeTerminal is a stderr that says it is a terminal, with a progress
// line that shows at once and never refreshes, so what it shows does not
// depend on how long the work takes.
type fakeTerminal struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (f *fakeTerminal) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.b.Write(p)
}

func (f *fakeTerminal) String() string { f.mu.Lock(); defer f.mu.Unlock(); return f.b.String() }

func (*fakeTerminal) IsTerminal() bool { return true }

func (*fakeTerminal) ProgressOptions() progress.Options {
	return progress.Options{Every: time.Hour, Now: time.Now}
}

// hubfleetTTY runs hubfleet with its stderr on a fake terminal.
func hubfleetTTY(t *testing.T, args ...string) result {
	t.Helper()
	var out bytes.Buffer
	errt := &fakeTerminal{}
	code := run(context.Background(), args, strings.NewReader(""), &out, errt)
	return result{code: code, stdout: out.String(), stderr: errt.String()}
}

// TestRenderProgress: render shows a progress line on a terminal's stderr,
// cleared when it is done, and none when stderr is not a terminal.
func TestRenderProgress(t *testing.T) {
	t.Parallel()
	root := fleetCopy(t)
	r := hubfleetTTY(t, "render", "--root", root)
	if r.code != exitOK {
		t.Fatalf("render: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "\r\x1b[Krendering 5 site(s) (0s)\r\x1b[K") {
		t.Errorf("render on a terminal shows no progress line (or does not clear it): %q", r.stderr)
	}
	if strings.Contains(r.stdout, "\r") {
		t.Errorf("the progress line went to stdout: %q", r.stdout)
	}
	r = hubfleet(t, "", "render", "--root", root, "--site", "egi-dev")
	if r.code != exitOK || strings.Contains(r.stderr, "\r") || strings.Contains(r.stderr, "rendering") {
		t.Errorf("render off a terminal: exit %d, stderr %q, want no progress line", r.code, r.stderr)
	}
}
