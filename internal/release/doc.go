// Package release builds hubfleet's release assets with the Go toolchain
// alone, reproducibly: the same tag and commit give the same bytes on any
// machine with the same Go version.
//
// For each target (linux and darwin on amd64 and arm64) it runs go build
// with CGO_ENABLED=0, -trimpath, -buildvcs=false and fixed -ldflags that
// stamp the tag and commit (internal/buildinfo), packs the binary into a
// tar.gz whose headers carry SOURCE_DATE_EPOCH and no owner, and writes
// an SPDX 2.3 SBOM read from the binary's own build information. It then
// writes a sha256sum-style checksums file over the archives and SBOMs, and
// an in-toto statement with a SLSA v1 provenance predicate naming them.
//
// The release workflow (.github/workflows/release.yaml) and the GitHub
// Action's installer (action/install.sh) rely on the asset names given by
// ArchiveName and ChecksumsName.
package release
