package actionmode_test

import (
	"context"
	"strings"
	"testing"

	"github.com/hubfleet/hubfleet/internal/github"
	"github.com/hubfleet/hubfleet/internal/gittest"
	"github.com/hubfleet/hubfleet/internal/upgrade"
)

// setSpawnStatus posts a site's spawn probe status, as the verify mode
// does with the spawn input.
func (f *fixture) setSpawnStatus(sha, site string, state github.State, desc string) {
	f.t.Helper()
	o := github.DefaultOptions()
	o.Token, o.APIURL, o.Owner, o.Repo = token, f.srv.URL(), "fleet", "hubs"
	gh, err := github.NewClient(o)
	if err != nil {
		f.t.Fatal(err)
	}
	if err := gh.SetStatus(context.Background(), sha, github.Status{Context: upgrade.SpawnStatusContext(site), State: state, Description: desc}); err != nil {
		f.t.Fatal(err)
	}
}

// TestUpgradeWaitsForTheSpawnProbe: with spec.rollout.spawnCheck, a
// verified canary is promoted only once its sites also passed the spawn
// probe on the new revision; a failing probe holds the wave, and the run
// and the pull request say which stage failed and what Dask computed.
func TestUpgradeWaitsForTheSpawnProbe(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	fleetFile := f.read(f.work, "bases/daskhub/fleet.yaml")
	f.write(f.work, "bases/daskhub/fleet.yaml", strings.Replace(fleetFile, "    waves: true\n", "    waves: true\n    spawnCheck: true\n", 1))
	f.commitMain("rollout: promote canaries after the spawn probe")
	f.chartRepo([]string{"4.4.0"}, daskhub("2024.1.2"))
	up := f.upgrader()
	if res := up(); res.err != nil {
		t.Fatalf("stage: %v\n%s", res.err, res.log)
	}
	if prs := f.srv.PullRequests(); len(prs) != 1 {
		t.Fatalf("pull requests = %+v", prs)
	} else {
		bodyHas(t, "staging PR body", prs[0].Body, "Later waves follow once these sites verify: when each has successful `hubfleet/verify/<site>` and `hubfleet/verify-spawn/<site>` statuses on the base branch")
	}
	head := f.mergeUpgrade()
	tip := gittest.Run(t, f.remote, "rev-parse", "hubfleet/upgrade")

	// verify passes, the spawn probe has not run: held.
	f.setStatus(head, "egi-dev", github.StateSuccess)
	res := up()
	if res.err != nil || res.outputs["changed"] != "false" {
		t.Fatalf("no spawn status: err %v, outputs %v\n%s", res.err, res.outputs, res.log)
	}
	bodyHas(t, "no spawn status summary", res.summary, "`egi-dev` (`hubfleet/verify/egi-dev`: success; `hubfleet/verify-spawn/egi-dev`: no status yet)")

	// The probe fails: still held, and the run says why.
	const failed = "fail spawn/server: the server (image pangeo/pangeo-notebook:2024.11.11) was not ready within 5m0s"
	f.setSpawnStatus(head, "egi-dev", github.StateFailure, failed)
	res = up()
	if res.err != nil || res.outputs["changed"] != "false" {
		t.Fatalf("failed spawn: err %v, outputs %v\n%s", res.err, res.outputs, res.log)
	}
	if got := gittest.Run(t, f.remote, "rev-parse", "hubfleet/upgrade"); got != tip {
		t.Errorf("a failing spawn probe moved the upgrade branch to %s", got)
	}
	bodyHas(t, "failed spawn summary", res.summary, "`hubfleet/verify-spawn/egi-dev`: failure: "+failed+")")
	if !strings.Contains(res.log, "egi-dev hubfleet/verify/egi-dev success; hubfleet/verify-spawn/egi-dev failure: "+failed) {
		t.Errorf("log lacks the failing probe:\n%s", res.log)
	}

	// The probe passes: promoted, and the pull request shows its result.
	const passed = "server ready in 41.2s, dask sum of 1..100 = 5050 on 1 worker(s) of a LocalCluster; probe 63.0s"
	f.setSpawnStatus(head, "egi-dev", github.StateSuccess, passed)
	res = up()
	if res.err != nil {
		t.Fatalf("promote: %v\n%s", res.err, res.log)
	}
	prs := f.srv.PullRequests()
	if len(prs) != 1 || prs[0].Title != "Upgrade daskhub 2024.1.1 → 2024.1.2 on every wave" {
		t.Fatalf("pull requests = %+v", prs)
	}
	bodyHas(t, "promotion PR body", prs[0].Body,
		"passed verification on `"+head[:12]+"`: `egi-dev` (`hubfleet/verify/egi-dev`: success; `hubfleet/verify-spawn/egi-dev`: success: "+passed+")")
}
