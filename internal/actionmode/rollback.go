package actionmode

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hubfleet/hubfleet/internal/fleet"
	"github.com/hubfleet/hubfleet/internal/github"
	"github.com/hubfleet/hubfleet/internal/gitrepo"
	"github.com/hubfleet/hubfleet/internal/markdown"
	"github.com/hubfleet/hubfleet/internal/plan"
	"github.com/hubfleet/hubfleet/internal/report"
	"github.com/hubfleet/hubfleet/internal/rollback"
)

func (r *runner) rollback(ctx context.Context) error {
	if len(r.env.Sites) > 1 {
		return fmt.Errorf("rollback: one site at a time, got %s", strings.Join(r.env.Sites, ", "))
	}
	repo, err := r.repo(ctx)
	if err != nil {
		return fmt.Errorf("rollback: %w", err)
	}
	base := r.baseBranch()
	publish := r.publishing()
	req := rollback.Request{Commit: r.env.Commit, InPlace: publish, ToMain: r.env.PushToMain, Compare: r.opts.Compare}
	req.Compare.Charts = r.env.PlanCharts
	if len(r.env.Sites) == 1 {
		req.Site = r.env.Sites[0]
	}
	res, err := rollback.Run(ctx, repo, req)
	var invalid *rollback.InvalidError
	if errors.As(err, &invalid) {
		for _, p := range invalid.Problems {
			r.annotateProblem(p)
		}
		return errors.Join(&FailedError{Mode: "rollback", Reasons: []string{fmt.Sprintf("%d problem(s) in the fleet: nothing was reverted", len(invalid.Problems))}},
			r.rep.AddSummary(fmt.Sprintf("### hubfleet rollback\n\n❌ Not rolled back: the fleet has %d problem(s).\n", len(invalid.Problems))))
	}
	if err != nil {
		var ce *gitrepo.ConflictError
		if errors.As(err, &ce) {
			for _, f := range ce.Files {
				r.rep.Annotate(report.Annotation{Level: report.LevelError, File: f, Title: "hubfleet: rollback conflict",
					Message: fmt.Sprintf("reverting conflicts with later changes to %s; nothing was changed. Revert by hand or roll back the later commits first.", f)})
			}
			_ = r.rep.AddSummary(fmt.Sprintf("### hubfleet rollback\n\n❌ The revert conflicts in %s. Nothing was changed.\n", strings.Join(ce.Files, ", ")))
		}
		return err
	}
	for _, w := range res.Warnings {
		r.rep.Annotate(report.Annotation{Level: report.LevelWarning, Title: "hubfleet: scratch work tree", Message: w})
	}
	ids := res.Targets
	if len(res.Mismatched) > 0 {
		r.rep.Annotate(report.Annotation{Level: report.LevelWarning, Title: "hubfleet: partial rollback",
			Message: fmt.Sprintf("after the revert these files still differ from before %s (later commits changed them): %s", gitrepo.Short(ids[0].ID), strings.Join(res.Mismatched, ", "))})
	}
	if len(res.Others) > 0 {
		r.rep.Annotate(report.Annotation{Level: report.LevelWarning, Title: "hubfleet: rollback reaches other sites",
			Message: fmt.Sprintf("%s also changed %s: the revert rolls them back too", gitrepo.Short(ids[0].ID), strings.Join(res.Others, ", "))})
	}
	back := res.Plan
	for _, w := range back.Warnings {
		r.rep.Annotate(report.Annotation{Level: report.LevelWarning, Title: "hubfleet: plan incomplete", Message: w})
	}
	title := res.Title()
	body := rollbackBody(res)
	for _, sc := range back.Sites {
		for _, d := range sc.OneWayDoors {
			r.rep.Annotate(report.Annotation{Level: report.LevelWarning, File: fleet.SitePath(sc.Site), Title: "hubfleet: one-way door", Message: d.Kind + ": " + d.Detail})
		}
	}

	branch := res.Branch(r.env.BranchPrefix)
	if !publish {
		where := fmt.Sprintf("push branch %s and open a pull request %q into %s", branch, title, base)
		if r.env.PushToMain {
			where = "push the revert to " + base
		}
		r.rep.Logf("would %s; nothing was committed or pushed. Pass --publish to do it.", where)
		return errors.Join(r.rep.AddSummary(body),
			r.outputs("changed", "false", "commit", "", "pull-request-number", "", "pull-request-url", ""))
	}
	var errs []error
	if r.env.PushToMain {
		if err := repo.Push(ctx, base); err != nil {
			return fmt.Errorf("rollback: %w", err)
		}
		head, err := repo.Head(ctx)
		if err != nil {
			return fmt.Errorf("rollback: %w", err)
		}
		r.rep.Logf("pushed revert %s to %s", gitrepo.Short(head), base)
		errs = append(errs, r.rep.AddSummary(body), r.outputs("changed", "true", "commit", head, "pull-request-number", "", "pull-request-url", ""))
		return errors.Join(errs...)
	}

	if err := repo.CreateBranch(ctx, branch, res.Revert); err != nil {
		return fmt.Errorf("rollback: %w", err)
	}
	up, err := repo.PublishBranch(ctx, branch, title)
	if err != nil {
		return fmt.Errorf("rollback: %w", err)
	}
	gh, err := r.github()
	if err != nil {
		return fmt.Errorf("rollback: %w", err)
	}
	pr, err := gh.EnsurePullRequest(ctx, github.PullRequestSpec{Head: branch, Base: base, Title: title, Body: body})
	if err != nil {
		return fmt.Errorf("rollback: %w", err)
	}
	r.rep.Logf("pull request #%d %s: %s", pr.Number, pr.Action, pr.URL)
	return errors.Join(r.rep.AddSummary(body),
		r.outputs("changed", "true", "commit", up.Commit, "pull-request-number", fmt.Sprint(pr.Number), "pull-request-url", pr.URL))
}

func rollbackBody(res *rollback.Result) string {
	back := res.Plan
	var b strings.Builder
	b.WriteString("### hubfleet rollback\n\nReverts (a real `git revert`; Flux applies it as a forward `helm upgrade` to the old chart and values, not a Helm rollback):\n\n")
	for _, c := range res.Targets {
		fmt.Fprintf(&b, "- %s %s\n", gitrepo.Short(c.ID), markdown.Cell(c.Subject))
	}
	var rows []string
	var doors []string
	for _, sc := range back.Sites {
		for _, c := range sc.Charts {
			rows = append(rows, fmt.Sprintf("| `%s` | %s |", sc.Site, markdown.Cell(plan.ChartLine(c))))
		}
		for _, d := range sc.OneWayDoors {
			doors = append(doors, fmt.Sprintf("`%s` **%s**: %s", sc.Site, d.Kind, markdown.Cell(d.Detail)))
		}
	}
	if len(rows) > 0 {
		b.WriteString("\n**What comes back** (now -> after the rollback)\n\n| Site | Chart |\n|---|---|\n")
		b.WriteString(strings.Join(rows, "\n") + "\n")
	}
	var files []string
	for _, p := range res.Restored {
		files = append(files, "`"+p+"`")
	}
	if len(files) > 0 {
		fmt.Fprintf(&b, "\nFiles restored: %s.\n", strings.Join(files, ", "))
	}
	if len(res.Mismatched) == 0 {
		b.WriteString("\nThe reverted overlays equal the overlays before the change, byte for byte.\n")
	} else {
		fmt.Fprintf(&b, "\n> [!NOTE]\n> Later commits also changed %s: those changes stay.\n", strings.Join(res.Mismatched, ", "))
	}
	if len(res.Others) > 0 {
		fmt.Fprintf(&b, "\n> [!IMPORTANT]\n> The reverted commit also changed %s: this rolls them back too.\n", strings.Join(res.Others, ", "))
	}
	for _, w := range back.Warnings {
		fmt.Fprintf(&b, "\n> [!WARNING]\n> %s\n", markdown.Cell(w))
	}
	if len(doors) > 0 {
		b.WriteString("\n> [!CAUTION]\n> **One-way doors crossed back over**:\n")
		for _, d := range doors {
			fmt.Fprintf(&b, "> - %s\n", d)
		}
	}
	return b.String()
}
