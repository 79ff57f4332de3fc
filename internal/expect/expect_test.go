package expect_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hubfleet/hubfleet/internal/chart"
	"github.com/hubfleet/hubfleet/internal/chart/chartrepotest"
	"github.com/hubfleet/hubfleet/internal/expect"
	"github.com/hubfleet/hubfleet/internal/fleet"
	"github.com/hubfleet/hubfleet/internal/fleettest"
	"github.com/hubfleet/hubfleet/internal/golden"
	"github.com/hubfleet/hubfleet/internal/site"
	"github.com/hubfleet/hubfleet/internal/values"
	"github.com/hubfleet/hubfleet/internal/valuetree"
)

// TestExampleSitesOnTheRealCharts renders every release of every example
// site with the real chart its HelmRelease pins (served over loopback
// HTTP), the site's values and Kubernetes version, and checks the render
// against the site's expectations. testdata/<site>.txt lists, per release,
// the objects the chart renders (kind/name), the proxy-public type and
// the result of each check; -update rewrites them.
func TestExampleSitesOnTheRealCharts(t *testing.T) {
	t.Parallel()
	rs := newRealRenderer(t)
	fl, err := fleet.LoadDir(fleettest.Root(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range fl.Sites {
		name := s.Metadata.Name
		var b strings.Builder
		fmt.Fprintf(&b, "site %s (mode %s)\n", name, site.ModeOf(s, fl.Config))
		for rel, res := range rs.render(t, s, fl.Config) {
			writeRelease(&b, rel, res)
			if !res.OK() {
				t.Errorf("%s: release %s: problems on the real chart: %v", name, rel, res.Problems)
			}
		}
		golden.Assert(t, filepath.Join("testdata", name+".txt"), b.String())
	}
}

// TestGatewayUnderBaseURL moves an example daskhub site and a composed one
// under a base URL: the real gateway charts must then route dask-gateway
// at <baseURL>/services/dask-gateway, and the check must see it there.
// TestDriftRulesOnlyForOwnedObjects: each HelmRelease's drift-detection
// ignore rules name only objects its own chart renders (the dask-gateway
// release renders no hub Secret, so it gets no rule for one).
func TestDriftRulesOnlyForOwnedObjects(t *testing.T) {
	t.Parallel()
	rs := newRealRenderer(t)
	fl, err := fleet.LoadDir(fleettest.Root(t))
	if err != nil {
		t.Fatal(err)
	}
	var rules int
	for _, s := range fl.Sites {
		rels := values.Releases(s, fl.Config)
		i := 0
		for rel, res := range rs.render(t, s, fl.Config) {
			for _, ig := range rels[i].DriftIgnore {
				rules++
				if !slices.ContainsFunc(res.Objects, func(o chart.Object) bool { return o.Kind == ig.Kind && o.Name == ig.Name }) {
					t.Errorf("%s: release %s ignores drift of %s/%s, which its chart %s does not render", s.Metadata.Name, rel, ig.Kind, ig.Name, res.Chart.Name)
				}
			}
			i++
		}
	}
	if rules == 0 {
		t.Error("no drift rule at all: the hub Secret's generated data would show as drift")
	}
}

func TestGatewayUnderBaseURL(t *testing.T) {
	t.Parallel()
	rs := newRealRenderer(t)
	fl, err := fleet.LoadDir(fleettest.Root(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"egi-pangeo", "pangeo-azure"} {
		s := fl.Site(name)
		s.Spec.BaseURL = "/hub-prefix/"
		var routed bool
		for rel, res := range rs.render(t, s, fl.Config) {
			if !res.OK() {
				t.Errorf("%s: release %s: %v", name, rel, res.Problems)
			}
			for _, c := range res.Checks {
				if c.Name == chart.CheckDaskGateway && c.Status == chart.CheckPass {
					routed = c.Detail == "dask-gateway routed at /hub-prefix/services/dask-gateway"
				}
			}
		}
		if !routed {
			t.Errorf("%s: dask-gateway not checked at /hub-prefix/services/dask-gateway", name)
		}
	}
}

type realRenderer struct {
	srv      *chartrepotest.Server
	url      string
	resolver *chart.Resolver
	renderer *chart.Renderer
}

func newRealRenderer(t *testing.T) *realRenderer {
	t.Helper()
	srv := chartrepotest.StartReal(t)
	ropts := chart.DefaultResolverOptions()
	ropts.CacheDir = t.TempDir()
	resolver, err := chart.NewResolver(ropts)
	if err != nil {
		t.Fatal(err)
	}
	opts := chart.DefaultRenderOptions()
	opts.CacheDir = ""
	renderer, err := chart.NewRenderer(opts)
	if err != nil {
		t.Fatal(err)
	}
	return &realRenderer{srv: srv, url: srv.URL, resolver: resolver, renderer: renderer}
}

// render renders each release of a site the way helm-controller would,
// valuesFrom secrets as placeholders; it yields them in release order.
func (r *realRenderer) render(t *testing.T, s *site.Site, f *site.Fleet) func(func(string, chart.Result) bool) {
	return func(yield func(string, chart.Result) bool) {
		ctx := context.Background()
		for _, rel := range values.Releases(s, f) {
			c, err := r.resolver.Resolve(ctx, chart.Ref{RepoURL: r.url, Name: rel.Chart.Chart, Version: rel.Chart.Version})
			if err != nil {
				t.Fatalf("%s: release %s: %v", s.Metadata.Name, rel.Name, err)
			}
			vals := rel.Values
			for _, vf := range rel.ValuesFrom {
				valuetree.Set(vals, vf.TargetPath, fmt.Sprintf("<Secret %s/%s>", vf.SecretName, vf.Key))
			}
			res := r.renderer.Render(ctx, chart.Request{
				Site: s.Metadata.Name, Chart: c, ReleaseName: rel.Name, Namespace: site.NamespaceOf(s, f),
				Values: vals, KubeVersion: site.KubeVersionOf(s, f),
				Expect: expect.For(s, f, rel.Name),
			})
			if !yield(rel.Name, res) {
				return
			}
		}
	}
}

func writeRelease(b *strings.Builder, release string, res chart.Result) {
	fmt.Fprintf(b, "\nrelease %s: chart %s %s (app %s)\n", release, res.Chart.Name, res.Chart.Version, res.Chart.AppVersion)
	for _, sc := range res.Chart.Subcharts {
		fmt.Fprintf(b, "  vendors %s %s (app %s)\n", sc.Name, sc.Version, sc.AppVersion)
	}
	b.WriteString("checks:\n")
	for _, c := range res.Checks {
		fmt.Fprintf(b, "  %s %s: %s\n", c.Status, c.Name, c.Detail)
	}
	b.WriteString("problems:")
	if len(res.Problems) == 0 {
		b.WriteString(" none")
	}
	b.WriteString("\n")
	for _, p := range res.Problems {
		fmt.Fprintf(b, "  %s\n", p)
	}
	fmt.Fprintf(b, "objects (%d):\n", len(res.Objects))
	for _, o := range res.Objects {
		line := o.Kind + "/" + o.Name
		switch {
		case o.CRD:
			line += " (CRD)"
		case o.Hook != "":
			line += " (hook " + o.Hook + ")"
		}
		if o.Kind == "Service" && o.Name == "proxy-public" {
			line += " type " + serviceType(o.YAML)
		}
		fmt.Fprintf(b, "  %s\n", line)
	}
}

// serviceType reads spec.type from a normalised Service (ClusterIP when
// unset).
func serviceType(y string) string {
	for _, l := range strings.Split(y, "\n") {
		if t, ok := strings.CutPrefix(l, "  type: "); ok {
			return strings.Trim(t, `"`)
		}
	}
	return "ClusterIP"
}
