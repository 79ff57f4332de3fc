package importer

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hubfleet/hubfleet/internal/site"
)

// Routes: how an imported site runs a hub written for an operator's own
// umbrella chart (a base chart with siblings, or an umbrella key).
const (
	// RouteUpstream translates the values onto the upstream charts
	// (jupyterhub, dask-gateway, sibling releases): the default.
	RouteUpstream = "upstream"
	// RouteOwner keeps the operator's chart: the site runs it through
	// spec.chart.umbrella, hubfleet's typed fields render at its paths and
	// everything else reaches the chart where the operator wrote it.
	RouteOwner = "owner"
)

// ParseRoute reads a --route value.
func ParseRoute(s string) (string, error) {
	switch s {
	case "", RouteUpstream:
		return RouteUpstream, nil
	case RouteOwner:
		return RouteOwner, nil
	}
	return "", fmt.Errorf("--route %q: use upstream (translate onto the upstream charts) or owner (keep the owners' chart)", s)
}

// What each route loses, said in the report (and in the docs).
const (
	upstreamLoses = "route upstream: this site runs the upstream charts (jupyterhub, dask-gateway, sibling releases); what only the operator's own chart did is not there: its templates and defaults (2i2c basehub: staff admins from custom.2i2c, homepage templates from custom.homepage, its NFS add-ons, user service accounts), so the kept custom.* values are inert. To keep the owners' chart instead: --route owner"
	ownerLoses    = "route owner: this site keeps the owners' chart %s (spec.chart.umbrella); what it loses against the upstream route: validate checks only its z2jh part against a chart schema (that of the z2jh version it vendors, when cached), not the chart's own values (helm-controller does, at install); its subcharts (z2jh, dask-gateway, siblings) move only with the chart's own version, which is the one version plan shows and upgrade bumps; hubfleet's own NFS volumes and sibling HelmReleases are not used (the chart's templates do that); the chart must be served from a Helm repository Flux can reach (2i2c builds basehub and daskhub from git without publishing them)"
)

// ProposeOwnerChart is the declaration of the operator's chart named
// chart that the merged values were written for: where it passes values to
// z2jh and dask-gateway and holds its sibling subcharts, read from the
// layout (2i2c: basehub passes jupyterhub: and dask-gateway: and holds its
// siblings at the top; daskhub nests all of basehub under basehub:).
// Repository and versions are left for the operator to give.
func ProposeOwnerChart(l Layout, chart string) (site.UmbrellaChart, error) {
	u := site.UmbrellaChart{Chart: chart}
	switch {
	case l.Kind == LayoutBase || l.Kind == LayoutDaskHub:
		u.JupyterHubPath, u.DaskGatewayPath, u.SiblingsPath = []string{"jupyterhub"}, []string{"dask-gateway"}, []string{}
	case l.Kind == LayoutUmbrella && (l.Inner == LayoutBase || l.Inner == LayoutDaskHub):
		u.JupyterHubPath, u.DaskGatewayPath, u.SiblingsPath = []string{l.Key, "jupyterhub"}, []string{l.Key, "dask-gateway"}, []string{l.Key}
	case l.Kind == LayoutUmbrella && l.Inner == LayoutZ2JH:
		u.JupyterHubPath, u.SiblingsPath = []string{l.Key}, []string{}
	default:
		return u, fmt.Errorf("--route owner: the values are %s, written for the upstream chart itself: there is no owners' chart to keep (import them without --route)", l)
	}
	return u, nil
}

// ownerSplit takes from the merged values what the owner's chart passes to
// z2jh and dask-gateway, in the daskhub layout, and leaves the rest (the
// chart's own values) in outside, at their own paths.
func ownerSplit(merged map[string]any, u *site.UmbrellaChart) (tree map[string]any, from map[string]Path, outside map[string]any, err error) {
	outside = merged
	tree, from = map[string]any{}, map[string]Path{}
	jh, ok := deletePath(outside, u.JupyterHubPath)
	jm, isMap := jh.(map[string]any)
	if !ok || !isMap {
		return nil, nil, nil, fmt.Errorf("--route owner: the chart %s passes values to z2jh at %s, and the values hold no map there: import onto the chart they were written for (--owner-chart)",
			u.Chart, strings.Join(u.JupyterHubPath, "."))
	}
	tree["jupyterhub"], from["jupyterhub"] = jm, slices.Clone(Path(u.JupyterHubPath))
	if len(u.DaskGatewayPath) > 0 {
		if gw, ok := getPath(outside, u.DaskGatewayPath); ok {
			if gm, isMap := gw.(map[string]any); isMap {
				deletePath(outside, u.DaskGatewayPath)
				tree["dask-gateway"], from["dask-gateway"] = gm, slices.Clone(Path(u.DaskGatewayPath))
			}
		}
	}
	return tree, from, outside, nil
}

// ownerValues passes the owner chart's own values through, unchanged, at
// their own paths (spec.chart.umbrellaValues), except what the secret
// guard finds.
func (im *importer) ownerValues(outside map[string]any) {
	if len(outside) == 0 {
		return
	}
	im.ownerSecrets(outside)
	for _, l := range Leaves(outside) {
		if im.s.Spec.Chart.UmbrellaValues == nil {
			im.s.Spec.Chart.UmbrellaValues = map[string]any{}
		}
		setPath(im.s.Spec.Chart.UmbrellaValues, l.Path, l.Value)
		if im.secretLeaves[key(l.Path)] {
			continue
		}
		im.items = append(im.items, Item{Action: Kept, Path: l.Path.String(), Keys: slices.Clone(l.Path), To: l.Path,
			Note: fmt.Sprintf("passed through to the %s chart in spec.chart.umbrellaValues", im.owner.Chart)})
	}
}

// ownerSecrets is secrets for the owner chart's own values: what the guard
// finds is not written, and the report says where such a value goes.
func (im *importer) ownerSecrets(outside map[string]any) {
	before := len(im.items)
	// The chart's own values are at their input paths already.
	from := im.from
	im.from = nil
	im.secrets(outside, nil)
	im.from = from
	for i := before; i < len(im.items); i++ {
		if im.items[i].Action == Secret {
			what, _, _ := strings.Cut(im.items[i].Note, ": moved to a secret")
			im.items[i].Note = what + ": moved to a secret: the chart's own values get no secret channel from hubfleet yet: keep the value in a Secret of the namespace and point the chart at it (or, if it is not a secret, put it back in spec.chart.umbrellaValues)"
		}
	}
}

// ownerRoute finishes a site on the owner route: it runs the chart, and
// every kept leaf is where the operator wrote it, in the chart's release.
func (im *importer) ownerRoute(name string) {
	im.s.Spec.Chart = site.ChartSelection{Umbrella: name, UmbrellaValues: im.s.Spec.Chart.UmbrellaValues}
	for i, it := range im.items {
		if it.Action == Kept {
			im.items[i].To = append(Path{im.owner.Chart}, it.Keys...)
		}
	}
}
