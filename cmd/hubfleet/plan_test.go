package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubfleet/hubfleet/internal/chart/chartrepotest"
	"github.com/hubfleet/hubfleet/internal/gittest"
)

func editFile(t *testing.T, path, old, new string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s does not contain %q", path, old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestPlanOnTheExampleFleet plans a one-site change and a chart version
// bump of the example fleet, with its charts served by a loopback Helm
// repository (the test charts at the pinned versions).
func TestPlanOnTheExampleFleet(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir()) // isolated chart and render caches
	root := fleetCopy(t)
	srv := chartrepotest.Start(t,
		chartrepotest.Chart{Dir: chartrepotest.Dir("daskhub"), Version: "2024.1.1"},
		// The bump ships another JupyterHub: a one-way door.
		chartrepotest.Chart{Dir: chartrepotest.Dir("daskhub"), Version: "2024.1.2",
			Subcharts: map[string]chartrepotest.Chart{"jupyterhub": {AppVersion: "4.1.6"}}},
		chartrepotest.Chart{Dir: chartrepotest.Dir("jupyterhub"), Version: "4.4.0"},
		chartrepotest.Chart{Dir: chartrepotest.Dir("dask-gateway"), Version: "2026.3.0"},
	)
	fleetFile := filepath.Join(root, "bases/daskhub/fleet.yaml")
	editFile(t, fleetFile, "repository: https://helm.dask.org\n      chart: daskhub", "repository: "+srv.URL+"\n      chart: daskhub")
	editFile(t, fleetFile, "repository: https://hub.jupyter.org/helm-chart/", "repository: "+srv.URL)
	editFile(t, fleetFile, "repository: https://helm.dask.org\n      chart: dask-gateway", "repository: "+srv.URL+"\n      chart: dask-gateway")
	if r := hubfleet(t, "", "render", "--root", root); r.code != exitOK {
		t.Fatalf("render: %d %s", r.code, r.stderr)
	}
	gittest.Run(t, root, "init", "-q", "-b", "main")
	gittest.Run(t, root, "add", "-A")
	gittest.Run(t, root, "commit", "-q", "-m", "base")

	if r := hubfleet(t, "", "plan", "--root", root); r.code != exitOK || !strings.Contains(r.stdout, "egi-dev") {
		t.Fatalf("plan of an unchanged fleet: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// A one-site change.
	editFile(t, filepath.Join(root, "clusters/egi-dev/site.yaml"), "limit: 8G", "limit: 16G")
	if r := hubfleet(t, "", "render", "--root", root); r.code != exitOK {
		t.Fatalf("render: %d %s", r.code, r.stderr)
	}
	r := hubfleet(t, "", "plan", "--root", root)
	t.Logf("one-site plan:\n%s%s", r.stdout, r.stderr)
	if r.code != exitProblems {
		t.Fatalf("plan with a change: exit %d, want 1\n%s", r.code, r.stderr)
	}
	for _, want := range []string{"egi-dev", "16G"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("plan lacks %q", want)
		}
	}
	if strings.Contains(r.stdout, "warning") || strings.Contains(r.stderr, "incomplete") {
		t.Errorf("plan warned:\n%s", r.stderr)
	}
	if !strings.Contains(r.stdout, "4 unchanged: egi-cesnet, egi-pangeo, heliocloud-aws, pangeo-azure") {
		t.Errorf("the unchanged sites are not listed once each on one line")
	}
	gittest.Run(t, root, "commit", "-q", "-am", "egi-dev memory")

	// A chart version bump moves every daskhub site and crosses a one-way door.
	editFile(t, fleetFile, "version: 2024.1.1", "version: 2024.1.2")
	if r := hubfleet(t, "", "render", "--root", root); r.code != exitOK {
		t.Fatalf("render: %d %s", r.code, r.stderr)
	}
	r = hubfleet(t, "", "plan", "--root", root, "--base", "HEAD")
	t.Logf("bump plan:\n%s%s", r.stdout, r.stderr)
	if r.code != exitProblems {
		t.Fatalf("plan with a bump: exit %d, want 1\n%s", r.code, r.stderr)
	}
	for _, want := range []string{"2024.1.1", "2024.1.2", "egi-pangeo", "egi-cesnet", "egi-dev"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("bump plan lacks %q", want)
		}
	}
	if !strings.Contains(strings.ToLower(r.stdout), "jupyterhub") || !strings.Contains(strings.ToLower(r.stdout), "revert") {
		t.Errorf("bump plan does not call out the JupyterHub one-way door")
	}
	r = hubfleet(t, "", "plan", "--root", root, "--base", "HEAD", "-o", "markdown")
	if !strings.Contains(r.stdout, "|") || !strings.Contains(r.stdout, "<details>") {
		t.Errorf("markdown plan:\n%s", r.stdout)
	}
	r = hubfleet(t, "", "plan", "--root", root, "--base", "HEAD", "-o", "json")
	if !strings.HasPrefix(strings.TrimSpace(r.stdout), "{") {
		t.Errorf("json plan:\n%s", r.stdout)
	}
}
