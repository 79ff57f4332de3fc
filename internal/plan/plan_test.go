package plan_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hubfleet/hubfleet/internal/chart"
	"github.com/hubfleet/hubfleet/internal/chart/chartrepotest"
	"github.com/hubfleet/hubfleet/internal/golden"
	"github.com/hubfleet/hubfleet/internal/plan"
	"sigs.k8s.io/yaml"
)

func info(version, jhApp, kube, crd string) chart.Info {
	return chart.Info{
		Name: "daskhub", Version: version, AppVersion: "jh" + jhApp,
		CRDs: map[string]string{"daskhub/charts/dask-gateway/crds/daskclusters.yaml": crd},
		Subcharts: []chart.Info{
			{Name: "dask-gateway", Version: "2024.1.0", AppVersion: "2024.1.0", KubeVersion: ">=1.24.0-0"},
			{Name: "jupyterhub", Version: "4.0.0", AppVersion: jhApp, KubeVersion: kube},
		},
	}
}

func result(i chart.Info, objs ...chart.Object) *chart.Result {
	return &chart.Result{Chart: i, Objects: objs}
}

func obj(kind, name, y string) chart.Object {
	return chart.Object{APIVersion: "v1", Kind: kind, Name: name, YAML: y}
}

func helmRelease(version, timeout string) []byte {
	return []byte("apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: daskhub\nspec:\n  chart:\n    spec:\n      chart: daskhub\n      version: " + version + "\n  timeout: " + timeout + "\n")
}

// syntheticSites covers every status and one-way door without rendering.
func syntheticSites() []plan.Site {
	base := info("2024.1.1", "4.0.2", ">=1.28.0-0", "aaa")
	svc := obj("Service", "proxy-public", "kind: Service\nspec:\n  type: LoadBalancer\n")
	cm := obj("ConfigMap", "hub", "kind: ConfigMap\ndata:\n  a: \"1\"\n")
	files := map[string][]byte{"clusters/x/helmrelease.yaml": helmRelease("2024.1.1", "15m")}
	same := func(name string) plan.Site {
		return plan.Site{Name: name,
			Base: &plan.State{Files: files, Result: result(base, svc, cm)},
			Head: &plan.State{Files: files, Result: result(base, svc, cm)},
		}
	}
	return []plan.Site{
		same("zeta"),
		same("alpha"),
		{
			Name: "egi",
			Base: &plan.State{Files: files, Result: result(base, svc, cm)},
			Head: &plan.State{
				Files:  map[string][]byte{"clusters/x/helmrelease.yaml": helmRelease("2024.1.1", "20m")},
				Result: result(base, obj("Service", "proxy-public", "kind: Service\nspec:\n  type: ClusterIP\n"), cm, obj("Secret", "extra", "kind: Secret\n")),
			},
		},
		{
			Name: "bump",
			Base: &plan.State{Files: files, Result: result(base, svc, cm)},
			Head: &plan.State{
				Files:  map[string][]byte{"clusters/x/helmrelease.yaml": helmRelease("2024.2.0", "15m")},
				Result: &chart.Result{Chart: info("2024.2.0", "5.2.1", ">=1.30.0-0", "bbb"), Objects: []chart.Object{svc}, Problems: []chart.Problem{{Kind: chart.ProblemSchema, Chart: "jupyterhub", Path: "jupyterhub.hub.foo", Message: "unknown key"}}},
			},
		},
		{Name: "newsite", Head: &plan.State{Files: files, Result: result(base, cm)}},
		{Name: "oldsite", Base: &plan.State{Files: files, Result: result(base, cm)}},
	}
}

func TestPlanGolden(t *testing.T) {
	t.Parallel()
	p, err := plan.Build(context.Background(), syntheticSites(), plan.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	var text, md, js bytes.Buffer
	if err := plan.WriteText(&text, p); err != nil {
		t.Fatal(err)
	}
	md.WriteString(plan.Report{Plan: p}.Full())
	if err := plan.WriteJSON(&js, p); err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, filepath.Join("testdata", "plan.txt"), text.String())
	golden.Assert(t, filepath.Join("testdata", "plan.md"), md.String())
	golden.Assert(t, filepath.Join("testdata", "plan.json"), js.String())
}

func TestPlanStatusesAndDoors(t *testing.T) {
	t.Parallel()
	p, err := plan.Build(context.Background(), syntheticSites(), plan.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, s := range p.Sites {
		got[s.Site] = []string{string(s.Status)}
		for _, d := range s.OneWayDoors {
			got[s.Site] = append(got[s.Site], d.Kind)
		}
	}
	want := map[string][]string{
		"alpha":   {"unchanged"},
		"zeta":    {"unchanged"},
		"egi":     {"changed"},
		"bump":    {"changed", plan.DoorHubDatabase, plan.DoorCRD, plan.DoorKubeVersion},
		"newsite": {"added"},
		"oldsite": {"removed"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("statuses and doors (-want +got):\n%s", diff)
	}
	if !p.Changed() {
		t.Error("Changed() = false")
	}
}

func TestCommentLimit(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("line of a large config map\n", 400)
	var sites []plan.Site
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		sites = append(sites, plan.Site{Name: n,
			Base: &plan.State{Result: result(info("1", "1", "", ""), obj("ConfigMap", "x", "data: old\n"+big))},
			Head: &plan.State{Result: result(info("1", "1", "", ""), obj("ConfigMap", "x", "data: new\n"+strings.ReplaceAll(big, "line", "LINE")))},
		})
	}
	p, err := plan.Build(context.Background(), sites, plan.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		limit     int
		wantShort bool
	}{
		{name: "all details fit", limit: 1 << 20},
		{name: "details are shortened, no site dropped", limit: 30000, wantShort: true},
		{name: "room for the summary only", limit: 3000, wantShort: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := plan.Report{Plan: p, FullPlanURL: "https://example.org/full"}.Comment("<!-- m -->\n", tt.limit)
			if len(out) > tt.limit {
				t.Errorf("comment is %d bytes, limit %d", len(out), tt.limit)
			}
			if got := strings.Contains(out, "more line(s) of this diff: see the full plan, https://example.org/full"); got != tt.wantShort {
				t.Errorf("shortening note %v, want %v", got, tt.wantShort)
			}
			for _, n := range []string{"a", "b", "c", "d", "e"} {
				if !strings.Contains(out, "| `"+n+"` | changed |") || !strings.Contains(out, "<summary><code>"+n+"</code>") {
					t.Errorf("the comment lost site %s", n)
				}
			}
		})
	}
}

func mustValues(t *testing.T, y string) map[string]any {
	t.Helper()
	var v map[string]any
	if err := yaml.Unmarshal([]byte(y), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestPlanRendersOnlyChangedSites renders a fleet on the real charts:
// three unchanged sites are not rendered, a values change and two chart
// bumps are (jupyterhub 3.2.1 -> 4.4.0, dask-gateway 2024.1.0 -> 2026.3.0),
// and the bumps call out all three one-way doors.
func TestPlanRendersOnlyChangedSites(t *testing.T) {
	t.Parallel()
	srv := chartrepotest.StartReal(t)
	ropts := chart.DefaultResolverOptions()
	ropts.CacheDir = t.TempDir()
	res, err := chart.NewResolver(ropts)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	resolve := func(name, version string) *chart.Chart {
		c, err := res.Resolve(ctx, chart.Ref{RepoURL: srv.URL, Name: name, Version: version})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	old := resolve("daskhub", "2024.1.1")
	hub321, hub440 := resolve("jupyterhub", "3.2.1"), resolve("jupyterhub", "4.4.0")
	gw2024, gw2026 := resolve("dask-gateway", "2024.1.0"), resolve("dask-gateway", "2026.3.0")
	ropt := chart.DefaultRenderOptions()
	ropt.CacheDir = t.TempDir()
	r, err := chart.NewRenderer(ropt)
	if err != nil {
		t.Fatal(err)
	}
	req := func(site string, c *chart.Chart, vals string) *plan.State {
		return &plan.State{Request: &chart.Request{Site: site, Chart: c, ReleaseName: c.Info.Name, Namespace: site, Values: mustValues(t, vals)}}
	}
	sites := []plan.Site{
		{Name: "a", Base: req("a", old, "{}"), Head: req("a", old, "{}")},
		{Name: "b", Base: req("b", old, "{}"), Head: req("b", old, "{}")},
		{Name: "c", Base: req("c", old, "{}"), Head: req("c", old, "{}")},
		{Name: "values", Base: req("values", old, "{}"), Head: req("values", old, "jupyterhub:\n  proxy:\n    service:\n      type: ClusterIP\n")},
		{Name: "bump-hub", Base: req("bump-hub", hub321, "{}"), Head: req("bump-hub", hub440, "{}")},
		{Name: "bump-gateway", Base: req("bump-gateway", gw2024, "{}"), Head: req("bump-gateway", gw2026, "{}")},
	}
	var rendered int
	opts := plan.DefaultOptions()
	opts.Renderer = r
	opts.Progress = func(done, total int) { rendered = total }
	p, err := plan.Build(ctx, sites, opts)
	if err != nil {
		t.Fatal(err)
	}
	if rendered != 6 {
		t.Errorf("rendered %d states, want 6 (base and head of the three changed sites)", rendered)
	}
	for _, sc := range p.Sites {
		if sc.Site != "bump" {
			continue
		}
		// The bump changes the CRD; every other object only carries the
		// chart version in its labels.
		var objs []string
		for _, d := range sc.Objects {
			objs = append(objs, d.Name)
		}
		if diff := cmp.Diff([]string{"apiextensions.k8s.io/CustomResourceDefinition _/daskclusters.gateway.dask.org"}, objs); diff != "" {
			t.Errorf("bump: object diffs (-want +got):\n%s", diff)
		}
		if len(sc.LabelOnly) == 0 {
			t.Error("bump: no label-only objects")
		}
	}
	var text bytes.Buffer
	if err := plan.WriteText(&text, p); err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, filepath.Join("testdata", "fleet.txt"), text.String())

	// A second plan of the same fleet is identical: lookup-minted
	// secrets and checksums do not leak into the diff.
	p2, err := plan.Build(ctx, sites, opts)
	if err != nil {
		t.Fatal(err)
	}
	var text2 bytes.Buffer
	if err := plan.WriteText(&text2, p2); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(text.String(), text2.String()); diff != "" {
		t.Errorf("plan is not stable across runs (-first +second):\n%s", diff)
	}
}

func TestPlanSharedRequestIsNotRendered(t *testing.T) {
	t.Parallel()
	req := &chart.Request{Site: "a", ReleaseName: "daskhub", Namespace: "a", Values: map[string]any{"x": 1}}
	files := map[string][]byte{"hr.yaml": []byte("kind: HelmRelease\n")}
	sites := []plan.Site{{Name: "a", Base: &plan.State{Files: files, Request: req}, Head: &plan.State{Files: files, Request: req}}}
	// No renderer: identical inputs must not need one.
	p, err := plan.Build(context.Background(), sites, plan.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Sites[0].Status; got != plan.Unchanged {
		t.Errorf("status %s, want unchanged", got)
	}
	// Distinct requests do need a renderer.
	other := *req
	sites[0].Head = &plan.State{Files: files, Request: &other}
	if _, err := plan.Build(context.Background(), sites, plan.DefaultOptions()); err == nil {
		t.Error("distinct requests without a renderer: want an error")
	}
}
