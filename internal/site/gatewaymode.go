package site

import "github.com/hubfleet/hubfleet/internal/catalog"

// validateGatewayMode refuses a site without dask-gateway on a daskhub
// umbrella that cannot leave it out. daskhub declares its dask-gateway
// dependency without a condition, so dask-gateway.enabled=false installs
// the gateway anyway (its Deployments, CRDs, IngressRoute and hub
// service). Such a site runs composed: the jupyterhub chart alone.
func validateGatewayMode(r *reporter, s *Site, f *Fleet) {
	sp := &s.Spec
	if sp.GatewayEnabled() || ModeOf(s, f) != ModeDaskHub || f == nil {
		return
	}
	umbrella := f.ChartsFor(sp.Wave).DaskHub.Version
	if catalog.Umbrella(umbrella).GatewayOptional {
		return
	}
	field := "spec.daskGateway.enabled"
	r.add(KindChartMode, field,
		"add `chart: {mode: composed}` to the site: jupyterhub is then installed alone"+daskKubernetesNote(sp),
		"the daskhub chart %s always installs dask-gateway (its dependency has no condition), so enabled: false would still deploy it", umbrella)
}

func daskKubernetesNote(sp *Spec) string {
	if sp.DaskKubernetes {
		return ", and hubfleet writes the daskkubernetes ServiceAccount and Role that the umbrella would"
	}
	return ""
}
