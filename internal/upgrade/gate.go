package upgrade

import (
	"context"
	"fmt"
	"slices"

	"github.com/Masterminds/semver/v3"

	"github.com/hubfleet/hubfleet/internal/github"
	"github.com/hubfleet/hubfleet/internal/site"
	"github.com/hubfleet/hubfleet/internal/workspace"
)

// newerThan reports whether version a is above b; versions that do not
// parse are compared as text.
func newerThan(a, b string) bool {
	va, errA := semver.NewVersion(a)
	vb, errB := semver.NewVersion(b)
	if errA != nil || errB != nil {
		return a != b && a > b
	}
	return va.GreaterThan(vb)
}

// gate decides whether staged canaries verified, reading the base branch
// head's commit statuses once.
type gate struct {
	opts     Request
	fleet    *site.Fleet
	sites    []*site.Site
	statuses map[string]github.State
	commit   string
	// details are the statuses whole, read for the spawn probe (spawngate.go).
	details map[string]github.Status
}

// split returns the names of the sites of the waves up to maxWave and of
// the later ones.
func (g *gate) split(maxWave int) (first, later []string) {
	for _, s := range g.sites {
		if s.Spec.Wave <= maxWave {
			first = append(first, s.Metadata.Name)
		} else {
			later = append(later, s.Metadata.Name)
		}
	}
	return first, later
}

// running returns the names of the sites of the waves up to maxWave that
// run the chart spec.charts.<key>: the umbrella in daskhub mode, the
// separate charts when composed.
func (g *gate) running(key string, maxWave int) []string {
	var out []string
	for _, s := range g.sites {
		if s.Spec.Wave > maxWave {
			continue
		}
		if workspace.RunsChart(s, g.fleet, key) {
			out = append(out, s.Metadata.Name)
		}
	}
	return out
}

// firstWaveRunning is the lowest wave with a site that runs the chart.
func (g *gate) firstWaveRunning(key string) (int, bool) {
	best, found := 0, false
	for _, s := range g.sites {
		if len(g.running(key, s.Spec.Wave)) > 0 && (!found || s.Spec.Wave < best) {
			if slices.Contains(g.running(key, s.Spec.Wave), s.Metadata.Name) {
				best, found = s.Spec.Wave, true
			}
		}
	}
	return best, found
}

// check reads the verification of the sites of the canary's waves that
// run the chart: only they can tell whether the canary works.
func (g *gate) check(ctx context.Context, key string, s site.ChartSource) (CanaryCheck, error) {
	c := CanaryCheck{Chart: s.Chart, Pin: s.Version, Version: s.Canary.Version, MaxWave: s.Canary.MaxWave, Running: g.running(key, s.Canary.MaxWave)}
	if g.statuses == nil {
		ref := g.opts.BaseCommit
		if ref == "" {
			ref = g.opts.BaseRef
		}
		if ref == "" {
			ref = "main"
		}
		if g.opts.Statuses == nil {
			return c, &CanaryUnverifiableError{Chart: s.Chart, Version: s.Canary.Version, Pin: s.Version, MaxWave: s.Canary.MaxWave, Sites: c.Running}
		}
		st, err := g.opts.Statuses.LatestStatuses(ctx, ref)
		if err != nil {
			return c, fmt.Errorf("verification of canary %s: %w", s.Canary.Version, err)
		}
		g.statuses, g.commit = st, ref
	}
	c.Commit = g.commit
	for _, st := range g.sites {
		if st.Spec.Wave > s.Canary.MaxWave || !slices.Contains(c.Running, st.Metadata.Name) {
			continue
		}
		n := st.Metadata.Name
		spawn, err := g.spawnStatus(ctx, n)
		if err != nil {
			return c, fmt.Errorf("verification of canary %s: %w", s.Canary.Version, err)
		}
		c.Sites = append(c.Sites, SiteStatus{Site: n, Wave: st.Spec.Wave, Context: StatusContext(n), State: g.statuses[StatusContext(n)], Spawn: spawn})
	}
	return c, nil
}
