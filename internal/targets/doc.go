// Package targets maps the sites of a fleet onto what the verifier checks:
// host, TLS mode, exposure, the HelmReleases and chart versions just
// rendered, the JupyterHub version the chart ships, the OIDC issuer and
// client, and the Kubernetes client of the site's kubeconfig context.
//
// Verifier.Run is the verify flow both front-ends call: it takes the
// loaded fleet and returns a result per check.
package targets
