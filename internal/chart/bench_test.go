package chart_test

import (
	"context"
	"testing"
)

func BenchmarkRenderDaskhub(b *testing.B) {
	t := &testing.T{}
	_ = t
	f := newFixtureB(b)
	r := newRendererB(b)
	req := requestB(b, f)
	for b.Loop() {
		res := r.Render(context.Background(), req)
		if !res.OK() {
			b.Fatal(res.Problems)
		}
	}
}
