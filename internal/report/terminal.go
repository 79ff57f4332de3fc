package report

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
)

// Terminal reports as plain text. It redacts masked secrets itself and keeps
// the outputs it was given so a caller can print or inspect them.
type Terminal struct {
	mu      sync.Mutex
	w       io.Writer
	masks   []string
	outputs map[string]string
}

var _ Reporter = (*Terminal)(nil)

// NewTerminal returns a reporter writing plain text to w.
func NewTerminal(w io.Writer) *Terminal {
	return &Terminal{w: w, outputs: map[string]string{}}
}

// Group implements Reporter.
func (t *Terminal) Group(title string) { t.printf("== %s ==\n", title) }

// EndGroup implements Reporter.
func (t *Terminal) EndGroup() { t.printf("\n") }

// Logf implements Reporter.
func (t *Terminal) Logf(format string, args ...any) {
	t.printf("%s\n", fmt.Sprintf(format, args...))
}

// Annotate implements Reporter: "file:line:col: level: title: message".
func (t *Terminal) Annotate(a Annotation) {
	level := a.Level
	if level == "" {
		level = LevelNotice
	}
	var b strings.Builder
	if loc := a.location(); loc != "" {
		b.WriteString(loc)
		b.WriteString(": ")
	}
	b.WriteString(string(level))
	b.WriteString(": ")
	if a.Title != "" {
		b.WriteString(a.Title)
		b.WriteString(": ")
	}
	b.WriteString(a.Message)
	t.printf("%s\n", b.String())
}

// AddSummary implements Reporter: the Markdown is printed as is.
func (t *Terminal) AddSummary(markdown string) error {
	t.printf("%s\n", strings.TrimRight(markdown, "\n"))
	return nil
}

// SetOutput implements Reporter.
func (t *Terminal) SetOutput(name, value string) error {
	if name == "" {
		return fmt.Errorf("set output: empty name")
	}
	t.mu.Lock()
	t.outputs[name] = value
	t.mu.Unlock()
	t.printf("output %s=%s\n", name, value)
	return nil
}

// Outputs returns a copy of the outputs set so far.
func (t *Terminal) Outputs() map[string]string {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make(map[string]string, len(t.outputs))
	for k, v := range t.outputs {
		out[k] = v
	}
	return out
}

// AddMask implements Reporter.
func (t *Terminal) AddMask(secret string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, line := range strings.Split(secret, "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		t.masks = append(t.masks, line)
	}
	// Longest first, so a secret containing another is masked whole.
	sort.SliceStable(t.masks, func(i, j int) bool { return len(t.masks[i]) > len(t.masks[j]) })
}

func (t *Terminal) printf(format string, args ...any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := fmt.Sprintf(format, args...)
	for _, m := range t.masks {
		s = strings.ReplaceAll(s, m, "***")
	}
	fmt.Fprint(t.w, s)
}
