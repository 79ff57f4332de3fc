package github

import (
	"fmt"
	"strings"
)

// MaxCommentLength is GitHub's limit on an issue or pull request comment
// body, in characters. Fit counts bytes, which is never fewer.
const MaxCommentLength = 65536

// Section is one collapsible part of a comment, e.g. one site's diff.
type Section struct {
	Title string
	Body  string
}

// Comment is a comment to fit within MaxCommentLength.
type Comment struct {
	// Marker is the hidden marker put first (PlanMarker).
	Marker string
	// Summary always appears, e.g. the per-site summary table.
	Summary string
	// Details are rendered as <details> sections, in order, while they fit.
	Details []Section
	// OverflowURL is where the sections that did not fit can be read (the
	// job summary of the run).
	OverflowURL string
}

// Fitted is a comment body and the sections left out of it.
type Fitted struct {
	Body    string
	Omitted []Section
}

// Fit renders c within limit bytes (MaxCommentLength when limit <= 0). The
// marker and summary always fit (a summary too long on its own is cut at a
// line boundary, with a note); each detail section goes in whole or not at
// all, and a note names the omitted ones and points at OverflowURL.
func Fit(c Comment, limit int) Fitted {
	if limit <= 0 {
		limit = MaxCommentLength
	}
	var b strings.Builder
	if c.Marker != "" {
		b.WriteString(c.Marker)
		b.WriteString("\n")
	}
	// The overflow note names sections; reserve room for a note naming
	// every section, so adding it later can never break the limit.
	reserve := len(overflowNote(c.Details, c.OverflowURL))
	summary := strings.TrimRight(c.Summary, "\n") + "\n"
	if room := limit - b.Len() - reserve; len(summary) > room {
		summary = cutLines(summary, room-len(summaryCutNote)) + summaryCutNote
	}
	b.WriteString(summary)

	var out Fitted
	for _, s := range c.Details {
		sec := renderSection(s)
		if b.Len()+len(sec)+reserve > limit {
			out.Omitted = append(out.Omitted, s)
			continue
		}
		b.WriteString(sec)
	}
	if len(out.Omitted) > 0 {
		b.WriteString(overflowNote(out.Omitted, c.OverflowURL))
	}
	out.Body = b.String()
	return out
}

const summaryCutNote = "\n> The summary was cut to fit GitHub's comment size limit; the job summary has all of it.\n"

func renderSection(s Section) string {
	body := strings.TrimRight(s.Body, "\n")
	return fmt.Sprintf("\n<details><summary>%s</summary>\n\n%s\n\n</details>\n", s.Title, body)
}

func overflowNote(omitted []Section, url string) string {
	if len(omitted) == 0 {
		return ""
	}
	names := make([]string, len(omitted))
	for i, s := range omitted {
		names[i] = s.Title
	}
	where := "the job summary of this run"
	if url != "" {
		where = fmt.Sprintf("the [job summary](%s)", url)
	}
	return fmt.Sprintf("\n> [!NOTE]\n> %d section(s) did not fit in GitHub's %d-character comment limit: %s. They are in %s.\n",
		len(omitted), MaxCommentLength, strings.Join(names, ", "), where)
}

// cutLines returns the longest prefix of s made of whole lines within n bytes.
func cutLines(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if len(s) <= n {
		return s
	}
	s = s[:n]
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[:i+1]
	}
	return ""
}
