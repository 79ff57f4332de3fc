package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubfleet/hubfleet/internal/chart/chartrepotest"
	"github.com/hubfleet/hubfleet/internal/github"
	"github.com/hubfleet/hubfleet/internal/github/githubtest"
	"github.com/hubfleet/hubfleet/internal/gittest"
	"github.com/hubfleet/hubfleet/internal/upgrade"
)

// TestUpgradeMovesAnOperatorUmbrellaChart: upgrade proposes new versions
// of an operator's umbrella chart (spec.charts.umbrellas.<name>), the
// 2i2c-style basehub built from the real charts, served on loopback, as
// it does the other charts: within its constraint, over the waves of the
// sites that run it, with the jupyterhub version it vendors; the Action's
// upgrade pushes what the CLI writes. Where a later wave runs it too, the
// new version is staged as its canary and promoted once the canary's sites
// verified (TestUpgradeStagesAnOperatorUmbrellaCanary).
func TestUpgradeMovesAnOperatorUmbrellaChart(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	srv := chartrepotest.Start(t,
		chartrepotest.Chart{Dir: chartrepotest.Dir("daskhub"), Version: "2024.1.1"},
		chartrepotest.Chart{Dir: chartrepotest.Dir("jupyterhub"), Version: "4.4.0"},
		chartrepotest.Chart{Dir: chartrepotest.Dir("dask-gateway"), Version: "2026.3.0"},
	)
	basehub, _ := ownersCharts(t, "0.1.0")
	srv.AddChart(t, basehub)
	root := planFleet(t, srv.URL)
	fleetFile := filepath.Join(root, "bases/daskhub/fleet.yaml")
	read := func(p string) string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(root, p))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	// egi-dev (wave 0) runs the operator's basehub; the fleet rolls out
	// in waves.
	editFile(t, fleetFile, "  charts:\n", `  charts:
    umbrellas:
      basehub:
        repository: `+srv.URL+`
        chart: basehub
        version: 0.1.0
        constraint: "<1.0.0"
        jupyterhubVersion: 4.4.0
        jupyterhubPath: [jupyterhub]
        daskGatewayPath: [dask-gateway]
`)
	editFile(t, filepath.Join(root, "clusters/egi-dev/site.yaml"), "  wave: 0\n", "  wave: 0\n  chart:\n    umbrella: basehub\n")
	commit := func(msg string) {
		t.Helper()
		mustRender(t, root)
		gittest.Run(t, root, "add", "-A")
		gittest.Run(t, root, "commit", "-q", "-m", msg)
		gittest.Run(t, root, "push", "-q", "origin", "main")
	}
	commit("egi-dev on the operator's basehub")
	const hr = "overlays/egi-dev/helmrelease-basehub.yaml"
	if !strings.Contains(read(hr), "version: 0.1.0") {
		t.Fatalf("%s does not pin basehub 0.1.0:\n%s", hr, read(hr))
	}

	// Nothing newer: nothing proposed.
	r := hubfleet(t, "", "upgrade", "--root", root, "--chart", "basehub")
	if r.code != exitOK || !strings.Contains(r.stdout, "nothing changed") {
		t.Fatalf("upgrade with no newer basehub: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// 0.2.0 (same vendored jupyterhub) and 1.0.0 (outside the
	// constraint): only egi-dev runs basehub, in wave 0, so the pin moves
	// to 0.2.0 and only egi-dev's overlay changes.
	for _, v := range []string{"0.2.0", "1.0.0"} {
		b, _ := ownersCharts(t, v)
		srv.AddChart(t, b)
	}
	r = hubfleet(t, "", "upgrade", "--root", root, "--chart", "basehub")
	if r.code != exitOK || !strings.Contains(r.stdout, "basehub 0.1.0 -> 0.2.0") {
		t.Fatalf("upgrade basehub: exit %d, want 0 and basehub 0.1.0 -> 0.2.0\n%s%s", r.code, r.stdout, r.stderr)
	}
	if f := read("bases/daskhub/fleet.yaml"); !strings.Contains(f, "chart: basehub\n        version: 0.2.0\n        constraint: \"<1.0.0\"\n        jupyterhubVersion: 4.4.0\n") {
		t.Errorf("the fleet file's basehub pin did not move to 0.2.0 (or more moved):\n%s", f)
	}
	if !strings.Contains(read(hr), "version: 0.2.0") {
		t.Errorf("%s was not re-rendered with 0.2.0:\n%s", hr, read(hr))
	}
	if st := gittest.Run(t, root, "status", "--porcelain"); strings.Contains(st, "overlays/egi-pangeo") || !strings.Contains(st, hr) {
		t.Errorf("upgrade changed other sites than egi-dev, or not egi-dev:\n%s", st)
	}
	// The Action's upgrade decides the same and pushes the same files.
	remote := filepath.Join(filepath.Dir(root), "remote.git")
	actDir := filepath.Join(t.TempDir(), "action")
	gittest.Run(t, filepath.Dir(actDir), "clone", "-q", remote, actDir)
	act := runAction(t, actDir, githubtest.NewServer(t, "fleet", "hubs", actionToken), "upgrade", nil, nil)
	if act.exit != exitOK || !remoteHas(t, remote, "hubfleet/upgrade") {
		t.Fatalf("the Action's upgrade: exit %d (%v), want 0 and hubfleet/upgrade pushed\n%s", act.exit, act.err, act.log)
	}
	gittest.Run(t, root, "add", "-A")
	cliDiff := gittest.Run(t, root, "diff", "--cached", "main")
	if diff := cmp.Diff(cliDiff, gittest.Run(t, remote, "diff", "main", "hubfleet/upgrade")); diff != "" {
		t.Errorf("the Action pushed other changes than the CLI wrote (-cli +action):\n%s", diff)
	}
	gittest.Run(t, root, "reset", "-q")
	gittest.Run(t, root, "checkout", "-q", "--", ".")

	// egi-pangeo (wave 1) runs it too: --wave 1 takes both waves, and the
	// pin moves at once (the canary's staging is below).
	editFile(t, filepath.Join(root, "clusters/egi-pangeo/site.yaml"), "  wave: 1\n", "  wave: 1\n  chart:\n    umbrella: basehub\n")
	commit("egi-pangeo on the operator's basehub")
	r = hubfleet(t, "", "upgrade", "--root", root, "--chart", "basehub", "--wave", "1")
	if r.code != exitOK || !strings.Contains(r.stdout, "basehub 0.1.0 -> 0.2.0") || !strings.Contains(read("overlays/egi-pangeo/helmrelease-basehub.yaml"), "version: 0.2.0") {
		t.Errorf("upgrade basehub --wave 1: exit %d, want 0 and both sites moved\n%s%s", r.code, r.stdout, r.stderr)
	}
	gittest.Run(t, root, "checkout", "-q", "--", ".")

	// 0.3.0 vendors jupyterhub 4.5.0, whose facts hubfleet lacks: not
	// proposed, and named, 0.2.0 instead; --allow-unknown moves the pin
	// and jupyterhubVersion with it.
	b3, _ := ownersCharts(t, "0.3.0")
	for _, d := range b3.Dependencies() {
		if d.Name() == "jupyterhub" {
			d.Metadata.Version = "4.5.0"
		}
	}
	for _, d := range b3.Metadata.Dependencies {
		if d.Name == "jupyterhub" {
			d.Version = "4.5.0"
		}
	}
	srv.AddChart(t, b3)
	r = hubfleet(t, "", "upgrade", "--root", root, "--chart", "basehub", "--wave", "1")
	if f := read("bases/daskhub/fleet.yaml"); r.code != exitOK || !strings.Contains(f, "version: 0.2.0\n        constraint: \"<1.0.0\"\n        jupyterhubVersion: 4.4.0\n") ||
		!strings.Contains(r.stdout, "basehub 0.3.0 (jupyterhub 4.5.0): the jupyterhub chart it vendors is not in this hubfleet's chart catalog") || !strings.Contains(r.stdout, "0.2.0 is proposed instead") {
		t.Errorf("upgrade to a basehub vendoring an unknown jupyterhub: exit %d, want 0, 0.3.0 named and 0.2.0 proposed\n%s%s\n%s", r.code, r.stdout, r.stderr, f)
	}
	gittest.Run(t, root, "checkout", "-q", "--", ".")
	if testing.Verbose() {
		t.Logf("upgrade past a basehub vendoring an unknown jupyterhub:\n%s", r.stdout)
	}
	r = hubfleet(t, "", "upgrade", "--root", root, "--chart", "basehub", "--wave", "1", "--allow-unknown")
	if f := read("bases/daskhub/fleet.yaml"); r.code != exitOK || !strings.Contains(f, "version: 0.3.0\n        constraint: \"<1.0.0\"\n        jupyterhubVersion: 4.5.0\n") {
		t.Errorf("upgrade --allow-unknown: exit %d, want 0 and basehub 0.3.0 with jupyterhubVersion 4.5.0\n%s%s\n%s", r.code, r.stdout, r.stderr, f)
	}
}

// TestUpgradeStagesAnOperatorUmbrellaCanary: with waves and a wave-1 site
// on the operator's basehub (built from the real charts, served on
// loopback), upgrade stages the new version as basehub's canary with the
// jupyterhub version it vendors, as it does for the daskhub umbrella: only
// the wave-0 site's overlay moves, in the terminal and in the Action alike.
// A terminal then says how to promote it; the Action holds it until the
// canary site's verify status is success on main, then promotes it: the
// pin and jupyterhubVersion move, the canary block goes, and the wave-1
// site follows.
func TestUpgradeStagesAnOperatorUmbrellaCanary(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	srv := chartrepotest.Start(t,
		chartrepotest.Chart{Dir: chartrepotest.Dir("daskhub"), Version: "2024.1.1"},
		chartrepotest.Chart{Dir: chartrepotest.Dir("jupyterhub"), Version: "4.4.0"},
		chartrepotest.Chart{Dir: chartrepotest.Dir("dask-gateway"), Version: "2026.3.0"},
	)
	basehub, _ := ownersCharts(t, "0.1.0")
	srv.AddChart(t, basehub)
	root := planFleet(t, srv.URL)
	remote := filepath.Join(filepath.Dir(root), "remote.git")
	fleetFile := filepath.Join(root, "bases/daskhub/fleet.yaml")
	read := func(p string) string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(root, p))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	// basehub 0.2.0 vendors a jupyterhub 4.5.0 (the real 4.4.0 chart under
	// that version), whose facts the fleet declares.
	editFile(t, fleetFile, "  charts:\n", `  chartFacts:
    jupyterhub:
      - version: 4.5.0
        jupyterHub: 5.5.0
        oauthenticator: 17.4.0
        kubeMin: 1.28.0
  charts:
    umbrellas:
      basehub:
        repository: `+srv.URL+`
        chart: basehub
        version: 0.1.0
        jupyterhubVersion: 4.4.0
        jupyterhubPath: [jupyterhub]
        daskGatewayPath: [dask-gateway]
`)
	editFile(t, filepath.Join(root, "clusters/egi-dev/site.yaml"), "  wave: 0\n", "  wave: 0\n  chart:\n    umbrella: basehub\n")
	editFile(t, filepath.Join(root, "clusters/egi-pangeo/site.yaml"), "  wave: 1\n", "  wave: 1\n  chart:\n    umbrella: basehub\n")
	commit := func(msg string) string {
		t.Helper()
		mustRender(t, root)
		gittest.Run(t, root, "add", "-A")
		gittest.Run(t, root, "commit", "-q", "-m", msg)
		gittest.Run(t, root, "push", "-q", "origin", "main")
		return gittest.Run(t, root, "rev-parse", "HEAD")
	}
	commit("egi-dev (wave 0) and egi-pangeo (wave 1) on the operator's basehub")
	b2, _ := ownersCharts(t, "0.2.0")
	for _, d := range b2.Dependencies() {
		if d.Name() == "jupyterhub" {
			d.Metadata.Version = "4.5.0"
		}
	}
	for _, d := range b2.Metadata.Dependencies {
		if d.Name == "jupyterhub" {
			d.Version = "4.5.0"
		}
	}
	srv.AddChart(t, b2)
	const devHR, pangeoHR = "overlays/egi-dev/helmrelease-basehub.yaml", "overlays/egi-pangeo/helmrelease-basehub.yaml"
	gh := githubtest.NewServer(t, "fleet", "hubs", actionToken)
	action := func() actionResult {
		t.Helper()
		dir := filepath.Join(t.TempDir(), "action")
		gittest.Run(t, filepath.Dir(dir), "clone", "-q", remote, dir)
		return runAction(t, dir, gh, "upgrade", nil, nil)
	}

	// Staged: the canary block (with what 0.2.0 vendors) after the pin;
	// egi-dev runs 0.2.0, egi-pangeo stays on 0.1.0.
	r := hubfleet(t, "", "upgrade", "--root", root, "--chart", "basehub")
	if r.code != exitOK || !strings.Contains(r.stdout, "basehub 0.1.0 -> 0.2.0 (canary for waves up to 0: egi-dev)") || !strings.Contains(r.stdout, "egi-pangeo") {
		t.Fatalf("upgrade basehub with a wave-1 site on it: exit %d, want 0 and a canary for egi-dev\n%s%s", r.code, r.stdout, r.stderr)
	}
	if testing.Verbose() {
		t.Logf("upgrade stages basehub's canary:\n%s", r.stdout)
	}
	if f := read("bases/daskhub/fleet.yaml"); !strings.Contains(f, "        version: 0.1.0\n        canary:\n          version: 0.2.0\n          maxWave: 0\n          jupyterhubVersion: 4.5.0\n        jupyterhubVersion: 4.4.0\n") {
		t.Errorf("the fleet file does not stage basehub 0.2.0 as a canary after the pin:\n%s", f)
	}
	if !strings.Contains(read(devHR), "version: 0.2.0") || !strings.Contains(read(pangeoHR), "version: 0.1.0") {
		t.Errorf("egi-dev should run 0.2.0 and egi-pangeo 0.1.0:\n%s\n%s", read(devHR), read(pangeoHR))
	}
	if st := gittest.Run(t, root, "status", "--porcelain"); strings.Contains(st, "overlays/egi-pangeo") || !strings.Contains(st, devHR) {
		t.Errorf("the canary changed other sites than egi-dev, or not egi-dev:\n%s", st)
	}
	// The Action stages the same canary: its branch holds what the CLI wrote.
	if act := action(); act.exit != exitOK || !remoteHas(t, remote, "hubfleet/upgrade") {
		t.Fatalf("the Action's upgrade: exit %d (%v), want 0 and hubfleet/upgrade pushed\n%s", act.exit, act.err, act.log)
	}
	gittest.Run(t, root, "add", "-A")
	if diff := cmp.Diff(gittest.Run(t, root, "diff", "--cached", "main"), gittest.Run(t, remote, "diff", "main", "hubfleet/upgrade")); diff != "" {
		t.Errorf("the Action pushed other changes than the CLI wrote (-cli +action):\n%s", diff)
	}
	if prs := gh.PullRequests(); len(prs) != 1 || !strings.Contains(prs[len(prs)-1].Body, "`basehub` 0.2.0 is staged as a canary: only the sites of wave 0 run it: `egi-dev`. Every other site stays on 0.1.0.") {
		t.Errorf("the canary pull request does not show basehub's canary: %+v", prs)
	}

	// Merged. A terminal cannot read the verification: it says how to
	// promote, jupyterhubVersion included, exit 1.
	gittest.Run(t, root, "reset", "-q")
	head := commit("Stage basehub 0.2.0 on wave 0")
	r = hubfleet(t, "", "upgrade", "--root", root, "--chart", "basehub")
	if r.code != exitProblems || !strings.Contains(r.stderr, "chart basehub: canary 0.2.0 is staged for waves up to 0 (egi-dev) while the others run 0.1.0") ||
		!strings.Contains(r.stderr, "set spec.charts.umbrellas.basehub.version to 0.2.0 and its jupyterhubVersion to 4.5.0 and delete its canary block") {
		t.Errorf("upgrade in a terminal with basehub's canary staged: exit %d, want 1 and how to promote\n%s%s", r.code, r.stdout, r.stderr)
	}

	// The Action holds it while egi-dev's verification fails...
	setVerifyStatus(t, gh, head, "egi-dev", github.StateFailure)
	if act := action(); act.exit != exitOK || act.outputs["changed"] != "false" || !strings.Contains(act.log, "canary basehub 0.2.0: wave 0 not verified yet") {
		t.Fatalf("the Action's upgrade with the canary failing: exit %d (%v), want 0, changed=false and the canary held\n%s", act.exit, act.err, act.log)
	}
	// ...and promotes it once egi-dev verified: the pin and its
	// jupyterhubVersion move, the canary block goes, egi-pangeo follows.
	setVerifyStatus(t, gh, head, "egi-dev", github.StateSuccess)
	act := action()
	if act.exit != exitOK || act.outputs["changed"] != "true" {
		t.Fatalf("the Action's upgrade with the canary verified: exit %d (%v), want 0 and changed=true\n%s", act.exit, act.err, act.log)
	}
	f := gittest.Run(t, remote, "show", "hubfleet/upgrade:bases/daskhub/fleet.yaml")
	if strings.Contains(f, "canary") || !strings.Contains(f, "        version: 0.2.0\n        jupyterhubVersion: 4.5.0\n") {
		t.Errorf("the promoted fleet file:\n%s", f)
	}
	if got := gittest.Run(t, remote, "diff", "--name-only", "main...hubfleet/upgrade"); got != "bases/daskhub/fleet.yaml\n"+pangeoHR {
		t.Errorf("promotion changes %q, want the fleet file and egi-pangeo's release", got)
	}
	if hr := gittest.Run(t, remote, "show", "hubfleet/upgrade:"+pangeoHR); !strings.Contains(hr, "version: 0.2.0") {
		t.Errorf("egi-pangeo does not run 0.2.0 after the promotion:\n%s", hr)
	}
	if prs := gh.PullRequests(); len(prs) == 0 || !strings.Contains(prs[len(prs)-1].Body, "The `basehub` canary 0.2.0 passed verification on `"+head[:12]+"`: `egi-dev`") {
		t.Errorf("the promotion pull request does not say basehub's canary verified: %+v", prs)
	}

	// A canary version the repository lacks is a problem at its own line,
	// as for the other charts' canaries.
	editFile(t, fleetFile, "          version: 0.2.0\n          maxWave: 0\n", "          version: 0.9.0\n          maxWave: 0\n")
	r = hubfleet(t, "", "upgrade", "--root", root, "--chart", "basehub")
	if r.code != exitProblems || !strings.Contains(r.stderr, "spec.charts.umbrellas.basehub.canary.version: chart basehub version \"0.9.0\" is not in repository") {
		t.Errorf("upgrade with a basehub canary the repository lacks: exit %d, want 1 naming the canary's line\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// setVerifyStatus posts a site's verify commit status through the fake
// GitHub API, as the Action's verify mode does.
func setVerifyStatus(t *testing.T, srv *githubtest.Server, sha, siteName string, state github.State) {
	t.Helper()
	o := github.DefaultOptions()
	o.Token, o.APIURL, o.Owner, o.Repo = actionToken, srv.URL(), "fleet", "hubs"
	gh, err := github.NewClient(o)
	if err != nil {
		t.Fatal(err)
	}
	if err := gh.SetStatus(context.Background(), sha, github.Status{Context: upgrade.StatusContext(siteName), State: state, Description: "test"}); err != nil {
		t.Fatal(err)
	}
}
