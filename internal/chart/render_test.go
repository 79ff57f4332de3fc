package chart_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hubfleet/hubfleet/internal/chart"
	"github.com/hubfleet/hubfleet/internal/chart/chartrepotest"
	"github.com/hubfleet/hubfleet/internal/golden"
	helmchart "helm.sh/helm/v3/pkg/chart"
	"sigs.k8s.io/yaml"
)

// fixture serves the real charts: the daskhub 2024.1.1 umbrella and
// dask-gateway from one repository, jupyterhub from another.
type fixture struct {
	daskhub, jupyterhub, gateway *chart.Chart
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	dask := chartrepotest.StartReal(t, chartrepotest.DaskHub202411, chartrepotest.DaskGateway202410, chartrepotest.DaskGateway202630).URL
	jh := chartrepotest.StartReal(t, chartrepotest.JupyterHub321, chartrepotest.JupyterHub440).URL
	r := newResolver(t, t.TempDir(), nil)
	ctx := context.Background()
	var f fixture
	var err error
	if f.daskhub, err = r.Resolve(ctx, chart.Ref{RepoURL: dask, Name: "daskhub", Version: "2024.1.1"}); err != nil {
		t.Fatal(err)
	}
	if f.gateway, err = r.Resolve(ctx, chart.Ref{RepoURL: dask, Name: "dask-gateway", Version: ">=2024.1.0"}); err != nil {
		t.Fatal(err)
	}
	if f.jupyterhub, err = r.Resolve(ctx, chart.Ref{RepoURL: jh, Name: "jupyterhub", Version: "4.4.0"}); err != nil {
		t.Fatal(err)
	}
	return f
}

func realChart(t *testing.T, name string) *helmchart.Chart {
	t.Helper()
	c, err := chartrepotest.LoadReal(name)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func values(t *testing.T, y string) map[string]any {
	t.Helper()
	var v map[string]any
	if err := yaml.Unmarshal([]byte(y), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

const ingressSite = `
jupyterhub:
  proxy:
    service:
      type: ClusterIP
  ingress:
    enabled: true
    ingressClassName: nginx
    hosts: [hub.example.org]
    tls:
      - hosts: [hub.example.org]
        secretName: hub-example-org-tls
  hub:
    config:
      GenericOAuthenticator:
        client_id: hub
        client_secret: "${HUBFLEET_PLACEHOLDER:oauth-client-secret}"
`

var ingressExpect = chart.Expectations{
	ProxyServiceType:  "ClusterIP",
	IngressHost:       "hub.example.org",
	IngressTLSSecret:  "hub-example-org-tls",
	DaskGatewayPrefix: "/services/dask-gateway",
}

func newRenderer(t *testing.T, cache string) *chart.Renderer {
	t.Helper()
	opts := chart.DefaultRenderOptions()
	opts.CacheDir = cache
	opts.KubeVersion = "1.31.0"
	opts.APIVersions = []string{"traefik.io/v1alpha1"}
	r, err := chart.NewRenderer(opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRenderDaskhubGolden(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := newRenderer(t, "")
	req := chart.Request{Site: "egi", Chart: f.daskhub, ReleaseName: "daskhub", Namespace: "egi", Values: values(t, ingressSite), Expect: ingressExpect}
	res := r.Render(context.Background(), req)
	if !res.OK() {
		t.Fatalf("problems: %v", res.Problems)
	}
	again := r.Render(context.Background(), req)
	if diff := cmp.Diff(res.Manifest(), again.Manifest()); diff != "" {
		t.Fatalf("two renders of the same inputs differ after normalisation (-first +second):\n%s", diff)
	}
	golden.Assert(t, filepath.Join("testdata", "daskhub-ingress.yaml"), res.Manifest())
}

func TestRenderProblems(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tests := []struct {
		name        string
		chart       func(fixture) *chart.Chart
		kubeVersion string
		values      string
		expect      chart.Expectations
		want        []chart.Problem
		wantObjects bool
	}{
		{
			name:        "valid site",
			chart:       func(f fixture) *chart.Chart { return f.daskhub },
			values:      ingressSite,
			expect:      ingressExpect,
			wantObjects: true,
		},
		{
			name:   "unknown key in a subchart",
			chart:  func(f fixture) *chart.Chart { return f.daskhub },
			values: "jupyterhub:\n  hub:\n    extraConfigg: {}\n  singleuser:\n    memory:\n      garantee: 1G\n",
			want: []chart.Problem{
				{Kind: chart.ProblemSchema, Chart: "jupyterhub", Path: "jupyterhub.hub.extraConfigg", Message: "unknown key: the chart's values.schema.json does not allow it"},
				{Kind: chart.ProblemSchema, Chart: "jupyterhub", Path: "jupyterhub.singleuser.memory.garantee", Message: "unknown key: the chart's values.schema.json does not allow it"},
			},
			wantObjects: true,
		},
		{
			name:   "wrong type and enum in the other subchart",
			chart:  func(f fixture) *chart.Chart { return f.daskhub },
			values: "dask-gateway:\n  gateway:\n    replicas: two\n  traefik:\n    loglevel: VERBOSE\n",
			want: []chart.Problem{
				{Kind: chart.ProblemSchema, Chart: "dask-gateway", Path: "dask-gateway.gateway.replicas", Message: "got string, want integer"},
				{Kind: chart.ProblemSchema, Chart: "dask-gateway", Path: "dask-gateway.traefik.loglevel", Message: "value must be one of 'ERROR', 'WARN', 'INFO', 'DEBUG'"},
				{Kind: chart.ProblemAPI, Object: "apps/Deployment _/api-daskhub-dask-gateway", Message: "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32"},
			},
			wantObjects: true,
		},
		{
			name:   "top-level schema of a standalone chart",
			chart:  func(f fixture) *chart.Chart { return f.jupyterhub },
			values: "hubb: {}\n",
			want: []chart.Problem{
				{Kind: chart.ProblemSchema, Chart: "jupyterhub", Path: "hubb", Message: "unknown key: the chart's values.schema.json does not allow it"},
			},
			wantObjects: true,
		},
		{
			name:   "template error",
			chart:  func(f fixture) *chart.Chart { return f.jupyterhub },
			values: "proxy:\n  https:\n    enabled: true\n    type: manual\n",
			want: []chart.Problem{
				{Kind: chart.ProblemTemplate, Chart: "jupyterhub", Message: "execution error at (jupyterhub/templates/proxy/secret.yaml:11:48): Required configuration missing: proxy.https.manual.cert"},
			},
		},
		{
			name:        "kubeVersion too old for the chart",
			chart:       func(f fixture) *chart.Chart { return f.jupyterhub },
			kubeVersion: "1.27.4",
			want: []chart.Problem{
				{Kind: chart.ProblemKubeVersion, Chart: "jupyterhub", Message: "chart jupyterhub 4.4.0 requires kubeVersion >=1.28.0-0, the site runs Kubernetes v1.27.4"},
			},
		},
		{
			name:        "kubeVersion too old for a subchart",
			chart:       func(f fixture) *chart.Chart { return f.daskhub },
			kubeVersion: "1.24.9",
			values:      ingressSite,
			want: []chart.Problem{
				{Kind: chart.ProblemKubeVersion, Chart: "dask-gateway", Message: "chart dask-gateway 2024.1.0 requires kubeVersion >=1.25.0-0, the site runs Kubernetes v1.24.9"},
			},
			wantObjects: true,
		},
		{
			name:   "proxy-public type does not match the TLS mode",
			chart:  func(f fixture) *chart.Chart { return f.daskhub },
			values: "{}",
			expect: chart.Expectations{ProxyServiceType: "ClusterIP"},
			want: []chart.Problem{
				{Kind: chart.ProblemCheck, Check: chart.CheckProxyPublic, Message: "proxy-public Service is LoadBalancer, the site's TLS mode needs ClusterIP"},
			},
			wantObjects: true,
		},
		{
			name:   "ingress host and TLS secret",
			chart:  func(f fixture) *chart.Chart { return f.daskhub },
			values: ingressSite,
			expect: chart.Expectations{IngressHost: "hub.example.org", IngressTLSSecret: "other-tls"},
			want: []chart.Problem{
				{Kind: chart.ProblemCheck, Check: chart.CheckIngress, Message: "Ingress TLS secret for hub.example.org is hub-example-org-tls, want other-tls"},
			},
			wantObjects: true,
		},
		{
			name:   "ingress missing",
			chart:  func(f fixture) *chart.Chart { return f.daskhub },
			values: "{}",
			expect: chart.Expectations{IngressHost: "hub.example.org"},
			want: []chart.Problem{
				{Kind: chart.ProblemCheck, Check: chart.CheckIngress, Message: "no Ingress routes hub.example.org"},
			},
			wantObjects: true,
		},
		{
			name:   "dask-gateway routed elsewhere",
			chart:  func(f fixture) *chart.Chart { return f.daskhub },
			values: "dask-gateway:\n  gateway:\n    prefix: /gateway\n",
			expect: chart.Expectations{DaskGatewayPrefix: "/services/dask-gateway"},
			want: []chart.Problem{
				{Kind: chart.ProblemCheck, Check: chart.CheckDaskGateway, Message: "dask-gateway is not routed at /services/dask-gateway (IngressRoute matches: PathPrefix(`/gateway`))"},
			},
			wantObjects: true,
		},
		{
			name:        "dask-gateway under the hub's baseURL",
			chart:       func(f fixture) *chart.Chart { return f.daskhub },
			values:      "jupyterhub:\n  hub:\n    baseUrl: /jupyterhub/\ndask-gateway:\n  gateway:\n    prefix: /jupyterhub/services/dask-gateway\n",
			expect:      chart.Expectations{DaskGatewayPrefix: "/jupyterhub/services/dask-gateway"},
			wantObjects: true,
		},
		{
			name:   "dask-gateway left at the root when the hub has a baseURL",
			chart:  func(f fixture) *chart.Chart { return f.daskhub },
			values: "jupyterhub:\n  hub:\n    baseUrl: /jupyterhub/\n",
			expect: chart.Expectations{DaskGatewayPrefix: "/jupyterhub/services/dask-gateway"},
			want: []chart.Problem{
				{Kind: chart.ProblemCheck, Check: chart.CheckDaskGateway, Message: "dask-gateway is not routed at /jupyterhub/services/dask-gateway (IngressRoute matches: PathPrefix(`/services/dask-gateway`))"},
			},
			wantObjects: true,
		},
		{
			name:   "dask-gateway missing",
			chart:  func(f fixture) *chart.Chart { return f.jupyterhub },
			expect: chart.Expectations{DaskGatewayPrefix: "/services/dask-gateway"},
			want: []chart.Problem{
				{Kind: chart.ProblemCheck, Check: chart.CheckDaskGateway, Message: "no traefik IngressRoute for dask-gateway is rendered"},
			},
			wantObjects: true,
		},
		{
			// Finding 1 of issue 13: daskhub 2024.1.1 declares dask-gateway
			// without a condition, so enabled=false removes nothing.
			name:   "dask-gateway disabled on the daskhub umbrella",
			chart:  func(f fixture) *chart.Chart { return f.daskhub },
			values: "dask-gateway:\n  enabled: false\n",
			expect: chart.Expectations{NoDaskGateway: true},
			want: []chart.Problem{
				{Kind: chart.ProblemCheck, Check: chart.CheckDaskGateway, Message: "the site runs no dask-gateway, but the chart renders it: 19 CRD, 3 ClusterRole, 3 ClusterRoleBinding, 2 ConfigMap, 3 Deployment, 1 IngressRoute, 2 Middleware, 2 Service, 3 ServiceAccount, the hub's dask-gateway service"},
			},
			wantObjects: true,
		},
		{
			name:        "no dask-gateway: jupyterhub alone",
			chart:       func(f fixture) *chart.Chart { return f.jupyterhub },
			expect:      chart.Expectations{NoDaskGateway: true},
			wantObjects: true,
		},
		{
			name:   "field unknown to the Kubernetes API",
			chart:  func(f fixture) *chart.Chart { return f.jupyterhub },
			values: "hub:\n  extraPodSpec:\n    priorityClasName: high\n",
			want: []chart.Problem{
				{Kind: chart.ProblemAPI, Object: "apps/Deployment _/hub", Message: `unknown field "spec.template.spec.priorityClasName"`},
			},
			wantObjects: true,
		},
		{
			name:        "composed dask-gateway chart routed at the hub prefix",
			chart:       func(f fixture) *chart.Chart { return f.gateway },
			values:      "gateway:\n  prefix: /services/dask-gateway\n  auth:\n    type: jupyterhub\ntraefik:\n  service:\n    type: ClusterIP\n",
			expect:      chart.Expectations{DaskGatewayPrefix: "/services/dask-gateway"},
			wantObjects: true,
		},
	}
	r := newRenderer(t, "")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := chart.Request{
				Site:        "site",
				Chart:       tt.chart(f),
				ReleaseName: "daskhub",
				Namespace:   "site",
				Values:      values(t, tt.values),
				KubeVersion: tt.kubeVersion,
				Expect:      tt.expect,
			}
			res := r.Render(context.Background(), req)
			if diff := cmp.Diff(tt.want, res.Problems); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			if got := len(res.Objects) > 0; got != tt.wantObjects {
				t.Errorf("rendered objects: %v, want %v", got, tt.wantObjects)
			}
		})
	}
}

func TestRenderDuplicateObjects(t *testing.T) {
	t.Parallel()
	// The real jupyterhub 4.4.0 with one template duplicated on purpose.
	srv := chartrepotest.StartReal(t)
	jh := realChart(t, chartrepotest.JupyterHub440)
	for _, tpl := range jh.Templates {
		if tpl.Name == "templates/hub/service.yaml" {
			jh.Templates = append(jh.Templates, &helmchart.File{Name: "templates/hub/service-again.yaml", Data: tpl.Data})
			break
		}
	}
	jh.Metadata.Version = "4.4.1-duplicate"
	srv.AddChart(t, jh)
	c, err := newResolver(t, t.TempDir(), nil).Resolve(context.Background(), chart.Ref{RepoURL: srv.URL, Name: "jupyterhub", Version: jh.Metadata.Version})
	if err != nil {
		t.Fatal(err)
	}
	res := newRenderer(t, "").Render(context.Background(), chart.Request{Site: "s", Chart: c, ReleaseName: "jh", Namespace: "s"})
	want := []chart.Problem{{Kind: chart.ProblemCheck, Check: chart.CheckNoDuplicates, Message: "duplicate objects: core/Service _/hub"}}
	if diff := cmp.Diff(want, res.Problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

func TestRenderNormalises(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	res := newRenderer(t, "").Render(context.Background(), chart.Request{Site: "s", Chart: f.daskhub, ReleaseName: "daskhub", Namespace: "s", Values: values(t, ingressSite)})
	var sawHook, sawCRD, sawSecret bool
	for _, o := range res.Objects {
		if strings.Contains(o.YAML, "checksum/") {
			t.Errorf("%s keeps a checksum annotation:\n%s", o.ID(), o.YAML)
		}
		if o.Kind == "Job" && o.Hook == "pre-install,pre-upgrade" {
			sawHook = true
		}
		if o.CRD && o.Name == "daskclusters.gateway.dask.org" {
			sawCRD = true
		}
		if o.Kind == "Secret" && o.Name == "hub" {
			sawSecret = true
			var s map[string]any
			if err := yaml.Unmarshal([]byte(o.YAML), &s); err != nil {
				t.Fatal(err)
			}
			for k, v := range s["data"].(map[string]any) {
				if v != "(stripped: generated by the chart with lookup)" {
					t.Errorf("hub Secret data %s not stripped: %v", k, v)
				}
			}
		}
	}
	if !sawHook || !sawCRD || !sawSecret {
		t.Errorf("pre-puller hook Job %v, dask-gateway CRD %v, hub Secret %v: want all rendered", sawHook, sawCRD, sawSecret)
	}
}

func TestRenderCache(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cache := t.TempDir()
	req := chart.Request{Site: "a", Chart: f.daskhub, ReleaseName: "daskhub", Namespace: "a", Values: values(t, ingressSite), Expect: ingressExpect}
	first := newRenderer(t, cache).Render(context.Background(), req)
	if first.Cached {
		t.Fatal("first render came from an empty cache")
	}
	// A new renderer (a second run) finds the result on disk.
	req.Site = "b"
	second := newRenderer(t, cache).Render(context.Background(), req)
	if !second.Cached || second.Site != "b" {
		t.Errorf("second render: cached=%v site=%q, want cached for site b", second.Cached, second.Site)
	}
	if diff := cmp.Diff(first.Manifest(), second.Manifest()); diff != "" {
		t.Errorf("cached manifest differs (-first +second):\n%s", diff)
	}
	req.Values = values(t, ingressSite+"  singleuser:\n    startTimeout: 600\n")
	third := newRenderer(t, cache).Render(context.Background(), req)
	if third.Cached || third.Key == first.Key {
		t.Errorf("changed values hit the cache (key %s)", third.Key)
	}
}

func TestRenderAllKeepsOrder(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var reqs []chart.Request
	for i := range 6 {
		ns := fmt.Sprintf("site-%d", i)
		reqs = append(reqs, chart.Request{Site: ns, Chart: f.daskhub, ReleaseName: "daskhub", Namespace: ns, Values: values(t, ingressSite), Expect: ingressExpect})
	}
	reqs[3].Values = values(t, "jupyterhub:\n  hubb: {}\n")
	var calls int
	results := newRenderer(t, "").RenderAll(context.Background(), reqs, func(done, total int) { calls++ })
	for i, res := range results {
		if res.Site != reqs[i].Site {
			t.Errorf("result %d is for %s, want %s", i, res.Site, reqs[i].Site)
		}
		if got, want := res.OK(), i != 3; got != want {
			t.Errorf("%s OK=%v, want %v (%v)", res.Site, got, want, res.Problems)
		}
	}
	if calls != len(reqs) {
		t.Errorf("progress called %d times, want %d", calls, len(reqs))
	}
}

// TestRenderSkippedChecksumsSameOutput proves that not executing the
// templates behind checksum/* annotations changes nothing in the
// normalised output.
func TestRenderSkippedChecksumsSameOutput(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	full := chart.DefaultRenderOptions()
	full.CacheDir = ""
	full.RenderChecksums = true
	slow, err := chart.NewRenderer(full)
	if err != nil {
		t.Fatal(err)
	}
	fast := newRenderer(t, "")
	autohttps := "jupyterhub:\n  proxy:\n    https:\n      enabled: true\n      type: letsencrypt\n      hosts: [hub.example.org]\n      letsencrypt:\n        contactEmail: ops@example.org\n"
	for _, c := range []struct {
		name   string
		chart  *chart.Chart
		values string
	}{
		{"daskhub ingress", f.daskhub, ingressSite},
		{"daskhub autohttps", f.daskhub, autohttps},
		{"dask-gateway", f.gateway, "{}"},
	} {
		req := chart.Request{Site: "s", Chart: c.chart, ReleaseName: "daskhub", Namespace: "s", Values: values(t, c.values)}
		want := slow.Render(context.Background(), req)
		got := fast.Render(context.Background(), req)
		if !want.OK() || !got.OK() {
			t.Fatalf("%s: problems %v / %v", c.name, want.Problems, got.Problems)
		}
		if diff := cmp.Diff(want.Manifest(), got.Manifest()); diff != "" {
			t.Errorf("%s: skipping checksums changed the output (-computed +skipped):\n%s", c.name, diff)
		}
	}
}

func TestRenderRemovedAPIVersion(t *testing.T) {
	t.Parallel()
	old := "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n  name: legacy\nspec:\n  minAvailable: 1\n"
	// The real jupyterhub 3.2.1 with a template of a removed API version
	// added on purpose (no real chart still ships one).
	srv := chartrepotest.StartReal(t)
	jh := realChart(t, chartrepotest.JupyterHub321)
	jh.Templates = append(jh.Templates, &helmchart.File{Name: "templates/legacy-pdb.yaml", Data: []byte(old)})
	jh.Metadata.KubeVersion = ""
	jh.Metadata.Version = "3.2.1-legacy"
	srv.AddChart(t, jh)
	c, err := newResolver(t, t.TempDir(), nil).Resolve(context.Background(), chart.Ref{RepoURL: srv.URL, Name: "jupyterhub", Version: jh.Metadata.Version})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		kubeVersion string
		want        []chart.Problem
	}{
		{kubeVersion: "1.24.9"},
		{kubeVersion: "1.31.0", want: []chart.Problem{{Kind: chart.ProblemAPI, Object: "policy/PodDisruptionBudget _/legacy", Message: "policy/v1beta1 PodDisruptionBudget is not served by Kubernetes v1.31.0 (removed in 1.25)"}}},
	}
	r := newRenderer(t, "")
	for _, tt := range tests {
		t.Run(tt.kubeVersion, func(t *testing.T) {
			t.Parallel()
			res := r.Render(context.Background(), chart.Request{Site: "s", Chart: c, ReleaseName: "jh", Namespace: "s", KubeVersion: tt.kubeVersion})
			if len(res.Objects) == 0 {
				t.Fatalf("nothing rendered: %v", res.Problems)
			}
			if diff := cmp.Diff(tt.want, res.Problems); diff != "" {
				t.Errorf("API problems (-want +got):\n%s", diff)
			}
		})
	}
}
