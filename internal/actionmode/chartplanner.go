package actionmode

import (
	"context"
	"fmt"
	"strings"

	"github.com/hubfleet/hubfleet/internal/plan"
)

// ChartPlanner is the Planner over the chart-level plan (internal/plan):
// Build computes the plan of the named sites between baseRef and the work
// tree at root (the caller pairs base and head states and renders them);
// ChartPlanner turns it into per-site plans.
type ChartPlanner struct {
	Build func(ctx context.Context, root, baseRef string, sites []string) (*plan.Plan, error)
}

var _ Planner = ChartPlanner{}

// Plan implements Planner.
func (c ChartPlanner) Plan(ctx context.Context, root, baseRef string, sites []string) ([]SitePlan, error) {
	p, err := c.Build(ctx, root, baseRef, sites)
	if p == nil {
		return nil, err
	}
	return SitePlansFrom(p), err
}

// SitePlansFrom converts a chart-level plan into per-site plans: the chart
// version changes summarise, the overlay and chart-object diffs are the
// details, render problems are listed and one-way doors carried over.
func SitePlansFrom(p *plan.Plan) []SitePlan {
	var out []SitePlan
	for _, s := range mergeSiteChanges(p.Sites) {
		sp := SitePlan{Site: s.Site, Change: Change(s.Status)}
		var parts []string
		for _, c := range s.Charts {
			switch {
			case c.FromVersion == "":
				parts = append(parts, fmt.Sprintf("%s %s", c.Chart, c.ToVersion))
			case c.ToVersion == "":
				parts = append(parts, fmt.Sprintf("%s %s removed", c.Chart, c.FromVersion))
			default:
				parts = append(parts, fmt.Sprintf("%s %s → %s", c.Chart, c.FromVersion, c.ToVersion))
			}
		}
		if s.Status != plan.Unchanged {
			parts = append(parts, fmt.Sprintf("%d file(s), %d chart object(s)", len(s.Files), len(s.Objects)))
		}
		if len(s.Problems) > 0 {
			parts = append(parts, fmt.Sprintf("%d chart problem(s)", len(s.Problems)))
		}
		sp.Summary = strings.Join(parts, ", ")
		for _, d := range s.OneWayDoors {
			sp.OneWayDoors = append(sp.OneWayDoors, fmt.Sprintf("%s: %s", d.Kind, d.Detail))
		}
		for _, pr := range s.Problems {
			sp.Problems = append(sp.Problems, pr.String())
		}
		var b strings.Builder
		if len(s.Problems) > 0 {
			b.WriteString("**Chart problems**\n\n")
			for _, pr := range s.Problems {
				fmt.Fprintf(&b, "- %s\n", mdEscape(pr.String()))
			}
			b.WriteString("\n")
		}
		if files := joinDiffs(s.Files); files != "" {
			b.WriteString("**Overlay files**\n\n" + fence("diff", files) + "\n")
		}
		if objs := joinDiffs(s.Objects); objs != "" {
			b.WriteString("**Rendered chart objects**\n\n" + fence("diff", objs) + "\n")
		}
		sp.Details = b.String()
		out = append(out, sp)
	}
	return out
}

// mergeSiteChanges merges the entries of a site with several releases
// (jupyterhub and dask-gateway composed), keeping the first entry's order.
func mergeSiteChanges(in []plan.SiteChange) []plan.SiteChange {
	rank := map[plan.Status]int{plan.Unchanged: 0, plan.Changed: 1, plan.Added: 2, plan.Removed: 2}
	var out []plan.SiteChange
	idx := map[string]int{}
	for _, s := range in {
		i, ok := idx[s.Site]
		if !ok {
			idx[s.Site] = len(out)
			out = append(out, s)
			continue
		}
		o := &out[i]
		if rank[s.Status] > rank[o.Status] {
			o.Status = s.Status
		}
		o.Files = append(o.Files, s.Files...)
		o.Objects = append(o.Objects, s.Objects...)
		o.Charts = append(o.Charts, s.Charts...)
		o.OneWayDoors = append(o.OneWayDoors, s.OneWayDoors...)
		o.Problems = append(o.Problems, s.Problems...)
	}
	return out
}

func joinDiffs(ds []plan.Diff) string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString(d.Unified)
		if !strings.HasSuffix(d.Unified, "\n") {
			b.WriteString("\n")
		}
	}
	return b.String()
}
