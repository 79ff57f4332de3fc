package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubfleet/hubfleet/internal/chart/chartrepotest"
	"github.com/hubfleet/hubfleet/internal/gittest"
	"github.com/hubfleet/hubfleet/internal/golden"
)

// TestUpgradeChart: upgrade --chart limits the upgrade to the charts named,
// and a name the fleet does not pin is an error listing the ones it does.
// The real charts are served on loopback; the fleet's dask-gateway pin is
// set back to 2024.1.0 so that it alone has a newer version.
func TestUpgradeChart(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	srv := chartrepotest.StartReal(t)
	root := fleetCopy(t)
	fleetFile := filepath.Join(root, "bases/daskhub/fleet.yaml")
	editFile(t, fleetFile, "repository: https://helm.dask.org\n      chart: daskhub", "repository: "+srv.URL+"\n      chart: daskhub")
	editFile(t, fleetFile, "repository: https://hub.jupyter.org/helm-chart/", "repository: "+srv.URL)
	editFile(t, fleetFile, "repository: https://helm.dask.org\n      chart: dask-gateway\n      version: 2026.3.0",
		"repository: "+srv.URL+"\n      chart: dask-gateway\n      version: 2024.1.0")
	before, _ := os.ReadFile(fleetFile)

	r := hubfleet(t, "", "upgrade", "--root", root, "--chart", "daskhub", "--chart", "jupyterhub")
	if r.code != exitOK || !strings.Contains(r.stdout, "nothing changed") {
		t.Errorf("upgrade --chart daskhub --chart jupyterhub: exit %d, want nothing changed (dask-gateway is not named)\n%s%s", r.code, r.stdout, r.stderr)
	}
	if after, _ := os.ReadFile(fleetFile); string(after) != string(before) {
		t.Errorf("upgrade of charts with nothing newer changed the fleet file")
	}
	// Its result in each format (nothing changed: the JSON and YAML still
	// carry every field).
	for _, format := range []string{"text", "json", "yaml"} {
		r := hubfleet(t, "", "upgrade", "--root", root, "--chart", "daskhub", "-o", format)
		if r.code != exitOK {
			t.Fatalf("upgrade -o %s: exit %d\n%s", format, r.code, r.stderr)
		}
		ext := map[string]string{"text": "txt", "json": "json", "yaml": "yaml"}[format]
		golden.Assert(t, filepath.Join("testdata", "output", "upgrade-nothing."+ext), r.stdout)
		if format == "json" {
			checkSchema(t, "upgrade", r.stdout)
		}
	}
	// An upgrade of the one chart with a newer version, as JSON.
	gittest.Run(t, root, "init", "-q", "-b", "main")
	gittest.Run(t, root, "add", "-A")
	gittest.Run(t, root, "commit", "-q", "-m", "dask-gateway 2024.1.0")
	r = hubfleet(t, "", "upgrade", "--root", root, "--chart", "dask-gateway", "-o", "json")
	if r.code != exitOK || !strings.Contains(r.stdout, `"to": "2026.3.0"`) {
		t.Fatalf("upgrade --chart dask-gateway -o json: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	checkSchema(t, "upgrade", r.stdout)
	r = hubfleet(t, "", "upgrade", "--root", root, "--chart", "dask-gatway")
	if r.code != exitError || !strings.Contains(r.stderr, `--chart "dask-gatway": bases/daskhub/fleet.yaml pins daskhub, jupyterhub, dask-gateway`) {
		t.Errorf("upgrade --chart with a typo: exit %d: %s", r.code, r.stderr)
	}
}
