package testcluster_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/hubfleet/hubfleet/internal/github/githubtest"
	"github.com/hubfleet/hubfleet/internal/site"
)

// The spawn gate's fleet: the canary pangeo-azure (wave 0) runs in the
// test's cluster; pangeo-later (wave 1) is in git only.
const (
	gateCanary = "pangeo-azure"
	gateLater  = "pangeo-later"
	gateHost   = "pangeo-hub.westeurope.cloudapp.azure.com"
)

// TestRealLoopSpawnGate is issue 20's canary gate on the real loop: the
// fleet rolls out in waves with spec.rollout.spawnCheck, and every step is
// the Action's, run as a runner runs it (the built binary, a fresh
// checkout, GITHUB_* and HUBFLEET_* variables, GitHub's API faked):
//
//  1. `action verify` with the spawn input passes on the old revision;
//  2. `action upgrade` stages jupyterhub 4.4.0 on wave 0 (a pull request);
//  3. a reviewer merges it; source-, kustomize- and helm-controller upgrade
//     the canary's release to 4.4.0 (a new Helm revision);
//  4. `action verify` without the spawn input passes on the new revision:
//     the next `action upgrade` holds the wave, the spawn status of the
//     old revision does not count;
//  5. `action verify` with the spawn input, the server's command failing:
//     the wave is held and the run says which stage failed and why;
//  6. the server starts again, `action verify` with spawn passes: the next
//     `action upgrade` promotes 4.4.0 to every wave, and the pull request
//     shows the canary's spawn and Dask result.
//
// KWOK runs no containers, so no hub answers at the canary's host in the
// cluster: the hub the checks and the probe meet is Debian's JupyterHub
// (internal/testhub) with a local-process spawner, a real single-user
// server, ipykernel and dask distributed. The verify step reaches it with
// the Action's resolve, connect-to and cacert inputs (the host resolves to
// the harness's LoadBalancer address, 127.0.0.1, as proxy-public's), and
// the site says its hub runs an image of its own (hub.image: Debian's
// JupyterHub 3.0.0), so the hub version check warns instead of failing on
// the chart's 5.5.0. The Flux checks read the real cluster.
func TestRealLoopSpawnGate(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), 40*time.Minute)
	defer cancel()
	var times gateSteps
	defer func() { t.Logf("spawn gate, step by step:\n%s", times.String()) }()
	step := func(name string, start time.Time) { times.add(name, time.Since(start)) }

	start := time.Now()
	hub := startGateHub(t, gateHost)
	hub.createProbeUser(t)
	step("start Debian's JupyterHub, create the probe user", start)

	start = time.Now()
	r := startRealSite(ctx, t, gateCanary, func(repo string) { prepareGateFleet(t, repo, hub.token) })
	step("start the cluster, Flux and the chart and git servers; bootstrap", start)
	gh := githubtest.NewServer(t, "fleet", "hubs", gateToken)

	start = time.Now()
	r.push(ctx, "add site "+gateCanary)
	before := r.waitReleases(ctx)
	step("add the canary: git push to HelmReleases Ready (jupyterhub 3.2.1)", start)
	oldHead := r.commitHEAD()

	kubeconfig, err := os.ReadFile(r.verifyKC)
	if err != nil {
		t.Fatal(err)
	}
	verifyInputs := func(spawn bool) map[string]string {
		in := hub.verifyInputs(gateHost)
		in["HUBFLEET_SITE"] = gateCanary
		in["HUBFLEET_KUBECONFIG"] = string(kubeconfig)
		if spawn {
			in["HUBFLEET_SPAWN"] = "true"
			in["SOPS_AGE_KEY"] = r.identity.String()
		}
		return in
	}
	verifyCtx, spawnCtx := "hubfleet/verify/"+gateCanary, "hubfleet/verify-spawn/"+gateCanary
	upgradeRun := func(t *testing.T, name string) gateRun {
		t.Helper()
		res := runGateAction(ctx, t, r.repo, gh, "upgrade", "schedule", nil)
		step(name, time.Now().Add(-res.took))
		if res.exit != 0 {
			t.Fatalf("hubfleet action upgrade: exit %d\n%s", res.exit, res.log)
		}
		return res
	}
	verifyRun := func(t *testing.T, name string, spawn bool, wantExit int) (gateRun, map[string]githubtest.Status) {
		t.Helper()
		res := runGateAction(ctx, t, r.repo, gh, "verify", "push", verifyInputs(spawn))
		step(name, time.Now().Add(-res.took))
		t.Logf("hubfleet action verify (exit %d):\n%s\nsummary:\n%s", res.exit, res.log, res.summary)
		if res.exit != wantExit {
			t.Fatalf("hubfleet action verify: exit %d, want %d", res.exit, wantExit)
		}
		return res, gateStatuses(gh, r.commitHEAD())
	}

	ok := t.Run("spawn passes on the old revision", func(t *testing.T) {
		r.t = t
		_, st := verifyRun(t, "action verify --spawn on the old revision (passes)", true, 0)
		for _, c := range []string{verifyCtx, spawnCtx} {
			if st[c].State != "success" {
				t.Errorf("status %s on the old revision = %s %q, want success", c, st[c].State, st[c].Description)
			}
		}
		if d := st[spawnCtx].Description; !strings.Contains(d, "dask") {
			t.Errorf("the spawn status does not say what Dask computed: %q", d)
		}
	})
	if !ok {
		return
	}

	var stagedTip string
	ok = t.Run("stage the canary", func(t *testing.T) {
		r.t = t
		res := upgradeRun(t, "action upgrade: stage jupyterhub 4.4.0 on wave 0")
		t.Logf("hubfleet action upgrade:\n%s\nsummary:\n%s", res.log, res.summary)
		if res.outputs["changed"] != "true" {
			t.Fatalf("outputs %v, want changed=true", res.outputs)
		}
		prs := gh.PullRequests()
		if len(prs) != 1 || prs[0].Title != "Upgrade jupyterhub 3.2.1 → 4.4.0 on wave 0" {
			t.Fatalf("pull requests = %s", gateJSON(prs))
		}
		gateHas(t, "canary pull request", prs[0].Body,
			"**Wave 0 goes first.** `jupyterhub` 4.4.0 is staged as a canary: only the sites of wave 0 run it: `"+gateCanary+"`. Every other site stays on 3.2.1.")
		stagedTip = r.git("rev-parse", "hubfleet/upgrade")
		if res.outputs["commit"] != stagedTip {
			t.Errorf("output commit %s, the branch hubfleet/upgrade is at %s", res.outputs["commit"], stagedTip)
		}
	})
	if !ok {
		return
	}

	ok = t.Run("merge: Flux upgrades the canary", func(t *testing.T) {
		r.t = t
		start := time.Now()
		// GitHub's merge button: a merge commit on main, whose
		// statuses the gate reads from now on.
		r.git("merge", "-q", "--no-ff", "-m", "Merge pull request #1 from fleet/hubfleet/upgrade", "hubfleet/upgrade")
		closeGatePR(t, gh, 1)
		r.syncHEAD(ctx)
		after := r.waitReleases(ctx)
		step("merge: Flux applies the commit, HelmRelease Ready at 4.4.0", start)
		hr := after["jupyterhub"]
		if hr == nil {
			t.Fatalf("no jupyterhub HelmRelease: %v", names(after))
		}
		v, _, _ := unstructured.NestedString(hr.Object, "status", "lastAttemptedRevision")
		if v != "4.4.0" || helmRevision(hr) <= helmRevision(before["jupyterhub"]) {
			t.Errorf("HelmRelease jupyterhub at chart %s, Helm revision %d; want 4.4.0 above revision %d", v, helmRevision(hr), helmRevision(before["jupyterhub"]))
		}
	})
	if !ok {
		return
	}
	newHead := r.commitHEAD()
	if newHead == oldHead {
		t.Fatal("the merge did not move main")
	}

	ok = t.Run("the old revision's spawn status does not count", func(t *testing.T) {
		r.t = t
		_, st := verifyRun(t, "action verify (no spawn) on the new revision", false, 0)
		if st[verifyCtx].State != "success" {
			t.Fatalf("status %s = %s %q, want success", verifyCtx, st[verifyCtx].State, st[verifyCtx].Description)
		}
		if s, ok := st[spawnCtx]; ok {
			t.Fatalf("verify without the spawn input posted %s: %+v", spawnCtx, s)
		}
		res := upgradeRun(t, "action upgrade: held, no spawn status on the new revision")
		gateHeld(t, r, res, stagedTip)
		gateHas(t, "job summary", res.summary,
			"is not verified on `"+newHead[:12]+"` yet: `"+gateCanary+"` (`"+verifyCtx+"`: success; `"+spawnCtx+"`: no status yet)")
	})
	if !ok {
		return
	}

	ok = t.Run("a failing spawn holds the wave", func(t *testing.T) {
		r.t = t
		hub.failSpawns(t, true)
		defer hub.failSpawns(t, false)
		vres, st := verifyRun(t, "action verify --spawn on the new revision (server fails)", true, 1)
		spawn := st[spawnCtx]
		// JupyterHub's own words for a server command that exits.
		if spawn.State != "failure" || !strings.HasPrefix(spawn.Description, "fail spawn/server: the spawn failed after ") ||
			!strings.Contains(spawn.Description, "Spawner failed to start [status=1]") {
			t.Fatalf("status %s = %s %q, want a failure of spawn/server", spawnCtx, spawn.State, spawn.Description)
		}
		if st[verifyCtx].State != "failure" || !strings.Contains(st[verifyCtx].Description, "spawn/server") {
			t.Errorf("status %s = %s %q, want a failure naming spawn/server", verifyCtx, st[verifyCtx].State, st[verifyCtx].Description)
		}
		gateHas(t, "verify log", vres.log, "the spawn failed after", "the server's command fails to start")
		res := upgradeRun(t, "action upgrade: held, the spawn failed")
		gateHeld(t, r, res, stagedTip)
		gateHas(t, "job summary", res.summary,
			"`"+spawnCtx+"`: failure: "+spawn.Description+")")
		gateHas(t, "log", res.log,
			gateCanary+" "+verifyCtx+" failure; "+spawnCtx+" failure: "+spawn.Description)
	})
	if !ok {
		return
	}

	t.Run("the spawn passes: wave 1 is promoted", func(t *testing.T) {
		r.t = t
		_, st := verifyRun(t, "action verify --spawn on the new revision (passes)", true, 0)
		spawn := st[spawnCtx]
		if spawn.State != "success" || st[verifyCtx].State != "success" {
			t.Fatalf("statuses %s = %s %q, %s = %s %q; want both success", verifyCtx, st[verifyCtx].State, st[verifyCtx].Description,
				spawnCtx, spawn.State, spawn.Description)
		}
		res := upgradeRun(t, "action upgrade: promote 4.4.0 to every wave")
		t.Logf("hubfleet action upgrade:\n%s\nsummary:\n%s", res.log, res.summary)
		if res.outputs["changed"] != "true" {
			t.Fatalf("outputs %v, want changed=true", res.outputs)
		}
		prs := gh.PullRequests()
		if len(prs) != 2 || prs[1].State != "open" || prs[1].Title != "Upgrade jupyterhub 3.2.1 → 4.4.0 on every wave" {
			t.Fatalf("pull requests = %s", gateJSON(prs))
		}
		gateHas(t, "promotion pull request", prs[1].Body,
			"The `jupyterhub` canary 4.4.0 passed verification on `"+newHead[:12]+"`: `"+gateCanary+"` (`"+verifyCtx+"`: success; `"+spawnCtx+"`: success: "+spawn.Description+")",
			"| `"+gateLater+"` |")
		tip := r.git("rev-parse", "hubfleet/upgrade")
		if tip == stagedTip || res.outputs["commit"] != tip {
			t.Errorf("the promotion pushed %q; hubfleet/upgrade is at %s (the canary was %s)", res.outputs["commit"], tip, stagedTip)
		}
		if !strings.Contains(res.outputs["sites"], gateLater) {
			t.Errorf("output sites %q lacks %s", res.outputs["sites"], gateLater)
		}
		fleet := r.git("show", "hubfleet/upgrade:bases/daskhub/fleet.yaml")
		if !strings.Contains(fleet, "chart: jupyterhub\n      version: 4.4.0\n") {
			t.Errorf("the promotion does not pin jupyterhub 4.4.0 for every wave:\n%s", fleet)
		}
	})
}

// held checks that an upgrade run changed nothing: outputs say so and the
// upgrade branch still holds the canary.
func gateHeld(t *testing.T, r *realSite, res gateRun, tip string) {
	t.Helper()
	t.Logf("hubfleet action upgrade:\n%s\nsummary:\n%s", res.log, res.summary)
	if res.outputs["changed"] != "false" || res.outputs["pull-request-number"] != "" {
		t.Errorf("outputs %v, want changed=false and no pull request", res.outputs)
	}
	if got := r.git("rev-parse", "hubfleet/upgrade"); got != tip {
		t.Errorf("a held wave moved hubfleet/upgrade to %s", got)
	}
	gateHas(t, "job summary", res.summary, "Nothing to change: the staged canaries have not verified yet",
		"It is promoted once every site of wave 0 has successful `hubfleet/verify/<site>` and `hubfleet/verify-spawn/<site>` statuses.")
}

// gateHas reports every snippet missing from text.
func gateHas(t *testing.T, what, text string, snippets ...string) {
	t.Helper()
	for _, s := range snippets {
		if !strings.Contains(text, s) {
			t.Errorf("%s lacks %q:\n%s", what, s, text)
		}
	}
}

// prepareGateFleet makes the example fleet the gate's: pangeo-azure and a
// copy of it, pangeo-later, only (the jupyterhub 3.2.1 they start from
// cannot serve heliocloud-aws's Cognito groups); jupyterhub pinned at
// 3.2.1 with 4.4.0 allowed; rollout in waves with the spawn check. The
// canary is wave 0, on JupyterHub's own login (no identity provider can be
// reached here), its hub image Debian's JupyterHub, and it configures the
// probe with its token stored through the secret channel.
func prepareGateFleet(t *testing.T, repo, token string) {
	t.Helper()
	others, err := filepath.Glob(filepath.Join(repo, "clusters", "*", "site.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range others {
		if other := filepath.Base(filepath.Dir(p)); other != gateCanary {
			for _, dir := range []string{"clusters", "overlays"} {
				if err := os.RemoveAll(filepath.Join(repo, dir, other)); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	editFile(t, filepath.Join(repo, "bases", "daskhub", "fleet.yaml"), []edit{
		{`(?m)^(      chart: jupyterhub\n      version:) 4\.4\.0\n      constraint: .*$`, "${1} 3.2.1\n      constraint: \">=3.0.0 <5.0.0\""},
		{`(?m)^(  rollout:\n    waves: true)$`, "${1}\n    spawnCheck: true"},
	})
	siteFile := filepath.Join(repo, "clusters", gateCanary, "site.yaml")
	native := []edit{
		{`(?ms)^  auth:\n.*?^  chart:`, "  auth:\n    provider: native\n  chart:"},
	}
	editFile(t, siteFile, native)
	if err := os.Remove(filepath.Join(repo, "overlays", gateCanary, "oauth-client-secret.sops.yaml")); err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	data, err := os.ReadFile(siteFile)
	if err != nil {
		t.Fatal(err)
	}
	later := strings.NewReplacer("name: "+gateCanary, "name: "+gateLater, "host: "+gateHost, "host: later.pangeo.example.org").Replace(string(data))
	if err := os.MkdirAll(filepath.Join(repo, "clusters", gateLater), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(repo, "clusters", gateLater, "site.yaml"), []byte(later), 0o644); err != nil {
		t.Fatal(err)
	}
	editFile(t, siteFile, []edit{
		{`(?m)^  wave: 1$`, "  wave: 0"},
		{`(?m)^(\s+ageRecipient: .*)$`, "${1}\n    values:\n      " + site.DefaultProbeTokenKey + ": {targetPath: " + site.ProbeTokenPath + "}"},
		{`(?m)^  singleuser:$`, "  probe:\n    imports: [dask, distributed]\n    timeouts: {spawn: 60, kernel: 30, code: 30, dask: 120, stop: 30}\n  singleuser:"},
	})
	siteValues(t, repo, gateCanary, map[string]any{"jupyterhub": map[string]any{"hub": map[string]any{
		"image": map[string]any{"name": "localhost/debian-jupyterhub", "tag": "3.0.0"},
	}}})
	runCLI(t, repo, token+"\n", "secret", "set", "--site", gateCanary, "--key", site.DefaultProbeTokenKey)
}
