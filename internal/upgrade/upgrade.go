package upgrade

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/hubfleet/hubfleet/internal/buildinfo"
	"github.com/hubfleet/hubfleet/internal/catalog"
	"github.com/hubfleet/hubfleet/internal/chart"
	"github.com/hubfleet/hubfleet/internal/fleet"
	"github.com/hubfleet/hubfleet/internal/flux"
	"github.com/hubfleet/hubfleet/internal/gitrepo"
	"github.com/hubfleet/hubfleet/internal/plan"
	"github.com/hubfleet/hubfleet/internal/site"
	"github.com/hubfleet/hubfleet/internal/workspace"
	"github.com/hubfleet/hubfleet/internal/writeset"
)

// Upgrader is the upgrade flow's configuration: it asks each chart repository of the
// fleet for the newest version above the pin that the pin's constraint
// allows (prereleases only where the fleet opts in), rewrites the pins or
// stages canaries in bases/daskhub/fleet.yaml in place (comments and layout
// kept), re-renders every site and plans each against the base branch.
type Upgrader struct {
	// Resolver reads the repositories' indexes; IncludePrereleases is set
	// per chart from the fleet.
	Resolver chart.ResolverOptions
	// Compare configures the plan of each site against the base branch.
	Compare plan.CompareOptions
	// BaseRef is planned against when UpgradeOptions.BaseRef is empty.
	BaseRef string
	Git     gitrepo.Options

	// write writes the computed files, all or none; nil means
	// writeset.Apply. Tests fail it.
	write func(root string, changes []flux.Change) error
}

// Default returns an upgrader using the user's chart cache,
// planning each site at the level of the rendered chart objects.
func Default() Upgrader {
	return Upgrader{
		Resolver: chart.DefaultResolverOptions(),
		Compare:  plan.DefaultCompareOptions(),
		BaseRef:  "main",
		Git:      gitrepo.DefaultOptions(),
	}
}

// chartChangelogs are where each chart's changes are described.
var chartChangelogs = map[string]string{
	"jupyterhub":   "https://z2jh.jupyter.org/en/stable/changelog.html",
	"daskhub":      "https://github.com/dask/helm-chart/releases",
	"dask-gateway": "https://gateway.dask.org/changelog.html",
}

// Run is the upgrade flow: it computes the new pins or canaries, the
// edited fleet file, the render of every site with it and the plan against
// the base branch, and only then writes the files, all or none (nothing
// with req.DryRun). It reads the tree only through req.Workspace.
//
// Where the fleet rolls out in waves (spec.rollout.waves, or
// opts.MaxWave >= 0) a newer version is first staged as the chart's canary
// for the sites of waves up to MaxWave (0 by default) while the pin stays.
// A canary staged on the base branch is promoted to the pin once every
// site of its waves has a successful hubfleet/verify/<site> status on the
// base branch head; until then it is held, or moved to a still newer
// version.
func (u Upgrader) Run(ctx context.Context, req Request) (*Result, error) {
	if req.Workspace == nil || req.Workspace.Fleet == nil || req.Workspace.Fleet.Config == nil {
		return nil, errors.New("upgrade: no loaded fleet")
	}
	fl, root, opts := req.Workspace.Fleet, req.Workspace.Root, req
	c := fl.Config.Spec.Charts
	sources := []struct {
		key string
		src site.ChartSource
	}{{"daskhub", c.DaskHub}, {"jupyterhub", c.JupyterHub}, {"daskGateway", c.DaskGateway}}
	// A version the repository lacks fails upgrade as it fails validate,
	// render and plan, with the same problem, read from the repositories
	// upgrade reads anyway.
	resolver, err := chart.NewResolver(u.Resolver)
	if err != nil {
		return nil, fmt.Errorf("upgrade: %w", err)
	}
	missing, err := workspace.ChartVersions(ctx, fl, resolver)
	if err != nil {
		return nil, fmt.Errorf("upgrade: %w", err)
	}
	if len(missing) > 0 {
		return nil, &ProblemsError{Problems: missing}
	}
	waves := fl.Config.Spec.Rollout.Waves || opts.MaxWave >= 0
	g := &gate{opts: opts, fleet: fl.Config, sites: fl.Sites}

	res := &Result{SpawnCheck: fl.Config.Spec.Rollout.SpawnCheck}
	var edits []chartEdit
	deferred := map[string]bool{}
	var errs []error
	for _, e := range sources {
		key, s := e.key, e.src
		if s.Repository == "" || s.Chart == "" || s.Version == "" || len(opts.Charts) > 0 && !slices.Contains(opts.Charts, s.Chart) {
			continue
		}
		newest, skipped, err := u.newestKnown(ctx, s, opts.AllowUnknown, fl.Config.Spec.ChartFacts)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if len(skipped) > 0 {
			res.Notes = append(res.Notes, unknownNote(s.Chart, skipped, newest))
		}
		edit, err := g.stage(ctx, candidate{key: key, src: s, newest: newest}, waves, res, deferred)
		if err != nil {
			errs = append(errs, err)
		}
		if edit != nil {
			edits = append(edits, *edit)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(c.Umbrellas)) {
		e, err := u.umbrella(ctx, fl.Config, g, name, waves, res, deferred)
		if err != nil {
			errs = append(errs, err)
		}
		if e != nil {
			edits = append(edits, *e)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("upgrade: %w", err)
	}
	res.Deferred = slices.Sorted(maps.Keys(deferred))
	if len(edits) == 0 {
		return res, nil
	}
	// Everything is computed before anything is written: the edited fleet
	// file, the render of every site with it, and the plan against the
	// base branch. Only then are the files written, all or none.
	oldFleet, err := fs.ReadFile(req.Workspace.FS(), fleet.FleetFile)
	if err != nil {
		return nil, fmt.Errorf("upgrade: %w", err)
	}
	newFleet, err := editFleet(fleet.FleetFile, oldFleet, edits)
	if err != nil {
		return nil, fmt.Errorf("upgrade: %w", err)
	}
	// The preview is the workspace of the tree with the edited fleet
	// file, read as every command reads it; its fresh render is the head
	// the plan flow plans against the base branch.
	edit := flux.Change{Path: fleet.FleetFile, Old: oldFleet, New: newFleet}
	ws, err := req.Workspace.Preview(ctx, []flux.Change{edit}, workspace.Options{})
	if err != nil {
		return nil, fmt.Errorf("upgrade: %w", err)
	}
	if ws.Fleet == nil || len(ws.Errors()) > 0 {
		return nil, fmt.Errorf("upgrade: the upgraded fleet does not load: %w", ws.Errors())
	}
	base := opts.BaseRef
	if base == "" {
		base = u.BaseRef
	}
	repo, err := gitrepo.Open(ctx, root, u.Git)
	if err != nil {
		return nil, fmt.Errorf("upgrade: %w", err)
	}
	pr, err := plan.Run(ctx, repo, plan.Request{Workspace: ws, CompareOptions: u.Compare, Base: base, Rendered: true})
	if err != nil {
		return nil, fmt.Errorf("upgrade: plan: %w", err)
	}
	if pr.Incomplete != nil {
		return nil, fmt.Errorf("upgrade: plan: %w", pr.Incomplete)
	}
	res.Plan = pr.Plan
	changes := make([]flux.Change, len(pr.Rendered))
	for i, f := range pr.Rendered {
		changes[i] = flux.Change{Path: f.Path, Old: f.Old, New: f.New}
	}
	seen := map[string]bool{}
	for _, sc := range res.Plan.Sites {
		for _, d := range sc.OneWayDoors {
			if line := d.Kind + ": " + d.Detail; !seen[line] {
				seen[line] = true
				res.OneWayDoors = append(res.OneWayDoors, line)
			}
		}
	}
	sort.Strings(res.OneWayDoors)

	writes := append([]flux.Change{edit}, changes...)
	if opts.DryRun {
		return res, nil
	}
	write := u.write
	if write == nil {
		write = writeset.Apply
	}
	if err := write(root, writes); err != nil {
		return nil, fmt.Errorf("upgrade: %w", err)
	}
	for _, c := range writes {
		res.Written = append(res.Written, c.Path)
	}
	return res, nil
}

// umbrella is the move of an operator's umbrella chart
// (spec.charts.umbrellas.<name>) to the newest version above its pin that
// its constraint allows, with the jupyterhub version the new version
// vendors (jupyterhubVersion), or nil; what it changes and what it did
// not propose (and why) go into res.
//
// A version vendoring a jupyterhub chart hubfleet has no facts about is
// skipped as such jupyterhub versions are (newestKnown), unless
// AllowUnknown. Where the fleet rolls out in waves and a site of a later
// wave runs the chart, the version is staged as the chart's canary, with
// the jupyterhub version it vendors, and verified and promoted as the
// other charts' canaries are (stage); where every site that runs it is in
// the waves being upgraded, the pin moves at once.
func (u Upgrader) umbrella(ctx context.Context, f *site.Fleet, g *gate, name string, waves bool, res *Result, deferred map[string]bool) (*chartEdit, error) {
	uc := f.Spec.Charts.Umbrellas[name]
	s := uc.Source()
	key := workspace.UmbrellaKey(name)
	opts := g.opts
	if s.Repository == "" || s.Chart == "" || s.Version == "" || len(opts.Charts) > 0 && !slices.Contains(opts.Charts, s.Chart) {
		return nil, nil
	}
	resolver, err := chart.NewResolver(u.Resolver)
	if err != nil {
		return nil, err
	}
	// The jupyterhub chart a version vendors decides the values hubfleet
	// writes (its OAuthenticator): it moves with the pin, and needs known
	// facts as any jupyterhub version does.
	var newest, vendored string
	var skipped []string
	find := s
	find.Canary = nil
	for range maxUnknown {
		v, err := u.newest(ctx, find)
		if err != nil || v == "" {
			if err != nil {
				return nil, err
			}
			break
		}
		ch, err := resolver.Resolve(ctx, chart.Ref{RepoURL: s.Repository, Name: s.Chart, Version: v})
		if err != nil {
			return nil, fmt.Errorf("chart %s: %w", s.Chart, err)
		}
		jh, ok := ch.Info.Find("jupyterhub")
		if !ok || jh.Version == uc.JupyterHubVersion || opts.AllowUnknown || catalog.IsBuiltIn("jupyterhub", jh.Version) || f.Spec.ChartFacts.Declares("jupyterhub", jh.Version) {
			newest, vendored = v, uc.JupyterHubVersion
			if ok {
				vendored = jh.Version
			}
			break
		}
		skipped = append(skipped, v+" (jupyterhub "+jh.Version+")")
		find.Constraint = strings.TrimPrefix(find.Constraint+", !="+v, ", ")
	}
	if len(skipped) > 0 {
		instead := "nothing newer is proposed"
		if newest != "" {
			instead = newest + " is proposed instead"
		}
		res.Notes = append(res.Notes, fmt.Sprintf("The operator chart %s %s: the jupyterhub chart it vendors is not in this hubfleet's chart catalog (%s), so %s. Declare its facts under spec.chartFacts in bases/daskhub/fleet.yaml, or pass --allow-unknown to take it with assumed facts.",
			s.Chart, strings.Join(skipped, ", "), "hubfleet "+buildinfo.Read().Version, instead))
	}
	running := g.running(key, math.MaxInt)
	if len(running) == 0 {
		if newest != "" {
			res.Notes = append(res.Notes, fmt.Sprintf("No site runs the operator chart %s (spec.charts.%s): %s is not proposed.", s.Chart, key, newest))
		}
		return nil, nil
	}
	c := candidate{key: key, src: s, newest: newest, umbrella: true, vendored: vendored}
	if uc.Canary != nil {
		c.canaryVendored = uc.Canary.JupyterHubVersion
	}
	return g.stage(ctx, c, waves, res, deferred)
}

// candidate is one chart of spec.charts.<key> the flow may move.
type candidate struct {
	key string
	// src is the chart with its pin and staged canary.
	src site.ChartSource
	// newest is the newest version above the pin the policy allows, ""
	// when there is none.
	newest string
	// umbrella marks an operator's umbrella chart, whose pin and canary
	// carry the jupyterhub version they vendor: vendored is newest's,
	// canaryVendored the staged canary's.
	umbrella                 bool
	vendored, canaryVendored string
}

// stage is the one rule of how a chart's newer version rolls out: at once
// without waves; as a canary of the first waves that run the chart with
// waves; and a staged canary promoted once its sites verified, moved on
// to a newer version while unverified, or held. It adds the change (and
// the canary's verification) to res, the later-wave sites left for a
// later run to deferred, and returns the fleet file edit, or nil.
func (g *gate) stage(ctx context.Context, c candidate, waves bool, res *Result, deferred map[string]bool) (*chartEdit, error) {
	key, s, newest, opts := c.key, c.src, c.newest, g.opts
	change := VersionChange{Chart: s.Chart, From: s.Version, To: newest, ChangelogURL: chartChangelogs[s.Chart], Stage: StagePin}
	if c.umbrella && s.Canary == nil && waves && len(g.running(key, max(opts.MaxWave, 0))) == len(g.running(key, math.MaxInt)) {
		// Every site that runs the operator's chart is in the waves being
		// upgraded: none would wait on a canary, so its pin moves at once.
		waves = false
	}
	var e chartEdit
	switch {
	case !waves:
		// Every site at once; a canary left from a wave rollout goes.
		if newest == "" {
			return nil, nil
		}
		e = chartEdit{key: key, pin: newest, dropCanary: s.Canary != nil, vendored: c.vendored}
	case s.Canary == nil:
		if newest == "" {
			return nil, nil
		}
		maxWave := max(opts.MaxWave, 0)
		if len(g.running(key, maxWave)) == 0 {
			// A canary no site runs would verify nothing: stage it up
			// to the first wave that runs the chart.
			w, ok := g.firstWaveRunning(key)
			if !ok {
				res.Notes = append(res.Notes, fmt.Sprintf("No site runs the %s chart: %s moves the pin.", s.Chart, newest))
				e = chartEdit{key: key, pin: newest, vendored: c.vendored}
				break
			}
			res.Notes = append(res.Notes, fmt.Sprintf("No site of waves up to %d runs the %s chart: its canary goes up to wave %d, the first wave that runs it.", maxWave, s.Chart, w))
			maxWave = w
		}
		_, later := g.split(maxWave)
		e = chartEdit{key: key, canary: newest, maxWave: maxWave, canaryVendored: c.vendored}
		change.Stage, change.MaxWave, change.Sites, change.Running = StageCanary, maxWave, g.running(key, maxWave), g.running(key, maxWave)
		for _, n := range later {
			deferred[n] = true
		}
	default:
		check, err := g.check(ctx, key, s)
		if err != nil {
			var cu *CanaryUnverifiableError
			if errors.As(err, &cu) && c.umbrella {
				cu.Key, cu.Vendored = key, c.canaryVendored
			}
			return nil, fmt.Errorf("chart %s: %w", s.Chart, err)
		}
		if newest != "" && newerThan(newest, s.Canary.Version) {
			check.Newer = newest
		}
		res.Canaries = append(res.Canaries, check)
		change.MaxWave, change.Running = s.Canary.MaxWave, check.Running
		switch {
		case check.Verified():
			e = chartEdit{key: key, pin: s.Canary.Version, dropCanary: true, vendored: c.canaryVendored}
			change.To, change.Stage = s.Canary.Version, StagePromote
		case check.Newer != "":
			// Not verified yet: the first waves move on to the newer
			// version, and verify that one instead.
			e = chartEdit{key: key, canary: check.Newer, maxWave: s.Canary.MaxWave, moveCanary: true, canaryVendored: c.vendored}
			first, later := g.split(s.Canary.MaxWave)
			change.From, change.To, change.Stage, change.Sites = s.Canary.Version, check.Newer, StageCanary, first
			for _, n := range later {
				deferred[n] = true
			}
		default:
			return nil, nil // held until its waves verify
		}
	}
	res.Versions = append(res.Versions, change)
	return &e, nil
}

// maxUnknown bounds how many newer versions unknown to the catalog are
// skipped looking for a known one.
const maxUnknown = 20

// newestKnown is newest, skipping versions the catalog has no facts
// about unless allowUnknown; skipped are those versions, newest first.
func (u Upgrader) newestKnown(ctx context.Context, s site.ChartSource, allowUnknown bool, facts site.ChartFacts) (newest string, skipped []string, err error) {
	for range maxUnknown {
		v, err := u.newest(ctx, s)
		if err != nil || v == "" || allowUnknown || catalog.IsBuiltIn(s.Chart, v) || facts.Declares(s.Chart, v) {
			return v, skipped, err
		}
		skipped = append(skipped, v)
		s.Constraint = strings.TrimPrefix(s.Constraint+", !="+v, ", ")
	}
	return "", skipped, nil
}

// unknownNote says which versions upgrade did not propose, and how to.
func unknownNote(chart string, skipped []string, proposed string) string {
	instead := "nothing newer is proposed"
	if proposed != "" {
		instead = proposed + " is proposed instead"
	}
	return fmt.Sprintf("%s %s: not in this hubfleet's chart catalog (%s), so %s. No hubfleet release this one knows of has its facts: declare them under spec.chartFacts in bases/daskhub/fleet.yaml (the chart's Chart.yaml: version, appVersion, kubeVersion, dependencies), or pass --allow-unknown to take it with assumed facts.",
		chart, strings.Join(skipped, ", "), "hubfleet "+buildinfo.Read().Version, instead)
}

// newest is the newest version of the chart above its pin that the
// fleet's policy allows, or "" when there is none.
func (u Upgrader) newest(ctx context.Context, s site.ChartSource) (string, error) {
	ro := u.Resolver
	ro.IncludePrereleases = s.Prereleases
	resolver, err := chart.NewResolver(ro)
	if err != nil {
		return "", err
	}
	constraint := ">" + s.Version
	if s.Constraint != "" {
		constraint = s.Constraint + ", " + constraint
	}
	ch, err := resolver.Resolve(ctx, chart.Ref{RepoURL: s.Repository, Name: s.Chart, Version: constraint})
	var nv *chart.NoVersionError
	switch {
	case errors.As(err, &nv) && nv.Err == nil:
		return "", nil // nothing newer within the policy
	case err != nil:
		return "", fmt.Errorf("chart %s: %w", s.Chart, err)
	}
	if ch.Info.Version == s.Version {
		return "", nil
	}
	return ch.Info.Version, nil
}
