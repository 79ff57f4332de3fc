#!/usr/bin/env bash
# ci-install.sh prepares a fresh Debian machine for the hubfleet cluster tests
# (internal/testcluster): it installs etcd (Debian's etcd-server) and git with
# apt-get, then builds kube-apiserver, kube-controller-manager, kube-scheduler,
# KWOK, the Flux source-, kustomize- and helm-controller, controller-gen and
# the Flux CRDs into the binary cache with tools/build.sh, which prints what
# it will build and a cold-build estimate.
#
# Idempotent: packages already installed and binaries already cached are
# skipped, so a second run takes seconds. Must run as root (or with sudo) on a
# machine without the packages.
#
# Usage: tools/ci-install.sh
# Env:   HUBFLEET_CACHE  binary cache (default $HOME/.cache/hubfleet)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
start=$SECONDS
log() { printf '%s ci-install: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

need=()
command -v etcd >/dev/null 2>&1 || [[ -x /usr/bin/etcd ]] || need+=(etcd-server)
command -v git >/dev/null 2>&1 || need+=(git)
if ((${#need[@]} > 0)); then
	sudo=""
	[[ $(id -u) -ne 0 ]] && sudo=sudo
	log "installing ${need[*]} with apt-get"
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq
	$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
else
	log "etcd and git already installed"
fi
log "etcd: $(etcd --version 2>/dev/null | head -1)"

"$here/build.sh" all
log "done in $((SECONDS - start))s"
