package plan

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hubfleet/hubfleet/internal/gitrepo"
	"github.com/hubfleet/hubfleet/internal/overlay"
	"github.com/hubfleet/hubfleet/internal/site"
	"github.com/hubfleet/hubfleet/internal/workspace"
)

// RemovalLabel on a pull request confirms every site removal it makes; a
// line "hubfleet: remove <site>" in its body confirms one.
const RemovalLabel = "hubfleet/remove-site"

// Confirmation is what a pull request says about the site removals it
// makes: its labels and its description.
type Confirmation struct {
	Labels []string
	Body   string
}

// Confirms reports whether the pull request confirms removing site.
func (c Confirmation) Confirms(site string) bool {
	if slices.Contains(c.Labels, RemovalLabel) {
		return true
	}
	for _, line := range strings.Split(c.Body, "\n") {
		if strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(line), ".")) == "hubfleet: remove "+site {
			return true
		}
	}
	return false
}

// Request is one plan of a work tree against a base: what `hubfleet plan`
// and the Action's plan mode ask.
type Request struct {
	// Workspace is the loaded work tree; its sites with problems are
	// reported as invalid, the others planned.
	Workspace *workspace.Workspace
	// GitOptions say what is compared; their Fleet is the workspace's.
	GitOptions
	// StaleFails makes stale overlays fail the plan (a pull request's
	// check); without it they are only reported.
	StaleFails bool
	// Confirm, when set, makes a site removal it does not confirm fail
	// the plan.
	Confirm *Confirmation
}

// Result is the plan and the decision on it.
type Result struct {
	// Report is the plan with what the checks before it found; both
	// front-ends print it.
	Report
	// Problems are the validation errors of the work tree.
	Problems site.ErrorList
	// StaleFiles are the rendered files that differ from a fresh render.
	StaleFiles []workspace.StaleFile
	// Incomplete is set when the plan left something out (an overlay that
	// does not decode); the rest is planned.
	Incomplete error
	// Sites are every site loaded or planned, sorted.
	Sites []string
	// Changed are the sites that change; Removed those removed, and
	// Unconfirmed the removals the pull request does not confirm.
	Changed, Removed, Unconfirmed []string
	// Failed are the sites that fail the plan: invalid, stale (with
	// StaleFails), a chart problem, an unconfirmed removal.
	Failed []string
	// ChartProblems counts the problems of the rendered charts.
	ChartProblems int
	// Reasons say why the plan fails; empty when it passes.
	Reasons []string
}

// Run loads nothing: it plans the workspace against the base, and decides
// which sites fail and why.
func Run(ctx context.Context, repo *gitrepo.Repo, req Request) (*Result, error) {
	ws := req.Workspace
	res := &Result{Problems: ws.Errors()}
	res.Report = Report{Invalid: map[string][]string{}, Stale: map[string]string{}, Confirmed: map[string]bool{}}
	for _, pr := range res.Problems {
		n := overlay.SiteOf(pr.File)
		res.Invalid[n] = append(res.Invalid[n], ProblemLine(pr))
	}
	stale, err := ws.Stale(ctx, req.Sites)
	if err != nil {
		return nil, err
	}
	res.StaleFiles = stale
	for _, s := range stale {
		res.Stale[s.Site] += s.Diff
	}
	opts := req.GitOptions
	opts.Fleet = ws.Fleet
	p, err := Make(ctx, repo, opts)
	if p == nil {
		return nil, err
	}
	res.Plan, res.Incomplete = p, err

	names := map[string]bool{}
	for _, n := range ws.Names() {
		names[n] = true
	}
	bySite := map[string]SiteChange{}
	for _, sc := range p.Sites {
		bySite[sc.Site], names[sc.Site] = sc, true
	}
	if len(req.Sites) > 0 {
		names = map[string]bool{}
		for _, n := range req.Sites {
			names[n] = true
		}
	}
	res.Sites = slices.Sorted(maps.Keys(names))
	staleSites := map[string]bool{}
	for _, s := range stale {
		staleSites[s.Site] = true
	}
	for _, n := range res.Sites {
		bad := len(res.Invalid[n]) > 0 || req.StaleFails && staleSites[n]
		if sc, ok := bySite[n]; ok {
			if sc.Status != Unchanged {
				res.Changed = append(res.Changed, n)
			}
			if sc.Status == Removed {
				res.Removed = append(res.Removed, n)
				if req.Confirm != nil {
					if res.Confirmed[n] = req.Confirm.Confirms(n); !res.Confirmed[n] {
						res.Unconfirmed = append(res.Unconfirmed, n)
						bad = true
					}
				}
			}
			res.ChartProblems += len(sc.Problems)
			bad = bad || len(sc.Problems) > 0
		}
		if bad {
			res.Failed = append(res.Failed, n)
		}
	}
	if n := len(res.Invalid[""]); n > 0 {
		res.Reasons = append(res.Reasons, fmt.Sprintf("%d fleet-wide problem(s)", n))
	}
	if res.ChartProblems > 0 {
		res.Reasons = append(res.Reasons, fmt.Sprintf("%d chart problem(s): a chart would not install as planned", res.ChartProblems))
	}
	if len(res.Unconfirmed) > 0 {
		res.Reasons = append(res.Reasons, fmt.Sprintf("site removal not confirmed: %s (label the pull request %s or add \"hubfleet: remove <site>\" to its description)", strings.Join(res.Unconfirmed, ", "), RemovalLabel))
	}
	if len(res.Failed) > 0 {
		res.Reasons = append(res.Reasons, "failing sites: "+strings.Join(res.Failed, ", "))
	}
	return res, nil
}

// RemovalHint says how a pull request confirms removing site.
func RemovalHint(site string) string {
	return fmt.Sprintf("To go ahead, label the pull request %s or add the line \"hubfleet: remove %s\" to its description.", RemovalLabel, site)
}

// ProblemLine is a validation problem in one line: file:line: field
// message (fix: ...).
func ProblemLine(p *site.FieldError) string {
	loc := p.File
	if p.Line > 0 {
		loc = fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	msg := strings.TrimSpace(p.Field + " " + p.Msg)
	if p.Fix != "" {
		msg += " (fix: " + p.Fix + ")"
	}
	return loc + ": " + msg
}
