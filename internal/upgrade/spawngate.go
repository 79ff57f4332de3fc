package upgrade

import (
	"context"
	"fmt"

	"github.com/hubfleet/hubfleet/internal/github"
)

// SpawnStatusContext is the commit status context of a site's spawn probe
// (verify --spawn: a server started, code and a Dask computation run in
// it), which the canary gate reads when the fleet's rollout policy asks
// for it (spec.rollout.spawnCheck).
func SpawnStatusContext(site string) string { return "hubfleet/verify-spawn/" + site }

// SpawnStatus is a site's spawn probe status on the commit the gate reads.
type SpawnStatus struct {
	// Context is SpawnStatusContext(site).
	Context string
	// State is empty when the commit has no such status.
	State github.State
	// Description says how long the server took and what Dask computed,
	// or which stage failed and why.
	Description string
}

// StatusDetailReader reads the latest status of each context whole, with
// its description; *github.Client is one. The canary gate shows the spawn
// probe's description when its StatusReader is one too.
type StatusDetailReader interface {
	LatestStatusDetails(ctx context.Context, ref string) (map[string]github.Status, error)
}

// spawnStatus is the site's spawn status when the fleet's rollout policy
// asks for the spawn probe (spec.rollout.spawnCheck), else nil.
func (g *gate) spawnStatus(ctx context.Context, site string) (*SpawnStatus, error) {
	if !g.fleet.Spec.Rollout.SpawnCheck {
		return nil, nil
	}
	if g.details == nil {
		g.details = map[string]github.Status{}
		if dr, ok := g.opts.Statuses.(StatusDetailReader); ok {
			d, err := dr.LatestStatusDetails(ctx, g.commit)
			if err != nil {
				return nil, fmt.Errorf("spawn probe statuses: %w", err)
			}
			g.details = d
		}
	}
	c := SpawnStatusContext(site)
	st := &SpawnStatus{Context: c, State: g.statuses[c]}
	if d, ok := g.details[c]; ok {
		st.State, st.Description = d.State, d.Description
	}
	return st, nil
}

// SpawnText is the site's spawn probe status for the pull request and the
// log ("" when the policy does not ask for it).
func (s SiteStatus) SpawnText(md bool) string {
	if s.Spawn == nil {
		return ""
	}
	state := string(s.Spawn.State)
	if state == "" {
		state = "no status yet"
	}
	if s.Spawn.Description != "" {
		state += ": " + s.Spawn.Description
	}
	if md {
		return fmt.Sprintf("; `%s`: %s", s.Spawn.Context, state)
	}
	return fmt.Sprintf("; %s %s", s.Spawn.Context, state)
}
