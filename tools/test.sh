#!/usr/bin/env bash
# test.sh runs every hubfleet test on this machine, nothing skipped.
#
# It first installs and builds what the tests need, idempotently and cached
# by version (a warm run takes seconds):
#   - tools/ci-install.sh: etcd and git (apt-get), then kube-apiserver,
#     kube-controller-manager, kube-scheduler, KWOK, source-, kustomize- and
#     helm-controller and the Flux CRDs into ${HUBFLEET_CACHE:-~/.cache/hubfleet}
#     (cold: about an hour of CPU; it prints each step with an estimate);
#   - internal/testhub/install.sh: Debian's jupyterhub, npm oidc-provider;
#   - shellcheck (apt-get), which the workflow lint tests call.
# Then it runs `go test` over every package with the cluster and hub tests
# required: a missing component fails them instead of skipping them.
#
# Usage: tools/test.sh [go test flags] [packages]   (default ./...)
#   e.g. tools/test.sh -run TestReal -v ./internal/testcluster/
# Needs root (or sudo) for apt-get on a fresh machine, and ../shared/charts
# and ../shared/src beside the repository (the real charts and the
# helm-controller source; see tools/README.md).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
start=$SECONDS
log() { printf '%s tools/test.sh: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

if ! command -v shellcheck >/dev/null 2>&1; then
	# actionlint (linked into the workflow tests) runs shellcheck on run: steps.
	log "installing shellcheck with apt-get"
	sudo=""
	[[ $(id -u) -ne 0 ]] && sudo=sudo
	DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends shellcheck >/dev/null
fi
log "step 1/3: cluster tools (tools/ci-install.sh)"
tools/ci-install.sh
log "step 2/3: JupyterHub and OpenID provider (internal/testhub/install.sh)"
internal/testhub/install.sh
log "step 3/3: go test ./... (every test required; about 30 min on 2 busy cores)"
export HUBFLEET_REQUIRE_CLUSTER=1 HUBFLEET_REQUIRE_TESTHUB=1
args=("$@")
pkgs=./...
for a in "${args[@]}"; do [[ $a == ./* ]] && pkgs=""; done
go test -timeout 80m "${args[@]}" $pkgs
log "done in $((SECONDS - start))s"
