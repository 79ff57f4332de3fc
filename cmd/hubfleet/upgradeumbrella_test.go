package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubfleet/hubfleet/internal/chart/chartrepotest"
	"github.com/hubfleet/hubfleet/internal/github/githubtest"
	"github.com/hubfleet/hubfleet/internal/gittest"
)

// TestUpgradeMovesAnOperatorUmbrellaChart: upgrade proposes new versions
// of an operator's umbrella chart (spec.charts.umbrellas.<name>), the
// 2i2c-style basehub built from the real charts, served on loopback, as
// it does the other charts: within its constraint, over the waves of the
// sites that run it, with the jupyterhub version it vendors; the Action's
// upgrade pushes what the CLI writes.
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

	// egi-pangeo (wave 1) runs it too: an umbrella chart has no canary,
	// so the pin stays, and the note says why and how to go on; --wave 1
	// takes both waves.
	editFile(t, filepath.Join(root, "clusters/egi-pangeo/site.yaml"), "  wave: 1\n", "  wave: 1\n  chart:\n    umbrella: basehub\n")
	commit("egi-pangeo on the operator's basehub")
	before := read("bases/daskhub/fleet.yaml")
	r = hubfleet(t, "", "upgrade", "--root", root, "--chart", "basehub")
	if r.code != exitOK || read("bases/daskhub/fleet.yaml") != before || !strings.Contains(r.stdout, "basehub 0.2.0 is newer than the pin 0.1.0, and not proposed") || !strings.Contains(r.stdout, "egi-pangeo") {
		t.Errorf("upgrade basehub with a wave-1 site on it: exit %d, want 0, the pin kept and a note naming egi-pangeo\n%s%s", r.code, r.stdout, r.stderr)
	}
	if testing.Verbose() {
		t.Logf("upgrade with a wave-1 site on basehub:\n%s", r.stdout)
	}
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
