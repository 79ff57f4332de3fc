package verify

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/hubfleet/hubfleet/internal/markdown"
)

// WriteTable writes results as an aligned terminal table, one row per
// check, with the fix hint under failing and warning rows.
func WriteTable(w io.Writer, results []Result) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SITE\tCHECK\tSTATUS\tDETAIL")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Site, r.Check, strings.ToUpper(string(r.Status)), oneLine(r.Detail))
		if r.Status != Pass && r.Fix != "" {
			fmt.Fprintf(tw, "\t\t\tfix: %s\n", oneLine(r.Fix))
		}
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	_, err := fmt.Fprintln(w, Summary(results))
	if err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	return nil
}

// WriteJSON writes the Report of results, indented (schema: verify.json).
func WriteJSON(w io.Writer, results []Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(NewReport(results)); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}

var statusIcon = map[Status]string{Pass: "✅", Warn: "⚠️", Fail: "❌", Unknown: "❔"}

// WriteMarkdown writes a GitHub-flavoured summary for an Action's step
// summary: one section per site, failures first.
func WriteMarkdown(w io.Writer, results []Result) error {
	var b strings.Builder
	fmt.Fprintf(&b, "## hubfleet verify: %s %s\n\n", statusIcon[Worst(results)], Summary(results))
	for _, rs := range groupBySite(results) {
		fmt.Fprintf(&b, "### %s %s\n\n", statusIcon[Worst(rs)], mdEscape(rs[0].Site))
		b.WriteString("| check | status | detail | fix |\n|---|---|---|---|\n")
		for _, st := range []Status{Fail, Warn, Unknown, Pass} {
			for _, r := range rs {
				if r.Status != st {
					continue
				}
				fix := ""
				if r.Status != Pass {
					fix = mdEscape(r.Fix)
				}
				fmt.Fprintf(&b, "| `%s` | %s %s | %s | %s |\n", r.Check, statusIcon[r.Status], r.Status, mdEscape(r.Detail), fix)
			}
		}
		b.WriteString("\n")
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write markdown: %w", err)
	}
	return nil
}

// Summary is a one-line count of sites and of checks, each by status:
// "2 site(s): 1 pass, 1 fail; 23 check(s): 20 pass, 1 warn, 2 fail". A
// site counts by its worst check.
func Summary(results []Result) string {
	c := Count(results)
	return fmt.Sprintf("%d site(s): %s; %d check(s): %s", c.Sites.Total, c.Sites, c.Checks.Total, c.Checks)
}

// StatusDescription is a commit-status description (GitHub allows 140
// characters) for one site's results: the first failure, else the count.
func StatusDescription(results []Result) string {
	var d string
	for _, st := range []Status{Fail, Warn} {
		for _, r := range results {
			if r.Status == st && d == "" {
				d = fmt.Sprintf("%s %s: %s", r.Status, r.Check, oneLine(r.Detail))
			}
		}
	}
	if d == "" {
		d = fmt.Sprintf("all %d checks pass", len(results))
	}
	if r := []rune(d); len(r) > 140 {
		d = string(r[:139]) + "…"
	}
	return d
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// mdEscape keeps text on one line of a Markdown table cell.
func mdEscape(s string) string { return markdown.Cell(oneLine(s)) }
