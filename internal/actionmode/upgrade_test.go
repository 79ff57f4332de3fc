package actionmode_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubfleet/hubfleet/internal/actionmode"
	"github.com/hubfleet/hubfleet/internal/gitrepo"
	"github.com/hubfleet/hubfleet/internal/gittest"
	"github.com/hubfleet/hubfleet/internal/plan"
	"github.com/hubfleet/hubfleet/internal/upgrade"
	"github.com/hubfleet/hubfleet/internal/workspace"
	"github.com/hubfleet/hubfleet/internal/writeset"
)

// pinUpgrader moves the fleet's jupyterhub pin to target and re-renders
// with the real renderer, without a chart repository: it tests the
// upgrade mode's branch, commit and pull request handling; the chart
// upgrader itself is tested in upgrader_test.go.
type pinUpgrader struct {
	target string
	git    gitrepo.Options
}

var jupyterhubPin = regexp.MustCompile(`(?m)(chart: jupyterhub\n\s+version: )(\S+)`)

func (u pinUpgrader) Run(ctx context.Context, req upgrade.Request) (*upgrade.Result, error) {
	root := req.Workspace.Root
	p := filepath.Join(root, "bases", "daskhub", "fleet.yaml")
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	m := jupyterhubPin.FindSubmatch(data)
	if m == nil {
		return nil, fmt.Errorf("no jupyterhub pin in %s", p)
	}
	from := string(m[2])
	if u.target == "" || from == u.target {
		return &upgrade.Result{}, nil
	}
	data = jupyterhubPin.ReplaceAll(data, []byte("${1}"+u.target))
	if err := os.WriteFile(p, data, 0o644); err != nil {
		return nil, err
	}
	ws, err := workspace.Load(ctx, root, workspace.Options{})
	if err != nil {
		return nil, err
	}
	_, changes, err := ws.Render(ctx, nil)
	if err != nil {
		return nil, err
	}
	if err := writeset.Apply(root, changes); err != nil {
		return nil, err
	}
	repo, err := gitrepo.Open(ctx, root, u.git)
	if err != nil {
		return nil, err
	}
	// The overlay plan: the test fleet's chart repositories are not served.
	if ws, err = workspace.Load(ctx, root, workspace.Options{}); err != nil {
		return nil, err
	}
	pr, err := plan.Run(ctx, repo, plan.Request{Workspace: ws, Base: "main"})
	if err != nil {
		return nil, err
	}
	pl := pr.Plan
	return &upgrade.Result{
		Versions: []upgrade.VersionChange{{Chart: "jupyterhub", From: from, To: u.target, ChangelogURL: "https://z2jh.jupyter.org/en/stable/changelog.html"}},
		Plan:     pl,
	}, nil
}

func TestUpgradeOpensThenUpdatesOnePullRequest(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	upgrade := func(target string) result {
		t.Helper()
		return f.run("upgrade", "schedule", nil, func(o *actionmode.Options) {
			o.Upgrader = pinUpgrader{target: target, git: o.Git}
		})
	}
	branchTip := func() string { return gittest.Run(t, f.remote, "rev-parse", "hubfleet/upgrade") }

	res := upgrade("4.5.0")
	if res.err != nil {
		t.Fatalf("upgrade: %v\n%s", res.err, res.log)
	}
	first := branchTip()
	want := map[string]string{"changed": "true", "commit": first, "sites": allSites,
		"pull-request-number": "1", "pull-request-url": "https://github.com/fleet/hubs/pull/1"}
	if diff := cmp.Diff(want, res.outputs); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}
	prs := f.srv.PullRequests()
	if len(prs) != 1 {
		t.Fatalf("pull requests = %d", len(prs))
	}
	pr := prs[0]
	if pr.Title != "Upgrade jupyterhub 4.4.0 → 4.5.0" || pr.Head.Ref != "hubfleet/upgrade" || pr.Base.Ref != "main" {
		t.Errorf("pull request = %+v", pr)
	}
	for _, s := range []string{
		"| `jupyterhub` | 4.4.0 | 4.5.0 | [changes](https://z2jh.jupyter.org/en/stable/changelog.html) |",

		"| `heliocloud-aws` | changed: jupyterhub 4.4.0 -> 4.5.0: 1 file(s), 0 chart object(s) |",
		"| `egi-dev` | unchanged |",
	} {
		if !strings.Contains(pr.Body, s) {
			t.Errorf("PR body lacks %q:\n%s", s, pr.Body)
		}
	}
	if got := gittest.Run(t, f.remote, "diff", "--name-only", "main...hubfleet/upgrade"); got != "bases/daskhub/fleet.yaml\noverlays/egi-cesnet/helmrelease-jupyterhub.yaml\noverlays/heliocloud-aws/helmrelease-jupyterhub.yaml\noverlays/pangeo-azure/helmrelease-jupyterhub.yaml" {
		t.Errorf("branch changes = %q", got)
	}

	// Nothing new: nothing pushed, the pull request left as it is.
	calls := len(f.srv.Requests())
	res = upgrade("4.5.0")
	if res.err != nil {
		t.Fatalf("second upgrade: %v", res.err)
	}
	if res.outputs["changed"] != "false" || branchTip() != first {
		t.Errorf("second run changed something: outputs %v, tip %s (was %s)", res.outputs, branchTip(), first)
	}
	if diff := cmp.Diff([]string{"GET repos/fleet/hubs/pulls"}, f.srv.Calls()[calls:]); diff != "" {
		t.Errorf("second run API calls (-want +got):\n%s", diff)
	}

	// A newer version updates the same pull request, fast-forwarding the
	// branch.
	calls = len(f.srv.Requests())
	res = upgrade("4.6.0")
	if res.err != nil {
		t.Fatalf("third upgrade: %v", res.err)
	}
	if parents := gittest.Run(t, f.remote, "log", "-1", "--format=%P", "hubfleet/upgrade"); !strings.HasPrefix(parents, first+" ") {
		t.Errorf("branch was not fast-forwarded from %s: parents %s", first, parents)
	}
	if diff := cmp.Diff([]string{"GET repos/fleet/hubs/pulls", "PATCH repos/fleet/hubs/pulls/1"}, f.srv.Calls()[calls:]); diff != "" {
		t.Errorf("third run API calls (-want +got):\n%s", diff)
	}
	prs = f.srv.PullRequests()
	if len(prs) != 1 || prs[0].Title != "Upgrade jupyterhub 4.4.0 → 4.6.0" {
		t.Errorf("pull requests = %+v", prs)
	}
	if res.outputs["pull-request-number"] != "1" || res.outputs["changed"] != "true" {
		t.Errorf("outputs = %v", res.outputs)
	}

	// No newer version at all.
	calls = len(f.srv.Requests())
	res = upgrade("")
	if res.err != nil || res.outputs["changed"] != "false" || len(f.srv.Requests()) != calls {
		t.Errorf("no-op upgrade: err %v, outputs %v, calls %v", res.err, res.outputs, f.srv.Calls()[calls:])
	}
}
