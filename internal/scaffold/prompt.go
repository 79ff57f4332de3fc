package scaffold

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Prompter asks the operator one question and returns the answer.
type Prompter interface {
	Ask(q Question) (string, error)
}

// LinePrompter asks on Out and reads one line per answer from In: the
// terminal prompter, and the one tests drive with scripted input.
type LinePrompter struct {
	In  *bufio.Reader
	Out io.Writer
}

// NewLinePrompter reads answers from in and writes questions to out.
func NewLinePrompter(in io.Reader, out io.Writer) *LinePrompter {
	return &LinePrompter{In: bufio.NewReader(in), Out: out}
}

// Ask repeats the question until the answer is one of its choices, or
// non-empty when it has no default.
func (p *LinePrompter) Ask(q Question) (string, error) {
	for {
		fmt.Fprint(p.Out, q.Prompt)
		if len(q.Choices) > 0 {
			fmt.Fprintf(p.Out, " (%s)", strings.Join(q.Choices, ", "))
		}
		if q.Default != "" && q.Default != "-" {
			fmt.Fprintf(p.Out, " [%s]", q.Default)
		}
		fmt.Fprint(p.Out, ": ")
		line, err := p.In.ReadString('\n')
		if err != nil && (!errors.Is(err, io.EOF) || line == "") {
			if errors.Is(err, io.EOF) {
				return "", fmt.Errorf("no answer for --%s (input ended)", q.Flag)
			}
			return "", err
		}
		ans := strings.TrimSpace(line)
		if ans == "" {
			ans = q.Default
		}
		switch {
		case ans == "":
			fmt.Fprintln(p.Out, "  an answer is required")
		case len(q.Choices) > 0 && !slices.Contains(q.Choices, ans):
			fmt.Fprintf(p.Out, "  choose one of: %s\n", strings.Join(q.Choices, ", "))
		default:
			return ans, nil
		}
	}
}

// Ask fills every missing setting of o through p, asking only for what is
// missing.
func (o *SiteOptions) Ask(p Prompter) error {
	for range 50 {
		q, ok := o.Next()
		if !ok {
			return nil
		}
		ans, err := p.Ask(q)
		if err != nil {
			return err
		}
		q.Set(o, ans)
	}
	return errors.New("too many questions")
}
