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
// bump of the example fleet, with the real charts served by a loopback
// Helm repository. The base pins dask-gateway 2024.1.0 so that the bump to
// 2026.3.0 moves the composed sites across the CRD and Kubernetes doors.
func TestPlanOnTheExampleFleet(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir()) // isolated chart and render caches
	root := fleetCopy(t)
	srv := chartrepotest.StartReal(t)
	fleetFile := filepath.Join(root, "bases/daskhub/fleet.yaml")
	editFile(t, fleetFile, "repository: https://helm.dask.org\n      chart: daskhub", "repository: "+srv.URL+"\n      chart: daskhub")
	editFile(t, fleetFile, "repository: https://hub.jupyter.org/helm-chart/", "repository: "+srv.URL)
	editFile(t, fleetFile, "repository: https://helm.dask.org\n      chart: dask-gateway\n      version: 2026.3.0", "repository: "+srv.URL+"\n      chart: dask-gateway\n      version: 2024.1.0")
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
	r = hubfleet(t, "", "plan", "--root", root, "-o", "markdown")
	if !strings.Contains(r.stdout, "| egi-dev | changed |") || !strings.Contains(r.stdout, "<details>") {
		t.Errorf("markdown plan of the one-site change:\n%s", r.stdout)
	}
	gittest.Run(t, root, "commit", "-q", "-am", "egi-dev memory")

	// A chart version bump moves every composed site and crosses one-way doors.
	editFile(t, fleetFile, "version: 2024.1.0", "version: 2026.3.0")
	if r := hubfleet(t, "", "render", "--root", root); r.code != exitOK {
		t.Fatalf("render: %d %s", r.code, r.stderr)
	}
	r = hubfleet(t, "", "plan", "--root", root, "--base", "HEAD")
	t.Logf("bump plan:\n%s%s", r.stdout, r.stderr)
	if r.code != exitProblems {
		t.Fatalf("plan with a bump: exit %d, want 1\n%s", r.code, r.stderr)
	}
	for _, want := range []string{
		"chart dask-gateway 2024.1.0 -> 2026.3.0",
		"heliocloud-aws", "pangeo-azure",
		"ONE-WAY DOOR (crd-change)",
		"ONE-WAY DOOR (kubernetes-minimum): chart dask-gateway raises its Kubernetes minimum from 1.25.0 to 1.30.0",
		"3 unchanged: egi-cesnet, egi-dev, egi-pangeo",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("bump plan lacks %q", want)
		}
	}
	r = hubfleet(t, "", "plan", "--root", root, "--base", "HEAD", "-o", "markdown")
	// The real charts' diffs of two sites do not fit one comment: the
	// table stays, with the doors.
	if !strings.Contains(r.stdout, "| heliocloud-aws | changed | dask-gateway 2024.1.0 -&gt; 2026.3.0") || !strings.Contains(r.stdout, "**crd-change**") {
		t.Errorf("markdown plan:\n%s", r.stdout)
	}
	r = hubfleet(t, "", "plan", "--root", root, "--base", "HEAD", "-o", "json")
	if !strings.HasPrefix(strings.TrimSpace(r.stdout), "{") {
		t.Errorf("json plan:\n%s", r.stdout)
	}
}
