package actionmode_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubfleet/hubfleet/internal/actionmode"
	"github.com/hubfleet/hubfleet/internal/chart/chartrepotest"
	"github.com/hubfleet/hubfleet/internal/gitrepo"
	"github.com/hubfleet/hubfleet/internal/gittest"
	"github.com/hubfleet/hubfleet/internal/report"
)

// upgradeOnMain commits and pushes a jupyterhub pin bump to main, rendered.
func (f *fixture) upgradeOnMain(from, to string) string {
	f.t.Helper()
	f.replace(f.work, "bases/daskhub/fleet.yaml", "chart: jupyterhub\n      version: "+from, "chart: jupyterhub\n      version: "+to)
	f.render(f.work)
	gittest.Run(f.t, f.work, "add", ".")
	gittest.Run(f.t, f.work, "commit", "--quiet", "-m", "Upgrade jupyterhub to "+to)
	gittest.Run(f.t, f.work, "push", "--quiet", "origin", "main")
	return gittest.Run(f.t, f.work, "rev-parse", "HEAD")
}

func TestRollbackSiteOpensAPullRequest(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	// jupyterhub 4.5.0 ships JupyterHub 5.6.0 (a test chart: the real
	// charts have no pair one JupyterHub apart on one site's mode).
	f.chartRepo([]string{"4.4.0"}, chartrepotest.Chart{Dir: chartrepotest.Dir("jupyterhub"), Version: "4.5.0", AppVersion: "5.6.0"})
	before := gittest.Run(t, f.work, "rev-parse", "HEAD")
	upgraded := f.upgradeOnMain("4.4.0", "4.5.0")

	res := f.run("rollback", "workflow_dispatch", map[string]string{"HUBFLEET_SITE": "heliocloud-aws", "HUBFLEET_PLAN_CHARTS": "true"}, nil)
	if res.err != nil {
		t.Fatalf("rollback: %v\n%s", res.err, res.log)
	}
	const branch = "hubfleet/rollback/heliocloud-aws"
	tip := gittest.Run(t, f.remote, "rev-parse", branch)
	want := map[string]string{"changed": "true", "commit": tip, "pull-request-number": "1", "pull-request-url": "https://github.com/fleet/hubs/pull/1"}
	if diff := cmp.Diff(want, res.outputs); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}
	// A real revert commit, by the bot, on top of main.
	msg := gittest.Run(t, f.remote, "log", "-1", "--format=%an|%P|%B", branch)
	wantMsg := "hubfleet[bot]|" + upgraded + "|Revert \"Upgrade jupyterhub to 4.5.0\"\n\nThis reverts commit " + upgraded + "."
	if msg != wantMsg {
		t.Errorf("revert commit = %q, want %q", msg, wantMsg)
	}
	// The overlay is the pre-change one, byte for byte.
	if d := gittest.Run(t, f.remote, "diff", before, branch, "--", "overlays/", "bases/"); d != "" {
		t.Errorf("reverted tree differs from before the change:\n%s", d)
	}
	prs := f.srv.PullRequests()
	if len(prs) != 1 || prs[0].Head.Ref != branch || prs[0].Base.Ref != "main" {
		t.Fatalf("pull requests = %+v", prs)
	}
	for _, s := range []string{
		`Roll back heliocloud-aws: revert "Upgrade jupyterhub to 4.5.0"`,
	} {
		if prs[0].Title != s {
			t.Errorf("title = %q, want %q", prs[0].Title, s)
		}
	}
	for _, s := range []string{
		"| `heliocloud-aws` | jupyterhub 4.5.0 -> 4.4.0 (app 5.6.0 -> 5.2.1), a downgrade |",
		"byte for byte",
		"One-way doors crossed back over",
		"JupyterHub 5.6.0 -> 5.2.1 is a downgrade: the hub database was migrated by JupyterHub 5.6.0",
		"`overlays/heliocloud-aws/helmrelease-jupyterhub.yaml`",
		"also changed egi-cesnet, pangeo-azure: this rolls them back too",
	} {
		if !strings.Contains(prs[0].Body, s) {
			t.Errorf("PR body lacks %q:\n%s", s, prs[0].Body)
		}
	}
	if res.annotated(report.LevelWarning, "", "hubfleet: rollback reaches other sites") == nil {
		t.Errorf("no warning that pangeo-azure is rolled back too: %+v", res.annotations)
	}
	if res.annotated(report.LevelWarning, "clusters/heliocloud-aws/site.yaml", "hubfleet: one-way door") == nil {
		t.Errorf("no one-way door warning: %+v", res.annotations)
	}
	if got := gittest.Run(t, f.remote, "rev-parse", "main"); got != upgraded {
		t.Errorf("main moved to %s", got)
	}
}

// TestRollbackFromATerminalPushesNothing runs the rollback as a user would
// in a terminal: no GITHUB_ACTIONS, a token in the environment. It says
// what it would do, and pushes, commits and opens nothing.
func TestRollbackFromATerminalPushesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	upgraded := f.upgradeOnMain("4.4.0", "4.5.0")
	branches := gittest.Run(t, f.remote, "branch", "--list")
	res := f.run("rollback", "workflow_dispatch", map[string]string{"GITHUB_ACTIONS": "", "HUBFLEET_SITE": "heliocloud-aws"}, nil)
	if res.err != nil {
		t.Fatalf("rollback: %v\n%s", res.err, res.log)
	}
	if !strings.Contains(res.log, "would push branch hubfleet/rollback/heliocloud-aws and open a pull request") || !strings.Contains(res.log, "--publish") {
		t.Errorf("the log does not say what the rollback would do:\n%s", res.log)
	}
	// The revert restores every site its commit changed, and says so.
	if !strings.Contains(res.log, "Files restored: `overlays/egi-cesnet/helmrelease-jupyterhub.yaml`, `overlays/heliocloud-aws/helmrelease-jupyterhub.yaml`, `overlays/pangeo-azure/helmrelease-jupyterhub.yaml`") {
		t.Errorf("the log lacks the rollback's plan:\n%s", res.log)
	}
	if got := gittest.Run(t, f.work, "rev-parse", "HEAD"); got != upgraded {
		t.Errorf("HEAD moved to %s: a revert was committed", got)
	}
	if st := gittest.Run(t, f.work, "status", "--porcelain"); st != "" {
		t.Errorf("work tree changed:\n%s", st)
	}
	if got := gittest.Run(t, f.work, "worktree", "list", "--porcelain"); strings.Count(got, "worktree ") != 1 {
		t.Errorf("scratch work tree left behind:\n%s", got)
	}
	if got := gittest.Run(t, f.remote, "branch", "--list"); got != branches {
		t.Errorf("remote branches changed: %q, was %q", got, branches)
	}
	if len(f.srv.Requests()) != 0 {
		t.Errorf("GitHub API calls: %v", f.srv.Calls())
	}

	// --publish does it.
	res = f.run("rollback", "workflow_dispatch", map[string]string{"GITHUB_ACTIONS": "", "HUBFLEET_SITE": "heliocloud-aws"},
		func(o *actionmode.Options) { o.Publish = true })
	if res.err != nil || len(f.srv.PullRequests()) != 1 {
		t.Errorf("rollback --publish: %v, %d pull request(s)", res.err, len(f.srv.PullRequests()))
	}
}

func TestRollbackConflictChangesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	first := f.upgradeOnMain("4.4.0", "4.5.0")
	second := f.upgradeOnMain("4.5.0", "4.6.0")

	res := f.run("rollback", "workflow_dispatch", map[string]string{"HUBFLEET_COMMIT": first}, nil)
	var ce *gitrepo.ConflictError
	if !errors.As(res.err, &ce) || res.exit != 2 {
		t.Fatalf("rollback err = %v (exit %d), want a *ConflictError", res.err, res.exit)
	}
	a := res.annotated(report.LevelError, "bases/daskhub/fleet.yaml", "hubfleet: rollback conflict")
	if a == nil {
		t.Errorf("no conflict annotation on bases/daskhub/fleet.yaml: %+v", res.annotations)
	}
	if head := gittest.Run(t, f.work, "rev-parse", "HEAD"); head != second {
		t.Errorf("HEAD = %s, want %s", head, second)
	}
	if st := gittest.Run(t, f.work, "status", "--porcelain"); st != "" {
		t.Errorf("work tree left dirty:\n%s", st)
	}
	if !strings.Contains(res.summary, "Nothing was changed") {
		t.Errorf("summary = %q", res.summary)
	}
	if len(f.srv.Requests()) != 0 {
		t.Errorf("API calls after a conflict: %v", f.srv.Calls())
	}
}

func TestRollbackPushToMain(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		allow   bool
		wantErr string
	}{
		{name: "refused when the fleet does not allow it", allow: false, wantErr: "spec.git.allowPushToMain"},
		{name: "pushed when the fleet allows it", allow: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			if tt.allow {
				f.replace(f.work, "bases/daskhub/fleet.yaml", "allowPushToMain: false", "allowPushToMain: true")
				gittest.Run(t, f.work, "commit", "--quiet", "-am", "Allow rollbacks straight to main")
			}
			before := gittest.Run(t, f.work, "rev-parse", "HEAD")
			upgraded := f.upgradeOnMain("4.4.0", "4.5.0")
			res := f.run("rollback", "workflow_dispatch", map[string]string{"HUBFLEET_SITE": "pangeo-azure", "HUBFLEET_PUSH_TO_MAIN": "true"}, nil)
			main := gittest.Run(t, f.remote, "rev-parse", "main")
			if tt.wantErr != "" {
				if res.err == nil || !strings.Contains(res.err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", res.err, tt.wantErr)
				}
				if main != upgraded {
					t.Errorf("main moved despite the refusal")
				}
				return
			}
			if res.err != nil {
				t.Fatalf("rollback: %v", res.err)
			}
			if res.outputs["commit"] != main || gittest.Run(t, f.remote, "rev-parse", "main^") != upgraded {
				t.Errorf("revert not pushed on top of main: outputs %v", res.outputs)
			}
			if d := gittest.Run(t, f.remote, "diff", before, "main", "--", "overlays/"); d != "" {
				t.Errorf("overlays differ from before the change:\n%s", d)
			}
			if len(f.srv.PullRequests()) != 0 {
				t.Errorf("a pull request was opened")
			}
		})
	}
}

func TestRollbackNeedsSiteOrCommit(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, in := range []map[string]string{
		{},
		{"HUBFLEET_SITE": "egi-dev", "HUBFLEET_COMMIT": "HEAD"},
		{"HUBFLEET_SITE": "egi-dev,egi-pangeo"},
	} {
		res := f.run("rollback", "workflow_dispatch", in, nil)
		if res.exit != 2 {
			t.Errorf("inputs %v: exit %d (%v), want 2", in, res.exit, res.err)
		}
	}
}
