package actionmode

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hubfleet/hubfleet/internal/fleet"
	"github.com/hubfleet/hubfleet/internal/github"
	"github.com/hubfleet/hubfleet/internal/overlay"
	"github.com/hubfleet/hubfleet/internal/plan"
	"github.com/hubfleet/hubfleet/internal/report"
	"github.com/hubfleet/hubfleet/internal/site"
	"github.com/hubfleet/hubfleet/internal/workspace"
)

// maxJobSummary keeps the job summary under GitHub's 1 MiB per step.
const maxJobSummary = 1000 * 1000

func (r *runner) plan(ctx context.Context) error {
	ws, err := workspace.Load(ctx, r.root, workspace.Options{})
	if err == nil && ws.Fleet == nil {
		err = ws.Errors()
	}
	if err != nil {
		r.rep.Annotate(report.Annotation{Level: report.LevelError, Title: "hubfleet: cannot load the fleet", Message: err.Error()})
		return fmt.Errorf("plan: %w", err)
	}
	repo, err := r.repo(ctx)
	if err != nil {
		return fmt.Errorf("plan: %w", err)
	}
	req := plan.Request{Workspace: ws, StaleFails: true,
		Confirm:        &plan.Confirmation{Labels: r.env.PRLabels, Body: r.env.PRBody},
		CompareOptions: r.opts.Compare, Base: r.baseBranch()}
	req.Charts = r.env.PlanCharts
	req.Strict = r.env.Strict
	res, err := plan.Run(ctx, repo, req)
	if err != nil {
		return fmt.Errorf("plan: %w", err)
	}
	// The result is masked already, by the flow; the runner masks the
	// same values in the log, and whatever else is printed here.
	r.maskSecrets(res)
	if res.Incomplete != nil {
		// Validation and staleness still decide the check.
		r.rep.Annotate(report.Annotation{Level: report.LevelWarning, Title: "hubfleet: plan incomplete", Message: res.Incomplete.Error()})
	}
	p, rep := res.Plan, res.Report
	for _, w := range p.Warnings {
		r.rep.Annotate(report.Annotation{Level: report.LevelWarning, Title: "hubfleet: plan incomplete", Message: w})
	}
	bySite := map[string]plan.SiteChange{}
	for _, sc := range p.Sites {
		bySite[sc.Site] = sc
	}
	for _, n := range res.Sites {
		sc, planned := bySite[n]
		r.rep.Group("site " + n)
		for _, pr := range res.Problems {
			if overlay.SiteOf(pr.File) == n {
				r.annotateProblem(pr)
			}
		}
		for _, s := range res.StaleFiles {
			if s.Site == n {
				r.rep.Annotate(report.Annotation{Level: report.LevelError, File: s.Path, Title: "hubfleet: stale overlay",
					Message: fmt.Sprintf("%s differs from a fresh render of site %s: run `hubfleet render` and commit the result", s.Path, n)})
			}
		}
		if planned {
			r.rep.Logf("%s", plan.SiteLine(sc))
			for _, d := range sc.OneWayDoors {
				level, msg := report.LevelWarning, d.Detail
				if d.Kind == plan.DoorSiteRemoval && slices.Contains(res.Unconfirmed, n) {
					level, msg = report.LevelError, msg+" "+plan.RemovalHint(n)
				}
				r.rep.Annotate(report.Annotation{Level: level, File: fleet.SitePath(n), Title: "hubfleet: one-way door", Message: msg})
			}
			for _, pr := range sc.Problems {
				r.rep.Annotate(report.Annotation{Level: report.LevelError, File: fleet.SitePath(n), Title: "hubfleet: chart would not install", Message: pr.String()})
			}
			if sc.Unverified != "" {
				level := report.LevelWarning
				if r.env.Strict {
					level = report.LevelError
				}
				r.rep.Annotate(report.Annotation{Level: level, File: fleet.SitePath(n), Title: "hubfleet: site unverified", Message: sc.Unverified})
			}
		}
		r.rep.EndGroup()
	}
	for _, pr := range res.Problems {
		if overlay.SiteOf(pr.File) == "" {
			r.annotateProblem(pr)
		}
	}

	var errs []error
	full := rep.Full()
	planFile, err := r.writePlanFile(full)
	if err != nil {
		errs = append(errs, err)
	}
	if planFile != "" && r.env.RunURL() != "" {
		rep.FullPlanURL = r.env.RunURL() + "#artifacts"
	}
	if len(full) > maxJobSummary {
		full = full[:strings.LastIndexByte(full[:maxJobSummary-200], '\n')+1] + "\n> [!NOTE]\n> The plan is longer than a job summary holds: the artifact `hubfleet-plan` has all of it.\n"
	}
	if err := r.rep.AddSummary(full); err != nil {
		errs = append(errs, err)
	}

	commentURL := ""
	if r.env.PullRequest > 0 {
		body := rep.Comment(github.PlanMarker+"\n", r.opts.CommentLimit)
		if r.publishing() {
			gh, err := r.github()
			if err == nil {
				var res github.CommentResult
				res, err = gh.UpsertComment(ctx, r.env.PullRequest, github.PlanMarker, body)
				if err == nil {
					commentURL = res.URL
					r.rep.Logf("plan comment %s: %s", res.Action, res.URL)
				}
			}
			if err != nil {
				// Fork pull requests get a read-only token: the summary and
				// annotations still carry the plan.
				r.rep.Annotate(report.Annotation{Level: report.LevelWarning, Title: "hubfleet: no plan comment",
					Message: fmt.Sprintf("could not update the plan comment on #%d: %v", r.env.PullRequest, err)})
			}
		} else {
			r.rep.Logf("would update the plan comment on #%d (%d bytes); pass --publish to do it", r.env.PullRequest, len(body))
		}
	}

	if err := r.outputs(
		"sites", lines(res.Sites),
		"failed-sites", lines(res.Failed),
		"changed", fmt.Sprint(len(res.Changed) > 0),
		"problems", fmt.Sprint(res.ChartProblems),
		"unverified-sites", lines(res.Unverified),
		"comment-url", commentURL,
		"plan-file", planFile,
	); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("plan: %w", err)
	}
	if len(res.Reasons) > 0 {
		return &FailedError{Mode: "plan", Reasons: res.Reasons}
	}
	return nil
}

// writePlanFile writes the full plan where the workflow uploads it as an
// artifact: HUBFLEET_PLAN_FILE, else hubfleet-plan.md under RUNNER_TEMP.
// Outside a runner, without HUBFLEET_PLAN_FILE, nothing is written.
func (r *runner) writePlanFile(full string) (string, error) {
	p := r.env.PlanFile
	if p == "" && r.env.RunnerTemp != "" {
		p = filepath.Join(r.env.RunnerTemp, "hubfleet-plan.md")
	}
	if p == "" {
		return "", nil
	}
	if err := os.WriteFile(p, []byte(full), 0o644); err != nil {
		return "", fmt.Errorf("write the full plan: %w", err)
	}
	return p, nil
}

func (r *runner) annotateProblem(p *site.FieldError) {
	msg := p.Msg
	if p.Field != "" {
		msg = p.Field + ": " + msg
	}
	if p.Fix != "" {
		msg += " (fix: " + p.Fix + ")"
	}
	r.rep.Annotate(report.Annotation{Level: report.LevelError, File: p.File, Line: p.Line, Title: "hubfleet: invalid site", Message: msg})
}
