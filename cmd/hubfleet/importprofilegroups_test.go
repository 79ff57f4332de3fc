package main

import (
	"context"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/hubfleet/hubfleet/internal/chart"
	"github.com/hubfleet/hubfleet/internal/chart/chartrepotest"
	"github.com/hubfleet/hubfleet/internal/values"
)

// TestImportRealHubKeepsItsProfileGroupsOnTheUpstreamCharts imports 2i2c's
// showcase hub (profiles and choices offered only to GitHub teams, which
// 2i2c's basehub enforces) on the upstream route: import says hubfleet's
// profile filter enforces them, render gives the jupyterhub HelmRelease
// the filter beside the very profile list, and z2jh 4.4.0 (Helm SDK) puts
// both into the hub's configuration Secret, which the hub runs.
func TestImportRealHubKeepsItsProfileGroupsOnTheUpstreamCharts(t *testing.T) {
	if testing.Short() {
		t.Skip("imports a real hub on the real charts")
	}
	const name = "2i2c-aws-us-showcase"
	root, cache, names, _ := importSomeRealHubs(t, func(s string) bool { return s == name })
	if len(names) != 1 {
		t.Fatalf("imported %v, want %s", names, name)
	}
	cf := filepath.Join(realConfigsDir(t), "2i2c-infrastructure", "clusters", "2i2c-aws-us", "cluster.yaml")
	r := hubfleet(t, "", "import", "--root", root, "--chart-cache", cache, "--cluster-file", cf, "--hub", "showcase", "--site", "again",
		"--tls-mode", "cert-manager", "--cluster-issuer", "letsencrypt-prod", "--client-id", "imported-client")
	if !strings.Contains(r.stderr, "are offered only to some groups (allowed_groups); enforced by hubfleet's profile filter") ||
		strings.Contains(r.stderr, "every user is offered them") {
		t.Errorf("the import report does not say the groups are enforced:\n%s", r.stderr)
	}
	setRealSecrets(t, root, names)
	r = hubfleet(t, "", "validate", "--root", root, "--chart-cache", cache)
	if r.code != exitOK {
		t.Fatalf("validate: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if strings.Contains(r.stderr, "not by KubeSpawner") {
		t.Errorf("validate still says allowedGroups is not enforced:\n%s", r.stderr)
	}
	t.Logf("validate:\n%s", r.stderr)
	if r := hubfleet(t, "", "render", "--root", root, "--chart-cache", cache); r.code != exitOK {
		t.Fatalf("render: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	hr := readHelmReleaseValues(t, filepath.Join(root, "overlays", name))
	list, _ := hr["singleuser"].(map[string]any)["profileList"].([]any)
	if !values.RestrictsGroups(list) {
		t.Fatalf("the HelmRelease's profile list restricts no group: %s", jsonOf(t, list))
	}
	extra, _ := hr["hub"].(map[string]any)["extraConfig"].(map[string]any)
	if extra[values.ProfileGroupsKey] != values.ProfileGroupsConfig {
		t.Fatalf("the HelmRelease lacks hub.extraConfig.%s; extraConfig keys: %v", values.ProfileGroupsKey, keysOf(extra))
	}

	srv := chartrepotest.StartReal(t, "jupyterhub-4.4.0.tgz")
	ro := chart.DefaultResolverOptions()
	ro.CacheDir = t.TempDir()
	res, err := chart.NewResolver(ro)
	if err != nil {
		t.Fatal(err)
	}
	c, err := res.Resolve(context.Background(), chart.Ref{RepoURL: srv.URL, Name: "jupyterhub", Version: "4.4.0"})
	if err != nil {
		t.Fatal(err)
	}
	opts := chart.DefaultRenderOptions()
	opts.CacheDir, opts.Workers, opts.KubeVersion = "", 1, "1.31.0"
	opts.StripSecrets = nil // the hub Secret's data is what this test reads
	rd, err := chart.NewRenderer(opts)
	if err != nil {
		t.Fatal(err)
	}
	out := rd.Render(context.Background(), chart.Request{Site: name, Chart: c, ReleaseName: "jupyterhub", Namespace: "daskhub", Values: hr})
	if !out.OK() {
		t.Fatalf("z2jh does not render the HelmRelease values: %v", out.Problems)
	}
	var hv map[string]any
	if err := yaml.Unmarshal([]byte(hubSecretValues(t, out.Manifest())), &hv); err != nil {
		t.Fatal(err)
	}
	if got := hv["hub"].(map[string]any)["extraConfig"].(map[string]any)[values.ProfileGroupsKey]; got != values.ProfileGroupsConfig {
		t.Errorf("the hub Secret lacks hubfleet's profile filter (hub.extraConfig.%s), got %v", values.ProfileGroupsKey, got)
	}
	if a, b := jsonOf(t, list), jsonOf(t, hv["singleuser"].(map[string]any)["profileList"]); a != b {
		t.Errorf("the hub Secret's profile list differs from the HelmRelease's:\nrelease %s\nchart   %s", a, b)
	}
}

func keysOf(m map[string]any) []string {
	return slices.Sorted(maps.Keys(m))
}
