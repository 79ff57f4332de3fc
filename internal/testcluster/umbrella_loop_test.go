package testcluster_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	helmchart "helm.sh/helm/v3/pkg/chart"

	"github.com/hubfleet/hubfleet/internal/chart/chartrepotest"
)

// basehubChart builds, from the real charts of ../shared/charts, an
// operator's umbrella nested as 2i2c's basehub is: z2jh 4.4.0 under
// jupyterhub: and dask-gateway 2026.3.0 under dask-gateway: (condition
// dask-gateway.enabled). It is the minimum of ownersCharts in
// cmd/hubfleet/importumbrella_test.go, copied: this package cannot import
// a test file of package main. The sibling stand-ins and the NFS template
// are left out; the loop is about the z2jh and gateway key paths.
func basehubChart(t *testing.T, version string) *helmchart.Chart {
	t.Helper()
	jh, err := chartrepotest.LoadReal("jupyterhub-4.4.0.tgz")
	if err != nil {
		t.Fatal(err)
	}
	gw, err := chartrepotest.LoadReal("dask-gateway-2026.3.0.tgz")
	if err != nil {
		t.Fatal(err)
	}
	c := &helmchart.Chart{
		Metadata: &helmchart.Metadata{APIVersion: "v2", Name: "basehub", Version: version, Type: "application",
			Dependencies: []*helmchart.Dependency{{Name: "jupyterhub", Version: "4.4.0"}, {Name: "dask-gateway", Version: "2026.3.0", Condition: "dask-gateway.enabled"}}},
		Values: map[string]any{"jupyterhub": map[string]any{}, "dask-gateway": map[string]any{"enabled": false}},
	}
	c.AddDependency(jh, gw)
	return c
}

// TestUmbrellaSiteVerify runs a site on an operator's umbrella chart
// (fleet spec.charts.umbrellas.basehub, site spec.chart.umbrella) through
// the loop: hubfleet render, git push, Flux and helm-controller install
// the one HelmRelease of the chart, served with the real charts from the
// loopback chart repository; then the built hubfleet verify passes its
// Flux and Kubernetes checks for that release.
func TestUmbrellaSiteVerify(t *testing.T) {
	t.Parallel()
	const site = "pangeo-azure"
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Minute)
	defer cancel()
	r := startRealSite(ctx, t, site, func(repo string) {
		removeOtherSites(t, repo, site)
		charts := chartrepotest.StartReal(t)
		charts.AddChart(t, basehubChart(t, "0.1.0"))
		editFile(t, filepath.Join(repo, "bases", "daskhub", "fleet.yaml"), []edit{
			{`(?m)^(  charts:\n)`, "${1}    umbrellas:\n      basehub:\n        repository: " + charts.URL +
				"\n        chart: basehub\n        version: 0.1.0\n        jupyterhubVersion: 4.4.0" +
				"\n        jupyterhubPath: [jupyterhub]\n        daskGatewayPath: [dask-gateway]\n"},
			{`(?m)^(    timeout:) 15m$`, "${1} 4m"},
		})
		editFile(t, filepath.Join(repo, "clusters", site, "site.yaml"), []edit{
			{`(?m)^(  chart:\n)    mode: composed$`, "${1}    umbrella: basehub"},
		})
	})
	rels := r.renderedHelmReleases(site)
	if len(rels) != 1 || rels[0].GetName() != "basehub" {
		var got []string
		for _, hr := range rels {
			got = append(got, hr.GetName())
		}
		t.Fatalf("rendered HelmReleases %v: want the one release of the umbrella, basehub", got)
	}
	_, pushed := r.push(ctx, "add site "+site+" on the basehub umbrella")
	ready := r.waitReleases(ctx)
	t.Logf("site %s on basehub: git push to HelmRelease Ready: %s", site, time.Since(pushed).Round(time.Second))
	if _, ok := ready["basehub"]; !ok {
		t.Fatalf("HelmRelease basehub not Ready: %v", names(ready))
	}

	got := r.verify(ctx)
	for _, name := range names(got) {
		t.Logf("verify %s: %s %s", name, got[name].Status, got[name].Detail)
	}
	for _, check := range []string{"helmrelease/basehub", "proxy-public"} {
		res, ok := got[check]
		if !ok {
			t.Errorf("hubfleet verify ran no %s check: ran %v", check, names(got))
			continue
		}
		if res.Status != "pass" {
			t.Errorf("hubfleet verify %s: %s %s (fix: %s), want pass", check, res.Status, res.Detail, res.Fix)
		}
	}
	for name, res := range got {
		if strings.HasPrefix(name, "deployment/") && res.Status != "pass" {
			t.Errorf("hubfleet verify %s: %s %s, want pass", name, res.Status, res.Detail)
		}
	}
	if t.Failed() {
		return
	}

	// A value the z2jh schema rejects, at the umbrella's jupyterhub path:
	// validate and render refuse it in the site file; plan names it in a
	// HelmRelease edited by hand; pushed, the release fails in the
	// cluster and verify names it.
	// plan, run once with network access as an operator does, fills
	// the chart cache validate and render read offline.
	if out, code := runCLIExit(t, r.repo, "plan", "--base", "HEAD"); code != 0 {
		t.Fatalf("hubfleet plan on the umbrella site as pushed: exit %d\n%s", code, out)
	}
	siteValues(t, r.repo, site, map[string]any{"jupyterhub": map[string]any{"hubfleetNotAValue": true}})
	for _, cmd := range []string{"validate", "render"} {
		out, code := runCLIExit(t, r.repo, cmd)
		if code != 1 || !strings.Contains(out, "hubfleetNotAValue") {
			t.Errorf("hubfleet %s on a value the z2jh schema rejects under the umbrella: exit %d, want 1 naming hubfleetNotAValue:\n%s", cmd, code, out)
		}
	}
	r.git("checkout", "--", ".")
	editFile(t, filepath.Join(r.repo, "overlays", site, "helmrelease-basehub.yaml"), []edit{
		{`(?m)^(    jupyterhub:\n)`, "${1}      hubfleetNotAValue: true\n"},
	})
	plan, code := runCLIExit(t, r.repo, "plan", "--base", "HEAD")
	if code != 1 || !strings.Contains(plan, "hubfleetNotAValue") {
		t.Errorf("hubfleet plan on the umbrella's HelmRelease with a value the z2jh schema rejects: exit %d, want 1 naming hubfleetNotAValue:\n%s", code, plan)
	}
	r.push(ctx, "a value the z2jh schema rejects under basehub's jupyterhub")
	r.waitFailed(ctx, "basehub", "hubfleetNotAValue")
	res := r.verify(ctx)["helmrelease/basehub"]
	if res.Status != "fail" || !strings.Contains(res.Detail, "daskhub/basehub") || !strings.Contains(res.Detail, "hubfleetNotAValue") {
		t.Errorf("hubfleet verify after a value the schema rejects: %s: %s, want a failure naming daskhub/basehub and hubfleetNotAValue", res.Status, res.Detail)
	}
	t.Logf("verify helmrelease/basehub on the fault: %s %s (fix: %s)", res.Status, res.Detail, res.Fix)
}

// removeOtherSites leaves only site in the fleet, as TestRealSiteLifecycle
// does.
func removeOtherSites(t *testing.T, repo, site string) {
	t.Helper()
	others, err := filepath.Glob(filepath.Join(repo, "clusters", "*", "site.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range others {
		if other := filepath.Base(filepath.Dir(p)); other != site {
			for _, dir := range []string{"clusters", "overlays"} {
				if err := os.RemoveAll(filepath.Join(repo, dir, other)); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}
