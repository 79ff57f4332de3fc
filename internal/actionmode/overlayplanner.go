package actionmode

import (
	"context"
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"strings"
	"sync"

	"sigs.k8s.io/yaml"

	"github.com/hubfleet/hubfleet/internal/chart"
	"github.com/hubfleet/hubfleet/internal/fleet"
	"github.com/hubfleet/hubfleet/internal/gitrepo"
	"github.com/hubfleet/hubfleet/internal/plan"
	"github.com/hubfleet/hubfleet/internal/site"
)

// OverlayPlanner is the chart-level Planner: it reads each site's
// HelmReleases and HelmRepositories from the committed overlays at the base
// branch and in the work tree, turns each release into a chart render
// request (the chart from its repository, the inline values, valuesFrom
// secrets as placeholders) and lets internal/plan render and diff the
// normalised chart objects. Sites whose inputs did not change are not
// rendered.
type OverlayPlanner struct {
	Resolver chart.ResolverOptions
	Render   chart.RenderOptions
	Git      gitrepo.Options
}

var _ Planner = OverlayPlanner{}

// DefaultOverlayPlanner uses the user's chart and render caches.
func DefaultOverlayPlanner() OverlayPlanner {
	return OverlayPlanner{Resolver: chart.DefaultResolverOptions(), Render: chart.DefaultRenderOptions(), Git: gitrepo.DefaultOptions()}
}

// Plan implements Planner.
func (p OverlayPlanner) Plan(ctx context.Context, root, baseRef string, sites []string) ([]SitePlan, error) {
	return ChartPlanner{Build: p.BuildPlan}.Plan(ctx, root, baseRef, sites)
}

// BuildPlan plans the named sites between baseRef and the work tree: the
// overlay diff and the diff of the rendered chart objects of each release.
func (p OverlayPlanner) BuildPlan(ctx context.Context, root, baseRef string, sites []string) (*plan.Plan, error) {
	repo, err := gitrepo.Open(ctx, root, p.Git)
	if err != nil {
		return nil, err
	}
	base, err := resolveBase(ctx, repo, baseRef)
	if err != nil {
		return nil, err
	}
	resolver, err := chart.NewResolver(p.Resolver)
	if err != nil {
		return nil, err
	}
	renderer, err := chart.NewRenderer(p.Render)
	if err != nil {
		return nil, err
	}
	charts := &chartCache{resolver: resolver, charts: map[chart.Ref]*chart.Chart{}}
	// The cluster version each site states; a fleet that does not load
	// (the plan reports its problems) renders with the renderer's default.
	kube := map[string]string{}
	if fl, err := fleet.LoadDir(root); err == nil {
		for _, s := range fl.Sites {
			kube[s.Metadata.Name] = site.KubeVersionOf(s, fl.Config)
		}
	}
	var psites []plan.Site
	var errs []error
	for _, name := range sites {
		dir := path.Join("overlays", name) + "/"
		baseFiles := map[string][]byte{}
		files, err := repo.ListFiles(ctx, base, dir)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			if baseFiles[f], err = repo.Show(ctx, base, f); err != nil {
				return nil, err
			}
		}
		headFiles, err := readTree(filepath.Join(repo.Dir(), filepath.FromSlash(dir)), dir)
		if err != nil {
			return nil, err
		}
		baseRel, err := releases(ctx, charts, baseFiles)
		if err != nil {
			errs = append(errs, fmt.Errorf("site %s at %s: %w", name, baseRef, err))
			continue
		}
		headRel, err := releases(ctx, charts, headFiles)
		if err != nil {
			errs = append(errs, fmt.Errorf("site %s: %w", name, err))
			continue
		}
		// One plan entry per release; the overlay files go with the first
		// so their diff appears once. SitePlansFrom merges them by site.
		names := map[string]bool{}
		for n := range baseRel {
			names[n] = true
		}
		for n := range headRel {
			names[n] = true
		}
		rels := sortedKeys(names)
		if len(rels) == 0 {
			rels = []string{""}
		}
		for _, rs := range []map[string]*chart.Request{baseRel, headRel} {
			for _, req := range rs {
				req.KubeVersion = kube[name]
			}
		}
		for i, rel := range rels {
			ps := plan.Site{Name: name}
			if len(baseFiles) > 0 {
				ps.Base = &plan.State{Request: baseRel[rel]}
			}
			if len(headFiles) > 0 {
				ps.Head = &plan.State{Request: headRel[rel]}
			}
			if i == 0 {
				if ps.Base != nil {
					ps.Base.Files = baseFiles
				}
				if ps.Head != nil {
					ps.Head.Files = headFiles
				}
			}
			psites = append(psites, ps)
		}
	}
	if len(psites) == 0 {
		return nil, errors.Join(errs...)
	}
	opts := plan.DefaultOptions()
	opts.Renderer = renderer
	pl, err := plan.Build(ctx, psites, opts)
	if pl != nil {
		pl.Sites = mergeSiteChanges(pl.Sites)
	}
	return pl, errors.Join(append(errs, err)...)
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

// releases turns the HelmReleases among files into render requests, keyed
// by release name.
func releases(ctx context.Context, charts *chartCache, files map[string][]byte) (map[string]*chart.Request, error) {
	repos := map[string]string{}
	type hr struct {
		Metadata struct {
			Name      string `json:"name"`
			Namespace string `json:"namespace"`
		} `json:"metadata"`
		Spec struct {
			URL   string `json:"url"`
			Chart struct {
				Spec struct {
					Chart     string `json:"chart"`
					Version   string `json:"version"`
					SourceRef struct {
						Kind string `json:"kind"`
						Name string `json:"name"`
					} `json:"sourceRef"`
				} `json:"spec"`
			} `json:"chart"`
			ReleaseName     string         `json:"releaseName"`
			TargetNamespace string         `json:"targetNamespace"`
			Values          map[string]any `json:"values"`
			ValuesFrom      []struct {
				Kind       string `json:"kind"`
				Name       string `json:"name"`
				ValuesKey  string `json:"valuesKey"`
				TargetPath string `json:"targetPath"`
			} `json:"valuesFrom"`
		} `json:"spec"`
	}
	var hrs []hr
	for _, p := range sortedKeys(files) {
		for _, doc := range strings.Split(string(files[p]), "\n---") {
			var head struct {
				Kind string `json:"kind"`
			}
			if err := yaml.Unmarshal([]byte(doc), &head); err != nil {
				return nil, fmt.Errorf("%s: %w", p, err)
			}
			var obj hr
			switch head.Kind {
			case "HelmRepository", "HelmRelease":
				if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
					return nil, fmt.Errorf("%s: %w", p, err)
				}
			default:
				continue
			}
			if head.Kind == "HelmRepository" {
				repos[obj.Metadata.Name] = obj.Spec.URL
			} else {
				hrs = append(hrs, obj)
			}
		}
	}
	out := map[string]*chart.Request{}
	for _, h := range hrs {
		cs := h.Spec.Chart.Spec
		url, ok := repos[cs.SourceRef.Name]
		if !ok {
			return nil, fmt.Errorf("HelmRelease %s: HelmRepository %s is not in the overlay", h.Metadata.Name, cs.SourceRef.Name)
		}
		ch, err := charts.get(ctx, chart.Ref{RepoURL: url, Name: cs.Chart, Version: cs.Version})
		if err != nil {
			return nil, fmt.Errorf("HelmRelease %s: %w", h.Metadata.Name, err)
		}
		values := h.Spec.Values
		if values == nil {
			values = map[string]any{}
		}
		for _, vf := range h.Spec.ValuesFrom {
			if vf.TargetPath != "" {
				setPath(values, vf.TargetPath, fmt.Sprintf("<%s %s/%s>", vf.Kind, vf.Name, vf.ValuesKey))
			}
		}
		name := h.Spec.ReleaseName
		if name == "" {
			name = h.Metadata.Name
		}
		ns := h.Spec.TargetNamespace
		if ns == "" {
			ns = h.Metadata.Namespace
		}
		out[h.Metadata.Name] = &chart.Request{Chart: ch, ReleaseName: name, Namespace: ns, Values: values}
	}
	return out, nil
}

// setPath sets a dotted values path, creating maps on the way.
func setPath(m map[string]any, p string, v any) {
	parts := strings.Split(p, ".")
	for _, k := range parts[:len(parts)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	m[parts[len(parts)-1]] = v
}
