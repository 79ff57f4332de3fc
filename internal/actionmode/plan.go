package actionmode

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hubfleet/hubfleet/internal/github"
	"github.com/hubfleet/hubfleet/internal/report"
)

// siteState is everything plan knows about one site.
type siteState struct {
	name     string
	problems []Problem
	stale    []StaleFile
	plan     *SitePlan
}

func (r *runner) plan(ctx context.Context) error {
	if r.opts.Renderer == nil {
		return errors.New("plan: no renderer configured")
	}
	check, err := r.opts.Renderer.Check(ctx, r.root)
	if err != nil {
		r.rep.Annotate(report.Annotation{Level: report.LevelError, Title: "hubfleet: cannot load the fleet", Message: err.Error()})
		return fmt.Errorf("plan: %w", err)
	}
	states := map[string]*siteState{}
	state := func(name string) *siteState {
		if states[name] == nil {
			states[name] = &siteState{name: name}
		}
		return states[name]
	}
	for _, s := range check.Sites {
		state(s)
	}
	var fleetProblems []Problem
	for _, p := range check.Problems {
		if p.Site == "" {
			fleetProblems = append(fleetProblems, p)
			continue
		}
		state(p.Site).problems = append(state(p.Site).problems, p)
	}
	for _, s := range check.Stale {
		name := s.Site
		if name == "" {
			name = siteOfPath(s.Path)
		}
		state(name).stale = append(state(name).stale, s)
	}

	plans, err := r.opts.Planner.Plan(ctx, r.root, r.baseBranch(), check.Sites)
	if err != nil {
		// A plan that cannot be made is reported, not fatal: validation
		// and staleness still decide the check. When the chart-level plan
		// fails (a chart repository is down), fall back on the overlay diff.
		r.rep.Annotate(report.Annotation{Level: report.LevelWarning, Title: "hubfleet: plan incomplete", Message: err.Error()})
		if _, isGit := r.opts.Planner.(GitPlanner); !isGit && len(plans) == 0 {
			plans, err = GitPlanner{Git: r.opts.Git}.Plan(ctx, r.root, r.baseBranch(), check.Sites)
			if err != nil {
				r.rep.Annotate(report.Annotation{Level: report.LevelWarning, Title: "hubfleet: plan incomplete", Message: err.Error()})
			}
		}
	}
	for i := range plans {
		state(plans[i].Site).plan = &plans[i]
	}

	names := sortedKeys(states)
	var failed, changed []string
	for _, n := range names {
		st := states[n]
		r.rep.Group("site " + n)
		for _, p := range st.problems {
			r.annotateProblem(p)
		}
		for _, s := range st.stale {
			r.rep.Annotate(report.Annotation{Level: report.LevelError, File: s.Path, Title: "hubfleet: stale overlay",
				Message: fmt.Sprintf("%s differs from a fresh render of site %s: run `hubfleet render` and commit the result", s.Path, n)})
		}
		if st.plan != nil {
			r.rep.Logf("%s", planLine(*st.plan))
			for _, d := range st.plan.OneWayDoors {
				r.rep.Annotate(report.Annotation{Level: report.LevelWarning, File: sitePath(n), Title: "hubfleet: one-way door", Message: d})
			}
			for _, p := range st.plan.Problems {
				r.rep.Annotate(report.Annotation{Level: report.LevelError, File: sitePath(n), Title: "hubfleet: chart would not install", Message: p})
			}
			if st.plan.Change != ChangeUnchanged {
				changed = append(changed, n)
			}
		}
		if len(st.problems) > 0 || len(st.stale) > 0 || (st.plan != nil && len(st.plan.Problems) > 0) {
			failed = append(failed, n)
		}
		r.rep.EndGroup()
	}
	for _, p := range fleetProblems {
		r.annotateProblem(p)
	}

	summary := planSummary(names, states, fleetProblems)
	var details []github.Section
	for _, n := range names {
		if d := siteDetails(states[n]); d != "" {
			details = append(details, github.Section{Title: "<code>" + n + "</code>", Body: d})
		}
	}
	fitted := github.Fit(github.Comment{Marker: github.PlanMarker, Summary: summary, Details: details, OverflowURL: r.env.RunURL()}, r.opts.CommentLimit)

	var errs []error
	job := jobSummary(summary, details)
	if err := r.rep.AddSummary(job); err != nil {
		errs = append(errs, err)
	}

	commentURL := ""
	if r.env.PullRequest > 0 {
		gh, err := r.github()
		if err == nil {
			var res github.CommentResult
			res, err = gh.UpsertComment(ctx, r.env.PullRequest, github.PlanMarker, fitted.Body)
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
	}
	if len(fitted.Omitted) > 0 {
		r.rep.Logf("%d site detail(s) did not fit in the comment; they are in the job summary", len(fitted.Omitted))
	}

	if err := r.outputs(
		"sites", lines(names),
		"failed-sites", lines(failed),
		"changed", fmt.Sprint(len(changed) > 0),
		"comment-url", commentURL,
	); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("plan: %w", err)
	}
	var reasons []string
	if len(fleetProblems) > 0 {
		reasons = append(reasons, fmt.Sprintf("%d fleet-wide problem(s)", len(fleetProblems)))
	}
	if len(failed) > 0 {
		reasons = append(reasons, "invalid or stale sites: "+strings.Join(failed, ", "))
	}
	if len(reasons) > 0 {
		return &FailedError{Mode: "plan", Reasons: reasons}
	}
	return nil
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

func planSummary(names []string, states map[string]*siteState, fleetProblems []Problem) string {
	var b strings.Builder
	b.WriteString("### hubfleet plan\n\n")
	if len(fleetProblems) > 0 {
		fmt.Fprintf(&b, "**%d fleet-wide problem(s)**:\n\n", len(fleetProblems))
		for _, p := range fleetProblems {
			fmt.Fprintf(&b, "- `%s:%d` %s\n", p.File, p.Line, mdEscape(p.Message))
		}
		b.WriteString("\n")
	}
	b.WriteString("| Site | Valid | Overlays | Plan |\n|---|---|---|---|\n")
	for _, n := range names {
		st := states[n]
		valid := "✅"
		nprob := len(st.problems)
		if st.plan != nil {
			nprob += len(st.plan.Problems)
		}
		if nprob > 0 {
			valid = fmt.Sprintf("❌ %d problem(s)", nprob)
		}
		overlays := "✅ up to date"
		if len(st.stale) > 0 {
			overlays = fmt.Sprintf("❌ %d stale file(s)", len(st.stale))
		}
		plan := "—"
		if st.plan != nil {
			plan = string(st.plan.Change)
			if st.plan.Summary != "" {
				plan += ": " + st.plan.Summary
			}
			if len(st.plan.OneWayDoors) > 0 {
				plan += " ⚠️ one-way door"
			}
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", n, valid, overlays, mdEscape(plan))
	}
	return b.String()
}

func siteDetails(st *siteState) string {
	var b strings.Builder
	if len(st.problems) > 0 {
		b.WriteString("**Problems**\n\n")
		for _, p := range st.problems {
			loc := p.File
			if p.Line > 0 {
				loc = fmt.Sprintf("%s:%d", p.File, p.Line)
			}
			fmt.Fprintf(&b, "- `%s` %s", loc, mdEscape(strings.TrimSpace(p.Field+" "+p.Message)))
			if p.Fix != "" {
				fmt.Fprintf(&b, " — fix: %s", mdEscape(p.Fix))
			}
			b.WriteString("\n")
		}
		b.WriteString("\n")
	}
	if len(st.stale) > 0 {
		b.WriteString("**Stale overlays** (run `hubfleet render` and commit):\n\n")
		var diff strings.Builder
		for _, s := range st.stale {
			diff.WriteString(s.Diff)
			if !strings.HasSuffix(s.Diff, "\n") {
				diff.WriteString("\n")
			}
		}
		b.WriteString(fence("diff", diff.String()))
		b.WriteString("\n")
	}
	if st.plan != nil {
		if len(st.plan.OneWayDoors) > 0 {
			b.WriteString("> [!WARNING]\n> **One-way doors** (a revert will not undo these):\n")
			for _, d := range st.plan.OneWayDoors {
				fmt.Fprintf(&b, "> - %s\n", mdEscape(d))
			}
			b.WriteString("\n")
		}
		if st.plan.Details != "" {
			b.WriteString(st.plan.Details)
			if !strings.HasSuffix(st.plan.Details, "\n") {
				b.WriteString("\n")
			}
		}
	}
	return b.String()
}

func planLine(sp SitePlan) string {
	if sp.Summary == "" {
		return string(sp.Change)
	}
	return string(sp.Change) + ": " + sp.Summary
}

// maxJobSummary keeps the job summary under GitHub's 1 MiB per step.
const maxJobSummary = 1000 * 1000

// jobSummary is the summary with every site's details, as many as fit in
// a job summary.
func jobSummary(summary string, details []github.Section) string {
	var b strings.Builder
	b.WriteString(summary)
	var left []string
	for _, d := range details {
		sec := "\n<details><summary>" + d.Title + "</summary>\n\n" + d.Body + "\n</details>\n"
		if b.Len()+len(sec) > maxJobSummary-4096 {
			left = append(left, d.Title)
			continue
		}
		b.WriteString(sec)
	}
	if len(left) > 0 {
		fmt.Fprintf(&b, "\n> [!NOTE]\n> %d site detail(s) exceed the job summary size limit: %s. Run `hubfleet action plan` in a checkout to see them.\n", len(left), strings.Join(left, ", "))
	}
	return b.String()
}
