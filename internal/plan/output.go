package plan

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// GitHubCommentLimit is the maximum size of a GitHub issue comment body.
const GitHubCommentLimit = 65536

// WriteJSON writes the plan as indented JSON.
func WriteJSON(w io.Writer, p *Plan) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(p); err != nil {
		return fmt.Errorf("write plan as JSON: %w", err)
	}
	return nil
}

func unchangedNames(p *Plan) []string {
	var out []string
	for _, s := range p.Sites {
		if s.Status == Unchanged {
			out = append(out, s.Site)
		}
	}
	return out
}

func summaryLine(p *Plan) string {
	c := p.Counts()
	changed := c[Changed] + c[Added] + c[Removed]
	parts := []string{fmt.Sprintf("%d of %d sites change", changed, len(p.Sites))}
	for _, st := range []Status{Changed, Added, Removed, Unchanged} {
		if c[st] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c[st], st))
		}
	}
	return parts[0] + " (" + strings.Join(parts[1:], ", ") + ")"
}

func statusMark(s Status) string {
	switch s {
	case Added:
		return "+"
	case Removed:
		return "-"
	case Changed:
		return "~"
	}
	return "="
}

func chartLine(c ChartChange) string {
	s := fmt.Sprintf("%s %s -> %s", c.Chart, orNone(c.FromVersion), orNone(c.ToVersion))
	if c.FromAppVersion != c.ToAppVersion {
		s += fmt.Sprintf(" (app %s -> %s)", orNone(c.FromAppVersion), orNone(c.ToAppVersion))
	}
	return s
}

func objectCounts(ds []Diff) string {
	var a, r, m int
	for _, d := range ds {
		switch d.Change {
		case DiffAdded:
			a++
		case DiffRemoved:
			r++
		default:
			m++
		}
	}
	return fmt.Sprintf("%d modified, %d added, %d removed", m, a, r)
}

// WriteText writes the plan for a terminal.
func WriteText(w io.Writer, p *Plan) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Plan: %s\n", summaryLine(p))
	for _, s := range p.Sites {
		if s.Status == Unchanged {
			continue
		}
		fmt.Fprintf(&b, "\n%s site %s: %s\n", statusMark(s.Status), s.Site, s.Status)
		for _, c := range s.Charts {
			fmt.Fprintf(&b, "  chart %s\n", chartLine(c))
		}
		for _, d := range s.OneWayDoors {
			fmt.Fprintf(&b, "  ONE-WAY DOOR (%s): %s\n", d.Kind, d.Detail)
		}
		for _, pr := range s.Problems {
			fmt.Fprintf(&b, "  problem: %s\n", pr)
		}
		if len(s.Files) > 0 {
			fmt.Fprintf(&b, "  files: %d changed\n", len(s.Files))
			for _, d := range s.Files {
				b.WriteString(indent(d.Unified, "    "))
			}
		}
		if len(s.Objects) > 0 {
			fmt.Fprintf(&b, "  chart objects: %s\n", objectCounts(s.Objects))
			for _, d := range s.Objects {
				b.WriteString(indent(d.Unified, "    "))
			}
		}
	}
	if names := unchangedNames(p); len(names) > 0 {
		fmt.Fprintf(&b, "\n= %d unchanged: %s\n", len(names), strings.Join(names, ", "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func indent(s, prefix string) string {
	if s == "" {
		return ""
	}
	lines := strings.SplitAfter(s, "\n")
	var b strings.Builder
	for _, l := range lines {
		if l == "" {
			continue
		}
		b.WriteString(prefix)
		b.WriteString(l)
	}
	if !strings.HasSuffix(s, "\n") {
		b.WriteByte('\n')
	}
	return b.String()
}

// MarkdownOptions configures WriteMarkdown.
type MarkdownOptions struct {
	// Limit is the maximum size in bytes (GitHubCommentLimit for a PR
	// comment). The summary table is written first and always kept;
	// per-site details are added while they fit and the rest is noted.
	Limit int
	// Title heads the comment.
	Title string
}

// DefaultMarkdownOptions returns the GitHub comment limit.
func DefaultMarkdownOptions() MarkdownOptions {
	return MarkdownOptions{Limit: GitHubCommentLimit, Title: "hubfleet plan"}
}

// WriteMarkdown writes the plan for a PR comment.
func WriteMarkdown(w io.Writer, p *Plan, opts MarkdownOptions) error {
	if opts.Limit <= 0 {
		opts.Limit = GitHubCommentLimit
	}
	var head strings.Builder
	if opts.Title != "" {
		fmt.Fprintf(&head, "## %s\n\n", opts.Title)
	}
	fmt.Fprintf(&head, "**%s**\n\n", summaryLine(p))
	var changed []SiteChange
	for _, s := range p.Sites {
		if s.Status != Unchanged {
			changed = append(changed, s)
		}
	}
	var doors int
	for _, s := range changed {
		doors += len(s.OneWayDoors)
	}
	if doors > 0 {
		fmt.Fprintf(&head, "> [!WARNING]\n> %d one-way door(s): a `git revert` will not undo them. See the sites marked below.\n\n", doors)
	}
	if len(changed) > 0 {
		head.WriteString("| site | status | chart | files | chart objects | one-way doors | problems |\n")
		head.WriteString("|---|---|---|---|---|---|---|\n")
		for _, s := range changed {
			var charts []string
			for _, c := range s.Charts {
				charts = append(charts, mdCell(chartLine(c)))
			}
			var dk []string
			for _, d := range s.OneWayDoors {
				dk = append(dk, "**"+d.Kind+"**")
			}
			fmt.Fprintf(&head, "| %s | %s | %s | %d | %s | %s | %d |\n",
				mdCell(s.Site), s.Status, orDash(strings.Join(charts, "<br>")), len(s.Files),
				objectCounts(s.Objects), orDash(strings.Join(dk, ", ")), len(s.Problems))
		}
		head.WriteString("\n")
	}
	var tail strings.Builder
	if names := unchangedNames(p); len(names) > 0 {
		fmt.Fprintf(&tail, "%d unchanged: %s\n", len(names), mdCell(strings.Join(names, ", ")))
	}

	out := head.String()
	if len(out)+len(tail.String()) > opts.Limit {
		// Even the summary does not fit: cut it and say so.
		note := "\n\n_The plan summary was truncated to fit the comment limit; run `hubfleet plan` for the full plan._\n"
		out = truncateUTF8(out, opts.Limit-len(note)) + note
		_, err := io.WriteString(w, out)
		return err
	}
	const overflowReserve = 200
	budget := opts.Limit - len(out) - len(tail.String()) - overflowReserve
	var details strings.Builder
	omitted := 0
	for _, s := range changed {
		d := siteDetails(s)
		if len(d) > budget {
			omitted++
			continue
		}
		budget -= len(d)
		details.WriteString(d)
	}
	out += details.String()
	if omitted > 0 {
		out += fmt.Sprintf("\n_Details of %d site(s) omitted to fit GitHub's comment limit; run `hubfleet plan` for the full diff._\n\n", omitted)
	}
	out += tail.String()
	_, err := io.WriteString(w, out)
	return err
}

func siteDetails(s SiteChange) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<details><summary><b>%s</b>: %s</summary>\n\n", htmlEscape(s.Site), s.Status)
	for _, d := range s.OneWayDoors {
		fmt.Fprintf(&b, "- :warning: **one-way door (%s)**: %s\n", d.Kind, d.Detail)
	}
	for _, pr := range s.Problems {
		fmt.Fprintf(&b, "- :x: %s\n", mdCell(pr.String()))
	}
	if len(s.OneWayDoors)+len(s.Problems) > 0 {
		b.WriteString("\n")
	}
	var diff strings.Builder
	for _, d := range s.Files {
		diff.WriteString(d.Unified)
	}
	for _, d := range s.Objects {
		diff.WriteString(d.Unified)
	}
	if diff.Len() > 0 {
		f := fence(diff.String())
		fmt.Fprintf(&b, "%sdiff\n%s%s\n", f, ensureNewline(diff.String()), f)
	}
	b.WriteString("\n</details>\n\n")
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func mdCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "<", "&lt;", ">", "&gt;").Replace(s)
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func truncateUTF8(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if len(s) <= n {
		return s
	}
	for n > 0 && (s[n]&0xC0) == 0x80 {
		n--
	}
	return s[:n]
}
