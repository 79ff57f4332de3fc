package chart

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// DefaultCacheMaxBytes is the default size limit of the result cache on
// disk (RenderOptions.CacheMaxBytes).
const DefaultCacheMaxBytes = 1 << 30

// CacheStats describes the result cache on disk.
type CacheStats struct {
	Dir string `json:"dir"`
	// Bytes and Files count the cached results.
	Bytes int64 `json:"bytes"`
	Files int   `json:"files"`
	// MaxBytes is the limit (0: none).
	MaxBytes int64 `json:"maxBytes"`
	// Removed and RemovedBytes count what a trim removed.
	Removed      int   `json:"removed,omitempty"`
	RemovedBytes int64 `json:"removedBytes,omitempty"`
}

// maxCacheBytes is the effective limit: 0 for none.
func (r *Renderer) maxCacheBytes() int64 {
	switch {
	case r.opts.CacheMaxBytes < 0:
		return 0
	case r.opts.CacheMaxBytes == 0:
		return DefaultCacheMaxBytes
	}
	return r.opts.CacheMaxBytes
}

type cacheEntry struct {
	path  string
	size  int64
	mtime time.Time
}

// TrimCache removes the least recently used results (a hit refreshes a
// result's modification time) while the cache is over its limit, down to
// 3/4 of the limit so that the next runs do not trim again at once. It
// returns what the cache holds afterwards.
func (r *Renderer) TrimCache() (CacheStats, error) {
	return trimCache(r.opts.CacheDir, r.maxCacheBytes())
}

// CacheStatsOf returns the size of the result cache in dir, trimming it
// to maxBytes first when maxBytes is positive and prune is set.
func CacheStatsOf(dir string, maxBytes int64, prune bool) (CacheStats, error) {
	if prune {
		return trimCache(dir, maxBytes)
	}
	st := CacheStats{Dir: dir, MaxBytes: max(maxBytes, 0)}
	entries, err := cacheEntries(dir)
	for _, e := range entries {
		st.Bytes += e.size
		st.Files++
	}
	return st, err
}

func cacheEntries(dir string) ([]cacheEntry, error) {
	var out []cacheEntry
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) {
				return nil
			}
			return err
		}
		if d.IsDir() || !strings.HasSuffix(d.Name(), ".gob") {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return nil // removed meanwhile
		}
		out = append(out, cacheEntry{path, fi.Size(), fi.ModTime()})
		return nil
	})
	return out, err
}

func trimCache(dir string, maxBytes int64) (CacheStats, error) {
	st := CacheStats{Dir: dir, MaxBytes: max(maxBytes, 0)}
	if dir == "" {
		return st, nil
	}
	entries, err := cacheEntries(dir)
	if err != nil {
		return st, err
	}
	for _, e := range entries {
		st.Bytes += e.size
	}
	st.Files = len(entries)
	if maxBytes <= 0 || st.Bytes <= maxBytes {
		return st, nil
	}
	sort.Slice(entries, func(i, j int) bool {
		if !entries[i].mtime.Equal(entries[j].mtime) {
			return entries[i].mtime.Before(entries[j].mtime)
		}
		return entries[i].path < entries[j].path
	})
	target := maxBytes / 4 * 3
	for _, e := range entries {
		if st.Bytes <= target {
			break
		}
		if err := os.Remove(e.path); err != nil && !os.IsNotExist(err) {
			return st, err
		}
		st.Bytes -= e.size
		st.Files--
		st.Removed++
		st.RemovedBytes += e.size
	}
	return st, nil
}

// touch marks a cached result as used now, for least-recently-used
// eviction. Failing to is harmless.
func touch(path string) {
	now := time.Now()
	_ = os.Chtimes(path, now, now)
}
