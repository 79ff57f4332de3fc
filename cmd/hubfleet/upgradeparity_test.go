package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubfleet/hubfleet/internal/chart/chartrepotest"
)

// TestUpgradeDoesNotSkipPastAMissingPin: a pin the repository lacks
// (jupyterhub 4.3.0, while 4.4.0 and 4.5.0 are served above it) fails
// upgrade as it fails validate: the same problem, exit 1, nothing
// written. Upgrade does not move it to the newer version it could reach,
// not even for another chart: the pin is the operator's to correct, and
// the fix names a version to set.
func TestUpgradeDoesNotSkipPastAMissingPin(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	srv := chartrepotest.Start(t,
		chartrepotest.Chart{Dir: chartrepotest.Dir("daskhub"), Version: "2024.1.1"},
		chartrepotest.Chart{Dir: chartrepotest.Dir("jupyterhub"), Version: "4.4.0"},
		chartrepotest.Chart{Dir: chartrepotest.Dir("jupyterhub"), Version: "4.5.0"},
		chartrepotest.Chart{Dir: chartrepotest.Dir("dask-gateway"), Version: "2026.3.0"},
	)
	root := planFleet(t, srv.URL)
	fleetFile := filepath.Join(root, "bases/daskhub/fleet.yaml")
	editFile(t, fleetFile, "chart: jupyterhub\n      version: 4.4.0", "chart: jupyterhub\n      version: 4.3.0")
	before, err := os.ReadFile(fleetFile)
	if err != nil {
		t.Fatal(err)
	}
	const problem = `spec.charts.jupyterhub.version: chart jupyterhub version "4.3.0" is not in repository ` + "%s" + ` (it has 4.5.0, 4.4.0): Flux can never fetch it`
	const fix = `set spec.charts.jupyterhub.version to a version the repository has, e.g. 4.5.0, the newest within its constraint ">=4.0.0 <5.0.0"`
	for _, args := range [][]string{
		{"upgrade"},
		{"upgrade", "--chart", "jupyterhub", "--allow-unknown"},
		{"upgrade", "--chart", "daskhub"},
	} {
		r := hubfleet(t, "", append(args, "--root", root)...)
		after, err := os.ReadFile(fleetFile)
		if err != nil {
			t.Fatal(err)
		}
		want := strings.Replace(problem, "%s", srv.URL, 1)
		if r.code != exitProblems || !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, fix) || string(after) != string(before) {
			t.Errorf("%s: exit %d, want %d, the problem and its fix, and the fleet file as it was (changed: %t)\n%s%s",
				strings.Join(args, " "), r.code, exitProblems, string(after) != string(before), r.stdout, r.stderr)
		}
	}
	// validate says the same, once the charts are cached.
	r := hubfleet(t, "", "validate", "--root", root)
	if r.code != exitProblems || !strings.Contains(r.stdout+r.stderr, strings.Replace(problem, "%s", srv.URL, 1)) || !strings.Contains(r.stdout+r.stderr, fix) {
		t.Errorf("validate: exit %d, want %d and the same problem\n%s%s", r.code, exitProblems, r.stdout, r.stderr)
	}
}
