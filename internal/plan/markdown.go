package plan

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/hubfleet/hubfleet/internal/markdown"
)

// CommentLimit is GitHub's limit on a pull request comment, in characters;
// a Report counts bytes, which are never fewer.
const CommentLimit = 65536

// Report is a plan with what the checks before it found, as Markdown for a
// pull request comment (Comment) and a job summary or artifact (Full). It
// is the one Markdown rendering of a plan: `hubfleet plan -o markdown` and
// the Action's plan both use it.
type Report struct {
	Title string
	Plan  *Plan
	// Invalid are the validation problems of each site, one line each;
	// "" holds the fleet-wide ones.
	Invalid map[string][]string
	// Stale are the diffs of each site's stale overlay files.
	Stale map[string]string
	// Confirmed are the removed sites whose removal was confirmed.
	Confirmed map[string]bool
	// FullPlanURL is where the full plan is (the run's artifact); a
	// shortened diff points there.
	FullPlanURL string
}

// siteEntry is one site's part of the report.
type siteEntry struct {
	name string
	sc   SiteChange
	// fixed is always shown (problems, doors); diff may be shortened.
	fixed, diff string
}

func (r Report) entries() []siteEntry {
	names := map[string]bool{}
	bySite := map[string]SiteChange{}
	if r.Plan != nil {
		for _, s := range r.Plan.Sites {
			names[s.Site], bySite[s.Site] = true, s
		}
	}
	for n := range r.Invalid {
		if n != "" {
			names[n] = true
		}
	}
	for n := range r.Stale {
		names[n] = true
	}
	var out []siteEntry
	for _, n := range slices.Sorted(maps.Keys(names)) {
		sc, ok := bySite[n]
		if !ok {
			sc = SiteChange{Site: n, Status: Unchanged}
		}
		e := siteEntry{name: n, sc: sc}
		var fixed strings.Builder
		for _, p := range r.Invalid[n] {
			fmt.Fprintf(&fixed, "- :x: invalid: %s\n", markdown.Cell(p))
		}
		for _, p := range sc.Problems {
			fmt.Fprintf(&fixed, "- :x: problem: %s\n", markdown.Cell(p.String()))
		}
		if sc.Unverified != "" {
			fmt.Fprintf(&fixed, "- :warning: unverified: %s\n", markdown.Cell(sc.Unverified))
		}
		if l := labelOnlyLine(sc); l != "" {
			fmt.Fprintf(&fixed, "- %s\n", l)
		}
		e.fixed = fixed.String()
		var diff strings.Builder
		if st := r.Stale[n]; st != "" {
			diff.WriteString("# stale overlay files: run `hubfleet render` and commit\n")
			diff.WriteString(ensureNewline(st))
		}
		for _, d := range sc.Files {
			diff.WriteString(ensureNewline(d.Unified))
		}
		for _, d := range sc.Objects {
			diff.WriteString(ensureNewline(d.Unified))
		}
		e.diff = diff.String()
		out = append(out, e)
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// interesting says whether a site gets a row and a details section.
func (r Report) interesting(e siteEntry) bool {
	return e.sc.VerdictOf() != VerdictUnchanged || e.fixed != "" || e.diff != ""
}

// head is everything but the per-site details: the summary line, warnings,
// the table with every site that changes or has a problem, every one-way
// door in full, and the unchanged sites by name.
func (r Report) head(entries []siteEntry) string {
	var b strings.Builder
	title := r.Title
	if title == "" {
		title = "hubfleet plan"
	}
	fmt.Fprintf(&b, "## %s\n\n", title)
	p := r.Plan
	if p == nil {
		p = &Plan{}
	}
	on := ""
	if p.Base != "" {
		on = fmt.Sprintf(" (against `%s`)", shortRef(p.Base))
	}
	fmt.Fprintf(&b, "**%s**%s\n\n", summaryLine(p), on)
	for _, w := range p.Warnings {
		fmt.Fprintf(&b, "> [!WARNING]\n> %s\n\n", markdown.Cell(w))
	}
	if fw := r.Invalid[""]; len(fw) > 0 {
		fmt.Fprintf(&b, "**%d fleet-wide problem(s)**:\n\n", len(fw))
		for _, l := range fw {
			fmt.Fprintf(&b, "- :x: %s\n", markdown.Cell(l))
		}
		b.WriteString("\n")
	}
	var rows, unchanged []string
	var doors strings.Builder
	ndoors := 0
	for _, e := range entries {
		if !r.interesting(e) {
			unchanged = append(unchanged, e.name)
			continue
		}
		sc := e.sc
		var charts, kinds []string
		for _, c := range sc.Charts {
			charts = append(charts, markdown.Cell(ChartLine(c)))
		}
		for _, d := range sc.OneWayDoors {
			kinds = append(kinds, "**"+d.Kind+"**")
			ndoors++
			confirmed := ""
			if d.Kind == DoorSiteRemoval && r.Confirmed[e.name] {
				confirmed = " (confirmed)"
			}
			fmt.Fprintf(&doors, "- `%s` **%s**%s: %s\n", e.name, d.Kind, confirmed, markdown.Cell(d.Detail))
		}
		problems := len(sc.Problems) + len(r.Invalid[e.name])
		check := "✅"
		switch {
		case problems > 0:
			check = fmt.Sprintf("❌ %d problem(s)", problems)
		case r.Stale[e.name] != "":
			check = "❌ stale overlays"
		case sc.VerdictOf() == VerdictProblem:
			check = "❌ removal not confirmed"
		case sc.VerdictOf() == VerdictUnverified:
			check = "⚠️ unverified"
		}
		objects := objectCounts(sc.Objects)
		if len(sc.LabelOnly) > 0 {
			objects += fmt.Sprintf(", %d label-only", len(sc.LabelOnly))
		}
		rows = append(rows, fmt.Sprintf("| `%s` | %s | %s | %s | %d | %s | %s |",
			e.name, verdictWords(sc), check, orDash(strings.Join(charts, "<br>")), len(sc.Files), objects, orDash(strings.Join(kinds, ", "))))
	}
	if ndoors > 0 {
		fmt.Fprintf(&b, "> [!CAUTION]\n> %d one-way door(s): a `git revert` will not undo them.\n\n%s\n", ndoors, doors.String())
	}
	if len(rows) > 0 {
		b.WriteString("| site | status | check | chart | files | chart objects | one-way doors |\n|---|---|---|---|---|---|---|\n")
		b.WriteString(strings.Join(rows, "\n") + "\n\n")
	}
	if len(unchanged) > 0 {
		fmt.Fprintf(&b, "%d unchanged: %s\n\n", len(unchanged), markdown.Cell(strings.Join(unchanged, ", ")))
	}
	return b.String()
}

func (r Report) section(e siteEntry, diff string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<details><summary><code>%s</code>: %s</summary>\n\n", markdown.HTML(e.name), verdictWords(e.sc))
	b.WriteString(e.fixed)
	if e.fixed != "" {
		b.WriteString("\n")
	}
	if diff != "" {
		b.WriteString(markdown.Fence("diff", diff))
	}
	b.WriteString("\n</details>\n\n")
	return b.String()
}

// Full is the whole plan, every diff in full.
func (r Report) Full() string {
	entries := r.entries()
	var b strings.Builder
	b.WriteString(r.head(entries))
	for _, e := range entries {
		if r.interesting(e) {
			b.WriteString(r.section(e, e.diff))
		}
	}
	return b.String()
}

// Comment is the plan within limit bytes (CommentLimit when <= 0), after
// prefix (the comment's marker). Every site's summary row and one-way
// doors are kept; each site's diff is folded in <details> and, when the
// whole does not fit, the diffs are shortened (the largest first, evenly),
// never a site dropped. A shortened diff says where the full plan is.
func (r Report) Comment(prefix string, limit int) string {
	if limit <= 0 {
		limit = CommentLimit
	}
	entries := r.entries()
	var shown []siteEntry
	for _, e := range entries {
		if r.interesting(e) {
			shown = append(shown, e)
		}
	}
	head := prefix + r.head(entries)
	fixed := len(head)
	for _, e := range shown {
		fixed += len(r.section(e, ""))
	}
	diffs := make([]string, len(shown))
	for i, e := range shown {
		diffs[i] = e.diff
	}
	budget := limit - fixed
	total := 0
	for _, d := range diffs {
		total += len(d) + fenceOverhead
	}
	if total > budget {
		diffs = r.shorten(diffs, budget)
	}
	var b strings.Builder
	b.WriteString(head)
	for i, e := range shown {
		b.WriteString(r.section(e, diffs[i]))
	}
	out := b.String()
	if len(out) > limit {
		// Only a head too large on its own gets here (thousands of
		// sites): cut it at a line, and say where the rest is.
		note := "\n_The plan was cut to fit GitHub's comment limit; " + r.where() + " has all of it._\n"
		out = cutLines(out, limit-len(note)) + note
	}
	return out
}

// fenceOverhead is the most a fence adds around a diff (two fence lines of
// up to 8 backticks, the language, newlines).
const fenceOverhead = 24

func (r Report) where() string {
	if r.FullPlanURL != "" {
		return fmt.Sprintf("[the full plan](%s)", r.FullPlanURL)
	}
	return "the job summary"
}

// shorten fits the diffs in budget bytes: each gets an even share, diffs
// smaller than their share keep all of it and leave the rest to the
// others; a cut diff ends with a line saying how much is left out.
func (r Report) shorten(diffs []string, budget int) []string {
	out := make([]string, len(diffs))
	order := make([]int, 0, len(diffs))
	for i, d := range diffs {
		if d != "" {
			order = append(order, i)
		}
	}
	sort.SliceStable(order, func(a, b int) bool { return len(diffs[order[a]]) < len(diffs[order[b]]) })
	left := max(budget, 0)
	for k, i := range order {
		share := left / (len(order) - k)
		d := diffs[i]
		if len(d)+fenceOverhead <= share {
			out[i] = d
			left -= len(d) + fenceOverhead
			continue
		}
		total := strings.Count(d, "\n")
		note := func(kept int) string {
			return fmt.Sprintf("# ... %d more line(s) of this diff: see %s\n", total-kept, r.whereText())
		}
		room := share - fenceOverhead - len(note(0))
		cut := ""
		if room > 0 {
			cut = cutLines(d, room)
		}
		kept := strings.Count(cut, "\n")
		if cut == "" && room <= 0 {
			out[i] = ""
			continue
		}
		out[i] = cut + note(kept)
		left -= len(out[i]) + fenceOverhead
	}
	return out
}

func (r Report) whereText() string {
	if r.FullPlanURL != "" {
		return "the full plan, " + r.FullPlanURL
	}
	return "the job summary"
}

// cutLines returns the longest prefix of s made of whole lines within n
// bytes.
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
