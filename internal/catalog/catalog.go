package catalog

import (
	"github.com/Masterminds/semver/v3"
)

// JupyterHubRelease is what one jupyterhub (z2jh) chart version ships.
type JupyterHubRelease struct {
	// Chart is the jupyterhub chart version.
	Chart string
	// JupyterHub is the JupyterHub version (the chart's appVersion).
	JupyterHub string
	// OAuthenticator is the OAuthenticator version in the hub image.
	OAuthenticator string
	// KubeMin is the chart's kubeVersion lower bound.
	KubeMin string
	// Known is false when the facts were inferred from the major version.
	Known bool
}

// GatewayRelease is what one dask-gateway chart version ships.
type GatewayRelease struct {
	Chart   string
	KubeMin string
	// CRDGeneration changes whenever the chart's CRDs change shape.
	CRDGeneration string
	Known         bool
}

// UmbrellaRelease is what one daskhub chart version vendors.
type UmbrellaRelease struct {
	Chart       string
	JupyterHub  string
	DaskGateway string
	// GatewayOptional says the chart declares its dask-gateway dependency
	// with a condition, so dask-gateway.enabled=false removes it. No
	// daskhub release does (2024.1.1 and main): there the gateway is
	// always installed. Unknown releases are assumed not to.
	GatewayOptional bool
	Known           bool
}

var jupyterhub = []JupyterHubRelease{
	{Chart: "1.2.0", JupyterHub: "1.5.0", OAuthenticator: "14.2.0", KubeMin: "1.20.0"},
	{Chart: "2.0.0", JupyterHub: "3.0.0", OAuthenticator: "15.1.0", KubeMin: "1.20.0"},
	{Chart: "3.0.0", JupyterHub: "4.0.0", OAuthenticator: "16.0.2", KubeMin: "1.23.0"},
	{Chart: "3.2.1", JupyterHub: "4.0.2", OAuthenticator: "16.2.1", KubeMin: "1.23.0"},
	{Chart: "3.3.8", JupyterHub: "4.1.6", OAuthenticator: "16.3.1", KubeMin: "1.23.0"},
	{Chart: "4.0.0", JupyterHub: "5.2.1", OAuthenticator: "17.1.0", KubeMin: "1.28.0"},
	{Chart: "4.4.0", JupyterHub: "5.5.0", OAuthenticator: "17.4.0", KubeMin: "1.28.0"},
}

var gateway = []GatewayRelease{
	{Chart: "2022.6.1", KubeMin: "1.20.0", CRDGeneration: "v1alpha1"},
	{Chart: "2023.1.0", KubeMin: "1.20.0", CRDGeneration: "v1alpha1"},
	{Chart: "2024.1.0", KubeMin: "1.23.0", CRDGeneration: "v1alpha1"},
	{Chart: "2025.4.0", KubeMin: "1.30.0", CRDGeneration: "v1alpha1-2025.4"},
	{Chart: "2026.3.0", KubeMin: "1.30.0", CRDGeneration: "v1alpha1-2025.4"},
}

var umbrella = []UmbrellaRelease{
	{Chart: "2022.6.0", JupyterHub: "1.2.0", DaskGateway: "2022.6.1"},
	{Chart: "2022.8.2", JupyterHub: "1.2.0", DaskGateway: "2022.6.1"},
	{Chart: "2023.1.0", JupyterHub: "2.0.0", DaskGateway: "2023.1.0"},
	{Chart: "2024.1.0", JupyterHub: "3.2.1", DaskGateway: "2024.1.0"},
	{Chart: "2024.1.1", JupyterHub: "3.2.1", DaskGateway: "2024.1.0"},
}

// JupyterHub returns the facts of a jupyterhub chart version.
func JupyterHub(chart string) JupyterHubRelease {
	for _, r := range jupyterhub {
		if r.Chart == chart {
			r.Known = true
			return r
		}
	}
	if r, ok := declaredJupyterHub(chart); ok {
		return r
	}
	// Fall back on the closest older release of the same major.
	v, err := semver.NewVersion(chart)
	if err != nil {
		return JupyterHubRelease{Chart: chart}
	}
	var best JupyterHubRelease
	for _, r := range jupyterhub {
		rv := semver.MustParse(r.Chart)
		if rv.Major() == v.Major() && !rv.GreaterThan(v) {
			best = r
		}
	}
	if best.Chart == "" {
		for _, r := range jupyterhub {
			if semver.MustParse(r.Chart).Major() == v.Major() {
				best = r
				break
			}
		}
	}
	best.Chart, best.Known = chart, false
	best.JupyterHub = "" // unknown: the verifier reads it from the chart
	return best
}

// Gateway returns the facts of a dask-gateway chart version.
func Gateway(chart string) GatewayRelease {
	for _, r := range gateway {
		if r.Chart == chart {
			r.Known = true
			return r
		}
	}
	if r, ok := declaredGateway(chart); ok {
		return r
	}
	v, err := semver.NewVersion(chart)
	if err != nil {
		return GatewayRelease{Chart: chart}
	}
	var best GatewayRelease
	for _, r := range gateway {
		if !semver.MustParse(r.Chart).GreaterThan(v) {
			best = r
		}
	}
	best.Chart, best.Known = chart, false
	return best
}

// Umbrella returns the subcharts a daskhub chart version vendors.
func Umbrella(chart string) UmbrellaRelease {
	for _, r := range umbrella {
		if r.Chart == chart {
			r.Known = true
			return r
		}
	}
	if r, ok := declaredUmbrella(chart); ok {
		return r
	}
	// Unknown daskhub releases: assume the newest known subcharts.
	last := umbrella[len(umbrella)-1]
	return UmbrellaRelease{Chart: chart, JupyterHub: last.JupyterHub, DaskGateway: last.DaskGateway}
}

// OAuthenticatorAtLeast reports whether r's OAuthenticator is at least v.
func (r JupyterHubRelease) OAuthenticatorAtLeast(v string) bool {
	have, err := semver.NewVersion(r.OAuthenticator)
	if err != nil {
		return false
	}
	return !have.LessThan(semver.MustParse(v))
}

// OAuthenticatorMajor is the OAuthenticator major version, 0 if unknown.
func (r JupyterHubRelease) OAuthenticatorMajor() uint64 {
	v, err := semver.NewVersion(r.OAuthenticator)
	if err != nil {
		return 0
	}
	return v.Major()
}
