package buildinfo

import (
	"runtime/debug"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFrom(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		bi          debug.BuildInfo
		want        Info
		release     bool
		pseudoShort string
	}{
		{
			name:    "go install of a release",
			bi:      debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Path: Module, Version: "v1.2.3"}},
			want:    Info{Module: Module, Version: "v1.2.3", GoVersion: "go1.26.0"},
			release: true,
		},
		{
			name: "go install of a commit",
			bi:   debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Path: Module, Version: "v0.0.0-20261201101500-0123456789ab"}},
			want: Info{Module: Module, Version: "v0.0.0-20261201101500-0123456789ab", GoVersion: "go1.26.0"}, pseudoShort: "0123456789ab",
		},
		{
			name: "go build in a dirty checkout",
			bi: debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Path: Module, Version: "(devel)"}, Settings: []debug.BuildSetting{
				{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"}, {Key: "vcs.modified", Value: "true"}}},
			want: Info{Module: Module, Version: "(devel)", Commit: "0123456789abcdef0123456789abcdef01234567", Modified: true, GoVersion: "go1.26.0"},
		},
		{
			name: "go run",
			bi:   debug.BuildInfo{GoVersion: "go1.26.0"},
			want: Info{Module: Module, Version: "(devel)", GoVersion: "go1.26.0"},
		},
		{
			name: "a release candidate is not a release",
			bi:   debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Path: Module, Version: "v1.3.0-rc.1"}},
			want: Info{Module: Module, Version: "v1.3.0-rc.1", GoVersion: "go1.26.0"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := From(&tt.bi)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("From (-want +got):\n%s", diff)
			}
			if got.Release() != tt.release {
				t.Errorf("Release() = %v, want %v", got.Release(), tt.release)
			}
			if got.PseudoCommit() != tt.pseudoShort {
				t.Errorf("PseudoCommit() = %q, want %q", got.PseudoCommit(), tt.pseudoShort)
			}
		})
	}
}

func TestStamped(t *testing.T) {
	t.Parallel()
	devel := Info{Module: Module, Version: "(devel)", Commit: "aaaa", Modified: true, GoVersion: "go1.26.0"}
	tests := []struct {
		name            string
		version, commit string
		want            Info
		release         bool
	}{
		{name: "not stamped", want: devel},
		{name: "release build", version: "v1.4.0", commit: "0123456789abcdef0123456789abcdef01234567",
			want:    Info{Module: Module, Version: "v1.4.0", Commit: "0123456789abcdef0123456789abcdef01234567", GoVersion: "go1.26.0"},
			release: true},
		{name: "snapshot build", version: "v1.4.0-snapshot.0123456", commit: "0123456",
			want: Info{Module: Module, Version: "v1.4.0-snapshot.0123456", Commit: "0123456", GoVersion: "go1.26.0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Stamped(devel, tt.version, tt.commit)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Stamped (-want +got):\n%s", diff)
			}
			if got.Release() != tt.release {
				t.Errorf("Release() = %v, want %v", got.Release(), tt.release)
			}
		})
	}
}
