// Package verify proves that a deployed hub works and, when it does not,
// says what is wrong in the operator's terms: which HelmRelease is stale,
// which DNS record points where, which certificate is the autohttps
// fallback, which redirect_uri the identity provider will refuse.
//
// A Verifier runs these checks on each Target, sites and checks
// concurrently, each check under its own timeout (Options.CheckTimeout):
//
//	helmrelease/<name>  Ready=True, observedGeneration == generation and the
//	                    last attempted chart version == the one rendered
//	proxy-public        LoadBalancer address (IP or hostname), pending past
//	                    Options.LoadBalancerGrace = no controller; or an
//	                    Ingress for the host routing to proxy-public
//	deployment/<name>   hub, proxy (and autohttps) available
//	certificate         the cert-manager Certificate for the host is Ready
//	dns                 the host resolves to proxy-public's address
//	tls                 SNI, chain and SAN; expiry against the lifetime
//	                    (cert-manager renews at 2/3); Let's Encrypt staging
//	                    and Traefik's default certificate recognised
//	hub-health          /hub/health answers 200
//	hub-version         /hub/api/ reports the chart's JupyterHub version
//	dask-gateway        /services/dask-gateway/api/health reports pass
//	oidc-discovery      required fields, exact issuer, provider quirks
//	jwks                parses, holds no private key members
//	oauth-login         /hub/oauth_login redirects to the authorization
//	                    endpoint with the client_id and callback URL
//	oauth-authorize     the provider accepts that client_id and redirect_uri
//
// With Target.Probe (verify --spawn) the site is also probed as a user
// would use it, stage by stage, each stage under its own timeout
// (probe.go): spawn/token (the service token's scopes), spawn/leftovers
// (wait for a concurrent probe, stop an interrupted one's server),
// spawn/server (start it, follow the spawn progress event stream),
// spawn/kernel (a kernel through the proxy, over its websocket),
// spawn/import, spawn/compute, spawn/dask (a LocalCluster, or a
// dask-gateway cluster with one worker), spawn/stop and spawn/cleanup,
// which run on every path.
//
// Kubernetes checks run only with Target.Kube. Every check returns a
// Result (pass, warn or fail, a one-line Detail, a Fix hint); nothing is
// logged, and no secret or URL query reaches a Result. WriteTable,
// WriteJSON and WriteMarkdown render results; StatusDescription fits one
// site into a commit status. Wait re-verifies failing sites until they pass
// or its timeout passes on the Verifier's Clock (plus at most one round).
//
// Targets are independent of the fleet's site model: the caller maps each
// site onto a Target.
package verify
