package actionmode

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hubfleet/hubfleet/internal/github"
	"github.com/hubfleet/hubfleet/internal/plan"
	"github.com/hubfleet/hubfleet/internal/report"
)

// RemovalLabel on a pull request confirms every site removal it makes; a
// line "hubfleet: remove <site>" in its body confirms one.
const RemovalLabel = "hubfleet/remove-site"

// removalConfirmed reports whether the pull request confirms removing site.
func (e Env) removalConfirmed(site string) bool {
	for _, l := range e.PRLabels {
		if l == RemovalLabel {
			return true
		}
	}
	for _, line := range strings.Split(e.PRBody, "\n") {
		if strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(line), ".")) == "hubfleet: remove "+site {
			return true
		}
	}
	return false
}

// maxJobSummary keeps the job summary under GitHub's 1 MiB per step.
const maxJobSummary = 1000 * 1000

func (r *runner) plan(ctx context.Context) error {
	check, err := FleetRenderer{}.Check(ctx, r.root)
	if err != nil {
		r.rep.Annotate(report.Annotation{Level: report.LevelError, Title: "hubfleet: cannot load the fleet", Message: err.Error()})
		return fmt.Errorf("plan: %w", err)
	}
	repo, err := r.repo(ctx)
	if err != nil {
		return fmt.Errorf("plan: %w", err)
	}
	opts := plan.GitOptions{CompareOptions: r.opts.Compare, Base: r.baseBranch()}
	opts.Charts = r.env.PlanCharts
	opts.Fleet = check.Fleet
	p, err := plan.Make(ctx, repo, opts)
	if p == nil {
		return err
	}
	if err != nil {
		// Validation and staleness still decide the check.
		r.rep.Annotate(report.Annotation{Level: report.LevelWarning, Title: "hubfleet: plan incomplete", Message: err.Error()})
	}
	for _, w := range p.Warnings {
		r.rep.Annotate(report.Annotation{Level: report.LevelWarning, Title: "hubfleet: plan incomplete", Message: w})
	}
	rep := plan.Report{Plan: p, Invalid: map[string][]string{}, Stale: map[string]string{}, Confirmed: map[string]bool{}}
	for _, pr := range check.Problems {
		rep.Invalid[pr.Site] = append(rep.Invalid[pr.Site], pr.line())
	}
	staleFiles := map[string][]StaleFile{}
	for _, s := range check.Stale {
		rep.Stale[s.Site] += s.Diff
		staleFiles[s.Site] = append(staleFiles[s.Site], s)
	}
	bySite := map[string]plan.SiteChange{}
	names := map[string]bool{}
	for _, s := range check.Sites {
		names[s] = true
	}
	for _, sc := range p.Sites {
		bySite[sc.Site], names[sc.Site] = sc, true
	}

	if err := r.maskSecrets(ctx, repo, &rep); err != nil {
		return fmt.Errorf("plan: %w", err)
	}
	var failed, changed, unconfirmed []string
	problems := 0
	for _, n := range sortedKeys(names) {
		sc, planned := bySite[n]
		r.rep.Group("site " + n)
		for _, pr := range check.Problems {
			if pr.Site == n {
				r.annotateProblem(pr)
			}
		}
		for _, s := range staleFiles[n] {
			r.rep.Annotate(report.Annotation{Level: report.LevelError, File: s.Path, Title: "hubfleet: stale overlay",
				Message: fmt.Sprintf("%s differs from a fresh render of site %s: run `hubfleet render` and commit the result", s.Path, n)})
		}
		bad := len(rep.Invalid[n]) > 0 || len(staleFiles[n]) > 0
		if planned {
			r.rep.Logf("%s", siteLine(sc))
			for _, d := range sc.OneWayDoors {
				level, msg := report.LevelWarning, d.Detail
				if d.Kind == plan.DoorSiteRemoval {
					if rep.Confirmed[n] = r.env.removalConfirmed(n); !rep.Confirmed[n] {
						level, bad = report.LevelError, true
						unconfirmed = append(unconfirmed, n)
						msg += fmt.Sprintf(" To go ahead, label the pull request %s or add the line \"hubfleet: remove %s\" to its description.", RemovalLabel, n)
					}
				}
				r.rep.Annotate(report.Annotation{Level: level, File: sitePath(n), Title: "hubfleet: one-way door", Message: msg})
			}
			for _, pr := range sc.Problems {
				r.rep.Annotate(report.Annotation{Level: report.LevelError, File: sitePath(n), Title: "hubfleet: chart would not install", Message: pr.String()})
			}
			problems += len(sc.Problems)
			bad = bad || len(sc.Problems) > 0
			if sc.Status != plan.Unchanged {
				changed = append(changed, n)
			}
		}
		if bad {
			failed = append(failed, n)
		}
		r.rep.EndGroup()
	}
	for _, pr := range check.Problems {
		if pr.Site == "" {
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
		"sites", lines(sortedKeys(names)),
		"failed-sites", lines(failed),
		"changed", fmt.Sprint(len(changed) > 0),
		"problems", fmt.Sprint(problems),
		"comment-url", commentURL,
		"plan-file", planFile,
	); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("plan: %w", err)
	}
	var reasons []string
	if n := len(rep.Invalid[""]); n > 0 {
		reasons = append(reasons, fmt.Sprintf("%d fleet-wide problem(s)", n))
	}
	if problems > 0 {
		reasons = append(reasons, fmt.Sprintf("%d chart problem(s)", problems))
	}
	if len(unconfirmed) > 0 {
		reasons = append(reasons, fmt.Sprintf("site removal not confirmed: %s (label the pull request %s or add \"hubfleet: remove <site>\" to its description)", strings.Join(unconfirmed, ", "), RemovalLabel))
	}
	if len(failed) > 0 {
		reasons = append(reasons, "failing sites: "+strings.Join(failed, ", "))
	}
	if len(reasons) > 0 {
		return &FailedError{Mode: "plan", Reasons: reasons}
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

func (p Problem) line() string {
	loc := p.File
	if p.Line > 0 {
		loc = fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	msg := strings.TrimSpace(p.Field + " " + p.Message)
	if p.Fix != "" {
		msg += " (fix: " + p.Fix + ")"
	}
	return loc + ": " + msg
}

func (r *runner) annotateProblem(p Problem) {
	msg := p.Message
	if p.Field != "" {
		msg = p.Field + ": " + msg
	}
	if p.Fix != "" {
		msg += " (fix: " + p.Fix + ")"
	}
	r.rep.Annotate(report.Annotation{Level: report.LevelError, File: p.File, Line: p.Line, Title: "hubfleet: invalid site", Message: msg})
}

func sitePath(name string) string { return "clusters/" + name + "/site.yaml" }

// siteLine is a site's plan in one line, in the plan's words.
func siteLine(sc plan.SiteChange) string {
	parts := []string{string(sc.Status)}
	for _, c := range sc.Charts {
		parts = append(parts, plan.ChartLine(c))
	}
	if sc.Status != plan.Unchanged {
		parts = append(parts, fmt.Sprintf("%d file(s), %d chart object(s)", len(sc.Files), len(sc.Objects)))
	}
	return strings.Join(parts, ": ")
}
