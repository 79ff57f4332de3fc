package chart_test

import (
	"context"
	"testing"

	"github.com/hubfleet/hubfleet/internal/chart"
	"github.com/hubfleet/hubfleet/internal/chart/chartrepotest"
	"sigs.k8s.io/yaml"
)

// BenchmarkRenderDaskhub measures one uncached render of the real daskhub
// 2024.1.1 umbrella (the per-site cost the worker pool spreads over cores).
func BenchmarkRenderDaskhub(b *testing.B) {
	url := chartrepotest.StartReal(b, chartrepotest.DaskHub202411).URL
	ropts := chart.DefaultResolverOptions()
	ropts.CacheDir = b.TempDir()
	res, err := chart.NewResolver(ropts)
	if err != nil {
		b.Fatal(err)
	}
	c, err := res.Resolve(context.Background(), chart.Ref{RepoURL: url, Name: "daskhub"})
	if err != nil {
		b.Fatal(err)
	}
	opts := chart.DefaultRenderOptions()
	opts.CacheDir = ""
	r, err := chart.NewRenderer(opts)
	if err != nil {
		b.Fatal(err)
	}
	var v map[string]any
	if err := yaml.Unmarshal([]byte(ingressSite), &v); err != nil {
		b.Fatal(err)
	}
	req := chart.Request{Site: "egi", Chart: c, ReleaseName: "daskhub", Namespace: "egi", Values: v, Expect: ingressExpect}
	for b.Loop() {
		if res := r.Render(context.Background(), req); !res.OK() {
			b.Fatal(res.Problems)
		}
	}
}
