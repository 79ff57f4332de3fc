package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hubfleet/hubfleet/internal/actionmode"
	"github.com/hubfleet/hubfleet/internal/flowtest"
	"github.com/hubfleet/hubfleet/internal/github/githubtest"
	"github.com/hubfleet/hubfleet/internal/gittest"
	"github.com/hubfleet/hubfleet/internal/report/reporttest"
)

// The tests in this file run each flow through both front-ends, the
// command a user types (run) and the GitHub Action mode (actionmode.Run,
// with the production wiring of `hubfleet action` and a fake GitHub API
// that answers as GitHub documents), on the same fixture: a real git
// repository pushed to a bare remote. They compare what both decide and
// write.

const actionToken = "ghs_frontEndTestToken0123456789"

// actionResult is what one Action run left behind.
type actionResult struct {
	err     error
	exit    int
	log     string
	outputs map[string]string
	summary string
}

// pullRequest is the pull request a plan runs on.
type pullRequest struct {
	labels []string
	body   string
}

// runAction runs an Action mode in dir with the environment a GitHub
// Actions runner and action.yml give it. pr, when set, makes the run a
// pull_request event with that pull request (number 7).
func runAction(t *testing.T, dir string, srv *githubtest.Server, mode string, pr *pullRequest, inputs map[string]string) actionResult {
	t.Helper()
	return runActionWith(t, dir, srv, mode, pr, inputs, nil)
}

// runActionWith is runAction with the Action's options edited by edit
// (when not nil) before the run: what a runner's environment gives both
// front-ends alike, such as how the verifier reaches the sites.
func runActionWith(t *testing.T, dir string, srv *githubtest.Server, mode string, pr *pullRequest, inputs map[string]string, edit func(*actionmode.Options)) actionResult {
	t.Helper()
	tmp := t.TempDir()
	outFile, summaryFile := filepath.Join(tmp, "output"), filepath.Join(tmp, "summary")
	env := map[string]string{
		"GITHUB_ACTIONS":        "true",
		"GITHUB_OUTPUT":         outFile,
		"GITHUB_STEP_SUMMARY":   summaryFile,
		"GITHUB_REPOSITORY":     "fleet/hubs",
		"GITHUB_API_URL":        strings.TrimSuffix(srv.URL(), "/"),
		"GITHUB_SERVER_URL":     "https://github.com",
		"GITHUB_RUN_ID":         "4242",
		"GITHUB_EVENT_NAME":     "workflow_dispatch",
		"GITHUB_SHA":            gittest.Run(t, dir, "rev-parse", "HEAD"),
		"GITHUB_REF_NAME":       "main",
		"GITHUB_WORKSPACE":      dir,
		"HUBFLEET_GITHUB_TOKEN": actionToken,
		"RUNNER_TEMP":           tmp,
	}
	if pr != nil {
		labels := []map[string]string{}
		for _, l := range pr.labels {
			labels = append(labels, map[string]string{"name": l})
		}
		ev, err := json.Marshal(map[string]any{"number": 7, "pull_request": map[string]any{
			"number": 7, "body": pr.body, "labels": labels, "base": map[string]string{"ref": "main"}}})
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(tmp, "event.json")
		if err := os.WriteFile(p, ev, 0o644); err != nil {
			t.Fatal(err)
		}
		env["GITHUB_EVENT_NAME"], env["GITHUB_EVENT_PATH"], env["GITHUB_BASE_REF"], env["GITHUB_REF_NAME"] = "pull_request", p, "main", "7/merge"
	}
	for k, v := range inputs {
		env[k] = v
	}
	var log bytes.Buffer
	deps := defaultActionDeps()
	opts := actionmode.DefaultOptions()
	opts.Root, opts.Stdout = dir, &log
	opts.Getenv = func(k string) string { return env[k] }
	opts.Upgrader, opts.Verifier = deps.upgrader, deps.verifier
	opts.Git.Env = gittest.Isolated
	opts.GitHub.Sleep = func(context.Context, time.Duration) error { return nil }
	if edit != nil {
		edit(&opts)
	}
	err := actionmode.Run(context.Background(), mode, opts)
	res := actionResult{err: err, exit: actionmode.ExitCode(err), log: log.String()}
	if b, err := os.ReadFile(outFile); err == nil {
		if res.outputs, err = reporttest.ParseOutputs(string(b)); err != nil {
			t.Fatal(err)
		}
	}
	if b, err := os.ReadFile(summaryFile); err == nil {
		res.summary = string(b)
	}
	return res
}

// prBranch makes a pull request branch in the work tree: change, render,
// commit.
func prBranch(t *testing.T, r *flowtest.Repo, change func(r *flowtest.Repo)) {
	t.Helper()
	r.Git("switch", "--quiet", "--create", "change")
	change(r)
	r.Render(r.Work)
	r.Git("add", "-A")
	r.Git("commit", "--quiet", "-m", "The change")
}

// TestPlanThroughBothFrontEnds plans the same pull requests with
// `hubfleet plan -o markdown` and the Action's plan mode: the plan both
// print is the same, and so is each site's decision (the CLI reports a
// site removal, the Action also asks the pull request to confirm it).
func TestPlanThroughBothFrontEnds(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	tests := []struct {
		name   string
		charts bool
		change func(r *flowtest.Repo)
		pr     pullRequest
		// wantCLI and wantAction are the exit codes.
		wantCLI, wantAction int
		wantFailed          string
		wantInPlan          []string
	}{
		{
			name:   "a site change, charts rendered",
			charts: true,
			change: func(r *flowtest.Repo) {
				r.Replace(r.Work, "clusters/egi-dev/site.yaml", "limit: 8G", "limit: 16G")
			},
			wantInPlan: []string{"egi-dev", "16G"},
		},
		{
			name: "a daskhub to composed mode switch",
			change: func(r *flowtest.Repo) {
				r.Replace(r.Work, "clusters/egi-dev/site.yaml", "  singleuser:\n", "  chart:\n    mode: composed\n  singleuser:\n")
			},
			wantInPlan: []string{"release-switch", "site egi-dev switches from the daskhub umbrella chart to composed mode: release daskhub (chart daskhub) is uninstalled and dask-gateway (chart dask-gateway) and jupyterhub (chart jupyterhub) installed new",
				"including the PersistentVolumeClaim hub-db-dir (the hub database)"},
		},
		{
			name: "a site removal without confirmation",
			change: func(r *flowtest.Repo) {
				r.Git("rm", "--quiet", "-r", "clusters/egi-dev")
			},
			wantCLI: 1, wantAction: 1, wantFailed: "egi-dev",
			wantInPlan: []string{"site-removal", "site egi-dev is removed: Flux prunes what its overlay applied"},
		},
		{
			name: "a site removal confirmed by the label",
			change: func(r *flowtest.Repo) {
				r.Git("rm", "--quiet", "-r", "clusters/egi-dev")
			},
			pr:         pullRequest{labels: []string{"hubfleet/remove-site"}},
			wantInPlan: []string{"site egi-dev is removed"},
		},
		{
			name: "a site removal confirmed in the description",
			change: func(r *flowtest.Repo) {
				r.Git("rm", "--quiet", "-r", "clusters/egi-dev")
			},
			pr:         pullRequest{body: "Retire the dev hub.\n\nhubfleet: remove egi-dev\n"},
			wantInPlan: []string{"site egi-dev is removed"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := flowtest.New(t)
			if tt.charts {
				r.ServeCharts([]string{"4.4.0"})
			}
			prBranch(t, r, tt.change)
			charts := "--charts=" + map[bool]string{true: "true", false: "false"}[tt.charts]
			args := []string{"plan", "--root", r.Work, "--base", "main", "-o", "markdown", charts}
			if len(tt.pr.labels)+len(tt.pr.body) > 0 {
				// The terminal's confirmation of what the pull request
				// confirms.
				args = append(args, "--confirm-removal", "egi-dev")
			}
			cli := hubfleet(t, "", args...)
			if cli.code != tt.wantCLI {
				t.Fatalf("hubfleet plan: exit %d, want %d\n%s%s", cli.code, tt.wantCLI, cli.stdout, cli.stderr)
			}
			srv := githubtest.NewServer(t, "fleet", "hubs", actionToken)
			act := runAction(t, r.Work, srv, "plan", &tt.pr, map[string]string{"HUBFLEET_PLAN_CHARTS": strings.TrimPrefix(charts, "--charts=")})
			if act.exit != tt.wantAction {
				t.Fatalf("action plan: exit %d (%v), want %d\n%s", act.exit, act.err, tt.wantAction, act.log)
			}
			if got := act.outputs["failed-sites"]; got != tt.wantFailed {
				t.Errorf("failed-sites = %q, want %q", got, tt.wantFailed)
			}
			// The same plan: the Action's artifact is the CLI's Markdown,
			// byte for byte; both were masked by the flow, once.
			raw, err := os.ReadFile(act.outputs["plan-file"])
			if err != nil {
				t.Fatalf("plan file: %v\n%s", err, act.log)
			}
			full := string(raw)
			if diff := cmp.Diff(cli.stdout, full); diff != "" {
				t.Errorf("the Action's plan differs from the CLI's (-cli +action):\n%s", diff)
			}
			for _, w := range tt.wantInPlan {
				if !strings.Contains(cli.stdout, w) || !strings.Contains(full, w) {
					t.Errorf("a plan lacks %q:\ncli:\n%s\naction:\n%s", w, cli.stdout, full)
				}
			}
			// The comment is made from the same plan.
			if cs := srv.Comments(7); len(cs) != 1 || !strings.Contains(cs[0].Body, tt.wantInPlan[0]) {
				t.Errorf("plan comment = %+v, want one naming %q", cs, tt.wantInPlan[0])
			}
		})
	}
}

// TestUpgradeThroughBothFrontEnds upgrades two clones of the same fleet:
// `hubfleet upgrade` writes the files in one, the Action's upgrade mode
// commits and pushes them to hubfleet/upgrade from the other. Both write
// the same files with the same content, and decide the same rollout.
func TestUpgradeThroughBothFrontEnds(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	tests := []struct {
		name      string
		prepare   func(r *flowtest.Repo)
		wantTitle string
	}{
		{
			name:      "a canary for the first waves that run the chart",
			wantTitle: "Upgrade jupyterhub 4.4.0 → 4.5.0 on waves 0–1",
		},
		{
			name: "every site at once",
			prepare: func(r *flowtest.Repo) {
				r.Replace(r.Work, "bases/daskhub/fleet.yaml", "rollout:\n    waves: true", "rollout:\n    waves: false")
				r.Commit("No waves")
			},
			wantTitle: "Upgrade jupyterhub 4.4.0 → 4.5.0",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := flowtest.New(t)
			r.ServeCharts([]string{"4.4.0", "4.5.0"})
			if tt.prepare != nil {
				tt.prepare(r)
			}
			cliDir := r.Clone()
			cli := hubfleet(t, "", "upgrade", "--root", cliDir, "--base", "main")
			if cli.code != exitOK {
				t.Fatalf("hubfleet upgrade: exit %d\n%s%s", cli.code, cli.stdout, cli.stderr)
			}
			srv := githubtest.NewServer(t, "fleet", "hubs", actionToken)
			act := runAction(t, r.Work, srv, "upgrade", nil, nil)
			if act.err != nil {
				t.Fatalf("action upgrade: %v\n%s", act.err, act.log)
			}
			prs := srv.PullRequests()
			if len(prs) != 1 || prs[0].Title != tt.wantTitle {
				t.Fatalf("pull requests = %+v, want one titled %q", prs, tt.wantTitle)
			}
			// The same files, byte for byte: the CLI's work tree against
			// main, and the Action's pushed branch against main.
			gittest.Run(t, cliDir, "add", "-A")
			cliDiff := gittest.Run(t, cliDir, "diff", "--cached", "main")
			actDiff := gittest.Run(t, r.Remote, "diff", "main", "hubfleet/upgrade")
			if cliDiff == "" {
				t.Fatal("hubfleet upgrade changed nothing")
			}
			if diff := cmp.Diff(cliDiff, actDiff); diff != "" {
				t.Errorf("the Action committed other changes than the CLI wrote (-cli +action):\n%s", diff)
			}
			// The same decision, in the same words for each site: the
			// CLI's chart line is the pull request's row.
			for _, sc := range []string{"egi-cesnet", "heliocloud-aws", "pangeo-azure"} {
				line := lineWith(cli.stdout, "  "+sc+": ")
				row := "| `" + sc + "` | changed: " + strings.TrimPrefix(line, "  "+sc+": ") + ":"
				if line == "" || !strings.Contains(prs[0].Body, row) {
					t.Errorf("site %s: the CLI says %q, the pull request:\n%s", sc, line, prs[0].Body)
				}
			}
		})
	}
}

// TestRollbackThroughBothFrontEnds rolls back the same change:
// `hubfleet rollback` shows it and changes nothing, with --apply commits
// the revert locally, and the Action pushes a branch and opens a pull
// request. Both revert to the same tree, under the same title, and the
// terminal pushes nothing.
func TestRollbackThroughBothFrontEnds(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		input map[string]string
	}{
		{name: "a site's last change", args: []string{"--site", "heliocloud-aws"}, input: map[string]string{"HUBFLEET_SITE": "heliocloud-aws"}},
		{name: "a commit", args: []string{"--commit", "HEAD"}, input: map[string]string{"HUBFLEET_COMMIT": "HEAD"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := flowtest.New(t)
			before := r.Git("rev-parse", "HEAD")
			r.Replace(r.Work, "bases/daskhub/fleet.yaml", "chart: jupyterhub\n      version: 4.4.0", "chart: jupyterhub\n      version: 4.5.0")
			r.Commit("Upgrade jupyterhub to 4.5.0")
			remoteHead := gittest.Run(t, r.Remote, "for-each-ref")

			cliDir := r.Clone()
			head := gittest.Run(t, cliDir, "rev-parse", "HEAD")
			show := hubfleet(t, "", append([]string{"rollback", "--root", cliDir, "--charts=false"}, tt.args...)...)
			if show.code != exitOK || !strings.Contains(show.stdout, `Roll back `) || !strings.Contains(show.stdout, "jupyterhub 4.5.0 -> 4.4.0") {
				t.Fatalf("hubfleet rollback: exit %d\n%s%s", show.code, show.stdout, show.stderr)
			}
			if st := gittest.Run(t, cliDir, "status", "--porcelain"); st != "" || gittest.Run(t, cliDir, "rev-parse", "HEAD") != head {
				t.Errorf("hubfleet rollback without --apply changed the checkout:\n%s", st)
			}
			apply := hubfleet(t, "", append([]string{"rollback", "--root", cliDir, "--charts=false", "--apply"}, tt.args...)...)
			if apply.code != exitOK {
				t.Fatalf("hubfleet rollback --apply: exit %d\n%s%s", apply.code, apply.stdout, apply.stderr)
			}
			if got := gittest.Run(t, r.Remote, "for-each-ref"); got != remoteHead {
				t.Errorf("a terminal rollback changed the remote:\n%s\nwas\n%s", got, remoteHead)
			}

			srv := githubtest.NewServer(t, "fleet", "hubs", actionToken)
			in := map[string]string{"HUBFLEET_PLAN_CHARTS": "false"}
			for k, v := range tt.input {
				in[k] = v
			}
			act := runAction(t, r.Work, srv, "rollback", nil, in)
			if act.err != nil {
				t.Fatalf("action rollback: %v\n%s", act.err, act.log)
			}
			prs := srv.PullRequests()
			if len(prs) != 1 {
				t.Fatalf("pull requests = %+v", prs)
			}
			// The same title, and the same tree: the one before the change.
			if title := strings.SplitN(show.stdout, "\n", 2)[0]; prs[0].Title != title {
				t.Errorf("pull request %q, the CLI says %q", prs[0].Title, title)
			}
			cliTree := gittest.Run(t, cliDir, "rev-parse", "HEAD^{tree}")
			actTree := gittest.Run(t, r.Remote, "rev-parse", prs[0].Head.Ref+"^{tree}")
			if cliTree != actTree {
				t.Errorf("the CLI reverted to tree %s, the Action to %s", cliTree, actTree)
			}
			if d := gittest.Run(t, cliDir, "diff", before, "HEAD", "--", "overlays/", "bases/"); d != "" {
				t.Errorf("the revert differs from before the change:\n%s", d)
			}
			if !strings.Contains(prs[0].Body, "jupyterhub 4.5.0 -> 4.4.0") {
				t.Errorf("the pull request lacks the plan's line:\n%s", prs[0].Body)
			}
		})
	}
}

func lineWith(s, prefix string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}

// TestPlanCallsAModeSwitchAOneWayDoor switches a site from the daskhub
// umbrella to composed mode and back: `hubfleet plan` names each switch a
// one-way door in text and JSON, and a site that keeps its mode has none.
func TestPlanCallsAModeSwitchAOneWayDoor(t *testing.T) {
	t.Parallel()
	r := flowtest.New(t)
	r.Replace(r.Work, "clusters/egi-dev/site.yaml", "  singleuser:\n", "  chart:\n    mode: composed\n  singleuser:\n")
	r.Render(r.Work)
	text := hubfleet(t, "", "plan", "--root", r.Work, "--base", "main", "--charts=false")
	if text.code != exitOK || !strings.Contains(text.stdout, "site egi-dev switches from the daskhub umbrella chart to composed mode") {
		t.Fatalf("plan: exit %d\n%s%s", text.code, text.stdout, text.stderr)
	}
	r.Git("add", "-A")
	r.Git("commit", "--quiet", "-m", "egi-dev composed")
	r.Replace(r.Work, "clusters/egi-dev/site.yaml", "  chart:\n    mode: composed\n", "")
	r.Replace(r.Work, "clusters/egi-pangeo/site.yaml", "limit: 4G", "limit: 6G")
	r.Render(r.Work)
	js := hubfleet(t, "", "plan", "--root", r.Work, "--base", "HEAD", "--charts=false", "-o", "json")
	if js.code != exitOK {
		t.Fatalf("plan -o json: exit %d\n%s", js.code, js.stderr)
	}
	var p struct {
		Sites []struct {
			Site        string `json:"site"`
			OneWayDoors []struct {
				Kind, Detail string
			} `json:"oneWayDoors"`
		} `json:"sites"`
	}
	if err := json.Unmarshal([]byte(js.stdout), &p); err != nil {
		t.Fatal(err)
	}
	doors := map[string][]string{}
	for _, s := range p.Sites {
		for _, d := range s.OneWayDoors {
			doors[s.Site] = append(doors[s.Site], d.Kind+": "+d.Detail[:strings.Index(d.Detail, ":")])
		}
	}
	want := map[string][]string{"egi-dev": {"release-switch: site egi-dev switches from composed mode to the daskhub umbrella chart"}}
	if diff := cmp.Diff(want, doors); diff != "" {
		t.Errorf("one-way doors (-want +got):\n%s", diff)
	}
}
