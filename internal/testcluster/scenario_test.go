package testcluster_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/google/go-cmp/cmp"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"github.com/hubfleet/hubfleet/internal/chart/chartrepotest"
	"github.com/hubfleet/hubfleet/internal/fleettest"
	"github.com/hubfleet/hubfleet/internal/gitserver"
	"github.com/hubfleet/hubfleet/internal/testcluster"
)

// The names the rendered fleet uses (internal/flux): the entry point
// Kustomization of a site applies overlays/<site> from the GitRepository
// flux-system, decrypting with the Secret sops-age.
const (
	scenarioSite    = "e2e-lab"
	gitRepoName     = "flux-system"
	sopsSecretName  = "sops-age"
	clientSecretVal = "e2e-oauth-client-secret-value"
)

// waitTimeout bounds each wait of the scenario for Flux to act on a commit:
// seconds normally, so a failure ends the test long before its deadline.
const waitTimeout = 2 * time.Minute

// scenario is the fleet repository served over git smart HTTP and a cluster
// bootstrapped for one site, as `flux bootstrap --path=clusters/<site>`
// leaves it: a GitRepository flux-system and a root Kustomization applying
// clusters/<site>, whose hubfleet.yaml applies overlays/<site>.
type scenario struct {
	t    *testing.T
	c    *testcluster.Cluster
	repo string
}

func (s *scenario) git(args ...string) string { s.t.Helper(); return gitCmd(s.t, s.repo, args...) }

// commit commits everything and returns the Flux revision of the commit.
func (s *scenario) commit(msg string) string {
	s.t.Helper()
	s.git("add", "-A")
	s.git("commit", "-q", "-m", msg)
	return testcluster.GitRevision("main", s.git("rev-parse", "HEAD"))
}

// sync makes Flux fetch the branch now and waits until the root and the site
// Kustomizations have applied rev.
func (s *scenario) sync(ctx context.Context, rev string, kustomizations ...string) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(ctx, waitTimeout)
	defer cancel()
	ns := testcluster.FluxNamespace
	if err := s.c.RequestReconcile(ctx, testcluster.GitRepositoryGVR, ns, gitRepoName); err != nil {
		s.t.Fatal(err)
	}
	if _, err := s.c.WaitReady(ctx, testcluster.GitRepositoryGVR, ns, gitRepoName, testcluster.GitRepositoryRevision(rev)); err != nil {
		s.t.Fatal(err)
	}
	for _, k := range kustomizations {
		if _, err := s.c.WaitReady(ctx, testcluster.KustomizationGVR, ns, k, testcluster.KustomizationRevision(rev)); err != nil {
			s.t.Fatal(err)
		}
	}
}

// renderedHelmReleases reads the HelmReleases of a site's overlay.
func (s *scenario) renderedHelmReleases(site string) []*unstructured.Unstructured {
	s.t.Helper()
	paths, err := filepath.Glob(filepath.Join(s.repo, "overlays", site, "helmrelease-*.yaml"))
	if err != nil {
		s.t.Fatal(err)
	}
	if len(paths) == 0 {
		s.t.Fatalf("no overlays/%s/helmrelease-*.yaml rendered", site)
	}
	var out []*unstructured.Unstructured
	for _, p := range paths {
		out = append(out, readObject(s.t, p))
	}
	return out
}

// checkHelmReleases checks that every rendered HelmRelease of site is in the
// cluster with the rendered spec (plus only the CRD's defaults) and returns
// their chart versions by name.
func (s *scenario) checkHelmReleases(ctx context.Context, site string) map[string]string {
	s.t.Helper()
	versions := map[string]string{}
	for _, want := range s.renderedHelmReleases(site) {
		got, err := s.c.Dynamic().Resource(testcluster.HelmReleaseGVR).Namespace(want.GetNamespace()).Get(ctx, want.GetName(), metav1.GetOptions{})
		if err != nil {
			s.t.Errorf("HelmRelease %s/%s rendered but not in the cluster: %v", want.GetNamespace(), want.GetName(), err)
			continue
		}
		wantSpec := jsonNormal(s.t, want.Object["spec"])
		gotSpec := project(wantSpec, jsonNormal(s.t, got.Object["spec"]))
		if diff := cmp.Diff(wantSpec, gotSpec); diff != "" {
			s.t.Errorf("HelmRelease %s/%s spec in the cluster differs from the rendered one (-rendered +cluster):\n%s", want.GetNamespace(), want.GetName(), diff)
		}
		v, _, _ := unstructured.NestedString(got.Object, "spec", "chart", "spec", "version")
		versions[got.GetName()] = v
	}
	return versions
}

// TestScenarioSiteLifecycle drives the real hubfleet CLI against the real
// GitOps loop (git smart HTTP, source-controller, kustomize-controller, a
// kube-apiserver): add a site, upgrade its chart, roll back with
// `hubfleet rollback --site <site> --apply`, remove the site.
func TestScenarioSiteLifecycle(t *testing.T) {
	t.Parallel()
	opts := testcluster.DefaultOptions()
	opts.Controllers = true
	c := testcluster.Start(t, opts)
	ctx, cancel := context.WithTimeout(t.Context(), 8*time.Minute)
	defer cancel()

	// The fleet repository: the example fleet, committed, served over git
	// smart HTTP.
	root := t.TempDir()
	s := &scenario{t: t, c: c, repo: filepath.Join(root, "fleet")}
	gitCmd(t, root, "init", "-q", "-b", "main", s.repo)
	fleettest.CopyExample(t, s.repo)
	charts := serveFleetCharts(t, s.repo)
	runCLI(t, s.repo, "", "render")
	s.commit("example fleet, charts from the loopback repository")
	srv := gitserver.Start(t, root)
	c.AddCheck("git server", func(ctx context.Context) error { return srv.Check(ctx, "fleet") })
	c.AddCheck("chart repository", func(ctx context.Context) error { return httpGet(ctx, charts.URL+"/index.yaml") })

	// The site's cluster key: the public half goes into the site file,
	// the private half into flux-system/sops-age, as for a real cluster.
	identity, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	bootstrap(ctx, t, c, srv.RepoURL("fleet"), identity)
	entry := "hubfleet-" + scenarioSite

	var renderedBeforeUpgrade map[string]string
	var oldVersions map[string]string
	ok := t.Run("add a site", func(t *testing.T) {
		s.t = t
		writeSite(t, s.repo, identity.Recipient().String())
		runCLI(t, s.repo, clientSecretVal, "secret", "set", "--site", scenarioSite)
		runCLI(t, s.repo, "", "render")
		secretFile := filepath.Join(s.repo, "overlays", scenarioSite, "oauth-client-secret.sops.yaml")
		data, err := os.ReadFile(secretFile)
		if err != nil {
			t.Fatalf("hubfleet secret set wrote no encrypted secret: %v", err)
		}
		if strings.Contains(string(data), clientSecretVal) {
			t.Fatal("the committed secret file holds the client secret in plain text")
		}
		rev := s.commit("add site " + scenarioSite)
		s.sync(ctx, rev, "flux-system", entry)

		ns := s.renderedHelmReleases(scenarioSite)[0].GetNamespace()
		dyn := c.Dynamic()
		if _, err := dyn.Resource(testcluster.NamespaceGVR).Get(ctx, ns, metav1.GetOptions{}); err != nil {
			t.Errorf("namespace %s: %v", ns, err)
		}
		repos, err := dyn.Resource(testcluster.HelmRepositoryGVR).Namespace(ns).List(ctx, metav1.ListOptions{})
		if err != nil || len(repos.Items) == 0 {
			t.Fatalf("HelmRepositories in %s: %d (err %v)", ns, len(repos.Items), err)
		}
		for _, r := range repos.Items {
			if _, err := c.WaitReady(ctx, testcluster.HelmRepositoryGVR, ns, r.GetName(), testcluster.ReadyRevision{}); err != nil {
				t.Errorf("source-controller did not fetch the chart index of HelmRepository %s: %v", r.GetName(), err)
			}
		}
		if charts.Requests("/index.yaml") == 0 {
			t.Error("the loopback chart repository served no index.yaml")
		}
		s.fetchCharts(ctx)
		secrets, err := dyn.Resource(testcluster.SecretGVR).Namespace(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, sec := range secrets.Items {
			data, _, _ := unstructured.NestedStringMap(sec.Object, "data")
			for _, v := range data {
				if b, _ := base64.StdEncoding.DecodeString(v); string(b) == clientSecretVal {
					found = true
				}
			}
		}
		if !found {
			t.Errorf("no Secret in %s holds the decrypted client secret", ns)
		}
		oldVersions = s.checkHelmReleases(ctx, scenarioSite)
		renderedBeforeUpgrade = snapshot(t, s.repo)
	})
	if !ok {
		return
	}

	var upgradeCommit string
	var upgradedVersions map[string]string
	ok = t.Run("chart upgrade", func(t *testing.T) {
		s.t = t
		// Every wave at once: the canary covers all waves.
		// The next patch versions are synthetic: hubfleet's chart catalog
		// has no facts about them, so the upgrade is told to take them.
		out := runCLI(t, s.repo, "", "upgrade", "--wave", "99", "--allow-unknown")
		t.Logf("hubfleet upgrade:\n%s", out)
		rev := s.commit("upgrade charts")
		upgradeCommit = s.git("rev-parse", "HEAD")
		s.sync(ctx, rev, "flux-system", entry)
		got := s.checkHelmReleases(ctx, scenarioSite)
		upgradedVersions = got
		t.Logf("chart versions: before %v, after %v", oldVersions, got)
		s.fetchCharts(ctx)
		for name, old := range oldVersions {
			if got[name] == old {
				t.Errorf("HelmRelease %s still at chart version %s after the upgrade", name, old)
			}
		}
	})
	if !ok {
		return
	}

	ok = t.Run("rollback with hubfleet rollback --apply", func(t *testing.T) {
		s.t = t
		var wantCharts []string
		for _, hr := range s.renderedHelmReleases(scenarioSite) {
			chart, _, _ := unstructured.NestedString(hr.Object, "spec", "chart", "spec", "chart")
			wantCharts = append(wantCharts, fmt.Sprintf("%s %s -> %s", chart, upgradedVersions[hr.GetName()], oldVersions[hr.GetName()]))
		}
		out := rollbackCLI(t, s.repo, scenarioSite, upgradeCommit, wantCharts, false)
		// The upgrade moved every site of the fleet in one commit: the
		// rollback of this site's last change says it takes them back too.
		if others := lineWith(out, "the reverted commit also changed"); !strings.Contains(others, "egi-pangeo") || !strings.Contains(others, "rolls them back too") {
			t.Errorf("hubfleet rollback --apply does not say the reverted upgrade also rolls back the other sites, egi-pangeo among them: %q", others)
		}
		if diff := cmp.Diff(renderedBeforeUpgrade, snapshot(t, s.repo)); diff != "" {
			t.Errorf("files after hubfleet rollback --apply differ from before the upgrade (-before +after):\n%s", diff)
		}
		// `hubfleet render --check` agrees that nothing is stale.
		runCLI(t, s.repo, "", "render", "--check")
		rev := testcluster.GitRevision("main", s.git("rev-parse", "HEAD"))
		s.sync(ctx, rev, "flux-system", entry)
		if diff := cmp.Diff(oldVersions, s.checkHelmReleases(ctx, scenarioSite)); diff != "" {
			t.Errorf("chart versions in the cluster after the rollback (-before upgrade +now):\n%s", diff)
		}
	})
	if !ok {
		return
	}

	defer t.Run("stopped API server is named", func(t *testing.T) {
		s.t = t
		if err := c.StopComponent(testcluster.KubeAPIServer); err != nil {
			t.Fatal(err)
		}
		wctx, wcancel := context.WithTimeout(ctx, time.Minute)
		defer wcancel()
		_, err := c.WaitReady(wctx, testcluster.KustomizationGVR, testcluster.FluxNamespace, entry, testcluster.KustomizationRevision("main@sha1:never"))
		if !slices.Contains(componentNames(err), testcluster.KubeAPIServer) || errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("WaitReady after stopping the API server = %v, want a ComponentError naming %s before the deadline", err, testcluster.KubeAPIServer)
		}
	})

	t.Run("remove a site", func(t *testing.T) {
		s.t = t
		applied, err := kustomizeBuild(filepath.Join(s.repo, "overlays", scenarioSite))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Remove(filepath.Join(s.repo, "clusters", scenarioSite, "site.yaml")); err != nil {
			t.Fatal(err)
		}
		runCLI(t, s.repo, "", "render")
		rev := s.commit("remove site " + scenarioSite)
		if _, err := os.Stat(filepath.Join(s.repo, "overlays", scenarioSite, "kustomization.yaml")); errors.Is(err, os.ErrNotExist) {
			if _, err := os.Stat(filepath.Join(s.repo, "clusters", scenarioSite, "hubfleet.yaml")); err == nil {
				// The entry point would point at a deleted overlay: Flux
				// would fail with "path not found" and prune nothing.
				t.Fatalf("hubfleet render removed overlays/%[1]s but kept clusters/%[1]s/hubfleet.yaml: it must leave an empty overlays/%[1]s/kustomization.yaml until the cluster is decommissioned", scenarioSite)
			}
		}
		s.sync(ctx, rev, "flux-system")
		a := newApplier(t, c)
		for _, obj := range applied {
			gvk := obj.GroupVersionKind()
			mapping, err := a.mapping(ctx, gvk)
			if err != nil {
				t.Fatal(err)
			}
			res := c.Dynamic().Resource(mapping.Resource).Namespace(obj.GetNamespace())
			what := fmt.Sprintf("%s %s/%s pruned", gvk.Kind, obj.GetNamespace(), obj.GetName())
			if err := c.WaitFor(ctx, what, func(ctx context.Context) error {
				got, err := res.Get(ctx, obj.GetName(), metav1.GetOptions{})
				if apierrors.IsNotFound(err) {
					return nil
				}
				if err == nil && got.GetDeletionTimestamp() != nil && gvk.Kind == "Namespace" {
					// Terminating: no namespace controller runs here
					// to finish the deletion.
					return nil
				}
				k, kerr := c.Dynamic().Resource(testcluster.KustomizationGVR).Namespace(testcluster.FluxNamespace).Get(ctx, entry, metav1.GetOptions{})
				if kerr == nil {
					if st, msg := testcluster.Condition(k, "Ready"); st == "False" {
						return testcluster.Unrecoverable(fmt.Errorf("Kustomization %s is not Ready: %s", entry, msg))
					}
				}
				return errors.Join(errors.New("still present"), err)
			}); err != nil {
				t.Error(err)
			}
		}
	})
}

// fetchCharts does for each rendered HelmRelease of the site what
// helm-controller would (it does not run here): it asks source-controller for
// the HelmRelease's chart at its version through a HelmChart, and waits until
// source-controller has fetched that version from the chart repository.
func (s *scenario) fetchCharts(ctx context.Context) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(ctx, waitTimeout)
	defer cancel()
	for _, hr := range s.renderedHelmReleases(scenarioSite) {
		chartSpec, _, _ := unstructured.NestedMap(hr.Object, "spec", "chart", "spec")
		name, _ := chartSpec["chart"].(string)
		version, _ := chartSpec["version"].(string)
		ref, _ := chartSpec["sourceRef"].(map[string]any)
		refName, _ := ref["name"].(string)
		ns, _ := ref["namespace"].(string)
		if ns == "" {
			ns = hr.GetNamespace()
		}
		hc := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "HelmChart",
			"metadata": map[string]any{"name": hr.GetNamespace() + "-" + hr.GetName(), "namespace": ns},
			"spec": map[string]any{
				"chart": name, "version": version, "interval": "10m",
				"reconcileStrategy": "ChartVersion",
				"sourceRef":         map[string]any{"kind": "HelmRepository", "name": refName},
			},
		}}
		a := newApplier(s.t, s.c)
		if _, err := a.apply(ctx, hc, false); err != nil {
			s.t.Fatal(err)
		}
		want := testcluster.ReadyRevision{RevisionField: []string{"status", "artifact", "revision"}, Revision: version}
		if _, err := s.c.WaitReady(ctx, helmChartGVR, ns, hc.GetName(), want); err != nil {
			s.t.Errorf("chart %s %s of HelmRelease %s/%s: %v", name, version, hr.GetNamespace(), hr.GetName(), err)
		}
	}
}

var helmChartGVR = schema.GroupVersionResource{Group: "source.toolkit.fluxcd.io", Version: "v1", Resource: "helmcharts"}

// serveFleetCharts serves the test charts (internal/chart/chartrepotest) at
// every version bases/daskhub/fleet.yaml pins and at the next patch version
// (what hubfleet upgrade moves to) from a loopback Helm repository, and
// points the fleet's chart repositories at it.
func serveFleetCharts(t *testing.T, repo string) *chartrepotest.Server {
	t.Helper()
	path := filepath.Join(repo, "bases", "daskhub", "fleet.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var fleet struct {
		Spec struct {
			Charts map[string]struct {
				Repository string `json:"repository"`
				Chart      string `json:"chart"`
				Version    string `json:"version"`
			} `json:"charts"`
		} `json:"spec"`
	}
	if err := yaml.Unmarshal(data, &fleet); err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	var charts []chartrepotest.Chart
	repos := map[string]bool{}
	for _, ch := range fleet.Spec.Charts {
		for _, v := range []string{ch.Version, nextPatch(t, ch.Version)} {
			charts = append(charts, chartrepotest.Chart{Dir: chartrepotest.Dir(ch.Chart), Version: v})
		}
		repos[ch.Repository] = true
	}
	if len(charts) == 0 {
		t.Fatalf("no charts pinned in %s", path)
	}
	srv := chartrepotest.Start(t, charts...)
	text := string(data)
	for r := range repos {
		text = strings.ReplaceAll(text, "repository: "+r+"\n", "repository: "+srv.URL+"\n")
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return srv
}

// nextPatch is version with its patch number raised by one.
func nextPatch(t *testing.T, version string) string {
	t.Helper()
	var major, minor, patch int
	if _, err := fmt.Sscanf(version, "%d.%d.%d", &major, &minor, &patch); err != nil {
		t.Fatalf("chart version %q is not MAJOR.MINOR.PATCH: %v", version, err)
	}
	return fmt.Sprintf("%d.%d.%d", major, minor, patch+1)
}

// httpGet returns nil if url answers 200.
func httpGet(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return nil
}

// bootstrap sets the cluster up as `flux bootstrap --path=clusters/<site>`
// would, with the site's age key in flux-system/sops-age.
func bootstrap(ctx context.Context, t *testing.T, c *testcluster.Cluster, url string, identity *age.X25519Identity) {
	t.Helper()
	bootstrapSite(ctx, t, c, url, scenarioSite, identity)
}

// writeSite adds the scenario's site: a copy of the example site egi-pangeo
// (EGI Check-in, SOPS client secret) under a new name, host and age key.
func writeSite(t *testing.T, repo, recipient string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repo, "clusters", "egi-pangeo", "site.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for _, r := range []struct{ re, repl string }{
		{`(?m)^  name: egi-pangeo$`, "  name: " + scenarioSite},
		{`(?m)^  host: .*$`, "  host: " + scenarioSite + ".pangeo.example.org"},
		{`(?m)^    ageRecipient: .*$`, "    ageRecipient: " + recipient},
	} {
		re := regexp.MustCompile(r.re)
		if !re.MatchString(text) {
			t.Fatalf("example site egi-pangeo has no line matching %s", r.re)
		}
		text = re.ReplaceAllString(text, r.repl)
	}
	dir := filepath.Join(repo, "clusters", scenarioSite)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "site.yaml"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
