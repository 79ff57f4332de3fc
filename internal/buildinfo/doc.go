// Package buildinfo says which hubfleet this is: the module version, the
// commit and the Go version, read from the build information the Go
// toolchain stamps into every binary (runtime/debug.ReadBuildInfo).
//
// A binary installed with `go install module@vX.Y.Z` knows its release
// version but no commit; one built from a git checkout knows its commit and
// reports the version "(devel)" (or a pseudo-version); `go run` and test
// binaries know neither. Release tells these cases apart.
package buildinfo
