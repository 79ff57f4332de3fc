package site

import "github.com/hubfleet/hubfleet/internal/catalog"

// ModeOf is the chart mode a site runs: its own choice, else the fleet's,
// else the daskhub umbrella.
func ModeOf(s *Site, f *Fleet) string {
	switch {
	case s.Spec.Chart.Umbrella != "":
		return ModeUmbrella
	case s.Spec.Chart.Mode != "":
		return s.Spec.Chart.Mode
	case f != nil && f.Spec.DefaultMode != "":
		return f.Spec.DefaultMode
	}
	return ModeDaskHub
}

// ChartRef names one chart at one version.
type ChartRef struct {
	Chart   string
	Version string
}

// JupyterHubChart is the jupyterhub chart a site runs: the fleet's
// jupyterhub pin (for the site's wave) when composed, the umbrella's
// vendored subchart otherwise.
func JupyterHubChart(s *Site, f *Fleet) ChartRef {
	charts := f.ChartsFor(s.Spec.Wave)
	if u := UmbrellaOf(s, f); u != nil {
		return ChartRef{Chart: "jupyterhub", Version: u.JupyterHubVersion}
	}
	if ModeOf(s, f) == ModeComposed {
		return ChartRef{Chart: charts.JupyterHub.Chart, Version: charts.JupyterHub.Version}
	}
	return ChartRef{Chart: "jupyterhub", Version: catalog.Umbrella(charts.DaskHub.Version).JupyterHub}
}

// GatewayChart is the dask-gateway chart a site runs.
func GatewayChart(s *Site, f *Fleet) ChartRef {
	charts := f.ChartsFor(s.Spec.Wave)
	if ModeOf(s, f) == ModeComposed {
		return ChartRef{Chart: charts.DaskGateway.Chart, Version: charts.DaskGateway.Version}
	}
	return ChartRef{Chart: "dask-gateway", Version: catalog.Umbrella(charts.DaskHub.Version).DaskGateway}
}

// SupportsIDTokenGroups reports whether the jupyterhub chart version ships
// OAuthenticator >= 16.3, which can read groups from the ID token
// (userdata_from_id_token), as Cognito needs.
func SupportsIDTokenGroups(jupyterhubChart string) bool {
	return catalog.JupyterHub(jupyterhubChart).OAuthenticatorAtLeast("16.3.0")
}

// Defaults hubfleet applies when neither the site nor the fleet says.
const (
	DefaultNamespace         = "daskhub"
	DefaultKubernetesVersion = "1.30.0"
)

// NamespaceOf is the namespace a site's hub runs in.
func NamespaceOf(s *Site, f *Fleet) string {
	switch {
	case s.Spec.Namespace != "":
		return s.Spec.Namespace
	case f != nil && f.Spec.Namespace != "":
		return f.Spec.Namespace
	}
	return DefaultNamespace
}

// KubeVersionOf is the Kubernetes version a site's cluster runs.
func KubeVersionOf(s *Site, f *Fleet) string {
	switch {
	case s.Spec.Kubernetes.Version != "":
		return s.Spec.Kubernetes.Version
	case f != nil && f.Spec.KubernetesVersion != "":
		return f.Spec.KubernetesVersion
	}
	return DefaultKubernetesVersion
}

// ContextOf is the kubeconfig context the verifier uses for a site.
func ContextOf(s *Site) string {
	if s.Spec.Kubernetes.Context != "" {
		return s.Spec.Kubernetes.Context
	}
	return s.Metadata.Name
}
