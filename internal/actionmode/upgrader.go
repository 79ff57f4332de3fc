package actionmode

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hubfleet/hubfleet/internal/chart"
	"github.com/hubfleet/hubfleet/internal/fleet"
	"github.com/hubfleet/hubfleet/internal/gitrepo"
	"github.com/hubfleet/hubfleet/internal/site"
)

// ChartUpgrader is the Upgrader: it asks each chart repository of the
// fleet for the newest version above the pin that the pin's constraint
// allows (prereleases only where the fleet opts in), rewrites the pins in
// bases/daskhub/fleet.yaml in place (comments and layout kept), re-renders
// every site and plans each against the base branch.
type ChartUpgrader struct {
	// Resolver reads the repositories' indexes; IncludePrereleases is set
	// per chart from the fleet.
	Resolver chart.ResolverOptions
	// Renderer re-renders after the bump; nil means FleetRenderer.
	Renderer Renderer
	// Planner plans each site; nil means GitPlanner.
	Planner Planner
	// BaseRef is planned against when UpgradeOptions.BaseRef is empty.
	BaseRef string
	Git     gitrepo.Options
}

var _ Upgrader = ChartUpgrader{}

// DefaultChartUpgrader returns an upgrader using the user's chart cache,
// planning each site at the level of the rendered chart objects.
func DefaultChartUpgrader() ChartUpgrader {
	return ChartUpgrader{
		Resolver: chart.DefaultResolverOptions(),
		Planner:  DefaultOverlayPlanner(),
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

// Upgrade implements Upgrader.
func (u ChartUpgrader) Upgrade(ctx context.Context, root string, opts UpgradeOptions) (*UpgradeResult, error) {
	fl, err := fleet.LoadDir(root)
	if err != nil {
		return nil, fmt.Errorf("load fleet: %w", err)
	}
	c := fl.Config.Spec.Charts
	sources := []struct {
		key string
		src site.ChartSource
	}{{"daskhub", c.DaskHub}, {"jupyterhub", c.JupyterHub}, {"daskGateway", c.DaskGateway}}

	res := &UpgradeResult{}
	bumps := map[string]string{}
	var errs []error
	for _, e := range sources {
		key, s := e.key, e.src
		if s.Repository == "" || s.Chart == "" || s.Version == "" {
			continue
		}
		ro := u.Resolver
		ro.IncludePrereleases = s.Prereleases
		resolver, err := chart.NewResolver(ro)
		if err != nil {
			return nil, err
		}
		constraint := ">" + s.Version
		if s.Constraint != "" {
			constraint = s.Constraint + ", " + constraint
		}
		ch, err := resolver.Resolve(ctx, chart.Ref{RepoURL: s.Repository, Name: s.Chart, Version: constraint})
		var nv *chart.NoVersionError
		switch {
		case errors.As(err, &nv) && nv.Err == nil:
			continue // nothing newer within the policy
		case err != nil:
			errs = append(errs, fmt.Errorf("chart %s: %w", s.Chart, err))
			continue
		}
		if ch.Info.Version == s.Version {
			continue
		}
		bumps[key] = ch.Info.Version
		res.Versions = append(res.Versions, VersionChange{Chart: s.Chart, From: s.Version, To: ch.Info.Version, ChangelogURL: chartChangelogs[s.Chart]})
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("upgrade: %w", err)
	}
	if len(bumps) == 0 {
		return res, nil
	}
	if err := bumpPins(filepath.Join(root, filepath.FromSlash(fleet.FleetFile)), bumps); err != nil {
		return nil, fmt.Errorf("upgrade: %w", err)
	}
	renderer := u.Renderer
	if renderer == nil {
		renderer = FleetRenderer{}
	}
	if _, err := renderer.Write(ctx, root); err != nil {
		return nil, fmt.Errorf("upgrade: re-render: %w", err)
	}
	planner := u.Planner
	if planner == nil {
		planner = GitPlanner{Git: u.Git}
	}
	var sites []string
	for _, s := range fl.Sites {
		sites = append(sites, s.Metadata.Name)
	}
	base := opts.BaseRef
	if base == "" {
		base = u.BaseRef
	}
	if base == "" {
		base = "main"
	}
	if res.Sites, err = planner.Plan(ctx, root, base, sites); err != nil {
		return nil, fmt.Errorf("upgrade: plan: %w", err)
	}
	seen := map[string]bool{}
	for _, sp := range res.Sites {
		for _, d := range sp.OneWayDoors {
			if !seen[d] {
				seen[d] = true
				res.OneWayDoors = append(res.OneWayDoors, d)
			}
		}
	}
	sort.Strings(res.OneWayDoors)
	return res, nil
}

// bumpPins rewrites spec.charts.<key>.version in the fleet file in place,
// touching only the version scalars so comments and layout stay.
func bumpPins(path string, bumps map[string]string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("parse %s: %w", path, err)
	}
	lines := strings.Split(string(data), "\n")
	for key, version := range bumps {
		n := lookup(&doc, "spec", "charts", key, "version")
		if n == nil || n.Kind != yaml.ScalarNode {
			return fmt.Errorf("%s: no spec.charts.%s.version", path, key)
		}
		i := n.Line - 1
		col := n.Column - 1
		if i < 0 || i >= len(lines) || col > len(lines[i]) {
			return fmt.Errorf("%s: spec.charts.%s.version at %d:%d is out of range", path, key, n.Line, n.Column)
		}
		rest := lines[i][col:]
		at := strings.Index(rest, n.Value)
		if at < 0 || at > 1 {
			return fmt.Errorf("%s:%d: cannot find version %q to replace", path, n.Line, n.Value)
		}
		lines[i] = lines[i][:col+at] + version + rest[at+len(n.Value):]
	}
	return os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644)
}

// lookup follows mapping keys from a document node.
func lookup(n *yaml.Node, keys ...string) *yaml.Node {
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	for _, k := range keys {
		if n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == k {
				next = n.Content[i+1]
				break
			}
		}
		if next == nil {
			return nil
		}
		n = next
	}
	return n
}
