package workspace

import (
	"context"
	"fmt"

	"github.com/hubfleet/hubfleet/internal/flux"
	"github.com/hubfleet/hubfleet/internal/progress"
	"github.com/hubfleet/hubfleet/internal/site"
)

// RenderRequest is one render: what `hubfleet render` and the Action's
// render mode ask.
type RenderRequest struct {
	// Root is the fleet repository's work tree.
	Root string
	// Sites limits the render (empty: every site); each must exist.
	Sites []string
	// ChartCache is the chart cache the values are checked against;
	// empty means the user's.
	ChartCache string
	// Check makes stale files (the render differs from the files on disk)
	// fail the render, as a check does.
	Check bool
}

// RenderResult is the render and the decision on it; the front-ends
// print or publish it, and write Changes when it passes.
type RenderResult struct {
	// Workspace is the loaded work tree.
	Workspace *Workspace
	// Files are the rendered files, Changes how they differ from the
	// files on disk (nothing is written).
	Files   flux.Files
	Changes []flux.Change
	// Problems are the errors that stop the render: nothing is rendered.
	// Warnings do not.
	Problems, Warnings site.ErrorList
	// Facts are the chart facts the values had to assume, one line each.
	Facts []string
	// Sites is the number of sites rendered.
	Sites int
	// Reasons say why the render fails; empty when it passes.
	Reasons []string
}

// RunRender is the render flow, the one entry point of both front-ends:
// it loads the work tree with the values checked against the chart
// schemas and what the render would refuse (ForRender), and renders the
// selected sites when the fleet has no problem. An unknown site in
// req.Sites is the error, as is a render that cannot run.
func RunRender(ctx context.Context, req RenderRequest) (*RenderResult, error) {
	ws, err := Load(ctx, req.Root, ForRender(req.ChartCache, req.Sites...))
	if err != nil {
		return nil, err
	}
	res := &RenderResult{Workspace: ws, Problems: ws.Errors(), Warnings: ws.Warnings()}
	if n := len(res.Problems); n > 0 {
		res.Reasons = append(res.Reasons, fmt.Sprintf("%d problem(s) in the fleet: nothing was rendered", n))
		return res, nil
	}
	sites, err := ws.Select(req.Sites)
	if err != nil {
		return nil, err
	}
	res.Sites = len(sites)
	res.Facts = FactWarnings(ws.Fleet, req.Sites)
	stop := progress.Start(ctx, "rendering %d site(s)", res.Sites)
	res.Files, res.Changes, err = ws.Render(ctx, req.Sites)
	stop()
	if err != nil {
		return nil, err
	}
	if req.Check && len(res.Changes) > 0 {
		res.Reasons = append(res.Reasons, fmt.Sprintf("%d rendered file(s) are stale: run 'hubfleet render' and commit the result", len(res.Changes)))
	}
	return res, nil
}
