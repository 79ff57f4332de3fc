#!/usr/bin/env bash
# Build hubfleet's release assets with the Go toolchain alone and check them.
#
#   tools/release.sh                  # assets for the tag at HEAD (or a snapshot) in dist/
#   tools/release.sh --reproducible   # also rebuild from scratch (fresh build cache, other
#                                     # source path) and require byte-identical assets
#   OUT=/tmp/dist TARGETS=linux/amd64 tools/release.sh
#
# Every run verifies the checksums file with sha256sum -c. The assets:
#   hubfleet_<version>_<os>_<arch>.tar.gz      the binary (linux, darwin x amd64, arm64)
#   hubfleet_<version>_<os>_<arch>.spdx.json   its SPDX SBOM, from its Go build information
#   hubfleet_<version>_checksums.txt           sha256 of the archives and SBOMs
#   hubfleet_<version>_provenance.intoto.json  in-toto statement, SLSA v1 provenance
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-$root/dist}
targets=${TARGETS:-linux/amd64,linux/arm64,darwin/amd64,darwin/arm64}
reproducible=false
for a in "$@"; do
  case $a in
    --reproducible) reproducible=true ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "release.sh: unknown argument $a" >&2; exit 2 ;;
  esac
done

cd "$root"
commit=$(git rev-parse HEAD)
tag=${TAG:-$(git describe --tags --exact-match "$commit" 2>/dev/null || echo "v0.0.0-snapshot.${commit:0:12}")}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct "$commit")}

rm -rf "$out"
go run ./internal/release/cmd -out "$out" -tag "$tag" -commit "$commit" -targets "$targets"
(cd "$out" && sha256sum --strict -c ./*_checksums.txt)

if $reproducible; then
  # A second build from a copy of the source at another path, with an
  # empty build cache, must give the same bytes.
  scratch=$(mktemp -d)
  trap 'chmod -R u+w "$scratch" 2>/dev/null; rm -rf "$scratch"' EXIT
  git archive --format=tar --prefix=src/ "$commit" | tar -x -C "$scratch"
  (cd "$scratch/src" && GOCACHE="$scratch/gocache" go run ./internal/release/cmd \
    -out "$scratch/dist" -tag "$tag" -commit "$commit" -targets "$targets")
  for f in "$out"/*_checksums.txt "$out"/*.tar.gz "$out"/*.spdx.json; do
    cmp "$f" "$scratch/dist/$(basename "$f")"
  done
  echo "reproducible: a second build from $scratch/src with an empty build cache gave the same bytes"
fi
