package plan

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/hubfleet/hubfleet/internal/chart"
	"github.com/hubfleet/hubfleet/internal/expect"
	"github.com/hubfleet/hubfleet/internal/fleet"
	"github.com/hubfleet/hubfleet/internal/overlay"
	"github.com/hubfleet/hubfleet/internal/site"
	"github.com/hubfleet/hubfleet/internal/workspace"
)

// Sides are the overlay files of each site on one side of a plan, by site
// name. A site missing from a side has no overlay there.
type Sides = overlay.Tree

// CompareOptions say how the plan compares two sides.
type CompareOptions struct {
	// Charts renders each release's chart at both sides and diffs the
	// objects; false plans the overlay files only (no chart repository is
	// read, no one-way door from chart metadata is found).
	Charts bool
	// Resolver and Render configure chart access when Charts is set.
	Resolver chart.ResolverOptions
	Render   chart.RenderOptions
	// Fleet is the loaded fleet of the head side, when it loads: each
	// site's Kubernetes version and the expectations of the chart checks
	// come from it. Nil renders with the renderer's defaults and skips the
	// checks.
	Fleet *fleet.Fleet
	// Context is the number of context lines in diffs (3 when 0).
	Context int
	// Progress, when set, reports rendering progress.
	Progress func(done, total int)

	// invalid are the sites of Fleet with validation errors: their chart
	// objects are not checked against what the invalid site file expects
	// (the validation error says what is wrong).
	invalid map[string]bool
}

// DefaultCompareOptions render the charts through the user's caches.
func DefaultCompareOptions() CompareOptions {
	return CompareOptions{Charts: true, Resolver: chart.DefaultResolverOptions(), Render: chart.DefaultRenderOptions(), Context: 3}
}

// chartTrouble is why a site's charts could not be rendered.
type chartTrouble struct {
	// unverified is set when a chart repository could not be read.
	unverified string
	// problems are chart versions (or charts) the repository lacks.
	problems []chart.Problem
	// overlayOnly says the chart objects were not rendered.
	overlayOnly bool
}

// classify sorts a site's chart error: a repository that cannot be read
// leaves the site unverified, a version or chart it does not have is a
// problem; ok is false for any other error.
func classify(side int, err error) (t chartTrouble, ok bool) {
	var ue *chart.UnavailableError
	var nv *chart.NoVersionError
	var nf *chart.NotFoundError
	switch {
	case errors.As(err, &ue):
		return chartTrouble{unverified: ue.Error()}, true
	case errors.As(err, &nv) && side == 0:
		return chartTrouble{unverified: fmt.Sprintf("the base's chart %s %s is no longer in its repository (available: %s), so the chart objects were not compared", nv.Ref.Name, nv.Ref.Version, strings.Join(nv.Available, ", "))}, true
	case errors.As(err, &nv):
		msg := workspace.MissingVersion(nv.Ref, nv.Available) + " (fix: set the chart version in bases/daskhub/fleet.yaml or the site to one the repository has)"
		if nv.Err != nil {
			msg = fmt.Sprintf("chart %s: version %q is not a valid version or range: %v", nv.Ref.Name, nv.Ref.Version, nv.Err)
		}
		return chartTrouble{problems: []chart.Problem{{Kind: chart.ProblemChart, Chart: nv.Ref.Name, Message: msg}}}, true
	case errors.As(err, &nf) && side == 1:
		return chartTrouble{problems: []chart.Problem{{Kind: chart.ProblemChart, Chart: nf.Ref.Name, Message: nf.Error() + ": Flux cannot fetch it"}}}, true
	case errors.As(err, &nf):
		return chartTrouble{unverified: nf.Error() + " (the base's chart), so the chart objects were not compared"}, true
	}
	return chartTrouble{}, false
}

// compare plans every named site from base to head. With opts.Charts, a
// site whose chart is neither reachable nor cached is planned from its
// overlay files only and marked unverified, with the reason; a site whose
// chart version (or chart) the repository does not have is planned from
// its overlay files and has a problem naming the versions the repository
// has. Other errors (an overlay that does not decode) leave the site out
// and are returned joined, next to the plan of the other sites.
func compare(ctx context.Context, base, head Sides, sites []string, opts CompareOptions) (*Plan, error) {
	if opts.Context <= 0 {
		opts.Context = 3
	}
	var get func(context.Context, chart.Ref) (*chart.Chart, error)
	bo := buildOptions{Context: opts.Context, Progress: opts.Progress}
	if opts.Charts {
		resolver, err := chart.NewResolver(opts.Resolver)
		if err != nil {
			return nil, err
		}
		if bo.Renderer, err = chart.NewRenderer(opts.Render); err != nil {
			return nil, err
		}
		get = (&chartCache{resolver: resolver, charts: map[chart.Ref]*chart.Chart{}, errs: map[chart.Ref]error{}}).get
	}
	var psites []Site
	var errs []error
	inputs := map[string][2]*overlay.Site{}
	trouble := map[string]*chartTrouble{}
	// undecodable are the sites left out, with why: they are still
	// listed, as a problem.
	undecodable := map[string]string{}
	for _, name := range sites {
		bf, inBase := base[name]
		hf, inHead := head[name]
		inBase, inHead = inBase && len(bf) > 0, inHead && len(hf) > 0
		var bs, hs *overlay.Site
		var err error
		if inBase {
			if bs, err = overlay.Decode(name, bf); err != nil {
				errs = append(errs, fmt.Errorf("site %s at base: %w", name, err))
				undecodable[name] = fmt.Sprintf("the base's overlay does not decode: %v", err)
				continue
			}
		}
		if inHead {
			if hs, err = overlay.Decode(name, hf); err != nil {
				errs = append(errs, fmt.Errorf("site %s: %w", name, err))
				undecodable[name] = fmt.Sprintf("the overlay does not decode: %v", err)
				continue
			}
		}
		inputs[name] = [2]*overlay.Site{bs, hs}
		if big := overlay.TooLarge(hf); len(big) > 0 {
			t := &chartTrouble{}
			for _, p := range slices.Sorted(maps.Keys(big)) {
				t.problems = append(t.problems, chart.Problem{Kind: chart.ProblemAPI, Object: p, Message: big[p]})
			}
			trouble[name] = t
		}
		entries, sideErrs := siteEntries(ctx, name, bs, hs, get, opts.Fleet, opts.invalid[name])
		if len(sideErrs) > 0 {
			t := &chartTrouble{}
			var other []error
			for _, se := range sideErrs {
				c, ok := classify(se.side, se.err)
				if !ok {
					other = append(other, se.err)
					continue
				}
				if t.unverified == "" {
					t.unverified = c.unverified
				}
				t.problems = append(t.problems, c.problems...)
			}
			if len(other) > 0 {
				errs = append(errs, other...)
				undecodable[name] = errors.Join(other...).Error()
				continue
			}
			if len(t.problems) > 0 {
				t.unverified = ""
			}
			t.overlayOnly = true
			if prev := trouble[name]; prev != nil {
				t.problems = append(prev.problems, t.problems...)
			}
			trouble[name] = t
			// The overlay files are still planned.
			entries, _ = siteEntries(ctx, name, bs, hs, nil, opts.Fleet, opts.invalid[name])
		}
		psites = append(psites, entries...)
	}
	p := &Plan{}
	if len(psites) > 0 {
		var err error
		if p, err = build(ctx, psites, bo); err != nil {
			return nil, errors.Join(append(errs, err)...)
		}
	}
	p.Charts = opts.Charts
	p.Sites = mergeSiteChanges(p.Sites)
	for _, name := range slices.Sorted(maps.Keys(undecodable)) {
		p.Sites = append(p.Sites, SiteChange{Site: name, Status: Unchanged, Verdict: VerdictProblem, Reason: undecodable[name],
			Problems: []chart.Problem{{Kind: chart.ProblemChart, Message: undecodable[name]}}})
	}
	sort.SliceStable(p.Sites, func(a, b int) bool { return p.Sites[a].Site < p.Sites[b].Site })
	for i := range p.Sites {
		sc := &p.Sites[i]
		if _, left := undecodable[sc.Site]; left {
			continue
		}
		in := inputs[sc.Site]
		t := trouble[sc.Site]
		if sc.Status == Removed && in[0] != nil && (len(in[0].Releases) > 0 || len(in[0].Namespaces) > 0) {
			sc.Prune = pruneOf(in[0], sc.baseObjects, fleetConfig(opts.Fleet))
			sc.OneWayDoors = append([]OneWayDoor{removalDoor(sc.Site, sc.Prune)}, sc.OneWayDoors...)
		}
		if in[0] != nil && in[1] != nil {
			if d, ok := releaseSwitchDoor(sc.Site, in[0], in[1], fleetConfig(opts.Fleet)); ok {
				sc.OneWayDoors = append([]OneWayDoor{d}, sc.OneWayDoors...)
			}
		}
		if (!opts.Charts || t != nil && t.overlayOnly) && in[0] != nil && in[1] != nil {
			sc.Charts = versionChanges(in[0].ChartVersions(), in[1].ChartVersions())
			if len(sc.Charts) > 0 && sc.Status == Unchanged {
				sc.Status = Changed
			}
		}
		if t != nil {
			sc.Problems = append(t.problems, sc.Problems...)
			sc.Unverified = t.unverified
		}
		sc.Verdict, sc.Reason = verdictOf(*sc)
		sc.baseObjects = nil
	}
	return p, errors.Join(errs...)
}

// fleetConfig is the fleet file of a loaded fleet, or nil.
func fleetConfig(fl *fleet.Fleet) *site.Fleet {
	if fl == nil {
		return nil
	}
	return fl.Config
}

// verdictOf is a site's verdict from what the plan found about it.
func verdictOf(sc SiteChange) (Verdict, string) {
	var why []string
	why = append(why, sc.Invalid...)
	for _, p := range sc.Problems {
		why = append(why, p.String())
	}
	if sc.Stale != "" {
		why = append(why, "stale overlay files: run `hubfleet render` and commit the result")
	}
	if len(why) > 0 {
		return VerdictProblem, strings.Join(why, "; ")
	}
	if sc.Unverified != "" {
		return VerdictUnverified, sc.Unverified
	}
	return Verdict(sc.Status), ""
}

// siteEntries pairs a site's releases at base and head: one entry per
// release, the overlay files with the first so their diff appears once.
func siteEntries(ctx context.Context, name string, bs, hs *overlay.Site, get func(context.Context, chart.Ref) (*chart.Chart, error), fl *fleet.Fleet, invalid bool) ([]Site, []sideError) {
	type pair [2]*chart.Request
	rels := map[string]pair{}
	var s *site.Site
	var cfg *site.Fleet
	if fl != nil {
		s, cfg = fl.Site(name), fl.Config
	}
	var errs []sideError
	for side, os := range []*overlay.Site{bs, hs} {
		if os == nil {
			continue
		}
		for _, hr := range os.Releases {
			pr := rels[hr.Name]
			if get != nil {
				req, err := os.Request(ctx, hr, get)
				if err != nil {
					errs = append(errs, sideError{side, fmt.Errorf("site %s: %w", name, err)})
					continue
				}
				if s != nil {
					req.KubeVersion = site.KubeVersionOf(s, cfg)
					if side == 1 && !invalid {
						req.Expect = expect.For(s, cfg, overlay.ReleaseName(hr))
					}
				}
				pr[side] = req
			}
			rels[hr.Name] = pr
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	names := slices.Sorted(maps.Keys(rels))
	if len(names) == 0 {
		names = []string{""}
	}
	var out []Site
	for i, rel := range names {
		ps := Site{Name: name}
		if bs != nil {
			ps.Base = &State{Request: rels[rel][0]}
		}
		if hs != nil {
			ps.Head = &State{Request: rels[rel][1]}
		}
		if i == 0 {
			if ps.Base != nil {
				ps.Base.Files = bs.Files
			}
			if ps.Head != nil {
				ps.Head.Files = hs.Files
			}
		}
		out = append(out, ps)
	}
	return out, nil
}

// sideError is a chart error of one side (0 base, 1 head) of a site.
type sideError struct {
	side int
	err  error
}

// chartCache resolves each chart once per plan, and remembers a chart
// that cannot be had, so an unreachable repository is asked once.
type chartCache struct {
	mu       sync.Mutex
	resolver *chart.Resolver
	charts   map[chart.Ref]*chart.Chart
	errs     map[chart.Ref]error
}

func (c *chartCache) get(ctx context.Context, ref chart.Ref) (*chart.Chart, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ch, ok := c.charts[ref]; ok {
		return ch, nil
	}
	if err, ok := c.errs[ref]; ok {
		return nil, err
	}
	ch, err := c.resolver.Resolve(ctx, ref)
	if err != nil {
		if ctx.Err() == nil {
			c.errs[ref] = err
		}
		return nil, err
	}
	c.charts[ref] = ch
	return ch, nil
}

// mergeSiteChanges merges the entries of a site with several releases
// (jupyterhub and dask-gateway composed), keeping the first entry's order.
func mergeSiteChanges(in []SiteChange) []SiteChange {
	rank := map[Status]int{Unchanged: 0, Changed: 1, Added: 2, Removed: 2}
	var out []SiteChange
	idx := map[string]int{}
	for _, s := range in {
		i, ok := idx[s.Site]
		if !ok {
			idx[s.Site] = len(out)
			out = append(out, s)
			continue
		}
		o := &out[i]
		if rank[s.Status] > rank[o.Status] {
			o.Status = s.Status
		}
		o.Files = append(o.Files, s.Files...)
		o.Objects = append(o.Objects, s.Objects...)
		o.LabelOnly = append(o.LabelOnly, s.LabelOnly...)
		o.Charts = append(o.Charts, s.Charts...)
		o.OneWayDoors = append(o.OneWayDoors, s.OneWayDoors...)
		o.Problems = append(o.Problems, s.Problems...)
		o.baseObjects = append(o.baseObjects, s.baseObjects...)
	}
	return out
}

// versionChanges are the chart version changes between two sets of
// HelmRelease chart versions (chart name -> version), for a plan without
// chart metadata.
func versionChanges(before, after map[string]string) []ChartChange {
	names := slices.Sorted(maps.Keys(union(before, after)))
	var out []ChartChange
	for _, n := range names {
		if before[n] != after[n] {
			out = append(out, ChartChange{Chart: n, FromVersion: before[n], ToVersion: after[n]})
		}
	}
	return out
}
