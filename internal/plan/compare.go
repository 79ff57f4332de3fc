package plan

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/hubfleet/hubfleet/internal/chart"
	"github.com/hubfleet/hubfleet/internal/expect"
	"github.com/hubfleet/hubfleet/internal/fleet"
	"github.com/hubfleet/hubfleet/internal/overlay"
	"github.com/hubfleet/hubfleet/internal/site"
)

// Sides are the overlay files of each site on one side of a plan, by site
// name. A site missing from a side has no overlay there.
type Sides map[string]overlay.Files

// CompareOptions configure Compare.
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
}

// DefaultCompareOptions render the charts through the user's caches.
func DefaultCompareOptions() CompareOptions {
	return CompareOptions{Charts: true, Resolver: chart.DefaultResolverOptions(), Render: chart.DefaultRenderOptions(), Context: 3}
}

// Compare plans every named site from base to head. With opts.Charts, a
// chart that is neither reachable nor cached does not fail the plan: it
// falls back to the overlay diff and says so in Plan.Warnings. Other errors
// (an overlay that does not decode) leave the site out and are returned
// joined, next to the plan of the other sites.
func Compare(ctx context.Context, base, head Sides, sites []string, opts CompareOptions) (*Plan, error) {
	if opts.Context <= 0 {
		opts.Context = 3
	}
	if opts.Charts {
		p, err := compare(ctx, base, head, sites, opts)
		var ue *chart.UnavailableError
		if !errors.As(err, &ue) {
			return p, err
		}
		opts.Charts = false
		p, err2 := compare(ctx, base, head, sites, opts)
		if p != nil {
			p.Warnings = append(p.Warnings, fmt.Sprintf("chart objects not planned, the overlay diff only: %v", ue))
		}
		return p, err2
	}
	return compare(ctx, base, head, sites, opts)
}

func compare(ctx context.Context, base, head Sides, sites []string, opts CompareOptions) (*Plan, error) {
	var get func(context.Context, chart.Ref) (*chart.Chart, error)
	bo := Options{Context: opts.Context, Progress: opts.Progress}
	if opts.Charts {
		resolver, err := chart.NewResolver(opts.Resolver)
		if err != nil {
			return nil, err
		}
		if bo.Renderer, err = chart.NewRenderer(opts.Render); err != nil {
			return nil, err
		}
		get = (&chartCache{resolver: resolver, charts: map[chart.Ref]*chart.Chart{}}).get
	}
	var psites []Site
	var errs []error
	inputs := map[string][2]*overlay.Site{}
	for _, name := range sites {
		bf, inBase := base[name]
		hf, inHead := head[name]
		inBase, inHead = inBase && len(bf) > 0, inHead && len(hf) > 0
		var bs, hs *overlay.Site
		var err error
		if inBase {
			if bs, err = overlay.Decode(name, bf); err != nil {
				errs = append(errs, fmt.Errorf("site %s at base: %w", name, err))
				continue
			}
		}
		if inHead {
			if hs, err = overlay.Decode(name, hf); err != nil {
				errs = append(errs, fmt.Errorf("site %s: %w", name, err))
				continue
			}
		}
		inputs[name] = [2]*overlay.Site{bs, hs}
		entries, err := siteEntries(ctx, name, bs, hs, get, opts.Fleet)
		if err != nil {
			var ue *chart.UnavailableError
			if errors.As(err, &ue) {
				return nil, err
			}
			errs = append(errs, err)
			continue
		}
		psites = append(psites, entries...)
	}
	if len(psites) == 0 {
		return &Plan{Charts: opts.Charts}, errors.Join(errs...)
	}
	p, err := Build(ctx, psites, bo)
	if err != nil {
		return nil, errors.Join(append(errs, err)...)
	}
	p.Charts = opts.Charts
	p.Sites = mergeSiteChanges(p.Sites)
	for i := range p.Sites {
		sc := &p.Sites[i]
		in := inputs[sc.Site]
		if sc.Status == Removed && in[0] != nil {
			sc.Prune = pruneOf(in[0], sc.baseObjects)
			sc.OneWayDoors = append([]OneWayDoor{removalDoor(sc.Site, sc.Prune)}, sc.OneWayDoors...)
		}
		if in[0] != nil && in[1] != nil {
			if d, ok := releaseSwitchDoor(sc.Site, in[0], in[1]); ok {
				sc.OneWayDoors = append([]OneWayDoor{d}, sc.OneWayDoors...)
			}
		}
		if !opts.Charts && in[0] != nil && in[1] != nil {
			sc.Charts = versionChanges(in[0].ChartVersions(), in[1].ChartVersions())
			if len(sc.Charts) > 0 && sc.Status == Unchanged {
				sc.Status = Changed
			}
		}
		sc.baseObjects = nil
	}
	return p, errors.Join(errs...)
}

// siteEntries pairs a site's releases at base and head: one entry per
// release, the overlay files with the first so their diff appears once.
func siteEntries(ctx context.Context, name string, bs, hs *overlay.Site, get func(context.Context, chart.Ref) (*chart.Chart, error), fl *fleet.Fleet) ([]Site, error) {
	type pair [2]*chart.Request
	rels := map[string]pair{}
	var s *site.Site
	var cfg *site.Fleet
	if fl != nil {
		s, cfg = fl.Site(name), fl.Config
	}
	var errs []error
	for side, os := range []*overlay.Site{bs, hs} {
		if os == nil {
			continue
		}
		for _, hr := range os.Releases {
			pr := rels[hr.Name]
			if get != nil {
				req, err := os.Request(ctx, hr, get)
				if err != nil {
					errs = append(errs, fmt.Errorf("site %s: %w", name, err))
					continue
				}
				if s != nil {
					req.KubeVersion = site.KubeVersionOf(s, cfg)
					if side == 1 {
						req.Expect = expect.For(s, cfg, overlay.ReleaseName(hr))
					}
				}
				pr[side] = req
			}
			rels[hr.Name] = pr
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
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

type chartCache struct {
	mu       sync.Mutex
	resolver *chart.Resolver
	charts   map[chart.Ref]*chart.Chart
}

func (c *chartCache) get(ctx context.Context, ref chart.Ref) (*chart.Chart, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ch, ok := c.charts[ref]; ok {
		return ch, nil
	}
	ch, err := c.resolver.Resolve(ctx, ref)
	if err != nil {
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
