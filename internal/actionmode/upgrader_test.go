package actionmode_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hubfleet/hubfleet/internal/actionmode"
	"github.com/hubfleet/hubfleet/internal/chart"
	"github.com/hubfleet/hubfleet/internal/chart/chartrepotest"
)

// chartRepo serves test charts on loopback and points the fleet's three
// chart sources at it (rendered and pushed, so main is clean).
func (f *fixture) chartRepo(jupyterhubVersions ...string) *chartrepotest.Server {
	f.t.Helper()
	charts := []chartrepotest.Chart{
		{Dir: chartrepotest.Dir("daskhub")},
		{Dir: chartrepotest.Dir("dask-gateway"), Version: "2026.3.0"},
	}
	for _, v := range jupyterhubVersions {
		charts = append(charts, chartrepotest.Chart{Dir: chartrepotest.Dir("jupyterhub"), Version: v})
	}
	repo := chartrepotest.Start(f.t, charts...)
	for _, old := range []string{"https://helm.dask.org", "https://hub.jupyter.org/helm-chart/"} {
		s := f.read(f.work, "bases/daskhub/fleet.yaml")
		f.write(f.work, "bases/daskhub/fleet.yaml", strings.ReplaceAll(s, "repository: "+old, "repository: "+repo.URL))
	}
	f.render(f.work)
	git(f.t, f.work, "add", ".")
	git(f.t, f.work, "commit", "--quiet", "-m", "Use the test chart repository")
	git(f.t, f.work, "push", "--quiet", "origin", "main")
	return repo
}

func TestUpgradeFromChartRepository(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	// 5.0.0 is outside the fleet's ">=4.0.0 <5.0.0"; 4.6.0-beta.1 is a
	// prerelease the fleet does not opt into.
	repo := f.chartRepo("4.4.0", "4.5.0", "5.0.0", "4.6.0-beta.1")
	cache := t.TempDir()
	upgrade := func() result {
		t.Helper()
		return f.run("upgrade", "schedule", nil, func(o *actionmode.Options) {
			ro := chart.ResolverOptions{CacheDir: cache + "/charts", Timeout: 10 * time.Second}
			rend := chart.DefaultRenderOptions()
			rend.CacheDir, rend.Workers = cache+"/renders", 2
			o.Upgrader = actionmode.ChartUpgrader{
				Resolver: ro,
				Planner:  actionmode.OverlayPlanner{Resolver: ro, Render: rend, Git: o.Git},
				BaseRef:  "main",
				Git:      o.Git,
			}
		})
	}

	res := upgrade()
	if res.err != nil {
		t.Fatalf("upgrade: %v\n%s", res.err, res.log)
	}
	prs := f.srv.PullRequests()
	if len(prs) != 1 || prs[0].Title != "Upgrade jupyterhub 4.4.0 → 4.5.0" {
		t.Fatalf("pull requests = %+v", prs)
	}
	// Only the pin's line changed in the fleet file: comments and layout stay.
	if d := git(t, f.remote, "diff", "--unified=0", "main...hubfleet/upgrade", "--", "bases/daskhub/fleet.yaml"); !strings.Contains(d, "-      version: 4.4.0\n+      version: 4.5.0") || strings.Count(d, "\n-") != 2 {
		t.Errorf("fleet file diff:\n%s", d)
	}
	for _, s := range []string{"| `jupyterhub` | 4.4.0 | 4.5.0 |", "| `heliocloud-aws` | changed: jupyterhub 4.4.0 → 4.5.0, 1 file(s), 29 chart object(s) |", "| `egi-dev` | unchanged |"} {
		if !strings.Contains(prs[0].Body, s) {
			t.Errorf("PR body lacks %q:\n%s", s, prs[0].Body)
		}
	}

	// Nothing newer: nothing changes.
	tip := git(t, f.remote, "rev-parse", "hubfleet/upgrade")
	res = upgrade()
	if res.err != nil || res.outputs["changed"] != "false" || git(t, f.remote, "rev-parse", "hubfleet/upgrade") != tip {
		t.Fatalf("rerun changed something: %v, outputs %v", res.err, res.outputs)
	}

	// A newer patch release updates the same pull request.
	repo.Add(t, chartrepotest.Chart{Dir: chartrepotest.Dir("jupyterhub"), Version: "4.5.1"})
	res = upgrade()
	if res.err != nil {
		t.Fatalf("upgrade to 4.5.1: %v", res.err)
	}
	prs = f.srv.PullRequests()
	if diff := cmp.Diff([]string{"Upgrade jupyterhub 4.4.0 → 4.5.1"}, []string{prs[0].Title}); diff != "" || len(prs) != 1 {
		t.Errorf("pull requests = %+v", prs)
	}
	if got := git(t, f.remote, "show", "hubfleet/upgrade:overlays/pangeo-azure/helmrelease-jupyterhub.yaml"); !strings.Contains(got, "version: 4.5.1") {
		t.Errorf("pangeo-azure not re-rendered at 4.5.1")
	}
}
