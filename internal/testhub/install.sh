#!/usr/bin/env bash
# install.sh prepares a Debian machine for internal/testhub (the verifier's
# tests against a real JupyterHub and OpenID provider):
#   - Debian's jupyterhub package (3.0, with node-configurable-http-proxy);
#   - npm oidc-provider into the binary cache.
# Idempotent: what is present is skipped. apt-get needs root (or sudo).
#
# Usage: internal/testhub/install.sh
# Env:   HUBFLEET_CACHE  cache directory (default $HOME/.cache/hubfleet)
set -euo pipefail

version=9.13.3
cache="${HUBFLEET_CACHE:-$HOME/.cache/hubfleet}"
log() { printf '%s testhub/install: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

if ! command -v jupyterhub >/dev/null 2>&1 || ! command -v configurable-http-proxy >/dev/null 2>&1; then
	sudo=""
	[[ $(id -u) -ne 0 ]] && sudo=sudo
	log "installing jupyterhub with apt-get"
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq
	$sudo apt-get install -y -qq --no-install-recommends jupyterhub >/dev/null
fi
log "$(jupyterhub --version 2>/dev/null | head -1 | sed 's/^/jupyterhub /')"

dir="$cache/oidc-provider-$version"
if [[ ! -f "$dir/node_modules/oidc-provider/package.json" ]]; then
	command -v npm >/dev/null 2>&1 || { echo "testhub/install: npm is required" >&2; exit 1; }
	log "installing oidc-provider@$version into $dir"
	mkdir -p "$dir"
	npm install --silent --no-audit --no-fund --prefix "$dir" "oidc-provider@$version"
fi
log "oidc-provider $(node -p "require('$dir/node_modules/oidc-provider/package.json').version")"
