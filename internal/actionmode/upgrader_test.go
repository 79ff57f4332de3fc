package actionmode_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hubfleet/hubfleet/internal/actionmode"
	"github.com/hubfleet/hubfleet/internal/catalog"
	"github.com/hubfleet/hubfleet/internal/chart"
	"github.com/hubfleet/hubfleet/internal/chart/chartrepotest"
	"github.com/hubfleet/hubfleet/internal/github"
	"github.com/hubfleet/hubfleet/internal/gittest"
	"github.com/hubfleet/hubfleet/internal/plan"
	"github.com/hubfleet/hubfleet/internal/upgrade"
)

// chartRepo serves test charts on loopback and points the fleet's three
// chart sources at it (rendered and pushed, so main is clean). The
// repository holds daskhub 2024.1.1, dask-gateway 2026.3.0, the given
// jupyterhub versions and the extra charts.
func (f *fixture) chartRepo(jupyterhubVersions []string, extra ...chartrepotest.Chart) *chartrepotest.Server {
	f.t.Helper()
	charts := []chartrepotest.Chart{
		{Dir: chartrepotest.Dir("daskhub")},
		{Dir: chartrepotest.Dir("dask-gateway"), Version: "2026.3.0"},
	}
	for _, v := range jupyterhubVersions {
		charts = append(charts, chartrepotest.Chart{Dir: chartrepotest.Dir("jupyterhub"), Version: v})
	}
	repo := chartrepotest.Start(f.t, append(charts, extra...)...)
	for _, old := range []string{"https://helm.dask.org", "https://hub.jupyter.org/helm-chart/"} {
		s := f.read(f.work, "bases/daskhub/fleet.yaml")
		f.write(f.work, "bases/daskhub/fleet.yaml", strings.ReplaceAll(s, "repository: "+old, "repository: "+repo.URL))
	}
	// The test jupyterhub versions hubfleet's catalog lacks (and 4.5.1,
	// which a test serves later) are copies of the 4.4.0 test chart: the
	// fleet declares their facts, as an operator does for a release newer
	// than hubfleet; upgrade proposes no version without them.
	var facts strings.Builder
	for _, v := range append(slices.Clone(jupyterhubVersions), "4.5.1") {
		if !catalog.IsBuiltIn("jupyterhub", v) {
			fmt.Fprintf(&facts, "      - version: %s\n        jupyterHub: 5.5.0\n        oauthenticator: 17.4.0\n        kubeMin: 1.28.0\n", v)
		}
	}
	facts.WriteString("    daskhub:\n")
	// The test daskhub versions (2024.1.3 and 2024.1.4 are served later) vendor what
	// 2024.1.1 does.
	for _, v := range []string{"2024.1.2", "2024.1.3", "2024.1.4"} {
		fmt.Fprintf(&facts, "      - version: %s\n        jupyterhub: 3.2.1\n        daskGateway: 2024.1.0\n", v)
	}
	s := f.read(f.work, "bases/daskhub/fleet.yaml")
	f.write(f.work, "bases/daskhub/fleet.yaml", strings.Replace(s, "\nspec:\n", "\nspec:\n  chartFacts:\n    jupyterhub:\n"+facts.String(), 1))
	f.render(f.work)
	gittest.Run(f.t, f.work, "add", ".")
	gittest.Run(f.t, f.work, "commit", "--quiet", "-m", "Use the test chart repository")
	gittest.Run(f.t, f.work, "push", "--quiet", "origin", "main")
	return repo
}

// daskhub is the test daskhub chart at version v.
func daskhub(v string) chartrepotest.Chart {
	return chartrepotest.Chart{Dir: chartrepotest.Dir("daskhub"), Version: v}
}

// upgrader returns a run of the upgrade mode with the real chart upgrader,
// its charts and renders cached under one directory of the test; inputs
// are the HUBFLEET_* inputs of each run.
func (f *fixture) upgrader() func(inputs ...string) result {
	f.t.Helper()
	cache := f.t.TempDir()
	return func(inputs ...string) result {
		f.t.Helper()
		in := map[string]string{}
		for i := 0; i+1 < len(inputs); i += 2 {
			in[inputs[i]] = inputs[i+1]
		}
		return f.run("upgrade", "schedule", in, func(o *actionmode.Options) {
			ro := chart.ResolverOptions{CacheDir: cache + "/charts", Timeout: 10 * time.Second}
			rend := chart.DefaultRenderOptions()
			rend.CacheDir, rend.Workers = cache+"/renders", 2
			o.Upgrader = upgrade.Upgrader{
				Resolver: ro,
				Compare:  plan.CompareOptions{Charts: true, Resolver: ro, Render: rend},
				BaseRef:  "main",
				Git:      o.Git,
			}
		})
	}
}

// mergeUpgrade merges the upgrade pull request: main fast-forwards to the
// upgrade branch. It returns main's new head.
func (f *fixture) mergeUpgrade() string {
	f.t.Helper()
	gittest.Run(f.t, f.work, "fetch", "--quiet", "origin")
	gittest.Run(f.t, f.work, "switch", "--quiet", "main")
	gittest.Run(f.t, f.work, "merge", "--quiet", "--ff-only", "origin/hubfleet/upgrade")
	gittest.Run(f.t, f.work, "push", "--quiet", "origin", "main")
	return gittest.Run(f.t, f.work, "rev-parse", "HEAD")
}

// commitMain commits an edit of the work tree's main and pushes it.
func (f *fixture) commitMain(msg string) string {
	f.t.Helper()
	f.render(f.work)
	gittest.Run(f.t, f.work, "commit", "--quiet", "-am", msg)
	gittest.Run(f.t, f.work, "push", "--quiet", "origin", "main")
	return gittest.Run(f.t, f.work, "rev-parse", "HEAD")
}

// setStatus posts a commit status through the fake GitHub API, as the
// verify mode does.
func (f *fixture) setStatus(sha, site string, state github.State) {
	f.t.Helper()
	o := github.DefaultOptions()
	o.Token, o.APIURL, o.Owner, o.Repo = token, f.srv.URL(), "fleet", "hubs"
	gh, err := github.NewClient(o)
	if err != nil {
		f.t.Fatal(err)
	}
	if err := gh.SetStatus(context.Background(), sha, github.Status{Context: upgrade.StatusContext(site), State: state, Description: "test"}); err != nil {
		f.t.Fatal(err)
	}
}

// bodyHas reports every snippet missing from a pull request body.
func bodyHas(t *testing.T, what, body string, snippets ...string) {
	t.Helper()
	for _, s := range snippets {
		if !strings.Contains(body, s) {
			t.Errorf("%s lacks %q:\n%s", what, s, body)
		}
	}
}

// TestUpgradeFromChartRepository is the upgrade of a fleet that does not
// roll out in waves: the pin moves for every site.
func TestUpgradeFromChartRepository(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.replace(f.work, "bases/daskhub/fleet.yaml", "rollout:\n    waves: true", "rollout:\n    waves: false")
	// 5.0.0 is outside the fleet's ">=4.0.0 <5.0.0"; 4.6.0-beta.1 is a
	// prerelease the fleet does not opt into.
	repo := f.chartRepo([]string{"4.4.0", "4.5.0", "5.0.0", "4.6.0-beta.1"})
	upgrade := f.upgrader()

	res := upgrade()
	if res.err != nil {
		t.Fatalf("upgrade: %v\n%s", res.err, res.log)
	}
	prs := f.srv.PullRequests()
	if len(prs) != 1 || prs[0].Title != "Upgrade jupyterhub 4.4.0 → 4.5.0" {
		t.Fatalf("pull requests = %+v", prs)
	}
	// Only the pin's line changed in the fleet file: comments and layout stay.
	if d := gittest.Run(t, f.remote, "diff", "--unified=0", "main...hubfleet/upgrade", "--", "bases/daskhub/fleet.yaml"); !strings.Contains(d, "-      version: 4.4.0\n+      version: 4.5.0") || strings.Count(d, "\n-") != 2 {
		t.Errorf("fleet file diff:\n%s", d)
	}
	for _, s := range []string{"| `jupyterhub` | 4.4.0 | 4.5.0 |", "| `heliocloud-aws` | changed: jupyterhub 4.4.0 -> 4.5.0: 1 file(s), 0 chart object(s) |", "| `egi-dev` | unchanged |"} {
		if !strings.Contains(prs[0].Body, s) {
			t.Errorf("PR body lacks %q:\n%s", s, prs[0].Body)
		}
	}

	// Nothing newer: nothing changes.
	tip := gittest.Run(t, f.remote, "rev-parse", "hubfleet/upgrade")
	res = upgrade()
	if res.err != nil || res.outputs["changed"] != "false" || gittest.Run(t, f.remote, "rev-parse", "hubfleet/upgrade") != tip {
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
	if got := gittest.Run(t, f.remote, "show", "hubfleet/upgrade:overlays/pangeo-azure/helmrelease-jupyterhub.yaml"); !strings.Contains(got, "version: 4.5.1") {
		t.Errorf("pangeo-azure not re-rendered at 4.5.1")
	}
}

// TestUpgradeInWaves follows a chart version through a wave rollout: staged
// as a canary for wave 0, held while wave 0 has not verified, promoted to
// the pin once it has.
func TestUpgradeInWaves(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.chartRepo([]string{"4.4.0"}, daskhub("2024.1.2"))
	upgrade := f.upgrader()

	// Stage: only wave 0 (egi-dev) runs 2024.1.2; the pin stays.
	res := upgrade()
	if res.err != nil {
		t.Fatalf("stage: %v\n%s", res.err, res.log)
	}
	prs := f.srv.PullRequests()
	if len(prs) != 1 || prs[0].Title != "Upgrade daskhub 2024.1.1 → 2024.1.2 on wave 0" {
		t.Fatalf("pull requests = %+v", prs)
	}
	d := gittest.Run(t, f.remote, "diff", "--unified=0", "main...hubfleet/upgrade", "--", "bases/daskhub/fleet.yaml")
	if want := "+      canary:\n+        version: 2024.1.2\n+        maxWave: 0"; !strings.Contains(d, want) || strings.Count(d, "\n-") != 1 || strings.Count(d, "\n+") != 4 {
		t.Errorf("fleet file diff, want only %q added:\n%s", want, d)
	}
	// egi-cesnet and egi-pangeo run daskhub too, but in wave 1.
	if got := gittest.Run(t, f.remote, "diff", "--name-only", "main...hubfleet/upgrade"); got != "bases/daskhub/fleet.yaml\noverlays/egi-dev/helmrelease-daskhub.yaml" {
		t.Errorf("branch changes = %q, want the fleet file and the wave-0 overlay", got)
	}
	bodyHas(t, "staging PR body", prs[0].Body,
		"| `daskhub` | 2024.1.1 | 2024.1.2 |",
		"**Wave 0 goes first.** `daskhub` 2024.1.2 is staged as a canary: only the sites of wave 0 run it: `egi-dev`. Every other site stays on 2024.1.1.",
		"Later waves follow once these sites verify: when each has a successful `hubfleet/verify/<site>` status on the base branch",
		"Waiting: `egi-cesnet`, `egi-pangeo`, `heliocloud-aws`, `pangeo-azure`.",
		"| `egi-dev` | changed: daskhub 2024.1.1 -> 2024.1.2",
		"| `egi-cesnet` | unchanged |")

	// Again, nothing new: the same pull request, no new commit.
	tip := gittest.Run(t, f.remote, "rev-parse", "hubfleet/upgrade")
	calls := len(f.srv.Requests())
	if res = upgrade(); res.err != nil || res.outputs["changed"] != "false" || gittest.Run(t, f.remote, "rev-parse", "hubfleet/upgrade") != tip {
		t.Fatalf("rerun changed something: %v, outputs %v", res.err, res.outputs)
	}
	if diff := cmp.Diff([]string{"GET repos/fleet/hubs/pulls"}, f.srv.Calls()[calls:]); diff != "" {
		t.Errorf("rerun API calls (-want +got):\n%s", diff)
	}

	// Merged, not verified: nothing changes, and the run says why.
	head := f.mergeUpgrade()
	for _, tc := range []struct {
		name  string
		state github.State
		why   string
	}{
		{name: "missing", why: "`egi-dev` (`hubfleet/verify/egi-dev`: no status yet)"},
		{name: "pending", state: github.StatePending, why: "`egi-dev` (`hubfleet/verify/egi-dev`: pending)"},
		{name: "failure", state: github.StateFailure, why: "`egi-dev` (`hubfleet/verify/egi-dev`: failure)"},
	} {
		if tc.state != "" {
			f.setStatus(head, "egi-dev", tc.state)
		}
		// A later wave's status does not matter.
		f.setStatus(head, "egi-cesnet", github.StateSuccess)
		res := upgrade()
		if res.err != nil || res.exit != 0 || res.outputs["changed"] != "false" {
			t.Fatalf("%s: err %v, exit %d, outputs %v\n%s", tc.name, res.err, res.exit, res.outputs, res.log)
		}
		if got := gittest.Run(t, f.remote, "rev-parse", "hubfleet/upgrade"); got != tip {
			t.Errorf("%s: upgrade branch moved to %s", tc.name, got)
		}
		bodyHas(t, tc.name+" summary", res.summary, "`daskhub` canary 2024.1.2 (wave 0; later waves on 2024.1.1) is not verified on `"+head[:12]+"` yet: "+tc.why)
		if want := "canary daskhub 2024.1.2: wave 0 not verified yet on " + head[:12] + ": egi-dev hubfleet/verify/egi-dev " + strings.TrimSuffix(strings.SplitN(tc.why, ": ", 2)[1], ")"); !strings.Contains(res.log, want) {
			t.Errorf("%s: log lacks %q:\n%s", tc.name, want, res.log)
		}
	}

	// Verified: the canary becomes the pin, for every wave.
	f.setStatus(head, "egi-dev", github.StateSuccess)
	res = upgrade()
	if res.err != nil {
		t.Fatalf("promote: %v\n%s", res.err, res.log)
	}
	prs = f.srv.PullRequests()
	if len(prs) != 1 || prs[0].Title != "Upgrade daskhub 2024.1.1 → 2024.1.2 on every wave" {
		t.Fatalf("pull requests = %+v", prs)
	}
	d = gittest.Run(t, f.remote, "diff", "--unified=0", "main...hubfleet/upgrade", "--", "bases/daskhub/fleet.yaml")
	if want := "-      version: 2024.1.1\n-      canary:\n-        version: 2024.1.2\n-        maxWave: 0\n+      version: 2024.1.2"; !strings.HasSuffix(d, want) || strings.Count(d, "@@ ") != 2 {
		t.Errorf("fleet file diff, want the pin moved and the canary removed:\n%s", d)
	}
	if got := gittest.Run(t, f.remote, "diff", "--name-only", "main...hubfleet/upgrade"); got != "bases/daskhub/fleet.yaml\noverlays/egi-pangeo/helmrelease-daskhub.yaml" {
		t.Errorf("branch changes = %q, want the fleet file and the later waves' daskhub overlays", got)
	}
	bodyHas(t, "promotion PR body", prs[0].Body,
		"**Wave 0 verified.** The `daskhub` canary 2024.1.2 passed verification on `"+head[:12]+"`: `egi-dev` (`hubfleet/verify/egi-dev`: success). It becomes the pin: every site runs 2024.1.2.",
		"| `egi-pangeo` | changed: daskhub 2024.1.1 -> 2024.1.2",
		"| `egi-dev` | unchanged |")
}

// TestUpgradeMovesAnUnverifiedCanary: a newer version while the canary is
// not verified moves the canary; a newer one after it verified waits for
// the promotion to merge.
func TestUpgradeMovesAnUnverifiedCanary(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	repo := f.chartRepo([]string{"4.4.0"}, daskhub("2024.1.2"))
	// Canary written in the layout the upgrader does not use: flow style.
	f.replace(f.work, "bases/daskhub/fleet.yaml", "      version: 2024.1.1\n", "      version: 2024.1.1\n      canary: {version: 2024.1.2, maxWave: 0}\n")
	head := f.commitMain("Stage daskhub 2024.1.2 on wave 0")
	f.setStatus(head, "egi-dev", github.StatePending)
	repo.Add(t, daskhub("2024.1.3"))
	upgrade := f.upgrader()

	res := upgrade()
	if res.err != nil {
		t.Fatalf("move: %v\n%s", res.err, res.log)
	}
	prs := f.srv.PullRequests()
	if len(prs) != 1 || prs[0].Title != "Upgrade daskhub 2024.1.2 → 2024.1.3 on wave 0" {
		t.Fatalf("pull requests = %+v", prs)
	}
	d := gittest.Run(t, f.remote, "diff", "--unified=0", "main...hubfleet/upgrade", "--", "bases/daskhub/fleet.yaml")
	if want := "-      canary: {version: 2024.1.2, maxWave: 0}\n+      canary: {version: 2024.1.3, maxWave: 0}"; !strings.Contains(d, want) || strings.Count(d, "\n+") != 2 {
		t.Errorf("fleet file diff, want only the canary version moved:\n%s", d)
	}
	if got := gittest.Run(t, f.remote, "diff", "--name-only", "main...hubfleet/upgrade"); got != "bases/daskhub/fleet.yaml\noverlays/egi-dev/helmrelease-daskhub.yaml" {
		t.Errorf("branch changes = %q", got)
	}
	bodyHas(t, "move PR body", prs[0].Body,
		"The `daskhub` canary moves from 2024.1.2 to 2024.1.3 before wave 0 verified 2024.1.2 (`egi-dev` (`hubfleet/verify/egi-dev`: pending)).",
		"The sites of wave 0 run 2024.1.3: `egi-dev`. Every other site stays on 2024.1.1.",
		"Later waves follow once these sites verify")
	if !strings.Contains(res.log, "moving the canary to 2024.1.3") {
		t.Errorf("log does not say the canary moves:\n%s", res.log)
	}

	// Merged and verified while a still newer version exists: the verified
	// version is promoted, the newer one waits for the next run.
	head = f.mergeUpgrade()
	f.setStatus(head, "egi-dev", github.StateSuccess)
	repo.Add(t, daskhub("2024.1.4"))
	res = upgrade()
	if res.err != nil {
		t.Fatalf("promote: %v\n%s", res.err, res.log)
	}
	prs = f.srv.PullRequests()
	if len(prs) != 1 || prs[0].Title != "Upgrade daskhub 2024.1.1 → 2024.1.3 on every wave" {
		t.Fatalf("pull requests = %+v", prs)
	}
	bodyHas(t, "promotion PR body", prs[0].Body, "It becomes the pin: every site runs 2024.1.3.", "2024.1.4 is newer: the first run after this merges stages it for wave 0.")
	fleetFile := gittest.Run(t, f.remote, "show", "hubfleet/upgrade:bases/daskhub/fleet.yaml")
	if strings.Contains(fleetFile, "canary") || !strings.Contains(fleetFile, "chart: daskhub\n      version: 2024.1.3\n      constraint:") {
		t.Errorf("promoted fleet file:\n%s", fleetFile)
	}
}

// TestUpgradeCanaryWaves: a canary goes to the first waves that run the
// chart, so that their verification tests it; the wave input can widen it.
func TestUpgradeCanaryWaves(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.chartRepo([]string{"4.4.0", "4.5.0"})
	upgrade := f.upgrader()

	// Wave 0 is egi-dev alone, which runs the daskhub umbrella, not the
	// jupyterhub chart: the canary goes up to wave 1, whose composed sites
	// run it.
	res := upgrade()
	if res.err != nil {
		t.Fatalf("first upgrade: %v\n%s", res.err, res.log)
	}
	prs := f.srv.PullRequests()
	if len(prs) != 1 || prs[0].Title != "Upgrade jupyterhub 4.4.0 → 4.5.0 on waves 0–1" {
		t.Fatalf("pull requests = %+v", prs)
	}
	bodyHas(t, "canary PR body", prs[0].Body,
		"only the sites of waves 0–1 run it: `egi-cesnet`, `heliocloud-aws`, `pangeo-azure`.",
		"No site of waves up to 0 runs the jupyterhub chart: its canary goes up to wave 1, the first wave that runs it.")
	if got := gittest.Run(t, f.remote, "show", "hubfleet/upgrade:bases/daskhub/fleet.yaml"); !strings.Contains(got, "      version: 4.4.0\n      canary:\n        version: 4.5.0\n        maxWave: 1\n      constraint:") {
		t.Errorf("fleet file:\n%s", got)
	}
	if got := gittest.Run(t, f.remote, "diff", "--name-only", "main...hubfleet/upgrade"); got != "bases/daskhub/fleet.yaml\noverlays/egi-cesnet/helmrelease-jupyterhub.yaml\noverlays/heliocloud-aws/helmrelease-jupyterhub.yaml\noverlays/pangeo-azure/helmrelease-jupyterhub.yaml" {
		t.Errorf("branch changes = %q", got)
	}
	if strings.Contains(prs[0].Body, "runs the `jupyterhub` chart: their verification does not test") {
		t.Errorf("PR body warns although the canary's waves run the chart:\n%s", prs[0].Body)
	}

	// The wave input asking for the same waves changes nothing.
	res = upgrade("HUBFLEET_WAVE", "1")
	if res.err != nil {
		t.Fatalf("waves 0-1: %v\n%s", res.err, res.log)
	}
	if prs = f.srv.PullRequests(); len(prs) != 1 || prs[0].Title != "Upgrade jupyterhub 4.4.0 → 4.5.0 on waves 0–1" {
		t.Fatalf("pull requests = %+v", prs)
	}
}
