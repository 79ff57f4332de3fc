package plan

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/hubfleet/hubfleet/internal/fleet"
	"github.com/hubfleet/hubfleet/internal/gitrepo"
	"github.com/hubfleet/hubfleet/internal/overlay"
	"github.com/hubfleet/hubfleet/internal/workspace"
)

// sides are the two sides of a plan of the work tree against a commit:
// the overlays committed at req.Base, read once, and the workspace's
// overlays (read once by workspace.Load), with rendered applied when the
// head is the fresh render. It returns the base commit and the sites
// planned: req.Sites, else every site with an overlay at Base or in the
// work tree.
func sides(ctx context.Context, repo *gitrepo.Repo, ws *workspace.Workspace, req Request, rendered []workspace.StaleFile) (commit string, base, head Sides, sites []string, err error) {
	ref := req.Base
	if ref == "" {
		ref = repo.DefaultBase(ctx)
	}
	if commit, err = repo.Resolve(ctx, ref); err != nil {
		return "", nil, nil, nil, fmt.Errorf("plan: base: %w", err)
	}
	if base, err = overlay.AtCommit(ctx, repo, commit, req.Sites); err != nil {
		return "", nil, nil, nil, fmt.Errorf("plan: overlays at %s: %w", ref, err)
	}
	head = ws.Overlays()
	for _, f := range rendered {
		if head[f.Site] == nil {
			head[f.Site] = overlay.Files{}
		}
		if f.New == nil {
			delete(head[f.Site], f.Path)
		} else {
			head[f.Site][f.Path] = f.New
		}
	}
	sites = req.Sites
	if len(sites) == 0 {
		set := map[string]bool{}
		for s := range base {
			set[s] = true
		}
		for s := range head {
			set[s] = true
		}
		sites = slices.Sorted(maps.Keys(set))
	}
	isFleet := ws.Has(fleet.FleetFile)
	for _, s := range sites {
		if isFleet && !ws.Has(fleet.SitePath(s)) {
			// The site file is gone: the site is removed, whichever of
			// its files goes first. An overlay left on disk (emptied by
			// render, or not rendered yet) and clusters/<site>/'s
			// Kustomization only carry the removal to the cluster.
			delete(head, s)
		}
	}
	return commit, base, head, sites, nil
}
