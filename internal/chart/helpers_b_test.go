package chart_test

import (
	"context"
	"testing"

	"github.com/hubfleet/hubfleet/internal/chart"
	"github.com/hubfleet/hubfleet/internal/chart/chartrepotest"
	"sigs.k8s.io/yaml"
)

func newFixtureB(b *testing.B) *chart.Chart {
	dask := chartrepotest.Serve(b, chartrepotest.Dir("daskhub"))
	opts := chart.DefaultResolverOptions()
	opts.CacheDir = b.TempDir()
	r, _ := chart.NewResolver(opts)
	c, err := r.Resolve(context.Background(), chart.Ref{RepoURL: dask, Name: "daskhub"})
	if err != nil {
		b.Fatal(err)
	}
	return c
}

func newRendererB(b *testing.B) *chart.Renderer {
	opts := chart.DefaultRenderOptions()
	opts.CacheDir = ""
	r, err := chart.NewRenderer(opts)
	if err != nil {
		b.Fatal(err)
	}
	return r
}

func requestB(b *testing.B, c *chart.Chart) chart.Request {
	var v map[string]any
	if err := yaml.Unmarshal([]byte(ingressSite), &v); err != nil {
		b.Fatal(err)
	}
	return chart.Request{Site: "egi", Chart: c, ReleaseName: "daskhub", Namespace: "egi", Values: v, Expect: ingressExpect}
}
