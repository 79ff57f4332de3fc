package actionmode_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubfleet/hubfleet/internal/fleettest"
	"github.com/hubfleet/hubfleet/internal/github"
	"github.com/hubfleet/hubfleet/internal/gittest"
	"github.com/hubfleet/hubfleet/internal/report"
	"github.com/hubfleet/hubfleet/internal/report/reporttest"
)

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// cli runs `hubfleet --root <work> action <mode>` with the environment a
// runner gives the action's step.
func (f *fixture) cli(mode, event string, inputs map[string]string) (exit int, stdout string, outputs map[string]string) {
	f.t.Helper()
	bin := fleettest.CLI(f.t)
	dir := f.t.TempDir()
	outFile := filepath.Join(dir, "output")
	eventPath, err := filepath.Abs(filepath.Join("testdata", "events", event+".json"))
	if err != nil {
		f.t.Fatal(err)
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GITHUB_") && !strings.HasPrefix(kv, "HUBFLEET_") && !strings.HasPrefix(kv, "RUNNER_") {
			env = append(env, kv)
		}
	}
	env = append(env, gittest.Isolated...)
	env = append(env,
		"GITHUB_ACTIONS=true",
		"GITHUB_OUTPUT="+outFile,
		"GITHUB_STEP_SUMMARY="+filepath.Join(dir, "summary"),
		"GITHUB_REPOSITORY=fleet/hubs",
		"GITHUB_API_URL="+f.srv.URL(),
		"GITHUB_SERVER_URL=https://github.com",
		"GITHUB_RUN_ID=77",
		"GITHUB_EVENT_NAME="+event,
		"GITHUB_EVENT_PATH="+eventPath,
		"GITHUB_SHA="+gittest.Run(f.t, f.work, "rev-parse", "HEAD"),
		"GITHUB_BASE_REF=main",
		"HUBFLEET_GITHUB_TOKEN="+token,
		// The default planner fetches charts from their repositories:
		// tests stay on loopback.
		"HUBFLEET_PLAN_CHARTS=false",
		// Chart and render caches (os.UserCacheDir) stay in the test.
		"XDG_CACHE_HOME="+filepath.Join(dir, "cache"),
	)
	for k, v := range inputs {
		env = append(env, k+"="+v)
	}
	cmd := exec.Command(bin, "--root", f.work, "action", mode)
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		exit = ee.ExitCode()
	default:
		f.t.Fatal(err)
	}
	if b, err := os.ReadFile(outFile); err == nil {
		if outputs, err = reporttest.ParseOutputs(string(b)); err != nil {
			f.t.Fatal(err)
		}
	}
	return exit, out.String(), outputs
}

func TestCLIAction(t *testing.T) {
	t.Parallel()
	f := newFixture(t)

	f.pullRequest("pangeo/pangeo-notebook:2025.1.10")
	exit, log, outputs := f.cli("plan", "pull_request", nil)
	if exit != 0 {
		t.Fatalf("hubfleet action plan exit %d:\n%s", exit, log)
	}
	if outputs["changed"] != "true" || outputs["comment-url"] == "" {
		t.Errorf("outputs = %v", outputs)
	}
	if n := len(f.srv.Comments(7)); n != 1 || !strings.Contains(f.srv.Comments(7)[0].Body, github.PlanMarker) {
		t.Errorf("plan comment not created: %d comments", n)
	}
	if diff := cmp.Diff([]string{"site egi-cesnet", "site egi-dev", "site egi-pangeo", "site heliocloud-aws", "site pangeo-azure"}, reporttest.Groups(log)); diff != "" {
		t.Errorf("log groups (-want +got):\n%s", diff)
	}
	if strings.Count(log, token) != 1 {
		t.Errorf("token not masked in the CLI log")
	}

	// A broken site fails the check with exit 1 and an annotation.
	f.replace(f.work, "clusters/egi-dev/site.yaml", "host: pangeo-dev.vm.fedcloud.eu", "host: hub")
	gittest.Run(t, f.work, "commit", "--quiet", "-am", "Break egi-dev")
	exit, log, outputs = f.cli("plan", "pull_request", nil)
	if exit != 1 {
		t.Fatalf("exit = %d, want 1:\n%s", exit, log)
	}
	anns, err := reporttest.ParseAnnotations(log)
	if err != nil {
		t.Fatal(err)
	}
	if len(anns) == 0 || anns[0].Level != report.LevelError || anns[0].File != "clusters/egi-dev/site.yaml" || anns[0].Line != 17 {
		t.Errorf("annotations = %+v", anns)
	}
	if outputs["failed-sites"] != "egi-dev" {
		t.Errorf("failed-sites = %q", outputs["failed-sites"])
	}
	if n := len(f.srv.Comments(7)); n != 1 {
		t.Errorf("comments = %d after the second run, want 1", n)
	}

	// An unknown mode is an error: exit 2.
	if exit, log, _ = f.cli("deploy", "push", nil); exit != 2 || !strings.Contains(log, `unknown action mode "deploy"`) {
		t.Errorf("unknown mode: exit %d:\n%s", exit, log)
	}
}

func TestCLIRenderAndRollback(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	before := gittest.Run(t, f.work, "rev-parse", "HEAD")
	// A site change merged without rendering: render commits the overlay.
	f.replace(f.work, "clusters/egi-dev/site.yaml", "startTimeout: 600", "startTimeout: 900")
	gittest.Run(t, f.work, "commit", "--quiet", "-am", "Give egi-dev more start time")
	gittest.Run(t, f.work, "push", "--quiet", "origin", "main")
	exit, log, outputs := f.cli("render", "push", map[string]string{"GITHUB_REF_NAME": "main"})
	if exit != 0 || outputs["changed"] != "true" {
		t.Fatalf("render: exit %d, outputs %v:\n%s", exit, outputs, log)
	}
	rendered := gittest.Run(t, f.remote, "rev-parse", "main")
	if outputs["commit"] != rendered {
		t.Errorf("commit output %s, remote main %s", outputs["commit"], rendered)
	}

	// Roll egi-dev back: the bot's render commit is the last overlay change.
	exit, log, outputs = f.cli("rollback", "workflow_dispatch", map[string]string{"HUBFLEET_SITE": "egi-dev"})
	if exit != 0 {
		t.Fatalf("rollback: exit %d:\n%s", exit, log)
	}
	if outputs["pull-request-number"] != "1" {
		t.Errorf("outputs = %v", outputs)
	}
	branch := "hubfleet/rollback/egi-dev"
	if d := gittest.Run(t, f.remote, "diff", before, branch, "--", "overlays/egi-dev/"); d != "" {
		t.Errorf("rolled-back overlay differs from before the change:\n%s", d)
	}
	if got := gittest.Run(t, f.remote, "log", "-1", "--format=%s", branch); got != `Revert "Render overlays of egi-dev"` {
		t.Errorf("rollback commit = %q", got)
	}
}

func TestCLIUpgrade(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.replace(f.work, "bases/daskhub/fleet.yaml", "rollout:\n    waves: true", "rollout:\n    waves: false")
	f.chartRepo([]string{"4.4.0", "4.5.0", "5.0.0"})
	exit, log, outputs := f.cli("upgrade", "schedule", nil)
	if exit != 0 {
		t.Fatalf("upgrade: exit %d:\n%s", exit, log)
	}
	want := map[string]string{
		"changed": "true", "commit": gittest.Run(t, f.remote, "rev-parse", "hubfleet/upgrade"), "sites": allSites,
		"pull-request-number": "1", "pull-request-url": "https://github.com/fleet/hubs/pull/1",
	}
	if diff := cmp.Diff(want, outputs); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"GET repos/fleet/hubs/pulls", "POST repos/fleet/hubs/pulls"}, f.srv.Calls()); diff != "" {
		t.Errorf("API calls (-want +got):\n%s", diff)
	}
	prs := f.srv.PullRequests()
	if len(prs) != 1 || prs[0].Title != "Upgrade jupyterhub 4.4.0 → 4.5.0" || !strings.Contains(prs[0].Body, "chart object(s)") {
		t.Errorf("pull requests = %+v", prs)
	}
	// Again: nothing new, nothing changes.
	exit, log, outputs = f.cli("upgrade", "schedule", nil)
	if exit != 0 || outputs["changed"] != "false" {
		t.Errorf("second upgrade: exit %d, outputs %v:\n%s", exit, outputs, log)
	}
}
