package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/sethvargo/go-githubactions"
)

// fileCommandDelimiter is the heredoc delimiter go-githubactions writes
// around output values; a value containing it would forge other outputs.
const fileCommandDelimiter = "_GitHubActionsFileCommandDelimeter_"

// Actions reports through GitHub Actions workflow commands and environment
// files (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY).
type Actions struct {
	action *githubactions.Action
	getenv func(string) string
}

var _ Reporter = (*Actions)(nil)

// NewActions returns a reporter that writes workflow commands to w and reads
// the locations of the environment files through getenv.
func NewActions(getenv func(string) string, w io.Writer) *Actions {
	return &Actions{
		action: githubactions.New(githubactions.WithWriter(w), githubactions.WithGetenv(getenv)),
		getenv: getenv,
	}
}

// Action returns the underlying go-githubactions value, for its Context().
func (r *Actions) Action() *githubactions.Action { return r.action }

// Group implements Reporter.
func (r *Actions) Group(title string) { r.action.Group(title) }

// EndGroup implements Reporter.
func (r *Actions) EndGroup() { r.action.EndGroup() }

// Logf implements Reporter. A logged line that starts with "::" would be
// read by the runner as a workflow command (text from site files, diffs or
// remote servers must not be able to forge annotations or masks), so such
// lines are indented by one space.
func (r *Actions) Logf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	lines := strings.Split(msg, "\n")
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimLeft(l, "\r"), "::") {
			lines[i] = " " + l
		}
	}
	r.action.Infof("%s", strings.Join(lines, "\n"))
}

// Annotate implements Reporter.
func (r *Actions) Annotate(a Annotation) {
	fields := map[string]string{}
	if a.File != "" {
		fields["file"] = a.File
	}
	if a.Line > 0 {
		fields["line"] = strconv.Itoa(a.Line)
	}
	if a.EndLine > 0 {
		fields["endLine"] = strconv.Itoa(a.EndLine)
	}
	if a.Col > 0 {
		fields["col"] = strconv.Itoa(a.Col)
	}
	if a.Title != "" {
		fields["title"] = a.Title
	}
	act := r.action.WithFieldsMap(fields)
	switch a.Level {
	case LevelError:
		act.Errorf("%s", a.Message)
	case LevelWarning:
		act.Warningf("%s", a.Message)
	default:
		act.Noticef("%s", a.Message)
	}
}

// AddSummary implements Reporter.
func (r *Actions) AddSummary(markdown string) error {
	return r.fileCommand("GITHUB_STEP_SUMMARY", func() { r.action.AddStepSummary(markdown) })
}

// SetOutput implements Reporter.
func (r *Actions) SetOutput(name, value string) error {
	if name == "" {
		return fmt.Errorf("set output: empty name")
	}
	if strings.Contains(name, fileCommandDelimiter) || strings.Contains(value, fileCommandDelimiter) {
		return fmt.Errorf("set output %s: value contains the file command delimiter", name)
	}
	return r.fileCommand("GITHUB_OUTPUT", func() { r.action.SetOutput(name, value) })
}

// AddMask implements Reporter. The runner matches masks line by line, so a
// multi-line secret is masked one line at a time.
func (r *Actions) AddMask(secret string) {
	for _, line := range strings.Split(secret, "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		r.action.AddMask(line)
	}
}

// fileCommand runs a go-githubactions environment-file command, which panics
// when the file cannot be written, and turns that into an error.
func (r *Actions) fileCommand(env string, write func()) (err error) {
	if r.getenv(env) == "" {
		return fmt.Errorf("%s is not set: not running in a GitHub Actions step", env)
	}
	defer func() {
		if p := recover(); p != nil {
			if pe, ok := p.(error); ok {
				err = fmt.Errorf("write %s: %w", env, pe)
				return
			}
			err = fmt.Errorf("write %s: %v", env, p)
		}
	}()
	write()
	return nil
}
