package testcluster_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/hubfleet/hubfleet/internal/fleettest"
	"github.com/hubfleet/hubfleet/internal/github/githubtest"
	"github.com/hubfleet/hubfleet/internal/gitrepo"
	"github.com/hubfleet/hubfleet/internal/gitserver"
	"github.com/hubfleet/hubfleet/internal/plan"
	"github.com/hubfleet/hubfleet/internal/report/reporttest"
	"github.com/hubfleet/hubfleet/internal/testcluster"
)

// The rollback steps of the real-loop lifecycle roll back through the
// commands users run: `hubfleet rollback --site <site> --apply` in the
// fleet's checkout, and the Action's rollback mode (`hubfleet action
// rollback`, as action/action.yml and .github/workflows/rollback.yaml run
// it) in a full clone of the git server Flux reads, publishing a branch
// there and a pull request to the GitHub API fake, which the test merges as
// a reviewer would. After each, Flux applies the revert and `hubfleet
// verify` may pass only on the Helm revision the revert makes.

// startGitServer serves the repositories under root over git smart HTTP,
// pushes allowed: Flux's GitRepository reads from it, and the Action's
// checkout pushes its rollback branch to it.
func startGitServer(t *testing.T, root string) *gitserver.Server {
	t.Helper()
	opts := gitserver.DefaultOptions(root)
	opts.ReceivePack = true
	opts.Stderr = gitServerLog{t}
	srv, err := gitserver.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

type gitServerLog struct{ t *testing.T }

func (l gitServerLog) Write(p []byte) (int, error) {
	l.t.Logf("git http-backend: %s", bytes.TrimRight(p, "\n"))
	return len(p), nil
}

// verifyRun is one `hubfleet verify` of a site: its HelmRelease results by
// check name (helmrelease/<name>), and the Helm revision of each release
// read right after the run. A release at or below a revision after the
// run was there during the run too, so a pass at such a revision is stale.
type verifyRun struct {
	results   map[string]verifyResult
	revisions map[string]int64
}

// stalePassError is a verify pass on a release still at or below the
// revision the rollback starts from.
type stalePassError struct {
	release          string
	revision, before int64
	detail           string
}

func (e *stalePassError) Error() string {
	return fmt.Sprintf("hubfleet verify passed HelmRelease %s at the stale Helm revision %d (the rollback starts from %d): %s",
		e.release, e.revision, e.before, e.detail)
}

// checkVerifiedAbove checks one verify run made after a revert was applied
// to releases at the Helm revisions in from: every release has a verify
// result, and none passes at or below its revision in from (a
// *stalePassError). With final, every release also passes, which can only
// be at a revision above from.
func checkVerifiedAbove(releases []string, from map[string]int64, run verifyRun, final bool) error {
	if len(releases) == 0 {
		return errors.New("no releases to check: the check would prove nothing")
	}
	var errs []error
	for _, name := range releases {
		before, ok := from[name]
		if !ok || before <= 0 {
			errs = append(errs, fmt.Errorf("no Helm revision recorded for HelmRelease %s before the rollback", name))
			continue
		}
		res, ok := run.results["helmrelease/"+name]
		if !ok {
			errs = append(errs, fmt.Errorf("hubfleet verify has no result for HelmRelease %s", name))
			continue
		}
		rev := run.revisions[name]
		switch {
		case res.Status == "pass" && rev <= before:
			errs = append(errs, &stalePassError{release: name, revision: rev, before: before, detail: res.Detail})
		case final && res.Status != "pass":
			errs = append(errs, fmt.Errorf("hubfleet verify %s at Helm revision %d (the rollback starts from %d): %s: %s (fix: %s)",
				res.Check, rev, before, res.Status, res.Detail, res.Fix))
		}
	}
	return errors.Join(errs...)
}

// awaitVerifiedAbove runs observe every interval until a run passes
// checkVerifiedAbove with final, for at most timeout. A run that is
// missing a release or passes one on a stale revision ends the wait at
// once with that error; verify that never passes ends it at the timeout
// with the last run's error. It returns how many runs it made.
func awaitVerifiedAbove(ctx context.Context, timeout, interval time.Duration, releases []string, from map[string]int64,
	observe func(context.Context) (verifyRun, error)) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	runs := 0
	for {
		run, err := observe(ctx)
		runs++
		if err == nil {
			if err = checkVerifiedAbove(releases, from, run, false); err != nil {
				return runs, err
			}
			if err = checkVerifiedAbove(releases, from, run, true); err == nil {
				return runs, nil
			}
		}
		select {
		case <-ctx.Done():
			return runs, fmt.Errorf("verify did not pass every release on a new revision within %s (%d runs): %w", timeout, runs, err)
		case <-time.After(interval):
		}
	}
}

// verifyOnlyAbove is the step "verify passes only on the new revision"
// after a rollback was pushed and applied by kustomize-controller: from
// right then until it passes, `hubfleet verify` must have a result for
// every release of the site, never pass one still at or below its Helm
// revision in from, and at last pass every release (on a revision above
// from). It returns the releases once Ready at their rendered versions.
func (r *realSite) verifyOnlyAbove(ctx context.Context, from map[string]*unstructured.Unstructured) map[string]*unstructured.Unstructured {
	r.t.Helper()
	rendered := r.renderedHelmReleases(r.site)
	var releases []string
	revs := map[string]int64{}
	for _, hr := range rendered {
		releases = append(releases, hr.GetName())
		if old := from[hr.GetName()]; old != nil {
			revs[hr.GetName()] = helmRevision(old)
		}
	}
	start := time.Now()
	first := true
	runs, err := awaitVerifiedAbove(ctx, releaseTimeout, 3*time.Second, releases, revs, func(ctx context.Context) (verifyRun, error) {
		run := verifyRun{results: fluxResults(r.verify(ctx)), revisions: map[string]int64{}}
		for _, hr := range rendered {
			got, err := r.c.Dynamic().Resource(testcluster.HelmReleaseGVR).Namespace(hr.GetNamespace()).Get(ctx, hr.GetName(), metav1.GetOptions{})
			switch {
			case apierrors.IsNotFound(err):
				continue
			case err != nil:
				return run, err
			}
			run.revisions[hr.GetName()] = helmRevision(got)
		}
		if first {
			first = false
			for _, name := range releases {
				res := run.results["helmrelease/"+name]
				r.t.Logf("verify right after the revert was applied: %s at Helm revision %d (from %d): %s: %s",
					name, run.revisions[name], revs[name], res.Status, res.Detail)
			}
		}
		return run, nil
	})
	if err != nil {
		r.t.Fatalf("verify passes only on the new revision: %v\n%s", err, r.podReport(rendered[0].GetNamespace()))
	}
	r.t.Logf("site %s: verify passed every release on a new Helm revision %s after the revert was applied (%d verify runs)",
		r.site, time.Since(start).Round(time.Second), runs)
	return r.waitReleases(ctx)
}

// releaseResults runs verify and returns its HelmRelease results, failing
// the test when a rendered release of the site has none: a loop over the
// results must not pass because there are none.
func (r *realSite) releaseResults(ctx context.Context) map[string]verifyResult {
	r.t.Helper()
	got := fluxResults(r.verify(ctx))
	for _, hr := range r.renderedHelmReleases(r.site) {
		if _, ok := got["helmrelease/"+hr.GetName()]; !ok {
			r.t.Fatalf("hubfleet verify has no result for HelmRelease %s of site %s (results: %v)", hr.GetName(), r.site, names(got))
		}
	}
	return got
}

// checkRolledBack checks the releases after a rollback: each at the chart
// version it had in want, on a Helm revision above the one in from (a
// forward upgrade, not a Helm rollback).
func (r *realSite) checkRolledBack(got, want, from map[string]*unstructured.Unstructured) {
	r.t.Helper()
	for name, hr := range got {
		v, _, _ := unstructured.NestedString(hr.Object, "status", "lastAttemptedRevision")
		wantV, _, _ := unstructured.NestedString(want[name].Object, "status", "lastAttemptedRevision")
		if v != wantV {
			r.t.Errorf("HelmRelease %s at chart %s after the rollback, want %s", name, v, wantV)
		}
		if helmRevision(hr) <= helmRevision(from[name]) {
			r.t.Errorf("HelmRelease %s: revision %d after the rollback, want a forward upgrade above %d", name, helmRevision(hr), helmRevision(from[name]))
		}
	}
}

// rollbackCLI rolls the site back as an operator does in the fleet's
// checkout: `hubfleet rollback --site <site> --apply`, which commits the
// revert of the site's last overlay change (target, the commit at HEAD)
// and pushes nothing. The output must name what comes back (wantCharts,
// each "<chart> <from> -> <to>") and the JupyterHub downgrade on a
// migrated hub database when wantDoor.
func rollbackCLI(t *testing.T, repo, site, target string, wantCharts []string, wantDoor bool) string {
	t.Helper()
	if head := gitCmd(t, repo, "rev-parse", "HEAD"); head != target {
		t.Fatalf("HEAD is %s, want the commit to roll back %s", head, target)
	}
	out := runCLI(t, repo, "", "rollback", "--site", site, "--apply")
	t.Logf("hubfleet rollback --site %s --apply:\n%s", site, out)
	subject := gitCmd(t, repo, "log", "-1", "--format=%s", target)
	want := []string{
		"reverts " + gitrepo.Short(target) + " " + subject,
		"committed the revert",
		"nothing was pushed",
	}
	for _, c := range wantCharts {
		want = append(want, site+": "+c)
	}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("hubfleet rollback --apply output lacks %q", w)
		}
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), site+": ") && !strings.Contains(line, "a downgrade") {
			t.Errorf("hubfleet rollback --apply does not call a chart version going back a downgrade: %q", line)
		}
	}
	if wantDoor {
		door := lineWith(out, "ONE-WAY DOOR: "+site+": "+plan.DoorHubDatabase+": ")
		if !strings.Contains(door, "downgrade") || !strings.Contains(door, "migrated") {
			t.Errorf("hubfleet rollback --apply does not name the JupyterHub downgrade on a migrated hub database as a one-way door crossed back over: %q", door)
		}
	}
	// One new commit on the branch, the revert of target, and a clean
	// work tree.
	if parent := gitCmd(t, repo, "rev-parse", "HEAD^"); parent != target {
		t.Errorf("HEAD^ after hubfleet rollback --apply is %s, want %s: the revert is not one commit on top", parent, target)
	}
	if body := gitCmd(t, repo, "log", "-1", "--format=%B"); !strings.Contains(body, "This reverts commit "+target) {
		t.Errorf("the commit hubfleet rollback --apply made is not the revert of %s:\n%s", target, body)
	}
	if st := gitCmd(t, repo, "status", "--porcelain"); st != "" {
		t.Errorf("hubfleet rollback --apply left the work tree dirty:\n%s", st)
	}
	return out
}

// lineWith is the first line of s containing sub, or "".
func lineWith(s, sub string) string {
	for _, line := range strings.Split(s, "\n") {
		if strings.Contains(line, sub) {
			return line
		}
	}
	return ""
}

// actionToken is the token the Action is given; the GitHub API fake
// accepts only it.
const actionToken = "ghs_rollbackLoopTestToken0123456789"

// actionRun is a run of `hubfleet action <mode>`.
type actionRun struct {
	log     string
	exit    int
	outputs map[string]string
	summary string
}

// runAction runs `hubfleet action <mode>` in the checkout dir as a GitHub
// Actions runner does with action/action.yml on a workflow_dispatch of the
// default branch: the runner's GITHUB_* variables (the API is gh), every
// HUBFLEET_* variable action.yml sets at its input's default, then inputs.
// The runner's own variables of the test process are not passed on.
func runAction(t *testing.T, dir string, gh *githubtest.Server, mode string, inputs map[string]string) actionRun {
	t.Helper()
	tmp := t.TempDir()
	outFile, summaryFile := filepath.Join(tmp, "output"), filepath.Join(tmp, "summary")
	env := map[string]string{
		"GITHUB_ACTIONS":      "true",
		"GITHUB_OUTPUT":       outFile,
		"GITHUB_STEP_SUMMARY": summaryFile,
		"GITHUB_REPOSITORY":   gh.Owner + "/" + gh.Repo,
		"GITHUB_API_URL":      strings.TrimSuffix(gh.URL(), "/"),
		"GITHUB_SERVER_URL":   "https://github.com",
		"GITHUB_RUN_ID":       "4242",
		"GITHUB_EVENT_NAME":   "workflow_dispatch",
		"GITHUB_SHA":          gitCmd(t, dir, "rev-parse", "HEAD"),
		"GITHUB_REF_NAME":     "main",
		"GITHUB_WORKSPACE":    dir,
		"RUNNER_TEMP":         tmp,
		// action.yml's step "Run hubfleet action", inputs at their
		// defaults.
		"HUBFLEET_MODE":          mode,
		"HUBFLEET_GITHUB_TOKEN":  actionToken,
		"HUBFLEET_BASE_REF":      "",
		"HUBFLEET_SITE":          "",
		"HUBFLEET_COMMIT":        "",
		"HUBFLEET_PUSH_TO_MAIN":  "false",
		"HUBFLEET_PLAN_CHARTS":   "true",
		"HUBFLEET_WAVE":          "",
		"HUBFLEET_BRANCH_PREFIX": "hubfleet/",
		"HUBFLEET_KUBECONFIG":    "",
		"HUBFLEET_STRICT":        "false",
		"HUBFLEET_SPAWN":         "false",
	}
	for k, v := range inputs {
		env[k] = v
	}
	cmd := exec.Command(fleettest.CLI(t), "action", mode)
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "GITHUB_") || strings.HasPrefix(k, "HUBFLEET_") || strings.HasPrefix(k, "RUNNER_") {
			continue
		}
		cmd.Env = append(cmd.Env, kv)
	}
	cmd.Env = append(cmd.Env, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null")
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("hubfleet action %s: %v", mode, err)
	}
	res := actionRun{log: log.String(), exit: cmd.ProcessState.ExitCode()}
	if b, err := os.ReadFile(outFile); err == nil {
		if res.outputs, err = reporttest.ParseOutputs(string(b)); err != nil {
			t.Fatalf("hubfleet action %s wrote outputs that do not parse: %v\n%s", mode, err, b)
		}
	}
	if b, err := os.ReadFile(summaryFile); err == nil {
		res.summary = string(b)
	}
	return res
}

// rollbackAction rolls the site back through the Action's rollback mode,
// as .github/workflows/rollback.yaml runs it with the input site: in a full
// clone of the git server Flux reads (actions/checkout with fetch-depth
// 0), publishing. The Action reverts target (the site's last overlay
// change, at the server's HEAD), pushes the revert as a branch to the git
// server and opens a pull request; the outputs, the job summary and the
// pull request must name the rollback and what comes back (wantCharts).
// A reviewer then merges the pull request into main on the git server, a
// fast-forward, as the repository's "rebase and merge" would. It returns
// the Action's run.
func (r *realSite) rollbackAction(t *testing.T, target string, wantCharts []string, wantDoor bool) actionRun {
	t.Helper()
	gh := githubtest.NewServer(t, "fleet", "hubs", actionToken)
	work := filepath.Join(t.TempDir(), "checkout")
	gitCmd(t, filepath.Dir(work), "clone", "-q", "--branch", "main", r.gitURL, work)
	act := runAction(t, work, gh, "rollback", map[string]string{"HUBFLEET_SITE": r.site})
	t.Logf("hubfleet action rollback (exit %d):\n%s\njob summary:\n%s", act.exit, act.log, act.summary)
	if act.exit != 0 {
		t.Fatalf("hubfleet action rollback: exit %d, want 0", act.exit)
	}
	prs := gh.PullRequests()
	if len(prs) != 1 {
		t.Fatalf("pull requests after hubfleet action rollback = %+v, want one", prs)
	}
	pr := prs[0]
	subject := gitCmd(t, r.repo, "log", "-1", "--format=%s", target)
	wantTitle := fmt.Sprintf("Roll back %s: revert %q", r.site, subject)
	if pr.Title != wantTitle || pr.Base.Ref != "main" || pr.Head.Ref != "hubfleet/rollback/"+r.site || pr.State != "open" {
		t.Errorf("pull request = %q from %s into %s (%s), want %q from hubfleet/rollback/%s into main (open)",
			pr.Title, pr.Head.Ref, pr.Base.Ref, pr.State, wantTitle, r.site)
	}
	// The branch is on the git server Flux reads, one revert of target.
	pushed := gitCmd(t, r.repo, "rev-parse", "refs/heads/"+pr.Head.Ref)
	wantOut := map[string]string{
		"changed": "true", "commit": pushed,
		"pull-request-number": fmt.Sprint(pr.Number), "pull-request-url": pr.URL,
	}
	for k, v := range wantOut {
		if act.outputs[k] != v {
			t.Errorf("output %s = %q, want %q", k, act.outputs[k], v)
		}
	}
	if parent := gitCmd(t, r.repo, "rev-parse", pushed+"^"); parent != target {
		t.Errorf("the pushed rollback %s has parent %s, want %s", pushed, parent, target)
	}
	if body := gitCmd(t, r.repo, "log", "-1", "--format=%B", pushed); !strings.Contains(body, "This reverts commit "+target) {
		t.Errorf("the pushed rollback is not the revert of %s:\n%s", target, body)
	}
	// The job summary and the pull request say the same: which commit is
	// reverted, what comes back, the doors crossed back over.
	want := []string{"### hubfleet rollback", gitrepo.Short(target) + " " + subject}
	for _, c := range wantCharts {
		want = append(want, "| `"+r.site+"` | "+c)
	}
	if wantDoor {
		want = append(want, "One-way doors crossed back over", "`"+r.site+"` **"+plan.DoorHubDatabase+"**")
	}
	for _, w := range want {
		if !strings.Contains(act.summary, w) {
			t.Errorf("the job summary lacks %q", w)
		}
		if !strings.Contains(pr.Body, w) {
			t.Errorf("the pull request body lacks %q", w)
		}
	}
	// The reviewer merges it.
	r.git("merge", "--ff-only", "-q", pr.Head.Ref)
	if head := r.commitHEAD(); head != pushed {
		t.Fatalf("main after merging the pull request is %s, want %s", head, pushed)
	}
	return act
}

// rollbackLoop is the "rollback" step of the real-loop lifecycle, through
// one front-end (roll, which rolls back the commit at HEAD and leaves the
// revert at HEAD of the served repository): the files must equal those
// before the upgrade byte for byte, Flux applies the revert, verify passes
// only on the new revision, and the releases are back at their chart
// versions in before on a forward upgrade from upgraded.
func (r *realSite) rollbackLoop(ctx context.Context, renderedBefore map[string]string, before, upgraded map[string]*unstructured.Unstructured, roll func()) map[string]*unstructured.Unstructured {
	r.t.Helper()
	start := time.Now()
	roll()
	rolled := time.Now()
	if diff := cmp.Diff(renderedBefore, snapshot(r.t, r.repo)); diff != "" {
		r.t.Errorf("files after the rollback differ from before the upgrade (-before +after):\n%s", diff)
	}
	runCLI(r.t, r.repo, "", "render", "--check")
	r.syncHEAD(ctx)
	applied := time.Now()
	reverted := r.verifyOnlyAbove(ctx, upgraded)
	r.checkRolledBack(reverted, before, upgraded)
	r.t.Logf("site %s: rollback to every release verified on its new revision: %s (the rollback command %s, render --check and Flux applying the revert %s, helm-controller and verify %s)",
		r.site, time.Since(start).Round(100*time.Millisecond), rolled.Sub(start).Round(100*time.Millisecond),
		applied.Sub(rolled).Round(100*time.Millisecond), time.Since(applied).Round(100*time.Millisecond))
	return reverted
}

// chartLines are the chart changes a rollback from the releases in
// upgraded to the chart versions of before names, "<chart> <now> ->
// <after>", from the HelmReleases' spec.chart.
func chartLines(before, upgraded map[string]*unstructured.Unstructured) []string {
	var out []string
	for _, name := range names(upgraded) {
		chart, _, _ := unstructured.NestedString(upgraded[name].Object, "spec", "chart", "spec", "chart")
		now, _, _ := unstructured.NestedString(upgraded[name].Object, "spec", "chart", "spec", "version")
		back, _, _ := unstructured.NestedString(before[name].Object, "spec", "chart", "spec", "version")
		out = append(out, fmt.Sprintf("%s %s -> %s", chart, now, back))
	}
	return out
}
