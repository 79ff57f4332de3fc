package chart

import (
	"sync"
	"testing"
)

// TestCacheKeyFollowsHelm requires the render cache key to change with the
// Helm module hubfleet is built with: a result cached by a build on
// another Helm (whose values coalescing differs, as v3.19's and v3.21's
// do for subchart defaults set to null) must not be served.
func TestCacheKeyFollowsHelm(t *testing.T) {
	// A test binary carries no dependency versions (helmVersion is "" here;
	// hubfleet's own binary names helm.sh/helm/v3), so the version is
	// swapped below.
	opts := DefaultRenderOptions()
	opts.CacheDir = ""
	r, err := NewRenderer(opts)
	if err != nil {
		t.Fatal(err)
	}
	req := Request{Site: "s", Chart: &Chart{Info: Info{Name: "daskhub", Digest: "abc"}}, ReleaseName: "r", Namespace: "n", Values: map[string]any{"a": 1}}
	k1, err := r.Key(req)
	if err != nil {
		t.Fatal(err)
	}
	saved := helmVersion
	t.Cleanup(func() { helmVersion = saved })
	helmVersion = sync.OnceValue(func() string { return "v3.0.0-other" })
	k2, err := r.Key(req)
	if err != nil {
		t.Fatal(err)
	}
	if k1 == k2 {
		t.Errorf("the cache key does not change with the Helm version (%s)", k1)
	}
}
