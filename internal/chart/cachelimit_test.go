package chart

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestTrimCacheEvictsLeastRecentlyUsed fills a cache directory with
// results of known sizes and ages and trims it.
func TestTrimCacheEvictsLeastRecentlyUsed(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	var paths []string
	for i := range 10 {
		p := filepath.Join(dir, fmt.Sprintf("%02x", i), fmt.Sprintf("%02x.gob", i))
		if err := writeAtomic(p, make([]byte, 100)); err != nil {
			t.Fatal(err)
		}
		// result 0 is the oldest
		at := now.Add(time.Duration(i-10) * time.Minute)
		if err := os.Chtimes(p, at, at); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	// A half-written temporary file is not a result.
	if err := os.WriteFile(filepath.Join(dir, "00", ".tmp-1"), make([]byte, 500), 0o644); err != nil {
		t.Fatal(err)
	}
	touch(paths[0]) // used now: the most recent

	st, err := trimCache(dir, 800)
	if err != nil {
		t.Fatal(err)
	}
	want := CacheStats{Dir: dir, Bytes: 600, Files: 6, MaxBytes: 800, Removed: 4, RemovedBytes: 400}
	if diff := cmp.Diff(want, st); diff != "" {
		t.Fatalf("stats (-want +got):\n%s", diff)
	}
	var kept []int
	for i, p := range paths {
		if _, err := os.Stat(p); err == nil {
			kept = append(kept, i)
		}
	}
	if diff := cmp.Diff([]int{0, 5, 6, 7, 8, 9}, kept); diff != "" {
		t.Fatalf("kept results (-want +got):\n%s", diff)
	}
	// Under the limit: nothing is removed.
	st, err = trimCache(dir, 800)
	if err != nil || st.Removed != 0 || st.Files != 6 {
		t.Fatalf("second trim: %+v, %v", st, err)
	}
}

// TestRenderAllKeepsCacheUnderLimit renders real chart releases through
// a Renderer whose cache limit holds about two results: after RenderAll
// the cache is under the limit and the newest results are kept.
func TestRenderAllKeepsCacheUnderLimit(t *testing.T) {
	c, err := LoadArchive(filepath.Join(sharedChartsDir(t), "dask-gateway-2026.3.0.tgz"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	opts := DefaultRenderOptions()
	opts.CacheDir = dir
	opts.CacheMaxBytes = -1
	r, err := NewRenderer(opts)
	if err != nil {
		t.Fatal(err)
	}
	req := func(i int) Request {
		return Request{Site: fmt.Sprint(i), Chart: c, ReleaseName: "dask-gateway", Namespace: fmt.Sprintf("ns-%d", i), Values: map[string]any{}}
	}
	r.RenderAll(context.Background(), []Request{req(0)}, nil)
	one, err := CacheStatsOf(dir, 0, false)
	if err != nil || one.Files != 1 {
		t.Fatalf("one result: %+v, %v", one, err)
	}

	opts.CacheMaxBytes = 3 * one.Bytes
	r, err = NewRenderer(opts)
	if err != nil {
		t.Fatal(err)
	}
	var reqs []Request
	for i := 1; i <= 6; i++ {
		reqs = append(reqs, req(i))
	}
	for _, res := range r.RenderAll(context.Background(), reqs, nil) {
		if !res.OK() {
			t.Fatalf("%s: %v", res.Site, res.Problems)
		}
	}
	st, err := CacheStatsOf(dir, opts.CacheMaxBytes, false)
	if err != nil {
		t.Fatal(err)
	}
	if st.Bytes > opts.CacheMaxBytes || st.Files == 0 {
		t.Fatalf("cache after RenderAll: %d bytes in %d files, limit %d", st.Bytes, st.Files, opts.CacheMaxBytes)
	}
	if res := r.Render(context.Background(), req(0)); res.Cached {
		t.Errorf("the oldest result survived the trim")
	}
}
