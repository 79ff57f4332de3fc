package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hubfleet/hubfleet/internal/chart"
)

func TestCacheShowsAndPrunes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for i := range 4 {
		p := filepath.Join(dir, "ab", fmt.Sprintf("%d.gob", i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, make([]byte, 1000), 0o644); err != nil {
			t.Fatal(err)
		}
		at := time.Now().Add(time.Duration(i) * time.Minute)
		if err := os.Chtimes(p, at, at); err != nil {
			t.Fatal(err)
		}
	}
	r := hubfleet(t, "", "cache", "--dir", dir, "--max-bytes", "3000")
	if r.code != exitOK || !strings.Contains(r.stdout, "4 results, 3.9 KiB of 2.9 KiB") {
		t.Fatalf("cache: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = hubfleet(t, "", "cache", "--dir", dir, "--max-bytes", "3000", "--prune", "-o", "json")
	if r.code != exitOK {
		t.Fatalf("cache --prune: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var st chart.CacheStats
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
		t.Fatal(err)
	}
	want := chart.CacheStats{Dir: dir, Bytes: 2000, Files: 2, MaxBytes: 3000, Removed: 2, RemovedBytes: 2000}
	if diff := cmp.Diff(want, st); diff != "" {
		t.Fatalf("pruned (-want +got):\n%s", diff)
	}
	for i, keep := range []bool{false, false, true, true} {
		if _, err := os.Stat(filepath.Join(dir, "ab", fmt.Sprintf("%d.gob", i))); (err == nil) != keep {
			t.Errorf("result %d: kept=%v, want %v", i, err == nil, keep)
		}
	}
	if r := hubfleet(t, "", "cache", "--dir", dir, "--max-bytes", "0"); r.code != exitError || !strings.Contains(r.stderr, "--max-bytes 0") {
		t.Errorf("--max-bytes 0: exit %d\n%s", r.code, r.stderr)
	}
}
