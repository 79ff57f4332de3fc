package workspace

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/Masterminds/semver/v3"

	"github.com/hubfleet/hubfleet/internal/chart"
	"github.com/hubfleet/hubfleet/internal/fleet"
	"github.com/hubfleet/hubfleet/internal/site"
)

// Kinds of the problems the workspace finds across files.
const (
	// KindChartVersion is a chart version (or chart) the repository does
	// not have: Flux can never fetch it.
	KindChartVersion site.Kind = "chart-version-missing"
	// KindSharedNamespace is two sites on one cluster and namespace:
	// their overlays would prune each other's objects.
	KindSharedNamespace site.Kind = "shared-namespace"
	// KindRenderRefused is what render would refuse: a SOPS file or a
	// key of it the site needs and does not have.
	KindRenderRefused site.Kind = "render-refused"
)

// sharedNamespaces reports every pair of sites that deploy to the same
// kube context and namespace, naming both.
func sharedNamespaces(fl *fleet.Fleet) site.ErrorList {
	if fl == nil || fl.Config == nil {
		return nil
	}
	type place struct{ context, namespace string }
	first := map[place]*site.Site{}
	var out site.ErrorList
	for _, s := range fl.Sites {
		ctxName := s.Spec.Kubernetes.Context
		if ctxName == "" {
			ctxName = s.Metadata.Name
		}
		p := place{ctxName, site.NamespaceOf(s, fl.Config)}
		other, ok := first[p]
		if !ok {
			first[p] = s
			continue
		}
		field := "spec.kubernetes.context"
		out = append(out, &site.FieldError{File: s.File, Line: site.LineOf(s.Lines, field), Field: field, Kind: KindSharedNamespace,
			Msg: fmt.Sprintf("sites %s (%s) and %s (%s) both deploy to namespace %q of kube context %q: each site's Flux Kustomization prunes what the other applies",
				other.Metadata.Name, other.File, s.Metadata.Name, s.File, p.namespace, p.context),
			Fix: "give one of them its own namespace (spec.namespace) or its own cluster (spec.kubernetes.context)"})
	}
	return out
}

// ChartVersions checks that every chart version a site runs (a pin, or
// a staged canary) is in its repository's index, read through res: a
// version the repository lacks is an error at the fleet file's version
// line naming the versions it has. A repository res cannot read is not
// checked here (plan reads it, and says so). It is the one rule for a
// missing chart version: Load applies it from the chart cache only
// (validate, render), upgrade with the repositories it reads.
func ChartVersions(ctx context.Context, fl *fleet.Fleet, res *chart.Resolver) (site.ErrorList, error) {
	if fl == nil || fl.Config == nil {
		return nil, nil
	}
	type use struct {
		key string
		ref chart.Ref
	}
	seen := map[chart.Ref]string{}
	for _, s := range fl.Sites {
		c := fl.Config.ChartsFor(s.Spec.Wave)
		srcs := map[string]site.ChartSource{"daskhub": c.DaskHub, "jupyterhub": c.JupyterHub, "daskGateway": c.DaskGateway}
		if u := site.UmbrellaOf(s, fl.Config); u != nil {
			srcs[UmbrellaKey(s.Spec.Chart.Umbrella)] = u.Source()
		}
		for key, src := range srcs {
			if !RunsChart(s, fl.Config, key) || src.Repository == "" || src.Chart == "" || src.Version == "" {
				continue
			}
			seen[chart.Ref{RepoURL: src.Repository, Name: src.Chart, Version: src.Version}] = key
		}
	}
	var out site.ErrorList
	refs := slices.SortedFunc(maps.Keys(seen), func(a, b chart.Ref) int { return strings.Compare(a.String(), b.String()) })
	for _, ref := range refs {
		_, err := res.Resolve(ctx, ref)
		if err == nil {
			continue
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		key := seen[ref]
		field := "spec.charts." + key + ".version"
		if c := fl.Config.Spec.Charts; key != "" {
			if src := chartSource(c, key); src.Canary != nil && src.Canary.Version == ref.Version {
				field = "spec.charts." + key + ".canary.version"
			}
		}
		var nv *chart.NoVersionError
		var nf *chart.NotFoundError
		switch {
		case errors.As(err, &nv) && nv.Err == nil:
			out = append(out, &site.FieldError{File: fl.Config.File, Line: site.LineOf(fl.Config.Lines, field), Field: field, Kind: KindChartVersion,
				Msg: MissingVersion(ref, nv.Available),
				Fix: missingVersionFix(field, chartSource(fl.Config.Spec.Charts, key), nv.Available)})
		case errors.As(err, &nf):
			out = append(out, &site.FieldError{File: fl.Config.File, Line: site.LineOf(fl.Config.Lines, field), Field: field, Kind: KindChartVersion,
				Msg: fmt.Sprintf("repository %s has no chart %q: Flux can never fetch it", ref.RepoURL, ref.Name),
				Fix: "check spec.charts." + key + ".repository and .chart"})
		}
	}
	return out, nil
}

// MissingVersion is the problem of a chart version its repository lacks,
// naming the versions it has (newest first): the one wording of it in
// validate, render, upgrade (ChartVersions) and plan (a site's chart).
func MissingVersion(ref chart.Ref, available []string) string {
	return fmt.Sprintf("chart %s version %q is not in repository %s (it has %s): Flux can never fetch it", ref.Name, ref.Version, ref.RepoURL, strings.Join(available, ", "))
}

// missingVersionFix is the fix of a chart version the repository lacks:
// set one it has, naming the newest the chart's constraint allows
// (prereleases only where the fleet opts in). It names no command that
// would pick one: upgrade moves only a pin the repository has, and a
// pin Flux could never fetch is the operator's to correct, not a version
// to skip past unreviewed.
func missingVersionFix(field string, src site.ChartSource, available []string) string {
	fix := "set " + field + " to a version the repository has"
	var allowed *semver.Constraints
	if src.Constraint != "" {
		c, err := semver.NewConstraint(src.Constraint)
		if err != nil {
			return fix
		}
		c.IncludePrerelease = src.Prereleases
		allowed = c
	}
	var best *semver.Version
	for _, a := range available {
		v, err := semver.NewVersion(a)
		switch {
		case err != nil, v.Prerelease() != "" && !src.Prereleases, allowed != nil && !allowed.Check(v):
			continue
		}
		if best == nil || v.GreaterThan(best) {
			best = v
		}
	}
	switch {
	case best == nil && src.Constraint != "":
		fix += " (none of them is within its constraint " + fmt.Sprintf("%q", src.Constraint) + ": widen it too)"
	case best != nil && src.Constraint != "":
		fix += ", e.g. " + best.Original() + ", the newest within its constraint " + fmt.Sprintf("%q", src.Constraint)
	case best != nil:
		fix += ", e.g. " + best.Original() + ", the newest"
	}
	return fix + "; `hubfleet upgrade` moves only a pin the repository has"
}

func chartSource(c site.Charts, key string) site.ChartSource {
	if name, ok := strings.CutPrefix(key, umbrellaPrefix); ok {
		return c.Umbrellas[name].Source()
	}
	switch key {
	case "daskhub":
		return c.DaskHub
	case "jupyterhub":
		return c.JupyterHub
	}
	return c.DaskGateway
}

// umbrellaPrefix starts the key of an operator's umbrella chart.
const umbrellaPrefix = "umbrellas."

// UmbrellaKey is the key of the fleet's operator umbrella chart name
// under spec.charts: spec.charts.umbrellas.<name>.
func UmbrellaKey(name string) string { return umbrellaPrefix + name }

// RunsChart says whether a site runs the chart of the fleet's
// spec.charts.<key> (daskhub, jupyterhub, daskGateway, or
// UmbrellaKey(name)): the daskhub umbrella in daskhub mode, the separate
// charts when composed, an operator's umbrella chart on the sites that
// name it in spec.chart.umbrella (they run none of the others).
func RunsChart(s *site.Site, f *site.Fleet, key string) bool {
	mode := site.ModeOf(s, f)
	if name, ok := strings.CutPrefix(key, umbrellaPrefix); ok {
		return mode == site.ModeUmbrella && s.Spec.Chart.Umbrella == name && site.UmbrellaOf(s, f) != nil
	}
	switch key {
	case "daskhub":
		return mode == site.ModeDaskHub
	case "jupyterhub":
		return mode == site.ModeComposed
	}
	return mode == site.ModeComposed && s.Spec.GatewayEnabled()
}
