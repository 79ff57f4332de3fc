#!/usr/bin/env bash
# install.sh prepares a Debian machine for internal/testhub (the verifier's
# tests against a real JupyterHub and OpenID provider):
#   - Debian's jupyterhub package (3.0, with node-configurable-http-proxy);
#   - the single-user side of `verify --spawn`: Debian's jupyter-server,
#     ipykernel and dask distributed (which brings dask);
#   - npm oidc-provider into the binary cache.
# Idempotent: what is present is skipped. apt-get needs root (or sudo).
#
# Usage: internal/testhub/install.sh
# Env:   HUBFLEET_CACHE  cache directory (default $HOME/.cache/hubfleet)
set -euo pipefail

version=9.13.3
cache="${HUBFLEET_CACHE:-$HOME/.cache/hubfleet}"
log() { printf '%s testhub/install: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

packages=(jupyterhub python3-jupyter-server python3-ipykernel python3-distributed)
need=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
if ((${#need[@]} > 0)); then
	sudo=""
	[[ $(id -u) -ne 0 ]] && sudo=sudo
	log "installing ${need[*]} with apt-get"
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq
	$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
log "$(jupyterhub --version 2>/dev/null | head -1 | sed 's/^/jupyterhub /')"
log "$(/usr/bin/python3 -c 'import jupyter_server, ipykernel, distributed; print("jupyter-server", jupyter_server.__version__, "ipykernel", ipykernel.__version__, "distributed", distributed.__version__)')"

dir="$cache/oidc-provider-$version"
if [[ ! -f "$dir/node_modules/oidc-provider/package.json" ]]; then
	command -v npm >/dev/null 2>&1 || { echo "testhub/install: npm is required" >&2; exit 1; }
	log "installing oidc-provider@$version into $dir"
	mkdir -p "$dir"
	npm install --silent --no-audit --no-fund --prefix "$dir" "oidc-provider@$version"
fi
log "oidc-provider $(node -p "require('$dir/node_modules/oidc-provider/package.json').version")"
