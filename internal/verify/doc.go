// Package verify proves that a deployed hub works and, when it does not,
// says what is wrong in the operator's terms: which HelmRelease is stale,
// which DNS record points where, which certificate is the autohttps
// fallback, which redirect_uri the identity provider will refuse.
//
// A Verifier runs a fixed set of checks against each Target concurrently,
// each under its own timeout, and returns Result values; it never logs.
// Renderers turn results into a terminal table, JSON or Markdown.
//
// Targets are independent of the fleet's site model: the caller maps each
// site onto a Target (host, base URL, TLS mode, expected exposure, the
// HelmReleases and chart versions just rendered, the expected JupyterHub
// version, the OIDC issuer and client id, and a *rest.Config).
package verify
