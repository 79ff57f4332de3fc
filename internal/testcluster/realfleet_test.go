package testcluster_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/hubfleet/hubfleet/internal/fleettest"
	"github.com/hubfleet/hubfleet/internal/testcluster"
)

// crdRace is how Helm reports a custom resource applied before its CRD is
// served (finding 5 of issue 13).
const crdRace = "ensure CRDs are installed first"

// TestRealFleetSitesReady adds every example site, each to its own cluster,
// through git and the real GitOps loop: source-, kustomize- and
// helm-controller, the real charts from the loopback chart repository, and
// pods made Ready by KWOK on nodes labelled and tainted as the sites expect.
// Every HelmRelease must reach Ready=True for its generation and rendered
// chart version with the rendered HelmRelease applied unchanged; the time
// from the git push to Ready is logged. `hubfleet verify` must agree.
func TestRealFleetSitesReady(t *testing.T) {
	t.Parallel()
	sites, err := filepath.Glob(filepath.Join(fleettest.Root(t), "clusters", "*", "site.yaml"))
	if err != nil || len(sites) == 0 {
		t.Fatalf("no example sites: %v", err)
	}
	for _, p := range sites {
		site := filepath.Base(filepath.Dir(p))
		t.Run(site, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(t.Context(), 15*time.Minute)
			defer cancel()
			r := startRealSite(ctx, t, site, nil)
			_, pushed := r.push(ctx, "add site "+site)
			hrs := r.waitReleases(ctx)
			t.Logf("site %s: git push to every HelmRelease Ready (%s): %s",
				site, strings.Join(names(hrs), ", "), time.Since(pushed).Round(time.Second))
			r.reportCRDRace(hrs)
			for name, res := range r.releaseResults(ctx) {
				if res.Status != "pass" {
					t.Errorf("hubfleet verify %s: %s: %s (fix: %s)", name, res.Status, res.Detail, res.Fix)
				}
			}
			if site == "egi-dev" {
				r.stoppedHelmController(ctx)
			}
		})
	}
}

// reportCRDRace shows the first-install CRD race when it happened: a
// release whose install failed with "no matches for kind ... ensure CRDs
// are installed first" must be Ready now through install remediation
// retries, and say so in its status.
func (r *realSite) reportCRDRace(hrs map[string]*unstructured.Unstructured) {
	r.t.Helper()
	log, err := os.ReadFile(filepath.Join(r.c.LogDir(), testcluster.HelmController+".log"))
	if err != nil {
		r.t.Fatal(err)
	}
	raced := bytes.Contains(log, []byte(crdRace))
	for name, hr := range hrs {
		failures, _, _ := unstructured.NestedInt64(hr.Object, "status", "installFailures")
		if failures > 0 {
			r.t.Logf("site %s: HelmRelease %s failed its first install %d time(s) and install remediation retried it; helm-controller log has the CRD race: %v",
				r.site, name, failures, raced)
		}
	}
	if raced {
		for _, line := range strings.Split(string(log), "\n") {
			if strings.Contains(line, crdRace) {
				r.t.Logf("site %s: first-install CRD race, retried: %s", r.site, clip(line, 400))
				break
			}
		}
	}
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// stoppedHelmController stops helm-controller and pushes a change: waiting
// for the release must fail at once naming helm-controller, and hubfleet
// verify must not pass the stale Ready.
func (r *realSite) stoppedHelmController(ctx context.Context) {
	r.t.Helper()
	if err := r.c.StopComponent(testcluster.HelmController); err != nil {
		r.t.Fatal(err)
	}
	editFile(r.t, filepath.Join(r.repo, "clusters", r.site, "site.yaml"), []edit{
		{`(?m)^(\s+image: \S+?):(\S+)$`, "${1}:hubfleet-e2e"},
	})
	runCLI(r.t, r.repo, "", "render")
	rev := r.commit("new singleuser image")
	// WaitFor refuses to wait while a component is down: poll the
	// Kustomization directly until kustomize-controller applied the commit.
	if err := r.c.RequestReconcile(ctx, testcluster.GitRepositoryGVR, testcluster.FluxNamespace, gitRepoName); err != nil {
		r.t.Fatal(err)
	}
	if err := poll(ctx, 2*time.Minute, func(ctx context.Context) error {
		k, err := r.c.Dynamic().Resource(testcluster.KustomizationGVR).Namespace(testcluster.FluxNamespace).Get(ctx, r.entry(), metav1.GetOptions{})
		if err != nil {
			return err
		}
		if got, _, _ := unstructured.NestedString(k.Object, "status", "lastAppliedRevision"); got != rev {
			return errors.New("Kustomization " + r.entry() + " at " + got + ", want " + rev)
		}
		return nil
	}); err != nil {
		r.t.Fatal(err)
	}
	hr := r.renderedHelmReleases(r.site)[0]
	wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	_, err := r.c.WaitReady(wctx, testcluster.HelmReleaseGVR, hr.GetNamespace(), hr.GetName(), testcluster.ReadyRevision{})
	if !slices.Contains(componentNames(err), testcluster.HelmController) || errors.Is(err, context.DeadlineExceeded) {
		r.t.Errorf("WaitReady with helm-controller stopped = %v, want a ComponentError naming %s before the deadline", err, testcluster.HelmController)
	}
	for name, res := range r.releaseResults(ctx) {
		if res.Status == "pass" {
			r.t.Errorf("hubfleet verify %s passed with helm-controller stopped and a new spec unapplied: %s", name, res.Detail)
		}
		if !strings.Contains(res.Detail+res.Fix, "helm-controller") {
			r.t.Errorf("hubfleet verify %s does not name helm-controller: %s (fix: %s)", name, res.Detail, res.Fix)
		}
	}
}

// poll calls cond every half second until it returns nil or timeout
// passes, and returns its last error then.
func poll(ctx context.Context, timeout time.Duration, cond func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		err := cond(ctx)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// runCLIExit runs the hubfleet CLI and returns its output and exit code;
// only an exit code above 1 (an error) fails the test.
func runCLIExit(t *testing.T, root string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(fleettest.CLI(t), append([]string{"--root", root}, args...)...)
	cmd.Dir = root
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return out.String(), 0
	case errors.As(err, &exit) && exit.ExitCode() == 1:
		return out.String(), 1
	}
	t.Fatalf("hubfleet %s: %v\n%s", strings.Join(args, " "), err, out.String())
	return "", 2
}

// TestRealSiteLifecycle runs a composed site (pangeo-azure: jupyterhub and
// dask-gateway as two releases, autohttps, a LoadBalancer proxy-public,
// core/user/spot-worker placement) through its life on the real components:
// add it at jupyterhub 3.2.1 and dask-gateway 2024.1.0; upgrade both with
// hubfleet upgrade (4.4.0 and 2026.3.0: new Helm revisions, CRDs replaced);
// roll back with `hubfleet rollback --site pangeo-azure --apply`, upgrade
// again, and roll back with the Action's rollback mode, whose pull request
// is merged (each: byte-identical files, a forward upgrade to a new
// revision, verify passing only on it); the fault paths (a value the chart
// schema rejects, a node placement no node matches); and removal (Flux
// prunes the releases).
func TestRealSiteLifecycle(t *testing.T) {
	t.Parallel()
	const site = "pangeo-azure"
	ctx, cancel := context.WithTimeout(t.Context(), 45*time.Minute)
	defer cancel()
	r := startRealSite(ctx, t, site, func(repo string) {
		// The fleet holds only this site: the older jupyterhub it
		// starts from cannot serve heliocloud-aws's Cognito groups,
		// which validate refuses (rightly) for the whole fleet.
		others, err := filepath.Glob(filepath.Join(repo, "clusters", "*", "site.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range others {
			if other := filepath.Base(filepath.Dir(p)); other != site {
				for _, dir := range []string{"clusters", "overlays"} {
					if err := os.RemoveAll(filepath.Join(repo, dir, other)); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		editFile(t, filepath.Join(repo, "bases", "daskhub", "fleet.yaml"), []edit{
			{`(?m)^(      chart: jupyterhub\n      version:) 4\.4\.0\n      constraint: .*$`, "${1} 3.2.1\n      constraint: \">=3.0.0 <5.0.0\""},
			{`(?m)^(      chart: dask-gateway\n      version:) 2026\.3\.0$`, "${1} 2024.1.0"},
			// A wrong placement fails the release after this long
			// instead of the fleet's 15 minutes.
			{`(?m)^(    timeout:) 15m$`, "${1} 4m"},
		})
	})
	dyn := r.c.Dynamic()

	var before map[string]*unstructured.Unstructured
	var crdsBefore map[string]int64
	crdGroups := []string{"gateway.dask.org", "traefik.io", "traefik.containo.us"}
	ok := t.Run("add a site", func(t *testing.T) {
		r.t = t
		_, pushed := r.push(ctx, "add site "+site)
		before = r.waitReleases(ctx)
		t.Logf("site %s: git push to every HelmRelease Ready: %s", site, time.Since(pushed).Round(time.Second))
		r.reportCRDRace(before)
		crdsBefore = crdGenerations(ctx, t, r.c, crdGroups...)
		if len(crdsBefore) == 0 {
			t.Fatalf("no CRDs of %v installed by the dask-gateway chart", crdGroups)
		}
	})
	if !ok {
		return
	}
	renderedBefore := snapshot(t, r.repo)

	var upgradeCommit string
	var upgraded map[string]*unstructured.Unstructured
	var renderedUpgraded map[string]string
	ok = t.Run("upgrade", func(t *testing.T) {
		r.t = t
		out := runCLI(t, r.repo, "", "upgrade", "--wave", "99")
		t.Logf("hubfleet upgrade:\n%s", out)
		for _, want := range []string{"jupyterhub 3.2.1 -> 4.4.0", "dask-gateway 2024.1.0 -> 2026.3.0", "ONE-WAY DOOR"} {
			if !strings.Contains(out, want) {
				t.Errorf("hubfleet upgrade output lacks %q", want)
			}
		}
		plan, _ := runCLIExit(t, r.repo, "plan", "--base", "HEAD")
		t.Logf("hubfleet plan before the merge:\n%s", plan)
		if !strings.Contains(plan, "4.4.0") || !strings.Contains(strings.ToLower(plan), "revert") {
			t.Errorf("hubfleet plan before the merge does not name the JupyterHub upgrade's one-way door")
		}
		r.push(ctx, "upgrade charts")
		upgradeCommit = r.git("rev-parse", "HEAD")
		renderedUpgraded = snapshot(t, r.repo)
		upgraded = r.waitReleases(ctx)
		for name, hr := range upgraded {
			v, _, _ := unstructured.NestedString(hr.Object, "status", "lastAttemptedRevision")
			if helmRevision(hr) <= helmRevision(before[name]) {
				t.Errorf("HelmRelease %s at %s: Helm revision %d, not above %d", name, v, helmRevision(hr), helmRevision(before[name]))
			}
		}
		crds := crdGenerations(ctx, t, r.c, crdGroups...)
		changed := 0
		for name, gen := range crds {
			if old, ok := crdsBefore[name]; !ok || gen > old {
				changed++
			}
		}
		if changed == 0 {
			t.Errorf("no CRD replaced by the dask-gateway 2026.3.0 upgrade: before %v, after %v", crdsBefore, crds)
		}
	})
	if !ok {
		return
	}

	var reverted map[string]*unstructured.Unstructured
	ok = t.Run("rollback with hubfleet rollback --apply", func(t *testing.T) {
		r.t = t
		reverted = r.rollbackLoop(ctx, renderedBefore, before, upgraded, func() {
			rollbackCLI(t, r.repo, site, upgradeCommit, chartLines(before, upgraded), true)
		})
	})
	if !ok {
		return
	}

	var reupgradeCommit string
	var reupgraded map[string]*unstructured.Unstructured
	ok = t.Run("upgrade again", func(t *testing.T) {
		r.t = t
		out := runCLI(t, r.repo, "", "upgrade", "--wave", "99")
		t.Logf("hubfleet upgrade after the rollback:\n%s", out)
		for _, want := range []string{"jupyterhub 3.2.1 -> 4.4.0", "dask-gateway 2024.1.0 -> 2026.3.0"} {
			if !strings.Contains(out, want) {
				t.Errorf("hubfleet upgrade after the rollback: output lacks %q", want)
			}
		}
		if diff := cmp.Diff(renderedUpgraded, snapshot(t, r.repo)); diff != "" {
			t.Errorf("hubfleet upgrade after the rollback writes other files than the first upgrade (-first +again):\n%s", diff)
		}
		r.push(ctx, "upgrade charts again")
		reupgradeCommit = r.commitHEAD()
		reupgraded = r.waitReleases(ctx)
		for name, hr := range reupgraded {
			if helmRevision(hr) <= helmRevision(reverted[name]) {
				t.Errorf("HelmRelease %s: Helm revision %d after upgrading again, not above %d", name, helmRevision(hr), helmRevision(reverted[name]))
			}
		}
	})
	if !ok {
		return
	}

	ok = t.Run("rollback with the Action's rollback mode", func(t *testing.T) {
		r.t = t
		r.rollbackLoop(ctx, renderedBefore, before, reupgraded, func() {
			r.rollbackAction(t, reupgradeCommit, chartLines(before, reupgraded), true)
		})
	})
	if !ok {
		return
	}

	t.Run("secret values through helm-controller", func(t *testing.T) {
		r.t = t
		// secret set --key stores a hub database password and users'
		// S3 key (issue 9); kustomize-controller decrypts them with the
		// site's key and helm-controller composes valuesFrom: the
		// password must be in the chart's hub Secret, the S3 key only in
		// hubfleet-secrets, neither anywhere in git.
		siteFile := filepath.Join(r.repo, "clusters", site, "site.yaml")
		editFile(t, siteFile, []edit{{`(?m)^(\s+ageRecipient: .*)$`, "${1}" + `
    values:
      ` + dbPasswordKey + `: {targetPath: ` + secretsHubDBTo + `}
      ` + s3KeyKey + `: {env: {component: singleuser, name: ` + s3EnvName + `}}`}})
		siteValues(t, r.repo, site, map[string]any{"jupyterhub": map[string]any{"hub": map[string]any{"db": map[string]any{
			"type": "postgres", "url": "postgresql://jupyterhub@db.pangeo.example.org:5432/jupyterhub",
		}}}})
		for _, set := range []struct{ stdin, key string }{{dbPasswordVal + "\n", dbPasswordKey}, {s3KeyVal, s3KeyKey}} {
			// The second key is added to the file the first wrote:
			// secret set decrypts it with the site's key.
			out, code := runCLIEnv(t, r.repo, set.stdin, []string{"SOPS_AGE_KEY=" + r.identity.String()}, "secret", "set", "--site", site, "--key", set.key)
			if !strings.Contains(out, "wrote overlays/"+site+"/hubfleet-secrets.sops.yaml") {
				t.Fatalf("hubfleet secret set --key %s (exit %d) wrote nothing:\n%s", set.key, code, out)
			}
		}
		runCLI(t, r.repo, "", "render")
		r.push(ctx, "external hub database and users' S3 credentials")
		r.waitReleases(ctx)
		hub := getSecretData(ctx, t, r.c, "daskhub", "hub")
		if got := hub["hub.db.password"]; got != dbPasswordVal {
			t.Errorf("the hub Secret helm-controller installed has hub.db.password %q, want the stored password", got)
		}
		if strings.Contains(hub["values.yaml"], s3KeyVal) {
			t.Error("the S3 key is in the hub's values.yaml; it must stay in hubfleet-secrets")
		}
		if got := getSecretData(ctx, t, r.c, "daskhub", "hubfleet-secrets")[s3KeyKey]; got != s3KeyVal {
			t.Errorf("hubfleet-secrets in the cluster has %s %q, want the stored value", s3KeyKey, got)
		}
		objects := gitAllObjects(t, r.repo)
		for _, v := range []string{dbPasswordVal, s3KeyVal} {
			if bytes.Contains(objects, []byte(v)) {
				t.Errorf("a stored secret value is in the git object database in plain text")
			}
		}
		r.revert(ctx, r.commitHEAD())
	})

	t.Run("a value the chart schema rejects", func(t *testing.T) {
		r.t = t
		// validate and render refuse it in the site file...
		siteValues(t, r.repo, site, map[string]any{"jupyterhub": map[string]any{"hubfleetNotAValue": true}})
		for _, cmd := range []string{"validate", "render"} {
			out, code := runCLIExit(t, r.repo, cmd)
			if code != 1 || !strings.Contains(out, "hubfleetNotAValue") {
				t.Errorf("hubfleet %s on a value the chart schema rejects: exit %d, want 1 naming hubfleetNotAValue:\n%s", cmd, code, out)
			}
		}
		r.git("checkout", "--", ".")
		// ...plan names it as a problem in a HelmRelease edited by
		// hand, and such a release fails in the cluster, and verify
		// names it.
		editFile(t, filepath.Join(r.repo, "overlays", site, "helmrelease-jupyterhub.yaml"), []edit{
			{`(?m)^  values:\n`, "  values:\n    hubfleetNotAValue: true\n"},
		})
		plan, code := runCLIExit(t, r.repo, "plan", "--base", "HEAD")
		if code != 1 || !strings.Contains(plan, "hubfleetNotAValue") {
			t.Errorf("hubfleet plan on a HelmRelease the chart schema rejects: exit %d, want 1 naming hubfleetNotAValue:\n%s", code, plan)
		}
		r.fault(ctx, "a value the schema rejects", "hubfleetNotAValue", "daskhub/jupyterhub", "hubfleetNotAValue")
	})

	t.Run("wrong node placement", func(t *testing.T) {
		r.t = t
		editFile(t, filepath.Join(r.repo, "clusters", site, "site.yaml"), []edit{
			{`(?m)^(\s+hub.jupyter.org/node-purpose:) core$`, "${1} nowhere"},
		})
		runCLI(t, r.repo, "", "render")
		r.fault(ctx, "core pods on a node group that does not exist", "", "Pending", "hub.jupyter.org/node-purpose=nowhere")
	})

	t.Run("remove a site", func(t *testing.T) {
		r.t = t
		if err := os.Remove(filepath.Join(r.repo, "clusters", site, "site.yaml")); err != nil {
			t.Fatal(err)
		}
		runCLI(t, r.repo, "", "render")
		rev := r.commit("remove site " + site)
		r.sync(ctx, rev, "flux-system")
		for _, name := range []string{"jupyterhub", "dask-gateway"} {
			if err := r.c.WaitFor(ctx, "HelmRelease "+name+" pruned and uninstalled", func(ctx context.Context) error {
				_, err := dyn.Resource(testcluster.HelmReleaseGVR).Namespace("daskhub").Get(ctx, name, metav1.GetOptions{})
				if apierrors.IsNotFound(err) {
					return nil
				}
				return errors.Join(errors.New("still present"), err)
			}); err != nil {
				t.Error(err)
			}
		}
		if _, err := r.c.Clientset().AppsV1().Deployments("daskhub").Get(ctx, "hub", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			t.Errorf("Deployment daskhub/hub after the site's removal: %v, want it uninstalled", err)
		}
	})
}

// fault pushes the work tree as a commit that breaks the jupyterhub
// release, waits for the release to fail (its message naming failure, when
// set), checks that hubfleet verify fails it naming each of want, and
// reverts the commit.
func (r *realSite) fault(ctx context.Context, msg, failure string, want ...string) {
	r.t.Helper()
	r.push(ctx, msg)
	bad := r.commitHEAD()
	r.waitFailed(ctx, "jupyterhub", failure)
	res := r.verify(ctx)["helmrelease/jupyterhub"]
	named := res.Status == "fail"
	for _, w := range want {
		named = named && strings.Contains(res.Detail, w)
	}
	if !named {
		r.t.Errorf("hubfleet verify after %q: %s: %s, want a failure naming %s", msg, res.Status, res.Detail, strings.Join(want, ", "))
	}
	r.revert(ctx, bad)
}

// revert reverts commit with git revert, makes Flux apply the result and
// waits for every release to be Ready again.
func (r *realSite) revert(ctx context.Context, commit string) {
	r.t.Helper()
	r.git("revert", "--no-edit", commit)
	r.syncHEAD(ctx)
	r.waitReleases(ctx)
}

// commitHEAD is the commit at HEAD.
func (r *realSite) commitHEAD() string { return r.git("rev-parse", "HEAD") }

// syncHEAD makes Flux fetch and apply the commit at HEAD (made by git
// revert).
func (r *realSite) syncHEAD(ctx context.Context) {
	r.t.Helper()
	r.sync(ctx, testcluster.GitRevision("main", r.commitHEAD()), "flux-system", r.entry())
}

// waitFailed waits until the HelmRelease name has failed (Ready=False after
// an attempt at its generation), with a message containing want when set.
func (r *realSite) waitFailed(ctx context.Context, name, want string) {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(ctx, releaseTimeout)
	defer cancel()
	if err := r.c.WaitFor(ctx, "HelmRelease "+name+" failed", func(ctx context.Context) error {
		hr, err := r.c.Dynamic().Resource(testcluster.HelmReleaseGVR).Namespace("daskhub").Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		status, msg := testcluster.Condition(hr, "Ready")
		// helm-controller sets observedGeneration only when it stops
		// retrying; a failure it keeps retrying (a value the chart
		// schema rejects returns a reconcile error, and is retried with
		// backoff forever) shows in lastAttemptedGeneration.
		attempted, _, _ := unstructured.NestedInt64(hr.Object, "status", "lastAttemptedGeneration")
		if status != "False" || attempted != hr.GetGeneration() {
			return errors.New("Ready=" + status + ": " + msg)
		}
		if want != "" && !strings.Contains(msg, want) {
			return testcluster.Unrecoverable(errors.New("failed without naming " + want + ": " + msg))
		}
		return nil
	}); err != nil {
		r.t.Fatal(err)
	}
}
