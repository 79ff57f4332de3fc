package plan_test

import (
	"context"
	"testing"

	"github.com/hubfleet/hubfleet/internal/flowtest"
	"github.com/hubfleet/hubfleet/internal/gitrepo"
	"github.com/hubfleet/hubfleet/internal/gittest"
	"github.com/hubfleet/hubfleet/internal/overlay"
	"github.com/hubfleet/hubfleet/internal/plan"
	"github.com/hubfleet/hubfleet/internal/workspace"
)

// TestRunReadsEachOverlayOncePerSide plans a change of the example fleet
// and counts the overlay reads: one of the work tree (workspace.Load, which
// serves the render, the stale check and the guard from it) and one of the
// base commit, whatever the number of sites. It is not parallel: the count
// is the process's.
func TestRunReadsEachOverlayOncePerSide(t *testing.T) {
	ctx := context.Background()
	r := flowtest.New(t)
	r.Replace(r.Work, "clusters/egi-dev/site.yaml", "limit: 8G", "limit: 16G")
	r.Render(r.Work)
	opts := gitrepo.DefaultOptions()
	opts.Env = gittest.Isolated
	repo, err := gitrepo.Open(ctx, r.Work, opts)
	if err != nil {
		t.Fatal(err)
	}
	before := overlay.ReadCount()
	ws, err := workspace.Load(ctx, r.Work, workspace.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := plan.Run(ctx, repo, plan.Request{Workspace: ws, Base: "main"})
	if err != nil {
		t.Fatal(err)
	}
	if got := overlay.ReadCount() - before; got != 2 {
		t.Errorf("a plan read overlays %d times, want 2 (the work tree once, the base once)", got)
	}
	if len(res.Changed) != 1 || res.Changed[0] != "egi-dev" {
		t.Errorf("changed = %v, want egi-dev", res.Changed)
	}

	// Two given sides are not read at all.
	before = overlay.ReadCount()
	trees := &plan.Trees{Base: plan.Sides{"egi-dev": ws.Overlays()["egi-dev"]}, Head: plan.Sides{}, Sites: []string{"egi-dev"}}
	res, err = plan.Run(ctx, repo, plan.Request{Workspace: ws, Trees: trees})
	if err != nil {
		t.Fatal(err)
	}
	if got := overlay.ReadCount() - before; got != 0 {
		t.Errorf("a plan of given sides read overlays %d times, want 0", got)
	}
	if len(res.Removed) != 1 || res.Removed[0] != "egi-dev" {
		t.Errorf("removed = %v, want egi-dev", res.Removed)
	}
}
