#!/usr/bin/env bash
# buildcost.sh measures what a cold `go build ./cmd/hubfleet` costs, side by
# side for two commits in one run: the packages it compiles, the CPU time
# (user + sys) with the module cache warm and the build cache empty (a fresh
# GOCACHE per tree), and the binary's size.
#
#   tools/buildcost.sh                 # HEAD against b238126 (main before issue 22)
#   tools/buildcost.sh v0.3.0 HEAD     # any two commits
#
# Each commit is checked out into a temporary worktree; nothing in the
# repository changes. It takes a few minutes of CPU per commit. Needs GNU
# time (Debian package time) for /usr/bin/time.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
base=${1:-b238126}
head=${2:-HEAD}
export GOFLAGS="${GOFLAGS:-} -mod=readonly"
printf '%-12s %9s %10s %10s %11s\n' commit packages "user (s)" "sys (s)" "binary (MB)"
for ref in "$base" "$head"; do
	tree=$(mktemp -d)
	git worktree add -q --detach "$tree" "$ref"
	cache=$(mktemp -d)
	(
		cd "$tree"
		go mod download >/dev/null
		pkgs=$(go list -deps ./cmd/hubfleet | wc -l)
		times=$(mktemp)
		GOCACHE=$cache /usr/bin/time -f '%U %S' -o "$times" go build -o "$cache/hubfleet" ./cmd/hubfleet
		read -r user sys <"$times"
		size=$(stat -c %s "$cache/hubfleet")
		printf '%-12s %9s %10s %10s %11.1f\n' "$(git rev-parse --short HEAD)" "$pkgs" "$user" "$sys" "$(awk -v s="$size" 'BEGIN { print s / 1e6 }')"
	)
	git worktree remove --force "$tree"
	rm -rf "$cache"
done
