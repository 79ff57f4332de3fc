package testcluster_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	helmchart "helm.sh/helm/v3/pkg/chart"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/hubfleet/hubfleet/internal/chart/chartrepotest"
	"github.com/hubfleet/hubfleet/internal/plan"
	"github.com/hubfleet/hubfleet/internal/verify"
)

// basehubChart is 2i2c's basehub built from the real charts
// (chartrepotest.Basehub): the real z2jh (3.2.1 or 4.4.0) under
// jupyterhub: and dask-gateway 2026.3.0 under dask-gateway: (condition
// dask-gateway.enabled). Its sibling subcharts are left out; the loop is
// about the z2jh and gateway key paths.
func basehubChart(t *testing.T, version, jupyterhub string) *helmchart.Chart {
	t.Helper()
	c, err := chartrepotest.Basehub(chartrepotest.UmbrellaOptions{Version: version, JupyterHub: jupyterhub})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The umbrella site's hub image: Debian's JupyterHub, which answers the
// hub checks here (KWOK runs no containers), as a 2i2c site runs a hub
// image of its own.
const (
	umbrellaHubImage = "localhost/debian-jupyterhub"
	umbrellaHubTag   = "3.0.0"
	// azureLogin is pangeo-azure's identity provider host.
	azureLogin = "login.microsoftonline.com"
)

// TestUmbrellaSiteVerify runs a site on an operator's umbrella chart
// (fleet spec.charts.umbrellas.basehub, site spec.chart.umbrella) through
// the loop in one cluster: hubfleet render, git push, Flux and
// helm-controller install the one HelmRelease of the chart, served with
// the real charts from the loopback chart repository, and hubfleet verify
// passes its Flux and Kubernetes checks for that release. Then:
//
//   - upgrade: basehub 0.1.0 vendors z2jh 3.2.1 (JupyterHub 4.0.2), 0.2.0
//     vendors z2jh 4.4.0 (JupyterHub 5.5.0), as an operator's chart moves
//     z2jh. `hubfleet upgrade` proposes 0.2.0 with the jupyterhub version
//     it vendors and names the hub database's one-way door; pushed,
//     helm-controller upgrades helmrelease/basehub to 0.2.0 (a new Helm
//     revision) and the hub and proxy Deployments are z2jh 4.4.0's;
//   - `hubfleet verify` and `hubfleet action verify` decide the same on
//     the upgraded site, check by check (their hub checks reach Debian's
//     JupyterHub for the site's host; the site's own hub image makes
//     hub-version warn, not fail, under the umbrella's jupyterhubPath);
//   - rollback: `hubfleet rollback --site pangeo-azure --apply` reverts the
//     upgrade (the pin and jupyterhubVersion with it, byte for byte),
//     naming the downgrade over the hub database's door; Flux applies it,
//     helm-controller runs a forward upgrade back to 0.1.0 and z2jh 3.2.1,
//     and verify passes only on that new revision;
//   - a value the z2jh schema rejects under the umbrella's jupyterhub
//     path: validate, render and plan refuse it; pushed, the release
//     fails and both front-ends fail the site on helmrelease/basehub.
func TestUmbrellaSiteVerify(t *testing.T) {
	t.Parallel()
	const site = "pangeo-azure"
	ctx, cancel := context.WithTimeout(t.Context(), 25*time.Minute)
	defer cancel()
	var times gateSteps
	defer func() { t.Logf("umbrella site, step by step:\n%s", times.String()) }()
	step := func(name string, start time.Time) { times.add(name, time.Since(start)) }

	start := time.Now()
	// gateHost is pangeo-azure's host.
	hub := startGateHub(t, gateHost)
	step("start Debian's JupyterHub for the site's host", start)
	start = time.Now()
	r := startRealSite(ctx, t, site, func(repo string) {
		removeOtherSites(t, repo, site)
		charts := chartrepotest.StartReal(t)
		charts.AddChart(t, basehubChart(t, "0.1.0", "3.2.1"))
		charts.AddChart(t, basehubChart(t, "0.2.0", "4.4.0"))
		editFile(t, filepath.Join(repo, "bases", "daskhub", "fleet.yaml"), []edit{
			{`(?m)^(  charts:\n)`, "${1}    umbrellas:\n      basehub:\n        repository: " + charts.URL +
				"\n        chart: basehub\n        version: 0.1.0\n        constraint: \"<1.0.0\"\n        jupyterhubVersion: 3.2.1" +
				"\n        jupyterhubPath: [jupyterhub]\n        daskGatewayPath: [dask-gateway]\n"},
			{`(?m)^(    timeout:) 15m$`, "${1} 4m"},
		})
		editFile(t, filepath.Join(repo, "clusters", site, "site.yaml"), []edit{
			{`(?m)^(  chart:\n)    mode: composed$`, "${1}    umbrella: basehub"},
		})
		siteValues(t, repo, site, map[string]any{"jupyterhub": map[string]any{"hub": map[string]any{
			"image": map[string]any{"name": umbrellaHubImage, "tag": umbrellaHubTag},
		}}})
	})
	step("start the cluster, Flux, the chart and git servers; bootstrap", start)
	net := verifyNetFor(t, gateHost, hub, azureLogin)

	var before map[string]*unstructured.Unstructured
	var renderedBefore map[string]string
	ok := t.Run("add the site", func(t *testing.T) {
		r.t = t
		rels := r.renderedHelmReleases(site)
		if len(rels) != 1 || rels[0].GetName() != "basehub" {
			var got []string
			for _, hr := range rels {
				got = append(got, hr.GetName())
			}
			t.Fatalf("rendered HelmReleases %v: want the one release of the umbrella, basehub", got)
		}
		start := time.Now()
		r.push(ctx, "add site "+site+" on the basehub umbrella")
		before = r.waitReleases(ctx)
		step("add the site: git push to HelmRelease basehub Ready at 0.1.0", start)
		if _, ok := before["basehub"]; !ok {
			t.Fatalf("HelmRelease basehub not Ready: %v", names(before))
		}
		renderedBefore = snapshot(t, r.repo)

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
		r.checkZ2JH(ctx, before["basehub"], "0.1.0", "3.2.1")
	})
	if !ok {
		return
	}

	var upgradeCommit string
	var upgraded map[string]*unstructured.Unstructured
	ok = t.Run("upgrade the umbrella", func(t *testing.T) {
		r.t = t
		start := time.Now()
		out := runCLI(t, r.repo, "", "upgrade", "--chart", "basehub", "--wave", "1")
		t.Logf("hubfleet upgrade --chart basehub --wave 1:\n%s", out)
		if !strings.Contains(out, "basehub 0.1.0 -> 0.2.0") {
			t.Errorf("hubfleet upgrade output lacks %q", "basehub 0.1.0 -> 0.2.0")
		}
		if door := lineWith(out, "ONE-WAY DOOR: "+plan.DoorHubDatabase+": "); !strings.Contains(door, "JupyterHub 4.0.2 -> 5.5.0") {
			t.Errorf("hubfleet upgrade does not name the hub database's one-way door from JupyterHub 4.0.2 to 5.5.0: %q", door)
		}
		fleetFile := string(mustRead(t, filepath.Join(r.repo, "bases", "daskhub", "fleet.yaml")))
		if !strings.Contains(fleetFile, "chart: basehub\n        version: 0.2.0\n        constraint: \"<1.0.0\"\n        jupyterhubVersion: 4.4.0\n") {
			t.Errorf("the fleet's basehub pin did not move to 0.2.0 with jupyterhubVersion 4.4.0:\n%s", fleetFile)
		}
		planned, code := runCLIExit(t, r.repo, "plan", "--base", "HEAD")
		head, _, _ := strings.Cut(planned, "  files:")
		t.Logf("hubfleet plan before the merge (exit %d), without its diffs:\n%s", code, head)
		if door := lineWith(planned, plan.DoorHubDatabase); !strings.Contains(door, "5.5.0") {
			t.Errorf("hubfleet plan before the merge does not name the hub database's one-way door to JupyterHub 5.5.0: %q", door)
		}
		step("hubfleet upgrade and plan", start)
		start = time.Now()
		r.push(ctx, "upgrade basehub to 0.2.0")
		upgradeCommit = r.commitHEAD()
		upgraded = r.waitReleases(ctx)
		step("git push to HelmRelease basehub Ready at 0.2.0", start)
		hr := upgraded["basehub"]
		if helmRevision(hr) <= helmRevision(before["basehub"]) {
			t.Errorf("HelmRelease basehub: Helm revision %d after the upgrade, not above %d", helmRevision(hr), helmRevision(before["basehub"]))
		}
		r.checkZ2JH(ctx, hr, "0.2.0", "4.4.0")
	})
	if !ok {
		return
	}

	ok = t.Run("both front-ends verify alike", func(t *testing.T) {
		r.t = t
		start := time.Now()
		v := r.verifyBothFrontEnds(ctx, net)
		step("hubfleet verify and hubfleet action verify on 0.2.0", start)
		r.checkUmbrellaVerdict(v)
	})
	if !ok {
		return
	}

	ok = t.Run("rollback with hubfleet rollback --apply", func(t *testing.T) {
		r.t = t
		start := time.Now()
		reverted := r.rollbackLoop(ctx, renderedBefore, before, upgraded, func() {
			rollbackCLI(t, r.repo, site, upgradeCommit, chartLines(before, upgraded), true)
		})
		step("rollback --apply, Flux, helm-controller and verify on the new revision", start)
		r.checkZ2JH(ctx, reverted["basehub"], "0.1.0", "3.2.1")
	})
	if !ok {
		return
	}

	t.Run("a value the z2jh schema rejects", func(t *testing.T) {
		r.t = t
		start := time.Now()
		// validate and render refuse it in the site file; plan names it
		// in a HelmRelease edited by hand; pushed, the release fails in
		// the cluster and both front-ends' verify name it. plan, run
		// with network access as an operator does, filled the chart
		// cache validate and render read offline.
		editFile(t, filepath.Join(r.repo, "clusters", site, "site.yaml"), []edit{
			{`(?m)^(  values:\n    jupyterhub:\n)`, "${1}      hubfleetNotAValue: true\n"},
		})
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
		step("the fault: validate, render, plan; pushed, the release fails", start)
		start = time.Now()
		v := r.verifyBothFrontEnds(ctx, net)
		step("hubfleet verify and hubfleet action verify on the fault", start)
		if v.exit != 1 || v.statuses["helmrelease/basehub"] != verify.Fail {
			t.Errorf("verify on the fault: exit %d, helmrelease/basehub %s; want exit 1 and a failure", v.exit, v.statuses["helmrelease/basehub"])
		}
		res := r.verify(ctx)["helmrelease/basehub"]
		if res.Status != "fail" || !strings.Contains(res.Detail, "daskhub/basehub") || !strings.Contains(res.Detail, "hubfleetNotAValue") {
			t.Errorf("hubfleet verify after a value the schema rejects: %s: %s, want a failure naming daskhub/basehub and hubfleetNotAValue", res.Status, res.Detail)
		}
		t.Logf("verify helmrelease/basehub on the fault: %s %s (fix: %s)", res.Status, res.Detail, res.Fix)
	})
}

// checkZ2JH checks the umbrella's release after helm-controller acted on
// it: HelmRelease basehub at chart version (status.lastAttemptedRevision
// and the Helm history's latest chartVersion), and the objects live in
// the cluster those of the z2jh it vendors: the hub Deployment labelled
// chart jupyterhub-<z2jh>, the proxy running that z2jh's
// configurable-http-proxy image.
func (r *realSite) checkZ2JH(ctx context.Context, hr *unstructured.Unstructured, version, z2jh string) {
	r.t.Helper()
	if hr == nil {
		r.t.Fatal("no HelmRelease basehub")
	}
	attempted, _, _ := unstructured.NestedString(hr.Object, "status", "lastAttemptedRevision")
	hist, _, _ := unstructured.NestedSlice(hr.Object, "status", "history")
	var latest string
	if len(hist) > 0 {
		latest, _ = hist[0].(map[string]any)["chartVersion"].(string)
	}
	if attempted != version || latest != version {
		r.t.Errorf("HelmRelease basehub: lastAttemptedRevision %q, history[0].chartVersion %q; want %s", attempted, latest, version)
	}
	chp := map[string]string{"3.2.1": "4.6.1", "4.4.0": "5.2.0"}[z2jh]
	deps := r.c.Clientset().AppsV1().Deployments("daskhub")
	hub, err := deps.Get(ctx, "hub", metav1.GetOptions{})
	if err != nil {
		r.t.Fatal(err)
	}
	proxy, err := deps.Get(ctx, "proxy", metav1.GetOptions{})
	if err != nil {
		r.t.Fatal(err)
	}
	var proxyImage string
	for _, c := range proxy.Spec.Template.Spec.Containers {
		if c.Name == "chp" {
			proxyImage = c.Image
		}
	}
	if got := hub.Labels["chart"]; got != "jupyterhub-"+z2jh {
		r.t.Errorf("Deployment daskhub/hub has label chart=%q, want jupyterhub-%s (basehub %s)", got, z2jh, version)
	}
	if want := "quay.io/jupyterhub/configurable-http-proxy:" + chp; proxyImage != want {
		r.t.Errorf("Deployment daskhub/proxy runs %q, want %s (z2jh %s)", proxyImage, want, z2jh)
	}
	r.t.Logf("basehub %s live: HelmRelease at Helm revision %d, hub labelled %s, proxy %s", version, helmRevision(hr), hub.Labels["chart"], proxyImage)
}

// checkUmbrellaVerdict checks what verify said of the healthy umbrella
// site: the Flux and Kubernetes checks and the hub checks pass, except
// hub-version, which warns naming the site's own hub image (set under the
// umbrella's jupyterhubPath); only the identity provider's checks, out of
// reach here, may fail.
func (r *realSite) checkUmbrellaVerdict(v frontEndVerdict) {
	r.t.Helper()
	for _, c := range []string{"helmrelease/basehub", "proxy-public", "deployment/hub", "deployment/proxy", "dns", "tls", "hub-health", "dask-gateway"} {
		if v.statuses[c] != verify.Pass {
			r.t.Errorf("verify %s: %q, want pass", c, v.statuses[c])
		}
	}
	if v.statuses["hub-version"] != verify.Warn {
		r.t.Errorf("verify hub-version: %q, want warn: the site runs its own hub image %s:%s", v.statuses["hub-version"], umbrellaHubImage, umbrellaHubTag)
	}
	for c, st := range v.statuses {
		if st == verify.Fail && !slices.Contains([]string{"oidc-discovery", "jwks", "oauth-login", "oauth-authorize"}, c) {
			r.t.Errorf("verify %s fails on the healthy umbrella site", c)
		}
	}
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
