package testcluster_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"helm.sh/helm/v3/pkg/action"
	helmchart "helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/release"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/hubfleet/hubfleet/internal/chart/chartrepotest"
	"github.com/hubfleet/hubfleet/internal/fleettest"
	"github.com/hubfleet/hubfleet/internal/testcluster"
)

// placeholderSecret stands in for a site's OAuth client secret: the example
// fleet's real ones are SOPS-encrypted for keys this test does not hold.
const placeholderSecret = "placeholder-client-secret"

// TestRealHelmInstall installs, for every example site, each rendered
// HelmRelease's chart with its final values (values over valuesFrom, as
// helm-controller merges them) through the Helm SDK into the site's own
// namespace on a real API server, with the HelmRelease's install options,
// except that waiting is off because no kubelet runs. The chart's
// proxy-public Service and hub Deployment must then exist.
//
// The charts are the test charts of internal/chart/chartrepotest at the
// versions the HelmReleases pin (the real charts cannot be fetched here).
//
// z2jh's image pre-puller hook (a Job that never completes without a
// kubelet, and slows upgrades on real clusters) must be off in every
// rendered release: the install would otherwise block on it.
func TestRealHelmInstall(t *testing.T) {
	t.Parallel()
	root := fleettest.Root(t)
	files, err := filepath.Glob(filepath.Join(root, "overlays", "*", "helmrelease-*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	bySite := map[string][]string{}
	for _, f := range files {
		site := filepath.Base(filepath.Dir(f))
		bySite[site] = append(bySite[site], f)
	}
	if len(bySite) == 0 {
		t.Fatal("no rendered HelmReleases in overlays/")
	}
	sites := make([]string, 0, len(bySite))
	for s := range bySite {
		sites = append(sites, s)
	}
	sort.Strings(sites)

	c := testcluster.Start(t, testcluster.DefaultOptions())
	ctx, cancel := context.WithTimeout(t.Context(), 6*time.Minute)
	defer cancel()

	// Sites run one after the other: every release is named as its
	// HelmRelease says, and charts have cluster-scoped objects named after
	// the release, so each site's releases are uninstalled before the next.
	for _, site := range sites {
		t.Run(site, func(t *testing.T) {
			ns := "site-" + site
			if err := c.CreateNamespace(ctx, ns); err != nil {
				t.Fatal(err)
			}
			var cfgs []*action.Configuration
			var names []string
			defer func() {
				for i := len(names) - 1; i >= 0; i-- {
					if _, err := action.NewUninstall(cfgs[i]).Run(names[i]); err != nil {
						t.Errorf("uninstall %s: %v", names[i], err)
					}
				}
			}()
			for _, f := range bySite[site] {
				hr := readObject(t, f)
				cfg := helmConfig(t, c, ns)
				// Uninstalled also when the install fails: a failed
				// release keeps what it created.
				cfgs = append(cfgs, cfg)
				names = append(names, releaseName(hr))
				rel, err := installAsHelmRelease(ctx, c, cfg, hr, ns)
				if err != nil {
					t.Errorf("%s: %v", filepath.Base(f), err)
					continue
				}
				if rel.Info.Status != release.StatusDeployed {
					t.Errorf("release %s status %s, want deployed", rel.Name, rel.Info.Status)
				}
				for _, h := range rel.Hooks {
					if h.Kind == "Job" {
						t.Errorf("release %s has the hook Job %s (events %v): it never completes without a kubelet and slows real upgrades", rel.Name, h.Name, h.Events)
					}
				}
			}
			dyn := c.Dynamic()
			for _, want := range []struct {
				gvr  [3]string
				name string
			}{
				{[3]string{"", "v1", "services"}, "proxy-public"},
				{[3]string{"apps", "v1", "deployments"}, "hub"},
			} {
				gvr := schemaGVR(want.gvr[0], want.gvr[1], want.gvr[2])
				if _, err := dyn.Resource(gvr).Namespace(ns).Get(ctx, want.name, metav1.GetOptions{}); err != nil {
					t.Errorf("%s %s/%s after install: %v", gvr.Resource, ns, want.name, err)
				}
			}
		})
	}

	// The check above can fail: with the hook enabled, the same chart
	// renders the image-awaiter hook Job.
	t.Run("pre-puller hook control", func(t *testing.T) {
		ch, err := chartrepotest.Load(chartrepotest.Chart{Dir: chartrepotest.Dir("jupyterhub")})
		if err != nil {
			t.Fatal(err)
		}
		inst := action.NewInstall(helmConfig(t, c, "default"))
		inst.ReleaseName, inst.Namespace = "hook-control", "default"
		inst.DryRun, inst.ClientOnly = true, true
		kv, err := chartutil.ParseKubeVersion(testcluster.KubernetesVersion)
		if err != nil {
			t.Fatal(err)
		}
		inst.KubeVersion = kv
		rel, err := inst.RunWithContext(ctx, ch, map[string]any{"prePuller": map[string]any{"hook": map[string]any{"enabled": true}}})
		if err != nil {
			t.Fatal(err)
		}
		jobs := 0
		for _, h := range rel.Hooks {
			if h.Kind == "Job" {
				jobs++
			}
		}
		if jobs == 0 {
			t.Error("with prePuller.hook.enabled the chart renders no hook Job: the hook check above proves nothing")
		}
	})
}

// helmConfig is a Helm action configuration for namespace ns on the cluster,
// storing releases in Secrets as helm-controller does.
func helmConfig(t *testing.T, c *testcluster.Cluster, ns string) *action.Configuration {
	t.Helper()
	flags := genericclioptions.NewConfigFlags(false)
	kubeconfig := c.KubeconfigPath()
	flags.KubeConfig = &kubeconfig
	flags.Namespace = &ns
	cfg := &action.Configuration{}
	if err := cfg.Init(flags, ns, "secret", func(format string, v ...any) {}); err != nil {
		t.Fatalf("helm: %v", err)
	}
	return cfg
}

// installAsHelmRelease installs hr's chart (from the test charts, at the
// version hr pins) with hr's values and install options into ns.
func installAsHelmRelease(ctx context.Context, c *testcluster.Cluster, cfg *action.Configuration, hr *unstructured.Unstructured, ns string) (*release.Release, error) {
	spec, _, _ := unstructured.NestedMap(hr.Object, "spec")
	name, _, _ := unstructured.NestedString(spec, "chart", "spec", "chart")
	version, _, _ := unstructured.NestedString(spec, "chart", "spec", "version")
	ch, err := testChart(name, version)
	if err != nil {
		return nil, err
	}
	vals, err := finalValues(ctx, c, hr, ns)
	if err != nil {
		return nil, err
	}

	inst := action.NewInstall(cfg)
	inst.Namespace = ns
	inst.ReleaseName = releaseName(hr)
	inst.Timeout = 5 * time.Minute
	if s, _, _ := unstructured.NestedString(spec, "timeout"); s != "" {
		if inst.Timeout, err = time.ParseDuration(s); err != nil {
			return nil, fmt.Errorf("spec.timeout: %w", err)
		}
	}
	install, _, _ := unstructured.NestedMap(spec, "install")
	crds, _, _ := unstructured.NestedString(install, "crds")
	inst.SkipCRDs = crds == "Skip"
	inst.DisableHooks, _, _ = unstructured.NestedBool(install, "disableHooks")
	inst.SkipSchemaValidation, _, _ = unstructured.NestedBool(install, "disableSchemaValidation")
	inst.DisableOpenAPIValidation, _, _ = unstructured.NestedBool(install, "disableOpenAPIValidation")
	// The one deviation: no kubelet runs, so nothing would become ready.
	inst.Wait, inst.WaitForJobs = false, false

	rel, err := inst.RunWithContext(ctx, ch, vals)
	if err != nil {
		return nil, fmt.Errorf("helm install %s (chart %s %s) into %s: %w", inst.ReleaseName, name, version, ns, err)
	}
	return rel, nil
}

// releaseName is the Helm release name of hr: spec.releaseName, or its name.
func releaseName(hr *unstructured.Unstructured) string {
	if rn, _, _ := unstructured.NestedString(hr.Object, "spec", "releaseName"); rn != "" {
		return rn
	}
	return hr.GetName()
}

// testChart loads the named test chart at version.
func testChart(name, version string) (*helmchart.Chart, error) {
	return chartrepotest.Load(chartrepotest.Chart{Dir: chartrepotest.Dir(name), Version: version})
}

// finalValues creates, in ns, each Secret a valuesFrom entry of hr names,
// with a placeholder value (the real ones are SOPS-encrypted), and composes
// the release values from them as helm-controller does
// (helmControllerValues).
func finalValues(ctx context.Context, c *testcluster.Cluster, hr *unstructured.Unstructured, ns string) (map[string]any, error) {
	refs, _, _ := unstructured.NestedSlice(hr.Object, "spec", "valuesFrom")
	for _, r := range refs {
		ref, _ := r.(map[string]any)
		kind, _ := ref["kind"].(string)
		name, _ := ref["name"].(string)
		key, _ := ref["valuesKey"].(string)
		target, _ := ref["targetPath"].(string)
		if kind != "Secret" || target == "" {
			return nil, fmt.Errorf("valuesFrom %s/%s: only Secrets with a targetPath are handled here", kind, name)
		}
		if key == "" {
			key = "values.yaml"
		}
		secret := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "v1", "kind": "Secret",
			"metadata":   map[string]any{"name": name, "namespace": ns},
			"stringData": map[string]any{key: placeholderSecret},
		}}
		if _, err := c.Dynamic().Resource(testcluster.SecretGVR).Namespace(ns).Create(ctx, secret, metav1.CreateOptions{}); err != nil {
			return nil, fmt.Errorf("create the valuesFrom Secret %s: %w", name, err)
		}
	}
	in := hr.DeepCopy()
	in.SetNamespace(ns)
	return helmControllerValues(ctx, c, in)
}
