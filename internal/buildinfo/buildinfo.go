package buildinfo

import (
	"runtime/debug"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// Module is hubfleet's module path.
const Module = "github.com/hubfleet/hubfleet"

// Info is what a binary knows about its own build.
type Info struct {
	// Module is the main module's path.
	Module string `json:"module" yaml:"module"`
	// Version is the module version: a release tag (v1.2.3), a
	// pseudo-version, or "(devel)".
	Version string `json:"version" yaml:"version"`
	// Commit is the full VCS revision, when built from a checkout.
	Commit string `json:"commit,omitempty" yaml:"commit,omitempty"`
	// Modified reports uncommitted changes in that checkout.
	Modified bool `json:"modified,omitempty" yaml:"modified,omitempty"`
	// GoVersion is the toolchain that built the binary.
	GoVersion string `json:"goVersion" yaml:"goVersion"`
}

// version and commit are set by release builds (tools/release.sh) with
// -ldflags "-X github.com/hubfleet/hubfleet/internal/buildinfo.version=vX.Y.Z
// -X github.com/hubfleet/hubfleet/internal/buildinfo.commit=<sha>": those
// build with -buildvcs=false so that the same tag gives the same bytes
// whatever else is in the checkout.
var version, commit string

// Read returns the running binary's build information.
func Read() Info {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		bi = &debug.BuildInfo{}
	}
	return Stamped(From(bi), version, commit)
}

// Stamped applies the version and commit a release build stamped with
// -ldflags -X; empty values leave i as it is.
func Stamped(i Info, version, commit string) Info {
	if version != "" {
		i.Version = version
	}
	if commit != "" {
		i.Commit, i.Modified = commit, false
	}
	return i
}

// From extracts Info from Go build information.
func From(bi *debug.BuildInfo) Info {
	i := Info{Module: bi.Main.Path, Version: bi.Main.Version, GoVersion: bi.GoVersion}
	if i.Module == "" {
		i.Module = Module
	}
	if i.Version == "" {
		i.Version = "(devel)"
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			i.Commit = s.Value
		case "vcs.modified":
			i.Modified = s.Value == "true"
		}
	}
	return i
}

// Release reports whether Version is a release tag: semver without a
// pre-release part (so not a pseudo-version) and without +dirty.
func (i Info) Release() bool {
	if !strings.HasPrefix(i.Version, "v") {
		return false
	}
	v, err := semver.StrictNewVersion(strings.TrimPrefix(i.Version, "v"))
	return err == nil && v.Prerelease() == "" && v.Metadata() == ""
}

// PseudoCommit returns the abbreviated commit a pseudo-version names
// (v0.0.0-20260101120000-abcdef123456), or "".
func (i Info) PseudoCommit() string {
	parts := strings.Split(strings.TrimSuffix(i.Version, "+dirty"), "-")
	if len(parts) < 3 {
		return ""
	}
	last := parts[len(parts)-1]
	if len(last) != 12 || strings.Trim(last, "0123456789abcdef") != "" {
		return ""
	}
	return last
}

// Short is a one-line description: "v1.2.3", or "(devel) abcdef123456".
func (i Info) Short() string {
	s := i.Version
	if i.Commit != "" {
		c := i.Commit
		if len(c) > 12 {
			c = c[:12]
		}
		s += " " + c
		if i.Modified {
			s += "+modified"
		}
	}
	return s
}
