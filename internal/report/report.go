package report

import (
	"fmt"
	"io"
)

// Level is the severity of an Annotation.
type Level string

// The annotation levels GitHub Actions knows.
const (
	LevelNotice  Level = "notice"
	LevelWarning Level = "warning"
	LevelError   Level = "error"
)

// Annotation points a message at a place in the repository. File is relative
// to the repository root (that is what GitHub resolves); Line, EndLine and Col
// are 1-based and zero when unknown.
type Annotation struct {
	Level   Level
	File    string
	Line    int
	EndLine int
	Col     int
	Title   string
	Message string
}

// Reporter receives everything a hubfleet command wants a person to see.
// Methods that write files (summary, outputs) return an error; the others
// write to a stream and cannot usefully fail.
type Reporter interface {
	// Group starts a collapsible log section, one per site; EndGroup closes it.
	Group(title string)
	EndGroup()
	// Logf writes one line of log text.
	Logf(format string, args ...any)
	// Annotate reports a finding at a file and line.
	Annotate(a Annotation)
	// AddSummary appends Markdown to the job summary.
	AddSummary(markdown string) error
	// SetOutput sets a named output of the step.
	SetOutput(name, value string) error
	// AddMask hides secret in everything logged after the call. Call it as
	// soon as a secret value is read.
	AddMask(secret string)
}

// New returns an Actions reporter when getenv says the process runs inside
// GitHub Actions (GITHUB_ACTIONS=true), and a Terminal writing to w otherwise.
func New(getenv func(string) string, w io.Writer) Reporter {
	if getenv("GITHUB_ACTIONS") == "true" {
		return NewActions(getenv, w)
	}
	return NewTerminal(w)
}

// location formats the file:line:col prefix of a terminal annotation.
func (a Annotation) location() string {
	switch {
	case a.File == "":
		return ""
	case a.Line > 0 && a.Col > 0:
		return fmt.Sprintf("%s:%d:%d", a.File, a.Line, a.Col)
	case a.Line > 0:
		return fmt.Sprintf("%s:%d", a.File, a.Line)
	default:
		return a.File
	}
}
