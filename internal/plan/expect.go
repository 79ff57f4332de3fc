package plan

import (
	"github.com/hubfleet/hubfleet/internal/chart"
	"github.com/hubfleet/hubfleet/internal/site"
	"github.com/hubfleet/hubfleet/internal/values"
)

// Expectations are what a site's configuration says the objects of one of
// its releases must look like: the proxy-public Service type of its TLS
// mode, the ingress host and TLS Secret, and where dask-gateway is routed.
// The chart checks (internal/chart) compare the rendered objects with them.
// This is the one place they are built from a site.
func Expectations(s *site.Site, f *site.Fleet, release string) chart.Expectations {
	var e chart.Expectations
	hub := release == values.ReleaseDaskHub || release == values.ReleaseJupyterHub
	gateway := release == values.ReleaseDaskHub && s.Spec.GatewayEnabled() && !s.Spec.DaskKubernetes ||
		release == values.ReleaseDaskGateway
	if hub {
		switch s.Spec.TLS.Mode {
		case site.TLSAutoHTTPS:
			e.ProxyServiceType = "LoadBalancer"
		default:
			e.ProxyServiceType = "ClusterIP"
			e.IngressHost = s.Spec.Host
			e.IngressTLSSecret = values.TLSSecretName(s)
		}
	}
	if gateway {
		e.DaskGatewayPrefix = values.GatewayPrefix(s)
	}
	return e
}
