package site

import (
	"slices"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// SiblingCharts are the charts sites install beside the hub
// (spec.releases), keyed by the name sites use in releases[].chart.
type SiblingCharts map[string]ChartSource

// SiblingChartsFor are the sibling chart pins a site of the given wave runs.
func (c SiblingCharts) ForWave(wave int) SiblingCharts {
	if c == nil {
		return nil
	}
	out := make(SiblingCharts, len(c))
	for k, v := range c {
		out[k] = v.ForWave(wave)
	}
	return out
}

// Names are the pins' keys in order.
func (c SiblingCharts) Names() []string {
	out := make([]string, 0, len(c))
	for k := range c {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// ModeUmbrella installs the operator's own umbrella chart (2i2c basehub or
// daskhub, pangeo-deploy) as one release; the fleet says where it passes
// values to jupyterhub and dask-gateway.
const ModeUmbrella = "umbrella"

// UmbrellaChart is an operator's chart that wraps z2jh (and dask-gateway)
// as subcharts. hubfleet renders its typed fields at the key paths below;
// everything else in the site's values passes through at the same paths.
type UmbrellaChart struct {
	Repository string `yaml:"repository"`
	Chart      string `yaml:"chart"`
	Version    string `yaml:"version"`
	Constraint string `yaml:"constraint,omitempty"`
	// JupyterHubVersion is the z2jh version the chart vendors (for the
	// OAuthenticator keys hubfleet writes).
	JupyterHubVersion string `yaml:"jupyterhubVersion"`
	// JupyterHubPath is where the chart passes values to z2jh, e.g.
	// [basehub, jupyterhub].
	JupyterHubPath []string `yaml:"jupyterhubPath"`
	// DaskGatewayPath is where it passes values to dask-gateway, e.g.
	// [dask-gateway]; empty when the chart has no gateway.
	DaskGatewayPath []string `yaml:"daskGatewayPath,omitempty"`
	// SiblingsPath is where its sibling subcharts sit (e.g. [basehub]):
	// a site's spec.releases are passed there, enabled, instead of being
	// releases of their own.
	SiblingsPath []string `yaml:"siblingsPath,omitempty"`
	// Canary stages an upgrade of the chart as for the fleet's other
	// charts: sites in waves up to canary.maxWave run canary.version (and
	// the z2jh version it vendors) while every other site stays on
	// version. hubfleet upgrade writes it, and promotes it once those
	// sites verified.
	Canary *UmbrellaCanary `yaml:"canary,omitempty"`
}

// UmbrellaCanary is a version of an operator's umbrella chart that only the
// first waves run, with the z2jh version that version vendors: it decides
// the values hubfleet renders for those sites (their OAuthenticator keys).
type UmbrellaCanary struct {
	// Version is the exact version the first waves run.
	Version string `yaml:"version"`
	// MaxWave is the last wave that runs the canary version (default 0).
	MaxWave int `yaml:"maxWave,omitempty"`
	// JupyterHubVersion is the z2jh version the canary version vendors.
	JupyterHubVersion string `yaml:"jupyterhubVersion"`
}

// Source is the umbrella chart as a chart source (for rendering, pins and
// its canary, whose waves and checks are a ChartSource canary's).
func (u UmbrellaChart) Source() ChartSource {
	s := ChartSource{Repository: u.Repository, Chart: u.Chart, Version: u.Version, Constraint: u.Constraint}
	if u.Canary != nil {
		s.Canary = &Canary{Version: u.Canary.Version, MaxWave: u.Canary.MaxWave}
	}
	return s
}

// ForWave is the umbrella chart a site of the given wave runs: the canary
// version and the z2jh version it vendors for the first waves while an
// upgrade is staged, else the pin.
func (u UmbrellaChart) ForWave(wave int) UmbrellaChart {
	if c := u.Canary; c != nil && u.Source().Canary.Runs(wave) {
		u.Version, u.JupyterHubVersion = c.Version, c.JupyterHubVersion
	}
	u.Canary = nil
	return u
}

// umbrellasForWave are the umbrella charts a site of the given wave runs.
func umbrellasForWave(m map[string]UmbrellaChart, wave int) map[string]UmbrellaChart {
	if m == nil {
		return nil
	}
	out := make(map[string]UmbrellaChart, len(m))
	for k, u := range m {
		out[k] = u.ForWave(wave)
	}
	return out
}

// UmbrellaOf is the operator umbrella a site runs (for its wave: a staged
// canary's version on the first waves), or nil.
func UmbrellaOf(s *Site, f *Fleet) *UmbrellaChart {
	if s.Spec.Chart.Umbrella == "" || f == nil {
		return nil
	}
	u, ok := f.Spec.Charts.Umbrellas[s.Spec.Chart.Umbrella]
	if !ok {
		return nil
	}
	u = u.ForWave(s.Spec.Wave)
	return &u
}

func validateUmbrella(r *reporter, s *Site, f *Fleet) {
	name := s.Spec.Chart.Umbrella
	if name == "" {
		if s.Spec.Chart.Mode == ModeUmbrella {
			r.add(KindRequired, "spec.chart.mode", "use daskhub or composed, or name the fleet's umbrella chart in spec.chart.umbrella", "mode umbrella needs spec.chart.umbrella")
		}
		if len(s.Spec.Chart.UmbrellaValues) > 0 {
			r.add(KindRequired, "spec.chart.umbrellaValues", "name the fleet's umbrella chart in spec.chart.umbrella, or move the values to spec.values", "umbrellaValues are values of an operator's umbrella chart, and the site runs none")
		}
		return
	}
	if s.Spec.Chart.Mode != "" && s.Spec.Chart.Mode != ModeUmbrella {
		r.add(KindEnum, "spec.chart.mode", "remove it, or set mode: umbrella", "chart.umbrella is set but chart.mode is %s", s.Spec.Chart.Mode)
	}
	if f == nil {
		return
	}
	u, ok := f.Spec.Charts.Umbrellas[name]
	if !ok {
		r.add(KindRequired, "spec.chart.umbrella", "declare it in the fleet file under spec.charts.umbrellas."+name+" (repository, chart, version, jupyterhubVersion, jupyterhubPath)", "the fleet declares no umbrella chart %q", name)
		return
	}
	// umbrellaValues stay outside the paths hubfleet renders: what goes to
	// jupyterhub (and to a running dask-gateway) is spec.values, where
	// owned keys are checked.
	owned := [][]string{u.JupyterHubPath}
	if s.Spec.GatewayEnabled() && len(u.DaskGatewayPath) > 0 {
		owned = append(owned, u.DaskGatewayPath)
	}
	for _, p := range owned {
		if len(p) == 0 {
			continue
		}
		if v, ok := lookupPath(s.Spec.Chart.UmbrellaValues, p); ok && v != nil {
			r.add(KindOwned, "spec.chart.umbrellaValues."+strings.Join(p, "."), "move these values to spec.values."+layoutKey(p, u),
				"the umbrella %s passes %s to its subchart, whose values are spec.values (daskhub layout)", name, strings.Join(p, "."))
		}
	}
}

// layoutKey is the daskhub-layout key of one of an umbrella's paths.
func layoutKey(p []string, u UmbrellaChart) string {
	if slices.Equal(p, u.DaskGatewayPath) {
		return "dask-gateway"
	}
	return "jupyterhub"
}

// lookupPath finds the value at a path of keys.
func lookupPath(m map[string]any, p []string) (any, bool) {
	var cur any = m
	for _, k := range p {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		cur, ok = mm[k]
		if !ok {
			return nil, false
		}
	}
	return cur, true
}

func validateFleetUmbrellas(r *reporter, f *Fleet) {
	for _, name := range sortedUmbrellas(f.Spec.Charts.Umbrellas) {
		u := f.Spec.Charts.Umbrellas[name]
		field := "spec.charts.umbrellas." + name
		validateChart(r, field, u.Source())
		if len(u.JupyterHubPath) == 0 {
			r.add(KindRequired, field+".jupyterhubPath", "write the keys under which the chart passes values to z2jh, e.g. [basehub, jupyterhub]", "an umbrella chart needs jupyterhubPath")
		}
		if u.JupyterHubVersion == "" {
			r.add(KindRequired, field+".jupyterhubVersion", "write the z2jh version the chart vendors, e.g. 4.4.0", "an umbrella chart needs jupyterhubVersion")
		}
		if u.Canary != nil {
			// The canary's version and waves are checked with the chart
			// (validateChart, through Source); what it vendors here.
			checkVendored(r, field+".canary.jupyterhubVersion", u.Canary.JupyterHubVersion, u.Canary.Version)
		}
	}
}

// checkVendored checks the z2jh version an umbrella chart's canary
// vendors. One hubfleet's catalog lacks is treated as the pin's
// jupyterhubVersion is: render warns on each site that runs it, naming the
// facts it assumes and how to declare them (values.FactWarnings), since
// upgrade --allow-unknown stages such a version on purpose.
func checkVendored(r *reporter, field, v, chartVersion string) {
	switch {
	case v == "":
		r.add(KindRequired, field, "write the z2jh version that version "+chartVersion+" vendors (its Chart.yaml dependencies), e.g. 4.4.0", "an umbrella chart's canary needs the jupyterhubVersion it vendors: it decides the values its sites get")
	case !isExactVersion(v):
		r.add(KindSemver, field, "write the exact z2jh version the chart vendors, e.g. 4.4.0", "%q is not an exact semantic version", v)
	}
}

func isExactVersion(v string) bool {
	_, err := semver.StrictNewVersion(v)
	return err == nil
}

func sortedUmbrellas(m map[string]UmbrellaChart) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
