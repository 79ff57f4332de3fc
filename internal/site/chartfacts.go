package site

import (
	"fmt"

	"github.com/Masterminds/semver/v3"

	"github.com/hubfleet/hubfleet/internal/catalog"
)

// ChartFacts are the version-dependent facts of chart releases hubfleet's
// catalog does not know yet, declared in the fleet file (spec.chartFacts)
// so an operator can run them without a new hubfleet. Each comes from the
// chart's Chart.yaml (version, appVersion, kubeVersion, dependencies) and
// its hub image (the OAuthenticator version):
//
//	spec:
//	  chartFacts:
//	    jupyterhub:
//	      - version: 4.5.0          # the jupyterhub chart version
//	        jupyterHub: 5.6.0       # its appVersion
//	        oauthenticator: 17.5.0  # in the hub image (images/hub/requirements.txt)
//	        kubeMin: 1.28.0         # the lower bound of its kubeVersion
//	    daskGateway:
//	      - version: 2026.6.0
//	        kubeMin: 1.30.0
//	        crdGeneration: v1alpha1-2025.4   # change it when the CRDs change shape
//	    daskhub:
//	      - version: 2026.1.0
//	        jupyterhub: 4.4.0       # the vendored chart versions (dependencies)
//	        daskGateway: 2026.3.0
type ChartFacts struct {
	JupyterHub  []JupyterHubFacts  `yaml:"jupyterhub,omitempty"`
	DaskGateway []DaskGatewayFacts `yaml:"daskGateway,omitempty"`
	DaskHub     []DaskHubFacts     `yaml:"daskhub,omitempty"`
}

// JupyterHubFacts are what a jupyterhub chart version ships.
type JupyterHubFacts struct {
	Version        string `yaml:"version"`
	JupyterHub     string `yaml:"jupyterHub"`
	OAuthenticator string `yaml:"oauthenticator"`
	KubeMin        string `yaml:"kubeMin"`
}

// DaskGatewayFacts are what a dask-gateway chart version ships.
type DaskGatewayFacts struct {
	Version       string `yaml:"version"`
	KubeMin       string `yaml:"kubeMin"`
	CRDGeneration string `yaml:"crdGeneration"`
}

// DaskHubFacts are the subchart versions a daskhub chart version vendors.
type DaskHubFacts struct {
	Version     string `yaml:"version"`
	JupyterHub  string `yaml:"jupyterhub"`
	DaskGateway string `yaml:"daskGateway"`
}

// validateChartFacts checks the declared facts (every field a version)
// and hands the valid ones to the catalog, so validate, render, plan and
// upgrade all know them.
func validateChartFacts(r *reporter, f ChartFacts) {
	version := func(field, v string) bool {
		if v == "" {
			r.add(KindRequired, field, "copy it from the chart's Chart.yaml", "a version is required")
			return false
		}
		if _, err := semver.StrictNewVersion(v); err != nil {
			r.add(KindSemver, field, "write a version such as 4.5.0", "%q is not a version: %v", v, err)
			return false
		}
		return true
	}
	var jh []catalog.JupyterHubRelease
	for i, x := range f.JupyterHub {
		p := fmt.Sprintf("spec.chartFacts.jupyterhub[%d]", i)
		ok := version(p+".version", x.Version)
		ok = version(p+".jupyterHub", x.JupyterHub) && ok
		ok = version(p+".oauthenticator", x.OAuthenticator) && ok
		ok = version(p+".kubeMin", x.KubeMin) && ok
		if ok {
			jh = append(jh, catalog.JupyterHubRelease{Chart: x.Version, JupyterHub: x.JupyterHub, OAuthenticator: x.OAuthenticator, KubeMin: x.KubeMin})
		}
	}
	var gw []catalog.GatewayRelease
	for i, x := range f.DaskGateway {
		p := fmt.Sprintf("spec.chartFacts.daskGateway[%d]", i)
		ok := version(p+".version", x.Version)
		ok = version(p+".kubeMin", x.KubeMin) && ok
		if x.CRDGeneration == "" {
			r.add(KindRequired, p+".crdGeneration", "name the CRD generation; a new name says the CRDs changed shape", "a CRD generation is required")
			ok = false
		}
		if ok {
			gw = append(gw, catalog.GatewayRelease{Chart: x.Version, KubeMin: x.KubeMin, CRDGeneration: x.CRDGeneration})
		}
	}
	var um []catalog.UmbrellaRelease
	for i, x := range f.DaskHub {
		p := fmt.Sprintf("spec.chartFacts.daskhub[%d]", i)
		ok := version(p+".version", x.Version)
		ok = version(p+".jupyterhub", x.JupyterHub) && ok
		ok = version(p+".daskGateway", x.DaskGateway) && ok
		if ok {
			um = append(um, catalog.UmbrellaRelease{Chart: x.Version, JupyterHub: x.JupyterHub, DaskGateway: x.DaskGateway})
		}
	}
	catalog.Declare(jh, gw, um)
}

// Declares says whether the facts declare a version of chart (daskhub,
// jupyterhub or dask-gateway).
func (f ChartFacts) Declares(chart, version string) bool {
	switch chart {
	case "daskhub":
		for _, x := range f.DaskHub {
			if x.Version == version {
				return true
			}
		}
	case "jupyterhub":
		for _, x := range f.JupyterHub {
			if x.Version == version {
				return true
			}
		}
	case "dask-gateway":
		for _, x := range f.DaskGateway {
			if x.Version == version {
				return true
			}
		}
	}
	return false
}
