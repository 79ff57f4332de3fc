package testcluster_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"github.com/hubfleet/hubfleet/internal/chart/chartrepotest"
	"github.com/hubfleet/hubfleet/internal/fleettest"
	"github.com/hubfleet/hubfleet/internal/testcluster"
)

// releaseTimeout bounds a wait for helm-controller to install or upgrade
// the releases of one site on the fake nodes.
const releaseTimeout = 8 * time.Minute

// serveRealCharts serves every real packaged chart (../shared/charts:
// jupyterhub 3.2.1 and 4.4.0, dask-gateway 2024.1.0 and 2026.3.0, daskhub
// 2024.1.1), unchanged, from a loopback Helm repository indexed with Helm's
// repo code, and points the fleet's chart repositories at it.
func serveRealCharts(t *testing.T, repo string) *chartrepotest.Server {
	t.Helper()
	srv := chartrepotest.StartReal(t)
	editFile(t, filepath.Join(repo, "bases", "daskhub", "fleet.yaml"), []edit{
		{`(?m)^(\s+repository:) https://\S+$`, "${1} " + srv.URL},
	})
	return srv
}

// edit is a regular expression replacement that must match.
type edit struct{ re, repl string }

// editFile applies edits to a file; an edit that matches nothing fails the
// test (the example fleet changed under it).
func editFile(t *testing.T, path string, edits []edit) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for _, e := range edits {
		re := regexp.MustCompile(e.re)
		if !re.MatchString(text) {
			t.Fatalf("%s has no text matching %s", path, e.re)
		}
		text = re.ReplaceAllString(text, e.repl)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// realSite is one example site in its own cluster, with the GitOps loop
// on real components: the fleet repository served over git smart HTTP,
// source-, kustomize- and helm-controller, the real charts, and pods made
// Ready by KWOK.
type realSite struct {
	scenario
	site     string
	charts   *chartrepotest.Server
	identity *age.X25519Identity
	verifyKC string // kubeconfig whose context is named after the site
	gitURL   string // the fleet repository's URL on the git server Flux reads
}

// startRealSite prepares the fleet repository (the example fleet, the
// site's age key replaced by a fresh one and its client secret re-encrypted
// to it, charts from the loopback repository), changes it with prepare when
// set, starts a cluster and bootstraps it for the site, as `flux bootstrap
// --path=clusters/<site>` would. Nothing of the site is applied yet.
func startRealSite(ctx context.Context, t *testing.T, site string, prepare func(repo string)) *realSite {
	t.Helper()
	opts := testcluster.DefaultOptions()
	opts.Controllers = true
	opts.HelmController = true
	opts.Workloads = true
	c := testcluster.Start(t, opts)

	root := t.TempDir()
	r := &realSite{scenario: scenario{t: t, c: c, repo: filepath.Join(root, "fleet")}, site: site}
	gitCmd(t, root, "init", "-q", "-b", "main", r.repo)
	fleettest.CopyExample(t, r.repo)
	r.charts = serveRealCharts(t, r.repo)
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	r.identity = id
	siteFile := filepath.Join(r.repo, "clusters", site, "site.yaml")
	editFile(t, siteFile, []edit{{`(?m)^(\s+ageRecipient:) .*$`, "${1} " + id.Recipient().String()}})
	if prepare != nil {
		prepare(r.repo)
	}
	if _, err := os.Stat(filepath.Join(r.repo, "overlays", site, "oauth-client-secret.sops.yaml")); err == nil {
		runCLI(t, r.repo, clientSecretVal, "secret", "set", "--site", site)
	}
	runCLI(t, r.repo, "", "render")
	// The cluster starts without the site: the first commit holds every
	// other site, the site's own files come with "add a site".
	r.git("add", "-A")
	r.git("rm", "-r", "-q", "--cached", "--", "clusters/"+site, "overlays/"+site)
	r.git("commit", "-q", "-m", "fleet without "+site)

	srv := startGitServer(t, root)
	r.gitURL = srv.RepoURL("fleet")
	c.AddCheck("git server", func(ctx context.Context) error { return srv.Check(ctx, "fleet") })
	c.AddCheck("chart repository", func(ctx context.Context) error { return httpGet(ctx, r.charts.URL+"/index.yaml") })
	bootstrapSite(ctx, t, c, r.gitURL, site, id)
	r.verifyKC = siteKubeconfig(t, c, site)
	return r
}

// bootstrapSite creates flux-system/sops-age with the site's key, the
// GitRepository flux-system and the root Kustomization applying
// clusters/<site>.
func bootstrapSite(ctx context.Context, t *testing.T, c *testcluster.Cluster, url, site string, identity *age.X25519Identity) {
	t.Helper()
	ns := testcluster.FluxNamespace
	objs := []struct {
		gvr schema.GroupVersionResource
		obj map[string]any
	}{
		{testcluster.SecretGVR, map[string]any{
			"apiVersion": "v1", "kind": "Secret",
			"metadata":   map[string]any{"name": sopsSecretName, "namespace": ns},
			"stringData": map[string]any{site + ".agekey": identity.String()},
		}},
		{testcluster.GitRepositoryGVR, map[string]any{
			"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
			"metadata": map[string]any{"name": gitRepoName, "namespace": ns},
			"spec": map[string]any{
				"url": url, "interval": "10m", "timeout": "30s",
				"ref": map[string]any{"branch": "main"},
			},
		}},
		{testcluster.KustomizationGVR, map[string]any{
			"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
			"metadata": map[string]any{"name": "flux-system", "namespace": ns},
			"spec": map[string]any{
				"interval": "10m", "prune": true, "wait": false,
				"path":      "./clusters/" + site,
				"sourceRef": map[string]any{"kind": "GitRepository", "name": gitRepoName},
			},
		}},
	}
	for _, o := range objs {
		u := &unstructured.Unstructured{Object: o.obj}
		if _, err := c.Dynamic().Resource(o.gvr).Namespace(ns).Create(ctx, u, metav1.CreateOptions{}); err != nil {
			t.Fatalf("bootstrap: create %s %s: %v", u.GetKind(), u.GetName(), err)
		}
	}
}

// siteKubeconfig writes a copy of the cluster's kubeconfig whose context is
// named after the site, the context hubfleet verify uses by default.
func siteKubeconfig(t *testing.T, c *testcluster.Cluster, site string) string {
	t.Helper()
	data, err := os.ReadFile(c.KubeconfigPath())
	if err != nil {
		t.Fatal(err)
	}
	text := strings.ReplaceAll(string(data), "hubfleet-test", site)
	p := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// entry is the name of the site's entry point Kustomization.
func (r *realSite) entry() string { return "hubfleet-" + r.site }

// push commits everything with msg, makes Flux fetch and apply it, and
// returns the commit's Flux revision and when it was committed.
func (r *realSite) push(ctx context.Context, msg string) (string, time.Time) {
	r.t.Helper()
	rev := r.commit(msg)
	at := time.Now()
	r.sync(ctx, rev, "flux-system", r.entry())
	return rev, at
}

// waitReleases waits until every HelmRelease rendered for the site is
// Ready for its current generation at its rendered chart version, and
// returns them by name.
func (r *realSite) waitReleases(ctx context.Context) map[string]*unstructured.Unstructured {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(ctx, releaseTimeout)
	defer cancel()
	out := map[string]*unstructured.Unstructured{}
	for _, hr := range r.renderedHelmReleases(r.site) {
		version, _, _ := unstructured.NestedString(hr.Object, "spec", "chart", "spec", "version")
		want := testcluster.ReadyRevision{RevisionField: []string{"status", "lastAttemptedRevision"}, Revision: version}
		got, err := r.c.WaitReady(ctx, testcluster.HelmReleaseGVR, hr.GetNamespace(), hr.GetName(), want)
		if err != nil {
			r.t.Fatalf("HelmRelease %s/%s of site %s: %v\n%s", hr.GetNamespace(), hr.GetName(), r.site, err, r.podReport(hr.GetNamespace()))
		}
		out[hr.GetName()] = got
	}
	return out
}

// podReport lists the pods of a namespace with their phase and node, for
// a failure message.
func (r *realSite) podReport(ns string) string {
	cs := r.c.Clientset()
	if cs == nil {
		return ""
	}
	pods, err := cs.CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		return "pods: " + err.Error()
	}
	var b strings.Builder
	for _, p := range pods.Items {
		fmt.Fprintf(&b, "  pod %s: %s on %q\n", p.Name, p.Status.Phase, p.Spec.NodeName)
	}
	return b.String()
}

// helmRevision is the Helm release revision helm-controller last recorded
// (status.history[0].version).
func helmRevision(hr *unstructured.Unstructured) int64 {
	hist, _, _ := unstructured.NestedSlice(hr.Object, "status", "history")
	if len(hist) == 0 {
		return 0
	}
	m, _ := hist[0].(map[string]any)
	switch v := m["version"].(type) {
	case int64:
		return v
	case float64:
		return int64(v)
	}
	return 0
}

// verifyResult is one result of `hubfleet verify -o json`.
type verifyResult struct {
	Site   string `json:"site"`
	Check  string `json:"check"`
	Status string `json:"status"`
	Detail string `json:"detail"`
	Fix    string `json:"fix"`
}

// verify runs `hubfleet verify --site <site> -o json` against the cluster
// and returns its flux results (helmrelease/<name>) and its Kubernetes
// results (deployment/<name>, proxy-public), by check name. The other checks (DNS, TLS, the hub
// over HTTPS) have nothing to reach here and are not looked at.
func (r *realSite) verify(ctx context.Context) map[string]verifyResult {
	r.t.Helper()
	cmd := exec.CommandContext(ctx, fleettest.CLI(r.t), "--root", r.repo, "verify", "--site", r.site, "-o", "json",
		"--kubeconfig", r.verifyKC, "--timeout", "20s")
	cmd.Dir = r.repo
	out, err := cmd.Output()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
		r.t.Fatalf("hubfleet verify: %v\n%s", err, out)
	}
	var rep struct {
		Results []verifyResult `json:"results"`
	}
	if err := json.Unmarshal(out, &rep); err != nil {
		r.t.Fatalf("hubfleet verify -o json: %v\n%s", err, out)
	}
	got := map[string]verifyResult{}
	for _, res := range rep.Results {
		if strings.HasPrefix(res.Check, "helmrelease/") || strings.HasPrefix(res.Check, "deployment/") || res.Check == "proxy-public" {
			got[res.Check] = res
		}
	}
	if len(got) == 0 {
		r.t.Fatalf("hubfleet verify ran no HelmRelease or Kubernetes check:\n%s", out)
	}
	return got
}

// fluxResults keeps the HelmRelease results of a verify run.
func fluxResults(all map[string]verifyResult) map[string]verifyResult {
	out := map[string]verifyResult{}
	for k, v := range all {
		if strings.HasPrefix(k, "helmrelease/") {
			out[k] = v
		}
	}
	return out
}

// crdGenerations maps the name of every CRD of group to its generation.
func crdGenerations(ctx context.Context, t *testing.T, c *testcluster.Cluster, groups ...string) map[string]int64 {
	t.Helper()
	list, err := c.Dynamic().Resource(testcluster.CRDGVR).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, crd := range list.Items {
		g, _, _ := unstructured.NestedString(crd.Object, "spec", "group")
		for _, want := range groups {
			if g == want {
				out[crd.GetName()] = crd.GetGeneration()
			}
		}
	}
	return out
}

// names returns the sorted keys of m.
func names[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// siteValues adds values under spec.values of a site file (the daskhub
// layout: jupyterhub:, dask-gateway:).
func siteValues(t *testing.T, repo, site string, values map[string]any) {
	t.Helper()
	path := filepath.Join(repo, "clusters", site, "site.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	spec, _ := doc["spec"].(map[string]any)
	if spec["values"] != nil {
		t.Fatalf("%s already has spec.values; the test would overwrite them", path)
	}
	block, err := yaml.Marshal(map[string]any{"values": values})
	if err != nil {
		t.Fatal(err)
	}
	var indented strings.Builder
	for _, line := range strings.Split(strings.TrimRight(string(block), "\n"), "\n") {
		indented.WriteString("  " + line + "\n")
	}
	text := strings.TrimRight(string(data), "\n") + "\n" + indented.String()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
