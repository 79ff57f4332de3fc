package values

import (
	"context"
	"strings"
	"testing"

	helmchart "helm.sh/helm/v3/pkg/chart"

	"github.com/hubfleet/hubfleet/internal/chart"
	"github.com/hubfleet/hubfleet/internal/chart/chartrepotest"
	"github.com/hubfleet/hubfleet/internal/site"
	"github.com/hubfleet/hubfleet/internal/valuetree"
)

// operatorUmbrella builds, from the real charts of ../shared/charts, an
// umbrella nested as 2i2c's is: a "basehub" chart that vendors z2jh 4.4.0
// under jupyterhub:, and a "daskhub" chart that vendors basehub under
// basehub: and dask-gateway 2026.3.0 beside it (condition
// dask-gateway.enabled). Neither wrapper adds templates of its own: the
// test is about the key paths.
func operatorUmbrella(t *testing.T) *helmchart.Chart {
	t.Helper()
	jh, err := chartrepotest.LoadReal("jupyterhub-4.4.0.tgz")
	if err != nil {
		t.Fatal(err)
	}
	gw, err := chartrepotest.LoadReal("dask-gateway-2026.3.0.tgz")
	if err != nil {
		t.Fatal(err)
	}
	base := &helmchart.Chart{
		Metadata: &helmchart.Metadata{APIVersion: "v2", Name: "basehub", Version: "0.1.0", Type: "application",
			Dependencies: []*helmchart.Dependency{{Name: "jupyterhub", Version: "4.4.0"}}},
		Values: map[string]any{"jupyterhub": map[string]any{}},
	}
	base.AddDependency(jh)
	top := &helmchart.Chart{
		Metadata: &helmchart.Metadata{APIVersion: "v2", Name: "daskhub", Version: "0.1.0", Type: "application",
			Dependencies: []*helmchart.Dependency{{Name: "basehub", Version: "0.1.0"}, {Name: "dask-gateway", Version: "2026.3.0", Condition: "dask-gateway.enabled"}}},
		Values: map[string]any{"basehub": map[string]any{}, "dask-gateway": map[string]any{"enabled": false}},
	}
	top.AddDependency(base, gw)
	return top
}

// TestOperatorUmbrellaRendersTypedFieldsAtItsPaths runs a site on an
// operator's umbrella chart built from the real charts (see
// operatorUmbrella) and renders the HelmRelease values through it with
// the Helm SDK: the chart's schemas accept them, and the objects carry
// what the site's typed fields say (host and TLS, the gateway's prefix
// and its service name).
func TestOperatorUmbrellaRendersTypedFieldsAtItsPaths(t *testing.T) {
	t.Parallel()
	srv := chartrepotest.Start(t)
	srv.AddChart(t, operatorUmbrella(t))
	s, f := load(t, "pangeo-azure")
	f.Spec.Charts.Umbrellas = map[string]site.UmbrellaChart{"daskhub": {
		Repository: srv.URL, Chart: "daskhub", Version: "0.1.0", JupyterHubVersion: "4.4.0",
		JupyterHubPath: []string{"basehub", "jupyterhub"}, DaskGatewayPath: []string{"dask-gateway"}, SiblingsPath: []string{"basehub"},
	}}
	s.Spec.Chart = site.ChartSelection{Umbrella: "daskhub"}
	s.Spec.TLS = site.TLS{Mode: site.TLSCertManager, ClusterIssuer: "letsencrypt-prod"}
	s.Spec.Values = map[string]any{"jupyterhub": map[string]any{"hub": map[string]any{"allowNamedServers": true}}}
	if err := site.Validate(s, f); err != nil {
		t.Fatalf("site on the umbrella: %v", err)
	}
	rels := Releases(s, f)
	if len(rels) != 1 || rels[0].Name != "daskhub" || rels[0].Chart.Repository != srv.URL {
		t.Fatalf("releases %+v: want one release of the umbrella chart", rels)
	}
	r := rels[0]
	if got := valuetree.Get(r.Values, "basehub.jupyterhub.hub.allowNamedServers"); got != true {
		t.Errorf("spec.values did not follow jupyterhub to basehub.jupyterhub: %v", got)
	}
	vals := r.Values
	for _, vf := range r.ValuesFrom {
		if !strings.HasPrefix(vf.TargetPath, "basehub.jupyterhub.") && !strings.HasPrefix(vf.TargetPath, "dask-gateway.") {
			t.Errorf("valuesFrom target %s is not under the umbrella's paths", vf.TargetPath)
		}
		valuetree.Set(vals, vf.TargetPath, "placeholder")
	}

	ro := chart.DefaultResolverOptions()
	ro.CacheDir = t.TempDir()
	res, err := chart.NewResolver(ro)
	if err != nil {
		t.Fatal(err)
	}
	c, err := res.Resolve(context.Background(), chart.Ref{RepoURL: srv.URL, Name: "daskhub", Version: "0.1.0"})
	if err != nil {
		t.Fatal(err)
	}
	opts := chart.DefaultRenderOptions()
	opts.CacheDir, opts.Workers = "", 1
	rd, err := chart.NewRenderer(opts)
	if err != nil {
		t.Fatal(err)
	}
	out := rd.Render(context.Background(), chart.Request{Site: s.Metadata.Name, Chart: c, ReleaseName: r.Name, Namespace: site.NamespaceOf(s, f), Values: vals})
	if !out.OK() {
		t.Fatalf("the umbrella does not render the HelmRelease values: %v", out.Problems)
	}
	m := out.Manifest()
	if testing.Verbose() {
		t.Log(m)
	}
	for _, want := range []string{
		"host: \"" + s.Spec.Host + "\"",        // the ingress, from spec.host
		"PathPrefix(`/services/dask-gateway`)", // the gateway's route, from the prefix hubfleet sets
		"name: traefik-daskhub-dask-gateway",   // the service the glue points users at
		"kind: Deployment",
	} {
		if !strings.Contains(m, want) {
			t.Errorf("the rendered umbrella lacks %q", want)
		}
	}
}
