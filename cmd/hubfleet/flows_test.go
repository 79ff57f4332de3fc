package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/hubfleet/hubfleet/internal/actionmode"
	"github.com/hubfleet/hubfleet/internal/chart/chartrepotest"
	"github.com/hubfleet/hubfleet/internal/flowtest"
	"github.com/hubfleet/hubfleet/internal/github/githubtest"
	"github.com/hubfleet/hubfleet/internal/gittest"
	"github.com/hubfleet/hubfleet/internal/targets"
	"github.com/hubfleet/hubfleet/internal/verify"
)

// The flows, in the order TestEveryFlowThroughBothFrontEnds runs them on
// each fixture: plan, validate and render on the pull request's branch,
// then, with the change merged, upgrade, rollback (of the change) and
// verify. validate has no Action mode (the Action's render validates).
var everyFlow = []string{"plan", "validate", "render", "upgrade", "rollback", "verify"}

// baseSecret is a client secret an earlier, unguarded commit put into the
// base branch's overlay: no output of any flow may hold it.
const baseSecret = "Qv7rT2mXw9LpZs4KbN8dHc3F"

// flowFixture is one fleet change, run through every flow.
type flowFixture struct {
	name string
	// extra are charts served besides jupyterhub 4.4.0 and 4.5.0.
	extra []chartrepotest.Chart
	// base commits on main before the change, when set.
	base func(t *testing.T, r *flowtest.Repo)
	// change edits the work tree: the pull request.
	change func(r *flowtest.Repo)
	// exit is each flow's exit code, the same through both front-ends.
	exit map[string]int
	// failed are the sites the plan fails.
	failed []string
	// inPlan are in the plan both front-ends print; inRender in what
	// both front-ends' render says; inValidate in what validate says;
	// inUpgrade in what both front-ends' upgrade says.
	inPlan, inRender, inValidate, inUpgrade []string
}

// TestEveryFlowThroughBothFrontEnds runs every flow (plan, render,
// upgrade, rollback, verify) through the command a user types and the
// GitHub Action mode, on the same fixtures, and compares what both decide
// (exit code, failing sites) and write (the plan, the rendered and
// upgraded files, the reverted tree), with no re-masking and no exception
// for either front-end. The charts are the test charts, served from a
// chart repository on loopback.
func TestEveryFlowThroughBothFrontEnds(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	fixtures := []flowFixture{
		{
			// egi-dev's host is not a host name; pangeo-azure sets a value
			// the jupyterhub chart's schema refuses; egi-pangeo changes.
			name: "an invalid site",
			change: func(r *flowtest.Repo) {
				r.Replace(r.Work, "clusters/egi-dev/site.yaml", "host: ", "host: 'not a host' #")
				r.Replace(r.Work, "clusters/pangeo-azure/site.yaml", "  secrets:\n", "  values:\n    jupyterhub:\n      singelser: {}\n  secrets:\n")
				r.Replace(r.Work, "clusters/egi-pangeo/site.yaml", "limit: 4G", "limit: 6G")
			},
			inRender:   []string{"spec.host", "spec.values.jupyterhub.singelser"},
			inValidate: []string{"spec.host", "spec.values.jupyterhub.singelser"},
			exit:       map[string]int{"validate": exitProblems, "plan": exitProblems, "render": exitProblems, "upgrade": exitProblems, "rollback": exitProblems, "verify": exitProblems},
			// plan renders pangeo-azure's chart with its values: the chart's
			// schema refuses them there too.
			failed: []string{"egi-dev", "pangeo-azure"},
			inPlan: []string{"| `egi-dev` | problem (unchanged) |", "| `egi-pangeo` | changed |", "singelser"},
		},
		{
			// The base's overlay holds a literal client secret (committed
			// before the guard); the change re-renders it away.
			name: "a secret committed in the base",
			base: func(t *testing.T, r *flowtest.Repo) {
				const p = "overlays/egi-pangeo/helmrelease-daskhub.yaml"
				s := r.Read(r.Work, p)
				i := strings.Index(s, "\n  values:\n")
				if i < 0 {
					t.Fatalf("%s has no values", p)
				}
				r.Write(r.Work, p, s[:i]+"\n  values:\n    jupyterhub:\n      hub:\n        config:\n          GenericOAuthenticator:\n            client_secret: "+baseSecret+s[i+len("\n  values:"):])
				r.Git("commit", "--quiet", "-am", "A secret, by hand")
				r.Git("push", "--quiet", "origin", "main")
			},
			change: func(r *flowtest.Repo) {
				r.Replace(r.Work, "clusters/egi-pangeo/site.yaml", "limit: 4G", "limit: 6G")
			},
			exit:   map[string]int{"validate": exitOK, "plan": exitOK, "render": exitOK, "upgrade": exitOK, "rollback": exitOK, "verify": exitProblems},
			inPlan: []string{"-            client_secret: '[redacted]'"},
		},
		{
			// The README's removal, step 1: the site file goes.
			name: "a site removal",
			change: func(r *flowtest.Repo) {
				r.Git("rm", "--quiet", "-r", "clusters/egi-dev")
			},
			exit:   map[string]int{"validate": exitOK, "plan": exitProblems, "render": exitOK, "upgrade": exitOK, "rollback": exitOK, "verify": exitError},
			failed: []string{"egi-dev"},
			inPlan: []string{"site egi-dev is removed: Flux prunes what its overlay applied"},
		},
		{
			// jupyterhub 4.6.0 is not in the repository.
			name: "a chart version that does not exist",
			change: func(r *flowtest.Repo) {
				r.Replace(r.Work, "bases/daskhub/fleet.yaml", "chart: jupyterhub\n      version: 4.4.0", "chart: jupyterhub\n      version: 4.6.0")
			},
			// validate, render, plan and upgrade give one verdict: the pin
			// is a problem, named with the versions the repository has and
			// one to set; upgrade does not skip past it. Reverting the
			// change is a fix.
			exit:       map[string]int{"validate": exitProblems, "plan": exitProblems, "render": exitProblems, "upgrade": exitProblems, "rollback": exitOK, "verify": exitProblems},
			failed:     []string{"egi-cesnet", "heliocloud-aws", "pangeo-azure"},
			inPlan:     []string{`chart jupyterhub version "4.6.0" is not in repository`, missingPinHas},
			inRender:   []string{missingPin, missingPinHas, missingPinFix},
			inValidate: []string{missingPin, missingPinHas, missingPinFix},
			inUpgrade:  []string{missingPin, missingPinHas, missingPinFix},
		},
		{
			// jupyterhub 4.8.7 is served, and neither hubfleet's catalog
			// nor the fleet file has its facts.
			name:  "a version the catalog does not know",
			extra: []chartrepotest.Chart{{Dir: chartrepotest.Dir("jupyterhub"), Version: "4.8.7"}},
			change: func(r *flowtest.Repo) {
				r.Replace(r.Work, "bases/daskhub/fleet.yaml", "chart: jupyterhub\n      version: 4.4.0", "chart: jupyterhub\n      version: 4.8.7")
			},
			// Rendered with assumed facts, and said so: validate and render
			// warn, nothing fails; upgrade finds nothing above 4.8.7.
			exit:       map[string]int{"validate": exitOK, "plan": exitOK, "render": exitOK, "upgrade": exitOK, "rollback": exitOK, "verify": exitProblems},
			failed:     []string{},
			inPlan:     []string{"jupyterhub 4.4.0 -> 4.8.7"},
			inRender:   []string{"site egi-cesnet: jupyterhub chart 4.8.7 is not in hubfleet's chart catalog"},
			inValidate: []string{"site egi-cesnet: jupyterhub chart 4.8.7 is not in hubfleet's chart catalog"},
		},
	}
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			r := flowtest.New(t)
			r.ServeCharts([]string{"4.4.0", "4.5.0"}, fx.extra...)
			if fx.base != nil {
				fx.base(t, r)
			}
			// change-raw is the change as committed, not rendered; change
			// is the pull request, rendered (its valid sites).
			r.Git("switch", "--quiet", "--create", "change-raw")
			fx.change(r)
			r.Git("add", "-A")
			r.Git("commit", "--quiet", "-m", "The change, not rendered")
			r.Git("push", "--quiet", "origin", "change-raw")
			r.Git("switch", "--quiet", "--create", "change")
			r.RenderValid(r.Work)
			r.Git("add", "-A")
			r.Git("commit", "--quiet", "--allow-empty", "-m", "The change")
			r.Git("push", "--quiet", "origin", "change")
			srv := githubtest.NewServer(t, "fleet", "hubs", actionToken)

			var outputs []string // everything either front-end printed or published
			check := func(flow string, cli result, act actionResult) {
				t.Helper()
				// The runner consumes ::add-mask:: lines: they register the
				// values it masks, and never show.
				log := strings.Join(slices.DeleteFunc(strings.Split(act.log, "\n"), func(l string) bool { return strings.HasPrefix(l, "::add-mask::") }), "\n")
				outputs = append(outputs, cli.stdout, cli.stderr, log, act.summary)
				for _, v := range act.outputs {
					outputs = append(outputs, v)
				}
				if cli.code != act.exit {
					t.Errorf("%s: the CLI exits %d, the Action %d (%v)\ncli:\n%s%s\naction:\n%s", flow, cli.code, act.exit, act.err, cli.stdout, cli.stderr, act.log)
				}
				if want := fx.exit[flow]; cli.code != want {
					t.Errorf("%s: exit %d, want %d\ncli:\n%s%s", flow, cli.code, want, cli.stdout, cli.stderr)
				}
			}

			// plan: the pull request.
			cli := hubfleet(t, "", "plan", "--root", r.Work, "--base", "main", "-o", "markdown")
			js := hubfleet(t, "", "plan", "--root", r.Work, "--base", "main", "-o", "json")
			act := runAction(t, r.Work, srv, "plan", &pullRequest{}, nil)
			check("plan", cli, act)
			ym := hubfleet(t, "", "plan", "--root", r.Work, "--base", "main", "-o", "yaml")
			if js.code != cli.code || ym.code != cli.code {
				t.Errorf("plan -o json exits %d, -o yaml %d, -o markdown %d", js.code, ym.code, cli.code)
			}
			var doc map[string]any
			err := yaml.Unmarshal([]byte(ym.stdout), &doc)
			if ySites, _ := doc["sites"].([]any); err != nil || len(ySites) != len(p0Sites(t, js.stdout)) {
				t.Errorf("plan -o yaml does not parse or lists other sites than -o json (%v):\n%s", err, ym.stdout)
			}
			outputs = append(outputs, ym.stdout)
			if raw, err := os.ReadFile(act.outputs["plan-file"]); err != nil {
				t.Errorf("plan: the Action wrote no plan file (%v)\n%s", err, act.log)
			} else if diff := cmp.Diff(cli.stdout, string(raw)); diff != "" {
				t.Errorf("plan: the Action's plan differs from the CLI's (-cli +action):\n%s", diff)
			}
			for _, w := range fx.inPlan {
				if !strings.Contains(cli.stdout, w) {
					t.Errorf("plan: lacks %q:\n%s", w, cli.stdout)
				}
			}
			var p struct {
				Sites []struct{ Site, Verdict string } `json:"sites"`
			}
			if err := json.Unmarshal([]byte(js.stdout), &p); err != nil {
				t.Fatalf("plan -o json: %v\n%s", err, js.stdout)
			}
			var problem []string
			for _, s := range p.Sites {
				if s.Verdict == "problem" {
					problem = append(problem, s.Site)
				}
			}
			if got := strings.Join(problem, "\n"); got != act.outputs["failed-sites"] {
				t.Errorf("plan: the CLI's problem sites %q, the Action's failed-sites %q", got, act.outputs["failed-sites"])
			}
			failed := act.outputs["failed-sites"]
			if failed != strings.Join(fx.failed, "\n") {
				t.Errorf("plan: failed-sites %q, want %q", failed, fx.failed)
			}
			outputs = append(outputs, js.stdout)
			for _, c := range srv.Comments(7) {
				outputs = append(outputs, c.Body)
			}

			// validate: the pull request, as rendered (the CLI only), once
			// plan has cached the charts: validate reads only the cache.
			cli = hubfleet(t, "", "validate", "--root", r.Work)
			if want := fx.exit["validate"]; cli.code != want {
				t.Errorf("validate: exit %d, want %d\n%s%s", cli.code, want, cli.stdout, cli.stderr)
			}
			for _, w := range fx.inValidate {
				if !strings.Contains(cli.stdout+cli.stderr, w) {
					t.Errorf("validate: does not say %q\n%s%s", w, cli.stdout, cli.stderr)
				}
			}
			outputs = append(outputs, cli.stdout, cli.stderr)

			// render: the change as committed, rendered in one clone by the
			// CLI and committed and pushed from another by the Action.
			cliDir, actDir := r.Clone(), r.Clone()
			for _, d := range []string{cliDir, actDir} {
				gittest.Run(t, d, "switch", "--quiet", "change-raw")
			}
			rawHead := gittest.Run(t, r.Remote, "rev-parse", "change-raw")
			cli = hubfleet(t, "", "render", "--root", cliDir)
			act = runAction(t, actDir, srv, "render", nil, map[string]string{"GITHUB_REF_NAME": "change-raw"})
			check("render", cli, act)
			for _, w := range fx.inRender {
				if !strings.Contains(cli.stdout+cli.stderr, w) || !strings.Contains(act.log, w) {
					t.Errorf("render: a front-end does not say %q\ncli:\n%s%s\naction:\n%s", w, cli.stdout, cli.stderr, act.log)
				}
			}
			gittest.Run(t, cliDir, "add", "-A")
			cliDiff := gittest.Run(t, cliDir, "diff", "--cached", "HEAD")
			actDiff := gittest.Run(t, r.Remote, "diff", rawHead, "change-raw")
			if diff := cmp.Diff(cliDiff, actDiff); diff != "" {
				t.Errorf("render: the Action committed other changes than the CLI wrote (-cli +action):\n%s", diff)
			}

			// The change merges.
			r.Git("switch", "--quiet", "main")
			r.Git("merge", "--quiet", "--ff-only", "change")
			r.Git("push", "--quiet", "origin", "main")

			// upgrade: from main, written by the CLI, pushed with a pull
			// request by the Action.
			cliDir, actDir = r.Clone(), r.Clone()
			cli = hubfleet(t, "", "upgrade", "--root", cliDir, "--base", "main")
			act = runAction(t, actDir, srv, "upgrade", nil, nil)
			check("upgrade", cli, act)
			for _, w := range fx.inUpgrade {
				if !strings.Contains(cli.stdout+cli.stderr, w) || !strings.Contains(act.log, w) {
					t.Errorf("upgrade: a front-end does not say %q\ncli:\n%s%s\naction:\n%s", w, cli.stdout, cli.stderr, act.log)
				}
			}
			gittest.Run(t, cliDir, "add", "-A")
			cliDiff = gittest.Run(t, cliDir, "diff", "--cached", "main")
			actDiff = ""
			if remoteHas(t, r.Remote, "hubfleet/upgrade") {
				actDiff = gittest.Run(t, r.Remote, "diff", "main", "hubfleet/upgrade")
			}
			if diff := cmp.Diff(cliDiff, actDiff); diff != "" {
				t.Errorf("upgrade: the Action committed other changes than the CLI wrote (-cli +action):\n%s", diff)
			}

			// rollback: of the change, committed locally by the CLI, a
			// branch and a pull request by the Action.
			cliDir, actDir = r.Clone(), r.Clone()
			cli = hubfleet(t, "", "rollback", "--root", cliDir, "--commit", "HEAD", "--charts=false", "--apply")
			act = runAction(t, actDir, srv, "rollback", nil, map[string]string{"HUBFLEET_COMMIT": "HEAD", "HUBFLEET_PLAN_CHARTS": "false"})
			check("rollback", cli, act)
			prs := slices.DeleteFunc(srv.PullRequests(), func(pr githubtest.PullRequest) bool { return !strings.Contains(pr.Head.Ref, "rollback/") })
			switch {
			case cli.code != exitOK && len(prs) > 0:
				t.Errorf("rollback: the CLI refused, the Action opened %+v", prs)
			case cli.code == exitOK && len(prs) != 1:
				t.Errorf("rollback: the CLI reverted, the Action opened %+v", prs)
			case cli.code == exitOK:
				if title := strings.SplitN(cli.stdout, "\n", 2)[0]; prs[0].Title != title {
					t.Errorf("rollback: pull request %q, the CLI says %q", prs[0].Title, title)
				}
				cliTree := gittest.Run(t, cliDir, "rev-parse", "HEAD^{tree}")
				actTree := gittest.Run(t, r.Remote, "rev-parse", prs[0].Head.Ref+"^{tree}")
				if cliTree != actTree {
					t.Errorf("rollback: the CLI reverted to tree %s, the Action to %s", cliTree, actTree)
				}
				outputs = append(outputs, prs[0].Body)
			}

			// verify: egi-dev, without cluster credentials, its host
			// resolved to loopback where nothing listens: both front-ends
			// reach the site the same way, and nothing else.
			const host = "pangeo-dev.vm.fedcloud.eu"
			vopts := verify.DefaultOptions()
			vopts.CheckTimeout, vopts.ResolverProbe = 5*time.Second, ""
			nf := verify.NetFlags{Resolve: []string{host + "=127.0.0.1"}}
			if err := nf.Apply(&vopts); err != nil {
				t.Fatal(err)
			}
			cli = hubfleet(t, "", "verify", "--root", r.Work, "--site", "egi-dev", "--no-kube", "--dns-probe", "", "--timeout", "5s", "--resolve", host+"=127.0.0.1", "-o", "json")
			act = runActionWith(t, r.Work, srv, "verify", nil, map[string]string{"HUBFLEET_SITE": "egi-dev"}, func(o *actionmode.Options) {
				o.Verifier = targets.Verifier{Options: vopts}
			})
			check("verify", cli, act)
			if cli.code != exitError && act.exit != exitError {
				var rep verify.Report
				if err := json.Unmarshal([]byte(cli.stdout), &rep); err != nil && cli.stdout != "" {
					t.Errorf("verify -o json: %v\n%s", err, cli.stdout)
				}
				dec := verify.Decide(rep.Results, false)
				if got := strings.Join(dec.Failed, "\n"); got != act.outputs["failed-sites"] {
					t.Errorf("verify: the CLI's failing sites %q, the Action's failed-sites %q", got, act.outputs["failed-sites"])
				}
			}

			// The guard never prints what it guards, in any output.
			for _, o := range outputs {
				if strings.Contains(o, baseSecret[:10]) {
					t.Errorf("an output holds the base's secret:\n%s", o)
				}
			}
		})
	}
}

// missingPin is the problem of the fixture's jupyterhub pin the
// repository lacks, as validate, render and upgrade word it (one rule,
// workspace.ChartVersions; plan words it for each site that runs it, with
// the same workspace.MissingVersion), missingPinHas how it ends, and
// missingPinFix its fix.
const (
	missingPinHas = `(it has 4.5.0, 4.4.0): Flux can never fetch it`
	missingPin    = `spec.charts.jupyterhub.version: chart jupyterhub version "4.6.0" is not in repository`
	missingPinFix = `set spec.charts.jupyterhub.version to a version the repository has, e.g. 4.5.0, the newest within its constraint ">=4.0.0 <5.0.0"`
)

// p0Sites are the sites of a plan -o json document.
func p0Sites(t *testing.T, js string) []any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal([]byte(js), &doc); err != nil {
		t.Fatalf("plan -o json: %v\n%s", err, js)
	}
	sites, _ := doc["sites"].([]any)
	return sites
}

// remoteHas says whether the bare repository has the branch.
func remoteHas(t *testing.T, remote, branch string) bool {
	t.Helper()
	cmd := exec.Command("git", "rev-parse", "--verify", "--quiet", "refs/heads/"+branch)
	cmd.Dir = remote
	cmd.Env = append(os.Environ(), gittest.Isolated...)
	return cmd.Run() == nil
}
