package actionmode

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/hubfleet/hubfleet/internal/gitrepo"
	"github.com/hubfleet/hubfleet/internal/markdown"
	"github.com/hubfleet/hubfleet/internal/overlay"
	"github.com/hubfleet/hubfleet/internal/report"
)

func (r *runner) render(ctx context.Context) error {
	check, err := FleetRenderer{}.Check(ctx, r.root)
	if err != nil {
		r.rep.Annotate(report.Annotation{Level: report.LevelError, Title: "hubfleet: cannot load the fleet", Message: err.Error()})
		return fmt.Errorf("render: %w", err)
	}
	if len(check.Problems) > 0 {
		for _, p := range check.Problems {
			r.annotateProblem(p)
		}
		var b strings.Builder
		fmt.Fprintf(&b, "### hubfleet render\n\nNot rendered: the fleet has %d problem(s).\n\n", len(check.Problems))
		for _, p := range check.Problems {
			fmt.Fprintf(&b, "- `%s:%d` %s\n", p.File, p.Line, markdown.Cell(strings.TrimSpace(p.Field+" "+p.Message)))
		}
		return errors.Join(&FailedError{Mode: "render", Reasons: []string{fmt.Sprintf("%d problem(s) in the fleet", len(check.Problems))}},
			r.rep.AddSummary(b.String()), r.outputs("changed", "false", "sites", lines(check.Sites)))
	}
	if len(check.Stale) == 0 {
		r.rep.Logf("overlays are up to date")
		return errors.Join(
			r.rep.AddSummary("### hubfleet render\n\nOverlays are up to date: nothing to commit.\n"),
			r.outputs("changed", "false", "sites", lines(check.Sites), "commit", ""))
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
	paths, err := FleetRenderer{}.Write(ctx, r.root)
	if err != nil {
		return fmt.Errorf("render: %w", err)
	}
	sites := map[string]bool{}
	for _, p := range paths {
		if s := overlay.SiteOf(p); s != "" {
			sites[s] = true
		}
	}
	names := sortedKeys(sites)
	for _, n := range names {
		r.rep.Group("site " + n)
		for _, p := range paths {
			if overlay.SiteOf(p) == n {
				r.rep.Logf("rendered %s", p)
			}
		}
		r.rep.EndGroup()
	}
	msg := fmt.Sprintf("Render overlays of %s\n\nThe overlays were stale after %s; re-rendered by hubfleet.", strings.Join(names, ", "), shortID(r.env.SHA))
	_, err = repo.Commit(ctx, msg, paths...)
	if errors.Is(err, gitrepo.ErrNothingToCommit) {
		r.rep.Logf("render wrote no change git can see")
		return r.outputs("changed", "false", "sites", lines(check.Sites), "commit", "")
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
	fmt.Fprintf(&b, "### hubfleet render\n\nCommitted `%s` to `%s`: re-rendered %d file(s) of %s.\n\n", shortID(head), branch, len(paths), strings.Join(names, ", "))
	for _, p := range paths {
		fmt.Fprintf(&b, "- `%s`\n", p)
	}
	return errors.Join(r.rep.AddSummary(b.String()),
		r.outputs("changed", "true", "sites", lines(names), "commit", head))
}

func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
