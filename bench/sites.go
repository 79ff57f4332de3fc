package main

import (
	"fmt"
	"strings"

	"github.com/hubfleet/hubfleet/internal/chart"
)

// chartRef is a chart version of ../shared/charts.
type chartRef struct{ name, version string }

var (
	daskhub2024     = chartRef{"daskhub", "2024.1.1"}
	jupyterhub440   = chartRef{"jupyterhub", "4.4.0"}
	jupyterhub321   = chartRef{"jupyterhub", "3.2.1"}
	gateway2026     = chartRef{"dask-gateway", "2026.3.0"}
	gateway2024     = chartRef{"dask-gateway", "2024.1.0"}
	realChartFiles  = []chartRef{daskhub2024, jupyterhub440, jupyterhub321, gateway2026, gateway2024}
	gatewayReleases = "dask-gateway"
)

// layout is how a site runs DaskHub: the daskhub umbrella, or jupyterhub
// and dask-gateway as two releases (composed), at given chart versions.
type layout struct {
	name     string
	umbrella *chartRef
	hub, gw  *chartRef
}

var (
	umbrellaLayout = layout{name: "daskhub 2024.1.1 (umbrella)", umbrella: &daskhub2024}
	composedLayout = layout{name: "jupyterhub 4.4.0 + dask-gateway 2026.3.0 (composed)", hub: &jupyterhub440, gw: &gateway2026}
	// fleetLayouts are the layouts of the generated fleet, by site index.
	fleetLayouts = []layout{
		umbrellaLayout,
		composedLayout,
		umbrellaLayout,
		{name: "jupyterhub 3.2.1 + dask-gateway 2024.1.0", hub: &jupyterhub321, gw: &gateway2024},
		{name: "jupyterhub 4.4.0 + dask-gateway 2024.1.0", hub: &jupyterhub440, gw: &gateway2024},
	}
)

// release is one HelmRelease of a site: the chart, the release name and
// its values file (what `helm template -f` reads).
type release struct {
	Chart   string             `json:"chart"`
	Version string             `json:"version"`
	Release string             `json:"release"`
	Values  string             `json:"values"`
	Expect  chart.Expectations `json:"expect"`
	// Path is where the values file is written.
	Path string `json:"path"`
}

// site is one generated site and its releases.
type site struct {
	Name     string    `json:"name"`
	Releases []release `json:"releases"`
}

// syntheticSite varies what real sites vary: TLS mode (ingress,
// autohttps, plain load balancer), host, authenticator settings, user
// resources, profiles, environment and dask-gateway worker limits. salt
// changes the values without changing their shape.
func syntheticSite(i int, salt string, l layout) site {
	name := fmt.Sprintf("site-%04d", i)
	hub, hubExpect := jupyterhubValues(i, name, salt)
	gw := gatewayValues(i)
	s := site{Name: name}
	if l.umbrella != nil {
		e := hubExpect
		s.Releases = []release{{
			Chart: l.umbrella.name, Version: l.umbrella.version, Release: "daskhub", Expect: e,
			Values: "jupyterhub:\n" + indent(hub) + "dask-gateway:\n" + indent(gw),
		}}
		return s
	}
	// Composed: the daskhub glue (the gateway as a JupyterHub service)
	// moves into the jupyterhub release; the gateway authenticates
	// through the hub.
	hub += fmt.Sprintf(`  services:
    dask-gateway:
      display: false
      url: http://traefik-%s-dask-gateway.%s
`, gatewayReleases, name)
	gw += `  prefix: /services/dask-gateway
  auth:
    type: jupyterhub
traefik:
  service:
    type: ClusterIP
`
	s.Releases = []release{
		{Chart: l.hub.name, Version: l.hub.version, Release: "jupyterhub", Values: hub, Expect: hubExpect},
		{Chart: l.gw.name, Version: l.gw.version, Release: gatewayReleases, Values: gw},
	}
	return s
}

func indent(s string) string {
	lines := strings.SplitAfter(s, "\n")
	var b strings.Builder
	for _, l := range lines {
		if l != "" && l != "\n" {
			b.WriteString("  ")
		}
		b.WriteString(l)
	}
	return b.String()
}

// jupyterhubValues are the z2jh values of site i; the last top-level key
// is hub, so that more hub settings can be appended.
func jupyterhubValues(i int, name, salt string) (string, chart.Expectations) {
	host := fmt.Sprintf("hub-%04d.example.org", i)
	var b strings.Builder
	var e chart.Expectations
	switch i % 3 {
	case 0:
		e.ProxyServiceType, e.IngressHost, e.IngressTLSSecret = "ClusterIP", host, name+"-tls"
		fmt.Fprintf(&b, `proxy:
  service:
    type: ClusterIP
ingress:
  enabled: true
  ingressClassName: nginx
  annotations:
    cert-manager.io/cluster-issuer: letsencrypt
  hosts: [%s]
  tls:
    - hosts: [%s]
      secretName: %s-tls
`, host, host, name)
	case 1:
		e.ProxyServiceType = "LoadBalancer"
		fmt.Fprintf(&b, `proxy:
  service:
    type: LoadBalancer
  https:
    enabled: true
    type: letsencrypt
    hosts: [%s]
    letsencrypt:
      contactEmail: ops@example.org
`, host)
	default:
		e.ProxyServiceType = "LoadBalancer"
		b.WriteString(`proxy:
  service:
    type: LoadBalancer
    loadBalancerSourceRanges: [10.0.0.0/8]
`)
	}
	fmt.Fprintf(&b, `singleuser:
  image:
    name: ghcr.io/example/notebook
    tag: "2024.%d.%d"
  memory:
    guarantee: %dG
    limit: %dG
  cpu:
    guarantee: 0.5
    limit: %d
  storage:
    capacity: %dGi
  extraEnv:
    DASK_GATEWAY__CLUSTER__OPTIONS__IMAGE: "{JUPYTER_IMAGE_SPEC}"
    SITE: %s
  profileList:
`, 1+i%12, i%28, 1+i%4, 2+i%8, 1+i%4, 10+i%50, name)
	for p := 0; p < 2+i%3; p++ {
		fmt.Fprintf(&b, `    - display_name: "Profile %d of %s"
      description: "%d CPUs, %d GB"
      kubespawner_override:
        cpu_limit: %d
        mem_limit: %dG
        image: ghcr.io/example/notebook-%d:2024.%d
`, p, name, p+1, 2*(p+1), p+1, 2*(p+1), p, 1+i%12)
	}
	fmt.Fprintf(&b, `cull:
  timeout: %d
  every: 300
hub:
  config:
    JupyterHub:
      authenticator_class: generic-oauth
      admin_access: %t
    GenericOAuthenticator:
      client_id: %s
      client_secret: "${placeholder:oauth-client-secret}"
      oauth_callback_url: https://%s/hub/oauth_callback
      authorize_url: https://aai.egi.eu/auth/realms/egi/protocol/openid-connect/auth
      token_url: https://aai.egi.eu/auth/realms/egi/protocol/openid-connect/token
      userdata_url: https://aai.egi.eu/auth/realms/egi/protocol/openid-connect/userinfo
      scope: [openid, email, profile, eduperson_entitlement]
      allowed_groups: ["urn:mace:egi.eu:group:vo%d.example.org:role=member#aai.egi.eu"]
      manage_groups: true
      auth_state_groups_key: oauth_user.eduperson_entitlement
  extraEnv:
    SITE_NAME: %s
    SITE_SALT: %q
  db:
    pvc:
      storage: %dGi
`, 1800+60*(i%30), i%2 == 0, name, host, i%7, name, salt, 1+i%5)
	return b.String(), e
}

// gatewayValues are the dask-gateway values of site i; the last line is
// inside the gateway mapping.
func gatewayValues(i int) string {
	return fmt.Sprintf(`gateway:
  backend:
    worker:
      cores:
        request: %d
        limit: %d
      memory:
        request: %dG
        limit: %dG
    scheduler:
      cores:
        request: 1
        limit: 1
  extraConfig:
    limits: |
      c.ClusterConfig.cluster_max_cores = %d
      c.ClusterConfig.cluster_max_memory = "%d G"
`, 1+i%4, 1+i%4, 2+i%6, 2+i%6, 20+i%40, 64+i%128)
}
