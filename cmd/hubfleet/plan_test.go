package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubfleet/hubfleet/internal/chart/chartrepotest"
	"github.com/hubfleet/hubfleet/internal/fleettest"
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

// planFleet is the example fleet with its chart sources on a loopback Helm
// repository, rendered and committed in a clone of a bare remote, so that
// origin/main and origin/HEAD exist as in a real checkout.
func planFleet(t *testing.T, url string) (work string) {
	t.Helper()
	dir := t.TempDir()
	remote := filepath.Join(dir, "remote.git")
	gittest.Run(t, dir, "init", "-q", "--bare", "-b", "main", remote)
	work = filepath.Join(dir, "work")
	gittest.Run(t, dir, "clone", "-q", remote, work)
	gittest.Run(t, work, "switch", "-q", "-c", "main")
	fleettest.CopyExample(t, work)
	fleetFile := filepath.Join(work, "bases/daskhub/fleet.yaml")
	editFile(t, fleetFile, "repository: https://helm.dask.org\n      chart: daskhub", "repository: "+url+"\n      chart: daskhub")
	editFile(t, fleetFile, "repository: https://hub.jupyter.org/helm-chart/", "repository: "+url)
	editFile(t, fleetFile, "repository: https://helm.dask.org\n      chart: dask-gateway", "repository: "+url+"\n      chart: dask-gateway")
	mustRender(t, work)
	gittest.Run(t, work, "add", "-A")
	gittest.Run(t, work, "commit", "-q", "-m", "base")
	gittest.Run(t, work, "push", "-q", "origin", "main")
	gittest.Run(t, work, "remote", "set-head", "origin", "main")
	return work
}

func mustRender(t *testing.T, root string) {
	t.Helper()
	if r := hubfleet(t, "", "render", "--root", root); r.code != exitOK {
		t.Fatalf("render: %d %s", r.code, r.stderr)
	}
}

// TestPlanOnTheExampleFleet plans changes of the example fleet through the
// command, with its charts served by a loopback Helm repository.
func TestPlanOnTheExampleFleet(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir()) // isolated chart and render caches
	// The test charts at the pinned versions, and a daskhub 2024.1.2 that
	// differs from 2024.1.1 only in its own, its vendored jupyterhub's and
	// JupyterHub's versions: the real charts have no such pair, and it is
	// what shows the label-only churn of a bump.
	srv := chartrepotest.Start(t,
		chartrepotest.Chart{Dir: chartrepotest.Dir("daskhub"), Version: "2024.1.1"},
		chartrepotest.Chart{Dir: chartrepotest.Dir("daskhub"), Version: "2024.1.2",
			Subcharts: map[string]chartrepotest.Chart{"jupyterhub": {Version: "3.2.2", AppVersion: "4.1.6"}}},
		chartrepotest.Chart{Dir: chartrepotest.Dir("jupyterhub"), Version: "4.4.0"},
		chartrepotest.Chart{Dir: chartrepotest.Dir("dask-gateway"), Version: "2026.3.0"},
	)
	root := planFleet(t, srv.URL)
	fleetFile := filepath.Join(root, "bases/daskhub/fleet.yaml")

	if r := hubfleet(t, "", "plan", "--root", root); r.code != exitOK || !strings.Contains(r.stdout, "egi-dev") {
		t.Fatalf("plan of an unchanged fleet: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// A one-site change: the plan shows it, and a change is not a problem.
	editFile(t, filepath.Join(root, "clusters/egi-dev/site.yaml"), "limit: 8G", "limit: 16G")
	mustRender(t, root)
	r := hubfleet(t, "", "plan", "--root", root)
	if r.code != exitOK {
		t.Fatalf("plan with a change: exit %d, want 0\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"~ site egi-dev: changed", "16G", "4 unchanged: egi-cesnet, egi-pangeo, heliocloud-aws, pangeo-azure"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("plan lacks %q:\n%s", want, r.stdout)
		}
	}
	if r.stderr != "" {
		t.Errorf("plan warned:\n%s", r.stderr)
	}
	// Pushed, then a local commit on top: --base HEAD~1 is the local
	// parent (egi-dev's change), not origin/HEAD~1 (the base commit).
	gittest.Run(t, root, "commit", "-q", "-am", "egi-dev memory")
	gittest.Run(t, root, "push", "-q", "origin", "main")
	editFile(t, filepath.Join(root, "clusters/egi-pangeo/site.yaml"), "limit: 4G", "limit: 6G")
	mustRender(t, root)
	gittest.Run(t, root, "commit", "-q", "-am", "egi-pangeo memory")
	r = hubfleet(t, "", "plan", "--root", root, "--base", "HEAD~1")
	if r.code != exitOK || !strings.Contains(r.stdout, "~ site egi-pangeo: changed") || strings.Contains(r.stdout, "~ site egi-dev") {
		t.Errorf("plan --base HEAD~1 is not against the local parent: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if head1 := gittest.Run(t, root, "rev-parse", "HEAD~1"); !strings.Contains(r.stdout, "against "+head1[:12]) {
		t.Errorf("plan does not name the base it compares with (%s):\n%.300s", head1[:12], r.stdout)
	}

	// The overlay diff alone, without chart repositories.
	r = hubfleet(t, "", "plan", "--root", root, "--base", "HEAD~1", "--charts=false")
	if r.code != exitOK || !strings.Contains(r.stdout, "~ site egi-pangeo: changed") || !strings.Contains(r.stdout, "+          memory_limit: 6G") && !strings.Contains(r.stdout, "6G") {
		t.Errorf("plan --charts=false: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if strings.Contains(r.stdout, "chart objects:") {
		t.Errorf("plan --charts=false rendered charts:\n%s", r.stdout)
	}

	// A chart version bump: the JupyterHub door, and the objects whose
	// only change is the chart-version label are one line, not diffs.
	editFile(t, fleetFile, "version: 2024.1.1", "version: 2024.1.2")
	mustRender(t, root)
	r = hubfleet(t, "", "plan", "--root", root, "--base", "HEAD")
	t.Logf("bump plan:\n%s%s", r.stdout, r.stderr)
	// The catalog does not know daskhub 2024.1.2, and it vendors another
	// jupyterhub than the values were written for: a problem (exit 1),
	// never a silent fallback.
	if r.code != exitProblems {
		t.Fatalf("plan with a bump to an unknown umbrella: exit %d, want 1\n%s", r.code, r.stderr)
	}
	for _, want := range []string{"chart daskhub 2024.1.1 -> 2024.1.2", "ONE-WAY DOOR (hub-database-migration)", "differ only in chart-version labels", "PROBLEM: check values-facts"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("bump plan lacks %q", want)
		}
	}
	for _, l := range strings.Split(r.stdout, "\n") {
		if l = strings.TrimSpace(l); (strings.HasPrefix(l, "-") || strings.HasPrefix(l, "+")) && strings.Contains(l, "chart: ") && strings.Contains(l, "2024.1.") {
			t.Errorf("bump plan diffs a chart-version label: %s", l)
		}
	}
	r = hubfleet(t, "", "plan", "--root", root, "--base", "HEAD", "-o", "markdown")
	if !strings.Contains(r.stdout, "| `egi-dev` | problem (changed) |") || !strings.Contains(r.stdout, "<details>") {
		t.Errorf("markdown plan:\n%s", r.stdout)
	}
	r = hubfleet(t, "", "plan", "--root", root, "--base", "HEAD", "-o", "json")
	if !strings.HasPrefix(strings.TrimSpace(r.stdout), "{") || !strings.Contains(r.stdout, `"charts": true`) {
		t.Errorf("json plan:\n%.400s", r.stdout)
	}
	gittest.Run(t, root, "checkout", "-q", "--", ".")
	mustRender(t, root)

	// A chart repository that is neither reachable nor cached: the
	// affected sites are unverified, with the reason, and planned from
	// their overlay diff; --strict makes that a failure.
	editFile(t, fleetFile, "repository: "+srv.URL+"\n      chart: daskhub", "repository: http://127.0.0.1:1/charts\n      chart: daskhub")
	mustRender(t, root)
	r = hubfleet(t, "", "plan", "--root", root, "--base", "HEAD")
	if r.code != exitOK || !strings.Contains(r.stdout, "? site egi-dev: unverified (changed)") ||
		!strings.Contains(r.stdout, "UNVERIFIED: chart http://127.0.0.1:1/charts/daskhub@2024.1.1 is neither reachable nor cached") || !strings.Contains(r.stdout, "http://127.0.0.1:1/charts") {
		t.Errorf("fallback plan: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = hubfleet(t, "", "plan", "--root", root, "--base", "HEAD", "--strict")
	if r.code != exitProblems || !strings.Contains(r.stderr, "unverified with --strict: egi-dev") {
		t.Errorf("plan --strict with an unreachable repository: exit %d, want 1\n%s", r.code, r.stderr)
	}
	gittest.Run(t, root, "checkout", "-q", "--", ".")
	mustRender(t, root)

	// The checks of the rendered objects run with what the site expects:
	// a HelmRelease edited by hand to a proxy-public type its TLS mode
	// does not serve is a problem, and a problem exits 1, not 0.
	editFile(t, filepath.Join(root, "overlays/egi-dev/helmrelease-daskhub.yaml"), "type: ClusterIP", "type: LoadBalancer")
	r = hubfleet(t, "", "plan", "--root", root, "--base", "HEAD", "--site", "egi-dev")
	if r.code != exitProblems || !strings.Contains(r.stdout, "PROBLEM: check proxy-public-service: proxy-public Service is LoadBalancer, the site's TLS mode needs ClusterIP") ||
		!strings.Contains(r.stderr, "1 chart problem(s): a chart would not install as planned") {
		t.Errorf("plan of a site whose chart fails a check: exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
	}
	gittest.Run(t, root, "checkout", "-q", "--", ".")

	// Removing a site is a one-way door that names what Flux prunes.
	if err := os.RemoveAll(filepath.Join(root, "clusters/egi-dev")); err != nil {
		t.Fatal(err)
	}
	mustRender(t, root)
	r = hubfleet(t, "", "plan", "--root", root, "--base", "HEAD")
	for _, want := range []string{"! site egi-dev: problem (removed)", "site removal not confirmed: egi-dev", "ONE-WAY DOOR (site-removal): site egi-dev is removed", "namespace daskhub", "hub-db-dir (the hub database)", "claim-<user>"} {
		if !strings.Contains(r.stdout+r.stderr, want) {
			t.Errorf("removal plan lacks %q:\n%s%s", want, r.stdout, r.stderr)
		}
	}
}
