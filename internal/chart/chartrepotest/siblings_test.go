package chartrepotest_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	helmchart "helm.sh/helm/v3/pkg/chart"

	"github.com/hubfleet/hubfleet/internal/chart"
	"github.com/hubfleet/hubfleet/internal/chart/chartrepotest"
)

// TestLoadRealSibling loads each vendored sibling chart as its publishing
// step packages it (version, values.schema.json) and renders it, served
// over the loopback repository and resolved as a site's release is, with
// its defaults and with values of a real hub, through hubfleet's renderer.
func TestLoadRealSibling(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, version string
		// descriptions: whether the published schema keeps them.
		descriptions bool
		values       map[string]any
		want         []string
		// refused is a value of the wrong type for the schema.
		refused map[string]any
	}{
		{chartrepotest.HomeNFS, chartrepotest.HomeNFSVersion, true,
			map[string]any{"eks": map[string]any{"enabled": true, "volumeId": "vol-0123"}, "quotaEnforcer": map[string]any{"config": map[string]any{"QuotaManager": map[string]any{"hard_quota": 25}}}},
			[]string{"kind: Deployment", "name: home-nfs\n", "kind: Service", "volumeHandle: vol-0123", "hard_quota: 25"},
			map[string]any{"nfsServer": map[string]any{"image": map[string]any{"tag": 5}}}},
		{chartrepotest.BinderHubService, chartrepotest.BinderHubServiceVersion, false,
			map[string]any{"config": map[string]any{"BinderHub": map[string]any{"image_prefix": "quay.io/example/binder-"}}},
			[]string{"kind: Deployment", "kind: Service", "image_prefix: quay.io/example/binder-"},
			map[string]any{"image": map[string]any{"tag": 5}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := chartrepotest.LoadRealSibling(tt.name)
			if err != nil {
				t.Fatal(err)
			}
			if c.Metadata.Version != tt.version {
				t.Errorf("version %s, want %s", c.Metadata.Version, tt.version)
			}
			var schema map[string]any
			if err := json.Unmarshal(c.Schema, &schema); err != nil || schema["properties"] == nil {
				t.Fatalf("values.schema.json is not the schema (%v): %.200s", err, c.Schema)
			}
			if got := strings.Contains(string(c.Schema), `"description"`); got != tt.descriptions {
				t.Errorf("published schema has descriptions: %v, want %v", got, tt.descriptions)
			}
			srv := chartrepotest.Start(t)
			srv.AddRealSiblings(t, tt.name)
			served := resolve(t, srv.URL, tt.name, tt.version)
			opts := chart.DefaultRenderOptions()
			opts.CacheDir, opts.Workers = "", 1
			rd, err := chart.NewRenderer(opts)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range []map[string]any{nil, tt.values} {
				out := rd.Render(context.Background(), chart.Request{Site: "s", Chart: served, ReleaseName: tt.name, Namespace: "hub", Values: v})
				if !out.OK() {
					t.Fatalf("values %v: %v", v, out.Problems)
				}
				if v == nil {
					continue
				}
				for _, w := range tt.want {
					if !strings.Contains(out.Manifest(), w) {
						t.Errorf("rendered with %v: no %q in\n%s", v, w, out.Manifest())
					}
				}
			}
			// The schema is enforced: a value of the wrong type is refused.
			out := rd.Render(context.Background(), chart.Request{Site: "s", Chart: served, ReleaseName: tt.name, Namespace: "hub",
				Values: tt.refused})
			if out.OK() {
				t.Errorf("a values.schema.json-refused value rendered")
			}
		})
	}
}

// TestBasehub builds 2i2c's umbrella charts with and without the real
// siblings and renders each sibling through basehub, enabled as a hub's
// values enable it, and through daskhub, one level further down.
func TestBasehub(t *testing.T) {
	t.Parallel()
	plain, err := chartrepotest.Basehub(chartrepotest.UmbrellaOptions{Version: "0.1.0"})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(plain.Dependencies()); n != 2 {
		t.Errorf("basehub without siblings has %d subcharts, want 2 (jupyterhub, dask-gateway)", n)
	}
	old, err := chartrepotest.Basehub(chartrepotest.UmbrellaOptions{Version: "0.1.0", JupyterHub: "3.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		chart *helmchart.Chart
		want  string
	}{{plain, "4.4.0"}, {old, "3.2.1"}} {
		var got []string
		for _, d := range c.chart.Dependencies() {
			if d.Name() == "jupyterhub" {
				got = append(got, d.Metadata.Version)
			}
		}
		for _, d := range c.chart.Metadata.Dependencies {
			if d.Name == "jupyterhub" {
				got = append(got, d.Version)
			}
		}
		if len(got) != 2 || got[0] != c.want || got[1] != c.want {
			t.Errorf("basehub vendors and declares jupyterhub %v, want %s", got, c.want)
		}
	}
	if _, err := chartrepotest.Basehub(chartrepotest.UmbrellaOptions{Version: "0.1.0", JupyterHub: "9.9.9"}); err == nil {
		t.Error("basehub on a z2jh that is not among the real charts: no error")
	}
	basehub, err := chartrepotest.Basehub(chartrepotest.UmbrellaOptions{Version: "0.1.0", Siblings: true})
	if err != nil {
		t.Fatal(err)
	}
	srv := chartrepotest.Start(t)
	srv.AddChart(t, basehub)
	srv.AddChart(t, chartrepotest.Daskhub(basehub))
	opts := chart.DefaultRenderOptions()
	opts.CacheDir, opts.Workers = "", 1
	rd, err := chart.NewRenderer(opts)
	if err != nil {
		t.Fatal(err)
	}
	siblings := map[string]any{
		"jupyterhub-home-nfs": map[string]any{"enabled": true, "eks": map[string]any{"enabled": true, "volumeId": "vol-0123"}},
		"binderhub-service":   map[string]any{"enabled": true},
		"nfs":                 map[string]any{"enabled": true, "pv": map[string]any{"serverIP": "10.0.0.1"}},
	}
	all := []string{"volumeHandle: vol-0123", "helm.sh/chart: binderhub-service-" + chartrepotest.BinderHubServiceVersion,
		"helm.sh/chart: jupyterhub-home-nfs-" + chartrepotest.HomeNFSVersion, "server: 10.0.0.1", "name: hub\n", "jupyterhub-groups-exporter-values"}
	for _, tt := range []struct {
		name, chart  string
		values       map[string]any
		want, absent []string
	}{
		{"siblings on", "basehub", siblings, all, nil},
		{"two levels down", "daskhub", map[string]any{"basehub": siblings}, all, nil},
		// basehub's defaults: binderhub-service off, the others on.
		{"defaults", "basehub", nil,
			[]string{"helm.sh/chart: jupyterhub-home-nfs-" + chartrepotest.HomeNFSVersion, "jupyterhub-groups-exporter-values"},
			[]string{"helm.sh/chart: binderhub-service-", "kind: PersistentVolume\n", "server: 10.0.0.1"}},
		{"siblings off", "basehub", map[string]any{"jupyterhub-home-nfs": map[string]any{"enabled": false}, "jupyterhub-groups-exporter": map[string]any{"enabled": false}},
			[]string{"name: hub\n"},
			[]string{"helm.sh/chart: jupyterhub-home-nfs-", "helm.sh/chart: binderhub-service-", "jupyterhub-groups-exporter-values"}},
	} {
		c := resolve(t, srv.URL, tt.chart, "0.1.0")
		out := rd.Render(context.Background(), chart.Request{Site: "s", Chart: c, ReleaseName: tt.chart, Namespace: "hub", Values: tt.values})
		if !out.OK() {
			t.Fatalf("%s: %v", tt.name, out.Problems)
		}
		for _, w := range tt.want {
			if !strings.Contains(out.Manifest(), w) {
				t.Errorf("%s: no %q rendered", tt.name, w)
			}
		}
		for _, w := range tt.absent {
			if strings.Contains(out.Manifest(), w) {
				t.Errorf("%s: %q rendered", tt.name, w)
			}
		}
	}
}

// resolve fetches a chart from the repository as a site's release is.
func resolve(t *testing.T, repo, name, version string) *chart.Chart {
	t.Helper()
	ro := chart.DefaultResolverOptions()
	ro.CacheDir = t.TempDir()
	res, err := chart.NewResolver(ro)
	if err != nil {
		t.Fatal(err)
	}
	c, err := res.Resolve(context.Background(), chart.Ref{RepoURL: repo, Name: name, Version: version})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
