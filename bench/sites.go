package main

import (
	"fmt"
	"strings"

	"github.com/hubfleet/hubfleet/internal/chart"
)

// site is one synthetic site: its values as YAML (the file `helm template
// -f` reads) and what its rendered objects must look like.
type site struct {
	name   string
	values string
	expect chart.Expectations
}

// syntheticSite varies what real sites vary: TLS mode (ingress,
// autohttps, plain load balancer), host, authenticator settings, user
// resources, profiles, environment and dask-gateway worker limits.
func syntheticSite(i int, salt string) site {
	name := fmt.Sprintf("site-%03d", i)
	host := fmt.Sprintf("hub-%03d.example.org", i)
	var b strings.Builder
	var e chart.Expectations
	e.DaskGatewayPrefix = "/services/dask-gateway"
	b.WriteString("jupyterhub:\n")
	switch i % 3 {
	case 0:
		e.ProxyServiceType, e.IngressHost, e.IngressTLSSecret = "ClusterIP", host, name+"-tls"
		fmt.Fprintf(&b, `  proxy:
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
		fmt.Fprintf(&b, `  proxy:
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
		b.WriteString(`  proxy:
    service:
      type: LoadBalancer
      loadBalancerSourceRanges: [10.0.0.0/8]
`)
	}
	fmt.Fprintf(&b, `  hub:
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
  singleuser:
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
`, i%2 == 0, name, host, i%7, name, salt, 1+i%5, 1+i%12, i%28, 1+i%4, 2+i%8, 1+i%4, 10+i%50, name)
	for p := 0; p < 2+i%3; p++ {
		fmt.Fprintf(&b, `      - display_name: "Profile %d of %s"
        description: "%d CPUs, %d GB"
        kubespawner_override:
          cpu_limit: %d
          mem_limit: %dG
          image: ghcr.io/example/notebook-%d:2024.%d
`, p, name, p+1, 2*(p+1), p+1, 2*(p+1), p, 1+i%12)
	}
	fmt.Fprintf(&b, `  cull:
    timeout: %d
    every: 300
dask-gateway:
  gateway:
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
`, 1800+60*(i%30), 1+i%4, 1+i%4, 2+i%6, 2+i%6, 20+i%40, 64+i%128)
	return site{name: name, values: b.String(), expect: e}
}
