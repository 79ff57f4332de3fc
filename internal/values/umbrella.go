package values

import (
	"github.com/hubfleet/hubfleet/internal/site"
	"github.com/hubfleet/hubfleet/internal/valuetree"
)

// umbrellaRelease is the one release of a site that runs the operator's
// own umbrella chart: hubfleet's values for jupyterhub and dask-gateway,
// built as for two releases (the gateway is the umbrella's subchart, named
// <release>-dask-gateway), placed at the key paths the fleet declares; the
// site's spec.values (daskhub layout) follow them there; sibling releases
// are the umbrella's own subcharts at SiblingsPath, enabled; the site's
// spec.chart.umbrellaValues are merged last, at the chart's own paths.
func (b *builder) umbrellaRelease(u *site.UmbrellaChart) []Release {
	s, f := b.s, b.f
	name := u.Chart
	b.mode, b.gatewayRelease = site.ModeComposed, name
	tree := b.umbrella()
	valuetree.Merge(tree, f.Spec.Values)
	valuetree.Merge(tree, s.Spec.Values)
	b.withoutDefaultOptions(tree)
	applyOverrides(tree, s.Spec.Overrides)
	fromSecrets := b.secretValues(tree)

	out := map[string]any{}
	place := func(path []string, v any) {
		m := out
		for _, k := range path[:len(path)-1] {
			next, ok := m[k].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[k] = next
			}
			m = next
		}
		m[path[len(path)-1]] = v
	}
	jhPath := u.JupyterHubPath
	place(jhPath, valuetree.Sub(tree, "jupyterhub"))
	if gw := valuetree.Sub(tree, "dask-gateway"); len(u.DaskGatewayPath) > 0 && s.Spec.GatewayEnabled() {
		gw["enabled"] = true
		place(u.DaskGatewayPath, gw)
	}
	for _, r := range s.Spec.Releases {
		v := map[string]any{}
		valuetree.Merge(v, r.Values)
		v["enabled"] = true
		place(append(append([]string{}, u.SiblingsPath...), r.Name), v)
	}
	// The chart's own values (its features and subcharts beside
	// jupyterhub) pass through last, unchanged.
	valuetree.Merge(out, s.Spec.Chart.UmbrellaValues)
	rel := Release{Name: name, Chart: u.Source(), Values: out, NotSecret: notSecret(s, ""), Overrides: overridesNote(s, "")}
	prefix := joinPath(jhPath)
	if sf := b.clientSecret(); sf != nil {
		sf.TargetPath = prefix + "." + sf.TargetPath
		rel.ValuesFrom = append(rel.ValuesFrom, *sf)
	}
	for _, v := range fromSecrets {
		switch {
		case len(v.TargetPath) > len("jupyterhub.") && v.TargetPath[:len("jupyterhub.")] == "jupyterhub.":
			v.TargetPath = prefix + v.TargetPath[len("jupyterhub"):]
		case len(u.DaskGatewayPath) > 0 && len(v.TargetPath) > len("dask-gateway.") && v.TargetPath[:len("dask-gateway.")] == "dask-gateway.":
			v.TargetPath = joinPath(u.DaskGatewayPath) + v.TargetPath[len("dask-gateway"):]
		}
		rel.ValuesFrom = append(rel.ValuesFrom, v)
	}
	return []Release{rel}
}

func joinPath(p []string) string {
	out := ""
	for i, k := range p {
		if i > 0 {
			out += "."
		}
		out += k
	}
	return out
}
