package plan

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hubfleet/hubfleet/internal/filesecrets"
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
	// Strict makes an unverified site (its chart repository could not be
	// read) fail the plan.
	Strict bool
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
	// Unverified are the sites whose chart objects could not be planned.
	Unverified []string
	// Failed are the sites that fail the plan: invalid, stale (with
	// StaleFails), a chart problem, an unconfirmed removal.
	Failed []string
	// ChartProblems counts the problems of the rendered charts.
	ChartProblems int
	// Reasons say why the plan fails; empty when it passes.
	Reasons []string
	// Secrets are the secret values masked in the result, for a
	// runner's log mask. Never print them.
	Secrets []string
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
	stm := &masker{}
	for i, s := range stale {
		// The stale diff is masked like the plan's: by structure.
		a, b := stm.pairFiles(s.Path, string(s.Old), string(s.New))
		from, to := "a/"+s.Path, "b/"+s.Path
		if s.Old == nil {
			from = "/dev/null"
		}
		if s.New == nil {
			to = "/dev/null"
		}
		stale[i].Diff = unified(a, b, from, to, 3)
		res.Stale[s.Site] += stale[i].Diff
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
	for n := range res.Invalid {
		if n != "" {
			names[n] = true
		}
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
	// Every site of the base and the head is in the plan, once: a site
	// the comparison left out (invalid, not rendered yet) is added
	// unchanged, and each gets its verdict.
	var all []SiteChange
	for _, n := range res.Sites {
		sc, ok := bySite[n]
		if !ok {
			sc = SiteChange{Site: n, Status: Unchanged}
		}
		sc.Invalid = res.Invalid[n]
		if req.StaleFails || res.Stale[n] != "" {
			sc.Stale = res.Stale[n]
		}
		bad := len(res.Invalid[n]) > 0 || req.StaleFails && staleSites[n]
		if sc.Status != Unchanged {
			res.Changed = append(res.Changed, n)
		}
		if sc.Status == Removed {
			res.Removed = append(res.Removed, n)
			if req.Confirm != nil && hasDoor(sc, DoorSiteRemoval) {
				if res.Confirmed[n] = req.Confirm.Confirms(n); !res.Confirmed[n] {
					res.Unconfirmed = append(res.Unconfirmed, n)
					bad = true
				}
			}
		}
		res.ChartProblems += len(sc.Problems)
		bad = bad || len(sc.Problems) > 0
		sc.Verdict, sc.Reason = verdictOf(sc)
		if !req.StaleFails && sc.Stale != "" && len(sc.Invalid) == 0 && len(sc.Problems) == 0 {
			// A terminal's plan reports stale files without failing.
			sc.Verdict, sc.Reason = verdictOf(SiteChange{Status: sc.Status, Unverified: sc.Unverified})
		}
		if slices.Contains(res.Unconfirmed, n) {
			sc.Verdict = VerdictProblem
			sc.Reason = strings.TrimPrefix(sc.Reason+"; site removal not confirmed: "+RemovalHint(n), "; ")
		}
		if sc.Verdict == VerdictUnverified {
			res.Unverified = append(res.Unverified, n)
			if req.Strict {
				bad = true
			}
		}
		if bad {
			res.Failed = append(res.Failed, n)
		}
		all = append(all, sc)
	}
	p.Sites = all

	// The free-text pass: a secret the masker found in a diff, or the
	// guard in a changed fleet file, is masked in every message too.
	findings, err := filesecrets.Changed(ctx, repo, p.Base)
	if err != nil {
		return nil, fmt.Errorf("plan: finding the secrets to mask: %w", err)
	}
	secrets := append(slices.Clone(p.secrets), stm.secrets...)
	for _, f := range findings {
		if maskable(f.Secret) && !publicName(f) {
			secrets = append(secrets, f.Secret)
		}
	}
	slices.Sort(secrets)
	res.Secrets = slices.Compact(secrets)
	p.secrets = res.Secrets
	maskText(&res.Report, res.Secrets)
	maskText(&res.StaleFiles, res.Secrets)
	maskText(&res.Problems, res.Secrets)
	maskText(&res.Reasons, res.Secrets)
	if n := len(res.Invalid[""]); n > 0 {
		res.Reasons = append(res.Reasons, fmt.Sprintf("%d fleet-wide problem(s)", n))
	}
	if res.ChartProblems > 0 {
		res.Reasons = append(res.Reasons, fmt.Sprintf("%d chart problem(s): a chart would not install as planned", res.ChartProblems))
	}
	if req.Strict && len(res.Unverified) > 0 {
		res.Reasons = append(res.Reasons, fmt.Sprintf("unverified with --strict: %s (their chart repository could not be read)", strings.Join(res.Unverified, ", ")))
	}
	if len(res.Unconfirmed) > 0 {
		res.Reasons = append(res.Reasons, fmt.Sprintf("site removal not confirmed: %s (label the pull request %s or add \"hubfleet: remove <site>\" to its description)", strings.Join(res.Unconfirmed, ", "), RemovalLabel))
	}
	if len(res.Failed) > 0 {
		res.Reasons = append(res.Reasons, "failing sites: "+strings.Join(res.Failed, ", "))
	}
	return res, nil
}

func hasDoor(sc SiteChange, kind string) bool {
	return slices.ContainsFunc(sc.OneWayDoors, func(d OneWayDoor) bool { return d.Kind == kind })
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
