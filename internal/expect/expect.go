package expect

import (
	"github.com/hubfleet/hubfleet/internal/chart"
	"github.com/hubfleet/hubfleet/internal/site"
	"github.com/hubfleet/hubfleet/internal/values"
)

// For returns the expectations of one release of a site (a release name
// from values.Releases: daskhub, jupyterhub or dask-gateway). Unknown
// release names expect nothing.
func For(s *site.Site, f *site.Fleet, release string) chart.Expectations {
	var e chart.Expectations
	hub := release == values.ReleaseDaskHub || release == values.ReleaseJupyterHub
	gateway := release == values.ReleaseDaskHub || release == values.ReleaseDaskGateway
	u := site.UmbrellaOf(s, f)
	umbrella := u != nil && release == u.Chart
	if umbrella {
		// An operator's umbrella chart: its release (named for the chart)
		// runs the hub, and dask-gateway where the chart passes it values.
		hub, gateway = true, len(u.DaskGatewayPath) > 0
	}
	if !hub && !gateway {
		return e
	}
	if hub {
		e.JupyterHubChart = site.JupyterHubChart(s, f).Version
		if s.Spec.TLS.Mode == site.TLSAutoHTTPS {
			e.ProxyServiceType = "LoadBalancer"
		} else {
			e.ProxyServiceType = "ClusterIP"
			e.IngressHost = s.Spec.Host
			e.IngressTLSSecret = values.TLSSecretName(s)
		}
	}
	switch {
	case !s.Spec.GatewayEnabled() && umbrella:
		// The operator's chart decides what else it runs: its own values
		// may enable its dask-gateway.
	case !s.Spec.GatewayEnabled():
		// Nothing of dask-gateway in any of the site's releases.
		e.NoDaskGateway = true
	case gateway:
		e.DaskGatewayPrefix = values.GatewayPrefix(s)
	}
	return e
}
