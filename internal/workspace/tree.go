package workspace

import (
	"errors"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"
	"testing/fstest"

	"github.com/hubfleet/hubfleet/internal/fleet"
	"github.com/hubfleet/hubfleet/internal/overlay"
)

// tree is the work tree as the workspace read it: the files on disk (with
// the previewed edits), and overlays/ as read once at Load. The render and
// its comparison with the files on disk read overlays/ from here, so one
// command reads each overlay file from disk once.
type tree struct {
	disk     fs.FS
	overlays fstest.MapFS
}

func (t tree) Open(name string) (fs.File, error) {
	if name == fleet.OverlaysDir || strings.HasPrefix(name, fleet.OverlaysDir+"/") {
		return t.overlays.Open(name)
	}
	return t.disk.Open(name)
}

// overlayTree makes the in-memory overlays/ of a tree from each site's
// files; a site with an empty overlay directory keeps the directory.
func overlayTree(sites overlay.Tree, links []string) fstest.MapFS {
	m := fstest.MapFS{fleet.OverlaysDir: {Mode: fs.ModeDir | 0o755}}
	for _, l := range links {
		// The fleet loader reports each link.
		m[l] = &fstest.MapFile{Mode: fs.ModeSymlink | 0o777}
	}
	for name, files := range sites {
		m[fleet.OverlayDir(name)] = &fstest.MapFile{Mode: fs.ModeDir | 0o755}
		for p, data := range files {
			m[p] = &fstest.MapFile{Data: data, Mode: 0o644}
			for d := path.Dir(p); d != fleet.OverlayDir(name) && d != "."; d = path.Dir(d) {
				m[d] = &fstest.MapFile{Mode: fs.ModeDir | 0o755}
			}
		}
	}
	return m
}

// Overlays are the overlay files on disk of every site with an overlay
// directory, by site, as read once at Load (a copy: callers may edit it).
func (w *Workspace) Overlays() overlay.Tree {
	out := make(overlay.Tree, len(w.overlays))
	for n, files := range w.overlays {
		out[n] = maps.Clone(files)
	}
	return out
}

// OverlaySites are the sites with an overlay directory on disk, sorted.
func (w *Workspace) OverlaySites() []string { return slices.Sorted(maps.Keys(w.overlays)) }

// Has reports whether the file at a slash path is in the work tree.
func (w *Workspace) Has(path string) bool {
	if w.fsys == nil {
		return false
	}
	_, err := fs.Stat(w.fsys, path)
	return !errors.Is(err, fs.ErrNotExist)
}

// FS is the work tree as the workspace reads it (its root): a command
// that reads a file of the tree reads it here, not from disk again.
func (w *Workspace) FS() fs.FS { return w.fsys }
