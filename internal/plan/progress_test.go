package plan

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestProgress(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		tty     bool
		elapsed time.Duration
		want    string
	}{
		{name: "not a terminal", tty: false, elapsed: time.Minute, want: ""},
		{name: "terminal, quick run", tty: true, elapsed: 100 * time.Millisecond, want: ""},
		{name: "terminal, slow run", tty: true, elapsed: 2 * time.Second, want: "\rrendering 1/2\rrendering 2/2\r\x1b[K"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
			now := start
			var b bytes.Buffer
			p := newProgress(&b, "rendering", tt.tty, 500*time.Millisecond, func() time.Time { return now })
			now = start.Add(tt.elapsed)
			p.Report(1, 2)
			p.Report(2, 2)
			p.Finish()
			if diff := cmp.Diff(tt.want, b.String()); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
		})
	}
}

func TestProgressNonFileIsSilent(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	p := NewProgress(&b, "rendering")
	p.Report(1, 1)
	p.Finish()
	if b.Len() != 0 {
		t.Errorf("wrote %q to a non-terminal", b.String())
	}
}
