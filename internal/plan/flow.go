package plan

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hubfleet/hubfleet/internal/chart"
	"github.com/hubfleet/hubfleet/internal/filesecrets"
	"github.com/hubfleet/hubfleet/internal/gitrepo"
	"github.com/hubfleet/hubfleet/internal/overlay"
	"github.com/hubfleet/hubfleet/internal/secretscan"
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

// Request is one plan: of the work tree against a base commit (what
// `hubfleet plan` and the Action's plan mode ask, and upgrade's preview),
// or of two given sides (rollback's now and after the revert). Run is the
// one entry point for each.
type Request struct {
	// Workspace is the loaded work tree; its sites with problems are
	// reported as invalid, the others planned. Its fleet is the head
	// side's: each site's Kubernetes version and the chart checks' expectations.
	Workspace *workspace.Workspace
	// CompareOptions say how the sides are compared.
	CompareOptions
	// Base is the ref compared with, resolved like git does (a local ref
	// first, then origin/<Base>); empty means origin/main, else main.
	Base string
	// Sites limits the plan; empty plans every site with an overlay at
	// Base or in the work tree.
	Sites []string
	// Rendered plans the workspace's fresh render as the head side (what
	// a command is about to write: upgrade's preview of its edited fleet
	// file) instead of the overlay files on disk; nothing is stale then,
	// and Result.Rendered holds the files the render changes.
	Rendered bool
	// Trees, when set, are the two sides planned, instead of Base against
	// the work tree: nothing is read for them, nothing is stale.
	Trees *Trees
	// Pairs, when set, are render inputs already paired by site (a
	// benchmark's generated fleet): they are planned as they are, and
	// nothing is read.
	Pairs []Site
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

// Trees are two given sides of a plan: the overlays of Sites before
// (Base) and after (Head).
type Trees struct {
	Base, Head Sides
	Sites      []string
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
	// Rendered are the files the fresh render changes (Request.Rendered):
	// what the command writes. Never printed: unmasked.
	Rendered []workspace.StaleFile
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

// Run is the plan flow, the one entry point of both front-ends and of
// the flows that plan (upgrade, rollback): it reads each side's overlays
// once (the head's through the workspace), plans them, decides which
// sites fail and why, and masks the result by structure.
func Run(ctx context.Context, repo *gitrepo.Repo, req Request) (*Result, error) {
	if req.Pairs != nil {
		return runPairs(ctx, req)
	}
	ws := req.Workspace
	if ws == nil {
		return nil, errors.New("plan: no workspace")
	}
	res := &Result{}
	res.Report = Report{Invalid: map[string][]string{}, Stale: map[string]string{}, Confirmed: map[string]bool{}}
	stm := &masker{}
	var base, head Sides
	var sites []string
	var commit string
	if t := req.Trees; t != nil {
		base, head, sites = t.Base, t.Head, t.Sites
	} else {
		res.Problems = ws.Errors()
		for _, pr := range res.Problems {
			n := overlay.SiteOf(pr.File)
			res.Invalid[n] = append(res.Invalid[n], ProblemLine(pr))
		}
		stale, err := ws.Stale(ctx, req.Sites)
		if err != nil {
			return nil, err
		}
		if req.Rendered {
			res.Rendered, stale = stale, nil
		}
		res.StaleFiles = stale
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
		if commit, base, head, sites, err = sides(ctx, repo, ws, req, res.Rendered); err != nil {
			return nil, err
		}
	}
	opts := req.CompareOptions
	opts.Fleet = ws.Fleet
	opts.invalid = map[string]bool{}
	for n := range res.Invalid {
		opts.invalid[n] = true
	}
	p, err := compare(ctx, base, head, sites, opts)
	if p == nil {
		return nil, err
	}
	p.Base = commit
	res.Plan, res.Incomplete = p, err
	staleSites := map[string]bool{}
	for _, s := range res.StaleFiles {
		staleSites[s.Site] = true
	}

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
	if only := req.Sites; len(only) > 0 || req.Trees != nil {
		if req.Trees != nil {
			only = sites
		}
		names = map[string]bool{}
		for _, n := range only {
			names[n] = true
		}
	}
	res.Sites = slices.Sorted(maps.Keys(names))
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
	var findings []secretscan.Finding
	if commit != "" {
		if findings, err = filesecrets.Changed(ctx, repo, commit, ws.FS()); err != nil {
			return nil, fmt.Errorf("plan: finding the secrets to mask: %w", err)
		}
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
	if res.Incomplete != nil {
		res.Incomplete = errors.New(maskMessage(res, res.Incomplete.Error()))
	}
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

// runPairs plans render inputs already paired (Request.Pairs).
func runPairs(ctx context.Context, req Request) (*Result, error) {
	opts := buildOptions{Context: req.Context, Progress: req.Progress}
	if req.Charts {
		var err error
		if opts.Renderer, err = chart.NewRenderer(req.Render); err != nil {
			return nil, fmt.Errorf("plan: %w", err)
		}
	}
	p, err := build(ctx, req.Pairs, opts)
	if err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	p.Charts = req.Charts
	res := &Result{Report: Report{Plan: p}}
	for _, sc := range p.Sites {
		res.Sites = append(res.Sites, sc.Site)
		if sc.Status != Unchanged {
			res.Changed = append(res.Changed, sc.Site)
		}
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
