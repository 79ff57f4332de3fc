package actionmode

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/hubfleet/hubfleet/internal/fleet"
	"github.com/hubfleet/hubfleet/internal/gitrepo"
	"github.com/hubfleet/hubfleet/internal/markdown"
	"github.com/hubfleet/hubfleet/internal/overlay"
	"github.com/hubfleet/hubfleet/internal/report"
	"github.com/hubfleet/hubfleet/internal/workspace"
	"github.com/hubfleet/hubfleet/internal/writeset"
)

func (r *runner) render(ctx context.Context) error {
	// The render and its decision are the flow's, as for `hubfleet
	// render`: the values against the chart schemas, and what the render
	// would refuse. This mode publishes them and commits the files.
	rr, err := workspace.RunRender(ctx, workspace.RenderRequest{Root: r.root})
	if err != nil {
		r.rep.Annotate(report.Annotation{Level: report.LevelError, Title: "hubfleet: cannot load the fleet", Message: err.Error()})
		return fmt.Errorf("render: %w", err)
	}
	ws, changes := rr.Workspace, rr.Changes
	names := ws.Names()
	for _, w := range rr.Warnings {
		r.rep.Annotate(report.Annotation{Level: report.LevelWarning, File: w.File, Line: w.Line, Title: "hubfleet: warning", Message: strings.TrimSpace(w.Field + " " + w.Msg)})
	}
	if errs := rr.Problems; len(errs) > 0 {
		for _, p := range errs {
			r.annotateProblem(p)
		}
		var b strings.Builder
		fmt.Fprintf(&b, "### hubfleet render\n\nNot rendered: the fleet has %d problem(s).\n\n", len(errs))
		for _, p := range errs {
			fmt.Fprintf(&b, "- `%s:%d` %s\n", p.File, p.Line, markdown.Cell(strings.TrimSpace(p.Field+" "+p.Msg)))
		}
		return errors.Join(&FailedError{Mode: "render", Reasons: rr.Reasons},
			r.rep.AddSummary(b.String()), r.outputs("changed", "false", "sites", lines(names)))
	}
	for _, m := range rr.Facts {
		r.rep.Annotate(report.Annotation{Level: report.LevelWarning, File: fleet.FleetFile, Title: "hubfleet: chart facts assumed", Message: m})
	}
	if len(changes) == 0 {
		r.rep.Logf("overlays are up to date")
		return errors.Join(
			r.rep.AddSummary("### hubfleet render\n\nOverlays are up to date: nothing to commit.\n"),
			r.outputs("changed", "false", "sites", lines(names), "commit", ""))
	}

	repo, err := r.repo(ctx)
	if err != nil {
		return fmt.Errorf("render: %w", err)
	}
	branch := r.env.RefName
	if branch == "" {
		if branch, err = repo.CurrentBranch(ctx); err != nil {
			return fmt.Errorf("render: %w", err)
		}
	}
	if branch == "" {
		return errors.New("render: detached HEAD and no GITHUB_REF_NAME: cannot tell which branch to push")
	}
	if err := writeset.Apply(r.root, changes); err != nil {
		return fmt.Errorf("render: %w", err)
	}
	paths := make([]string, len(changes))
	for i, c := range changes {
		paths[i] = c.Path
	}
	sites := map[string]bool{}
	for _, p := range paths {
		if s := overlay.SiteOf(p); s != "" {
			sites[s] = true
		}
	}
	names = slices.Sorted(maps.Keys(sites))
	for _, n := range names {
		r.rep.Group("site " + n)
		for _, p := range paths {
			if overlay.SiteOf(p) == n {
				r.rep.Logf("rendered %s", p)
			}
		}
		r.rep.EndGroup()
	}
	msg := fmt.Sprintf("Render overlays of %s\n\nThe overlays were stale after %s; re-rendered by hubfleet.", strings.Join(names, ", "), gitrepo.Short(r.env.SHA))
	_, err = repo.Commit(ctx, msg, paths...)
	if errors.Is(err, gitrepo.ErrNothingToCommit) {
		r.rep.Logf("render wrote no change git can see")
		return r.outputs("changed", "false", "sites", lines(ws.Names()), "commit", "")
	}
	if err != nil {
		return fmt.Errorf("render: %w", err)
	}
	if err := repo.Push(ctx, branch); err != nil {
		var ce *gitrepo.ConflictError
		if errors.As(err, &ce) {
			r.rep.Annotate(report.Annotation{Level: report.LevelError, Title: "hubfleet: render push conflict",
				Message: fmt.Sprintf("a concurrent change to %s conflicts with the re-rendered overlays; the next render run will redo them", strings.Join(ce.Files, ", "))})
		}
		return fmt.Errorf("render: %w", err)
	}
	head, err := repo.Head(ctx)
	if err != nil {
		return fmt.Errorf("render: %w", err)
	}
	sort.Strings(paths)
	var b strings.Builder
	fmt.Fprintf(&b, "### hubfleet render\n\nCommitted `%s` to `%s`: re-rendered %d file(s) of %s.\n\n", gitrepo.Short(head), branch, len(paths), strings.Join(names, ", "))
	for _, p := range paths {
		fmt.Fprintf(&b, "- `%s`\n", p)
	}
	return errors.Join(r.rep.AddSummary(b.String()),
		r.outputs("changed", "true", "sites", lines(names), "commit", head))
}
