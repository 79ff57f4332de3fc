package values

import (
	"cmp"
	"fmt"

	"github.com/hubfleet/hubfleet/internal/catalog"
	"github.com/hubfleet/hubfleet/internal/site"
)

// FactWarnings says which version-dependent facts a site's values rest on
// without hubfleet knowing them. Render is a pure function of the
// repository, so it cannot read the chart itself: the facts of each chart
// version (what a daskhub release vendors, the OAuthenticator a jupyterhub
// chart ships) come from internal/catalog, a cache of what the real
// charts' Chart.yaml files say, plus what the fleet file declares
// (spec.chartFacts). A version missing from both is not guessed silently:
// each guess is one warning, naming what the values assume and how to
// declare it as a fact in the fleet file. `plan`, which renders the real chart, then checks
// the guess (the values-facts check).
func FactWarnings(s *site.Site, f *site.Fleet) []string {
	var out []string
	name := s.Metadata.Name
	charts := f.ChartsFor(s.Spec.Wave)
	// The operator's fix is in the fleet file (site.ChartFacts), not in
	// hubfleet's source.
	fix := func(key, fields string) string {
		return fmt.Sprintf("declare its facts in bases/daskhub/fleet.yaml under spec.chartFacts.%s (%s), or pin a version hubfleet knows", key, fields)
	}
	if site.ModeOf(s, f) == site.ModeDaskHub {
		if u := catalog.Umbrella(charts.DaskHub.Version); !u.Known {
			out = append(out, fmt.Sprintf("site %s: daskhub chart %s is not in hubfleet's chart catalog: the values assume it vendors jupyterhub %s and dask-gateway %s, as the newest known daskhub does; %s",
				name, charts.DaskHub.Version, u.JupyterHub, u.DaskGateway, fix("daskhub", "version, and the jupyterhub and daskGateway versions its Chart.yaml vendors")))
		}
	}
	jh := site.JupyterHubChart(s, f)
	if r := catalog.JupyterHub(jh.Version); !r.Known {
		assumed := "OAuthenticator 17 (the newest hubfleet knows)"
		if r.OAuthenticator != "" {
			assumed = "OAuthenticator " + r.OAuthenticator + " (from the closest older known jupyterhub chart of the same major)"
		}
		out = append(out, fmt.Sprintf("site %s: jupyterhub chart %s is not in hubfleet's chart catalog: the auth values assume %s; %s",
			name, jh.Version, assumed, fix("jupyterhub", "version; jupyterHub: its appVersion; oauthenticator: from its hub image's requirements.txt; kubeMin: the lower bound of its kubeVersion")))
	}
	if s.Spec.GatewayEnabled() {
		gw := site.GatewayChart(s, f)
		if r := catalog.Gateway(gw.Version); !r.Known {
			out = append(out, fmt.Sprintf("site %s: dask-gateway chart %s is not in hubfleet's chart catalog: its Kubernetes minimum and CRD generation are assumed from %s; %s",
				name, gw.Version, cmp.Or(r.CRDGeneration, "nothing"), fix("daskGateway", "version; kubeMin: the lower bound of its kubeVersion; crdGeneration: a new name when its CRDs change shape")))
		}
	}
	return out
}
