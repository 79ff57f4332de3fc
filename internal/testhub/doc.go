// Package testhub runs real hub-side services on loopback for tests of the
// verifier: Debian's JupyterHub (with its configurable-http-proxy
// terminating TLS from a test CA) and an OpenID provider built on npm's
// oidc-provider 9.x.
//
// Requirements, installed once per machine by install.sh (idempotent):
//
//	apt-get install -y --no-install-recommends jupyterhub \
//	    python3-jupyter-server python3-ipykernel python3-distributed
//	npm install --prefix "$HUBFLEET_CACHE/oidc-provider-9.13.3" oidc-provider@9.13.3
//
// Debian's configurable-http-proxy finds its Node modules only with
// NODE_PATH=/usr/share/nodejs (the machine's node is not Debian's); the
// harness sets it. When a requirement is missing, Start* skips the test
// with a message saying what to install, or fails it when
// $HUBFLEET_REQUIRE_TESTHUB=1 (for CI once it runs install.sh).
//
// With HubOptions.Spawner the hub starts single-user servers as local
// processes (JupyterHub's SimpleLocalProcessSpawner running Debian's
// jupyterhub-singleuser on jupyter-server, with ipykernel and dask
// distributed: apt-get install python3-jupyter-server python3-ipykernel
// python3-distributed), and HubOptions.Services registers services with
// tokens and roles.
//
// JupyterHub starts configurable-http-proxy and every server in a session
// of its own, so ending the hub's process group does not end them. Every
// process the harness starts carries a mark in its environment
// (MarkEnv, also put into the spawner's environment); stopping a hub or
// provider ends its group and then every marked process (and any working
// in or naming its directory), and the test fails if one outlives it.
//
// Debian ships no OAuthenticator, so the hub's /hub/oauth_login is served
// by a small stand-in authenticator in the generated jupyterhub_config.py
// that redirects exactly as OAuthenticator's login handler does (client_id,
// redirect_uri, response_type, scope, state). /hub/health and /hub/api/
// come from JupyterHub itself.
package testhub
