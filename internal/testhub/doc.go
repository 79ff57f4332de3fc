// Package testhub runs real hub-side services on loopback for tests of the
// verifier: Debian's JupyterHub (with its configurable-http-proxy
// terminating TLS from a test CA) and an OpenID provider built on npm's
// oidc-provider 9.x.
//
// Requirements, installed once per machine by install.sh (idempotent):
//
//	apt-get install -y --no-install-recommends jupyterhub
//	npm install --prefix "$HUBFLEET_CACHE/oidc-provider-9.13.3" oidc-provider@9.13.3
//
// Debian's configurable-http-proxy finds its Node modules only with
// NODE_PATH=/usr/share/nodejs (the machine's node is not Debian's); the
// harness sets it. When a requirement is missing, Start* skips the test
// with a message saying what to install, or fails it when
// $HUBFLEET_REQUIRE_TESTHUB=1 (for CI once it runs install.sh).
//
// Debian ships no OAuthenticator, so the hub's /hub/oauth_login is served
// by a small stand-in authenticator in the generated jupyterhub_config.py
// that redirects exactly as OAuthenticator's login handler does (client_id,
// redirect_uri, response_type, scope, state). /hub/health and /hub/api/
// come from JupyterHub itself.
package testhub
