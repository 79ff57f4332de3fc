#!/usr/bin/env bash
# build.sh builds the binaries the hubfleet test harness (internal/testcluster)
# runs, into a cache keyed by version:
#
#   ${HUBFLEET_CACHE:-$HOME/.cache/hubfleet}/bin/<name>-<version>
#   ${HUBFLEET_CACHE:-$HOME/.cache/hubfleet}/crds/flux-<versions>/*.yaml
#
# It is idempotent: what is already in the cache is skipped. Each binary is
# built into a temporary file and renamed into place, so an interrupted build
# never leaves a half-written binary behind.
#
# Usage: tools/build.sh [all|kube-apiserver|kube-controller-manager|kube-scheduler|
#                        source-controller|kustomize-controller|helm-controller|
#                        kwok|controller-gen|crds]...
#   all (the default): everything the cluster tests run
#
# etcd is not built here: it comes from Debian's etcd-server package
# (tools/ci-install.sh installs it).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${HUBFLEET_CACHE:-$HOME/.cache/hubfleet}"
bindir="$cache/bin"
mkdir -p "$bindir"

# Versions. Keep KUBERNETES_VERSION in step with the k8s.io/* v0.34.x pins in
# tools/go.mod (the cluster the tests run). The main go.mod's client
# libraries are newer (v0.36, what helm-controller/api v1.6.2 and Helm
# v3.21 need): clients within the supported version skew. Keep the Flux
# versions in step with the main go.mod (TestFluxAPIModulesMatchControllers
# checks them).
KUBERNETES_VERSION=v1.34.2
FLUX_SOURCE_VERSION=v1.7.3
FLUX_KUSTOMIZE_VERSION=v1.7.3
CONTROLLER_TOOLS_VERSION=v0.19.0
# helm-controller is built from the upstream source archive kept beside the
# project (../shared/src): the module proxy does not serve its root module.
FLUX_HELM_VERSION=v1.6.2
# KWOK plays the kubelet for fake nodes (no container runtime here).
KWOK_VERSION=v0.8.0
FLUX_HELM_SRC="${HUBFLEET_HELM_CONTROLLER_SRC:-$here/../../shared/src/helm-controller-$FLUX_HELM_VERSION.tar.gz}"

# The Flux API versions the CRDs are generated from: the ones the main module
# pins, so the CRDs match the types hubfleet renders.
modversion() { awk -v m="$1" '$1 == m { print $2; exit }' "$here/../go.mod"; }
FLUX_SOURCE_API_VERSION="$(modversion github.com/fluxcd/source-controller/api)"
FLUX_KUSTOMIZE_API_VERSION="$(modversion github.com/fluxcd/kustomize-controller/api)"

# Some Flux dependencies (pseudo-versions of go-containerregistry's k8schain,
# fluxcd/pkg submodules) are not in the public checksum database. Only the Flux
# tool modules below use these settings; the main module never does.
FLUX_GONOSUMDB=github.com/fluxcd/pkg,github.com/google/go-containerregistry

export GOTOOLCHAIN=local
export CGO_ENABLED=0

log() { printf '%s hubfleet-tools: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# Cold build estimates in minutes on 2 busy cores (measured on the CI
# machine while other builds ran), for the progress lines.
declare -A ESTIMATE=(
	[kube-apiserver]=12 [kube-controller-manager]=10 [kube-scheduler]=5
	[source-controller]=12 [kustomize-controller]=8 [helm-controller]=16
	[kwok]=6 [controller-gen]=2
)

# build NAME VERSION MODDIR PKG [LDFLAGS] builds PKG from the module in MODDIR
# into $bindir/NAME-VERSION unless it is there already.
build() {
	local name=$1 version=$2 moddir=$3 pkg=$4 ldflags=${5:-}
	local out="$bindir/$name-$version"
	if [[ -x $out ]]; then
		log "$name $version: cached at $out"
		return 0
	fi
	log "$name $version: building $pkg (cold: about ${ESTIMATE[$name]:-5} min)"
	local start=$SECONDS
	(cd "$moddir" && go build -trimpath -ldflags "-s -w $ldflags" -o "$out.tmp.$$" "$pkg")
	mv -f "$out.tmp.$$" "$out"
	log "$name $version: built in $((SECONDS - start))s at $out"
}

kube_apiserver() {
	kube_component kube-apiserver
}

source_controller() {
	GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod" GONOSUMDB=$FLUX_GONOSUMDB \
		build source-controller "$FLUX_SOURCE_VERSION" "$here/flux/source-controller" github.com/fluxcd/source-controller
}

kustomize_controller() {
	GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod" GONOSUMDB=$FLUX_GONOSUMDB \
		build kustomize-controller "$FLUX_KUSTOMIZE_VERSION" "$here/flux/kustomize-controller" github.com/fluxcd/kustomize-controller
}

# helm_controller unpacks the helm-controller source archive into the cache
# (src/helm-controller-<version>, kept: its config/crd/bases holds the CRDs the
# harness installs) and builds it against the module proxy with the
# dependency versions of its own go.mod.
# helm_controller_src unpacks the helm-controller source archive into the
# cache: the harness installs the HelmRelease CRD from its config/crd/bases.
helm_controller_src() {
	local src="$cache/src/helm-controller-$FLUX_HELM_VERSION"
	if [[ ! -f $src/.complete ]]; then
		[[ -f $FLUX_HELM_SRC ]] || { log "helm-controller $FLUX_HELM_VERSION: source archive $FLUX_HELM_SRC not found (set HUBFLEET_HELM_CONTROLLER_SRC)"; return 1; }
		log "helm-controller $FLUX_HELM_VERSION: unpacking $FLUX_HELM_SRC"
		rm -rf "$src.tmp" "$src" && mkdir -p "$src.tmp"
		tar xzf "$FLUX_HELM_SRC" -C "$src.tmp" --strip-components=1
		touch "$src.tmp/.complete"
		mv "$src.tmp" "$src"
	fi
}

helm_controller() {
	helm_controller_src
	local src="$cache/src/helm-controller-$FLUX_HELM_VERSION"
	GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod" GONOSUMDB=$FLUX_GONOSUMDB \
		build helm-controller "$FLUX_HELM_VERSION" "$src" .
}

# kube_component builds a kube-* command of k8s.io/kubernetes from the
# tools module, with the same stamps as kubernetes' hack/lib/version.sh, so
# that /version (and so Helm's kubeVersion checks) report the real release.
kube_component() {
	local name=$1
	local v=${KUBERNETES_VERSION#v}
	local major=${v%%.*} rest=${v#*.}
	local minor=${rest%%.*}
	local pkg
	local ld=""
	for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
		ld+=" -X '$pkg.gitVersion=$KUBERNETES_VERSION'"
		ld+=" -X '$pkg.gitMajor=$major'"
		ld+=" -X '$pkg.gitMinor=$minor'"
		ld+=" -X '$pkg.gitTreeState=clean'"
		ld+=" -X '$pkg.buildDate=1970-01-01T00:00:00Z'"
	done
	build "$name" "$KUBERNETES_VERSION" "$here" "k8s.io/kubernetes/cmd/$name" "$ld"
}

# kwok builds the KWOK controller and writes the stages it runs with
# (node initialisation and heartbeat, pod ready/complete/delete) from KWOK's
# own source into $cache/kwok-<version>/stages.yaml.
kwok() {
	build kwok "$KWOK_VERSION" "$here/kwok" sigs.k8s.io/kwok/cmd/kwok
	local out="$cache/kwok-$KWOK_VERSION/stages.yaml"
	[[ -f $out ]] && return 0
	local dir
	dir="$(cd "$here/kwok" && go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | awk -F'"' '$2 == "Dir" { print $4 }')"
	[[ -d $dir ]] || { log "kwok $KWOK_VERSION: module source not found"; return 1; }
	mkdir -p "$(dirname "$out")"
	local f first=1
	{
		for f in node/fast/node-initialize.yaml node/heartbeat/node-heartbeat.yaml \
			pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
			((first)) || echo ---
			first=0
			cat "$dir/kustomize/stage/$f"
		done
	} >"$out.tmp.$$"
	mv -f "$out.tmp.$$" "$out"
	log "kwok $KWOK_VERSION: stages written to $out"
}

controller_gen() {
	build controller-gen "$CONTROLLER_TOOLS_VERSION" "$here/controller-gen" sigs.k8s.io/controller-tools/cmd/controller-gen
}

# crds generates the source- and kustomize-controller CRDs with controller-gen
# from the Flux API module sources, in a throw-away module that requires
# exactly the API versions of the main go.mod. The HelmRelease CRD is not
# generated: the harness installs the one in helm-controller's own source
# (config/crd/bases, unpacked by helm_controller).
crds() {
	controller_gen
	local key="source-$FLUX_SOURCE_API_VERSION-kustomize-$FLUX_KUSTOMIZE_API_VERSION"
	local out="$cache/crds/flux-$key"
	if [[ -f $out/.complete ]]; then
		log "flux CRDs $key: cached at $out"
		return 0
	fi
	log "flux CRDs $key: generating with controller-gen $CONTROLLER_TOOLS_VERSION"
	local start=$SECONDS
	local work
	work="$(mktemp -d)"
	trap 'rm -rf "$work"' RETURN
	(
		cd "$work"
		export GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod" GONOSUMDB=$FLUX_GONOSUMDB
		go mod init hubfleet.invalid/fluxcrds 2>/dev/null
		go get \
			"github.com/fluxcd/source-controller/api@$FLUX_SOURCE_API_VERSION" \
			"github.com/fluxcd/kustomize-controller/api@$FLUX_KUSTOMIZE_API_VERSION" 2>"$work/get.log" ||
			{ cat "$work/get.log" >&2; exit 1; }
		rm -rf "$out.tmp" && mkdir -p "$out.tmp"
		"$bindir/controller-gen-$CONTROLLER_TOOLS_VERSION" crd:crdVersions=v1 \
			paths=github.com/fluxcd/source-controller/api/... \
			paths=github.com/fluxcd/kustomize-controller/api/... \
			output:crd:dir="$out.tmp"
	)
	touch "$out.tmp/.complete"
	rm -rf "$out" && mv "$out.tmp" "$out"
	log "flux CRDs $key: generated $(ls "$out"/*.yaml | wc -l) CRDs in $((SECONDS - start))s at $out"
}

# announce_all prints what `all` will build and a cold-build estimate.
announce_all() {
	local todo=() minutes=0 n
	for n in controller-gen kube-apiserver kube-controller-manager kube-scheduler kwok; do
		local v=$KUBERNETES_VERSION
		[[ $n == controller-gen ]] && v=$CONTROLLER_TOOLS_VERSION
		[[ $n == kwok ]] && v=$KWOK_VERSION
		[[ -x $bindir/$n-$v ]] || todo+=("$n")
	done
	[[ -x $bindir/source-controller-$FLUX_SOURCE_VERSION ]] || todo+=(source-controller)
	[[ -x $bindir/kustomize-controller-$FLUX_KUSTOMIZE_VERSION ]] || todo+=(kustomize-controller)
	[[ -x $bindir/helm-controller-$FLUX_HELM_VERSION ]] || todo+=(helm-controller)
	if ((${#todo[@]} == 0)); then
		log "every binary is cached in $bindir"
		return
	fi
	for n in "${todo[@]}"; do minutes=$((minutes + ${ESTIMATE[$n]})); done
	log "${#todo[@]} of 8 binaries to build (${todo[*]}): about $minutes min on 2 busy cores, once; later runs use the cache"
}

targets=("$@")
[[ ${#targets[@]} -eq 0 ]] && targets=(all)
total=$SECONDS
for t in "${targets[@]}"; do
	case $t in
	kube-apiserver) kube_apiserver ;;
	source-controller) source_controller ;;
	kustomize-controller) kustomize_controller ;;
	controller-gen) controller_gen ;;
	helm-controller) helm_controller ;;
	kube-controller-manager) kube_component kube-controller-manager ;;
	kube-scheduler) kube_component kube-scheduler ;;
	kwok) kwok ;;
	crds) crds ;;
	all)
		# Everything the cluster tests run. The kube-* commands come
		# first and one after the other: they share most of their
		# compiled packages through the Go build cache.
		announce_all
		crds; kube_apiserver; kube_component kube-controller-manager; kube_component kube-scheduler
		source_controller; kustomize_controller; helm_controller; kwok
		;;
	*) log "unknown target $t"; exit 2 ;;
	esac
done
log "done in $((SECONDS - total))s; cache: $cache"
