package plan

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

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
		if s.VerdictOf() == VerdictUnchanged {
			out = append(out, s.Site)
		}
	}
	return out
}

// VerdictOf is the site's verdict: Verdict, or its Status when the plan
// was built without one.
func (sc SiteChange) VerdictOf() Verdict {
	if sc.Verdict != "" {
		return sc.Verdict
	}
	return Verdict(sc.Status)
}

// Verdicts counts the sites per verdict.
func (p *Plan) Verdicts() map[Verdict]int {
	c := map[Verdict]int{}
	for _, s := range p.Sites {
		c[s.VerdictOf()]++
	}
	return c
}

// verdictOrder is the order verdicts are counted in.
var verdictOrder = []Verdict{VerdictProblem, VerdictUnverified, VerdictChanged, VerdictAdded, VerdictRemoved, VerdictUnchanged}

func summaryLine(p *Plan) string {
	c := p.Counts()
	changed := c[Changed] + c[Added] + c[Removed]
	parts := []string{fmt.Sprintf("%d of %d sites change", changed, len(p.Sites))}
	v := p.Verdicts()
	for _, st := range verdictOrder {
		if v[st] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", v[st], st))
		}
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return parts[0] + " (" + strings.Join(parts[1:], ", ") + ")"
}

func statusMark(v Verdict) string {
	switch v {
	case VerdictAdded:
		return "+"
	case VerdictRemoved:
		return "-"
	case VerdictChanged:
		return "~"
	case VerdictProblem:
		return "!"
	case VerdictUnverified:
		return "?"
	}
	return "="
}

// verdictWords is a site's verdict with its change when they differ:
// "problem (changed)".
func verdictWords(sc SiteChange) string {
	v := sc.VerdictOf()
	if string(v) != string(sc.Status) && sc.Status != "" {
		return fmt.Sprintf("%s (%s)", v, sc.Status)
	}
	return string(v)
}

// SiteLine is a site's plan in one line, in the plan's words: its status,
// its chart version changes, and how many files and chart objects change.
func SiteLine(sc SiteChange) string {
	parts := []string{verdictWords(sc)}
	for _, c := range sc.Charts {
		parts = append(parts, ChartLine(c))
	}
	if sc.Status != Unchanged {
		parts = append(parts, fmt.Sprintf("%d file(s), %d chart object(s)", len(sc.Files), len(sc.Objects)))
	}
	return strings.Join(parts, ": ")
}

// ChartLine says how a chart's version changes, in the words every plan,
// pull request and summary use: "jupyterhub 4.4.0 -> 3.2.1 (app 5.5.0 ->
// 4.0.2), a downgrade".
func ChartLine(c ChartChange) string {
	s := fmt.Sprintf("%s %s -> %s", c.Chart, orNone(c.FromVersion), orNone(c.ToVersion))
	if c.FromAppVersion != c.ToAppVersion {
		s += fmt.Sprintf(" (app %s -> %s)", orNone(c.FromAppVersion), orNone(c.ToAppVersion))
	}
	if Downgrade(c.FromVersion, c.ToVersion) {
		s += ", a downgrade"
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
	on := ""
	if p.Base != "" {
		on = " against " + shortRef(p.Base)
	}
	fmt.Fprintf(&b, "Plan%s: %s\n", on, summaryLine(p))
	for _, warn := range p.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", warn)
	}
	for _, s := range p.Sites {
		if s.VerdictOf() == VerdictUnchanged {
			continue
		}
		fmt.Fprintf(&b, "\n%s site %s: %s\n", statusMark(s.VerdictOf()), s.Site, verdictWords(s))
		for _, l := range s.Invalid {
			fmt.Fprintf(&b, "  INVALID: %s\n", l)
		}
		if s.Unverified != "" {
			fmt.Fprintf(&b, "  UNVERIFIED: %s\n", s.Unverified)
		}
		if s.Stale != "" {
			fmt.Fprintf(&b, "  STALE: the overlay differs from a fresh render: run 'hubfleet render' and commit the result\n")
		}
		for _, c := range s.Charts {
			fmt.Fprintf(&b, "  chart %s\n", ChartLine(c))
		}
		for _, d := range s.OneWayDoors {
			fmt.Fprintf(&b, "  ONE-WAY DOOR (%s): %s\n", d.Kind, d.Detail)
		}
		for _, pr := range s.Problems {
			fmt.Fprintf(&b, "  PROBLEM: %s\n", pr)
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
		if l := labelOnlyLine(s); l != "" {
			fmt.Fprintf(&b, "  %s\n", l)
		}
	}
	if names := unchangedNames(p); len(names) > 0 {
		fmt.Fprintf(&b, "\n= %d unchanged: %s\n", len(names), strings.Join(names, ", "))
	}
	if n := p.Problems(); n > 0 {
		fmt.Fprintf(&b, "\n%d problem(s): a chart would not install as planned\n", n)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// labelOnlyLine summarises the objects whose only change is a
// chart-version label, or "".
func labelOnlyLine(s SiteChange) string {
	if len(s.LabelOnly) == 0 {
		return ""
	}
	return fmt.Sprintf("%d chart object(s) differ only in chart-version labels (helm.sh/chart, chart, app.kubernetes.io/version): not shown", len(s.LabelOnly))
}

func shortRef(s string) string {
	if len(s) == 40 {
		return s[:12]
	}
	return s
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
