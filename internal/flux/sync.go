package flux

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"
	"github.com/pmezard/go-difflib/difflib"

	"github.com/hubfleet/hubfleet/internal/fleet"
	"github.com/hubfleet/hubfleet/internal/site"
)

// Render renders the sites of a loaded fleet: all of them, or only those
// named. fsys is the fleet root, read for the SOPS secret files each
// overlay keeps.
func Render(fsys fs.FS, fl *fleet.Fleet, only []string) (Files, error) {
	out := Files{}
	var errs []error
	for _, s := range fl.Sites {
		if len(only) > 0 && !slices.Contains(only, s.Metadata.Name) {
			continue
		}
		kept, err := secretFiles(fsys, fleet.OverlayDir(s.Metadata.Name))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if NeedsSOPSSecret(s) && !slices.Contains(kept, ClientSecretFile) {
			errs = append(errs, fmt.Errorf("%s: site %s reads its OAuth client secret from %s, which does not exist: run 'hubfleet secret set --site %s'",
				s.File, s.Metadata.Name, path.Join(fleet.OverlayDir(s.Metadata.Name), ClientSecretFile), s.Metadata.Name))
			continue
		}
		files, err := RenderSite(s, fl.Config, kept)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for p, b := range files {
			out[p] = b
		}
	}
	for _, name := range only {
		if fl.Site(name) == nil {
			errs = append(errs, fmt.Errorf("no site named %q (sites are the directories under %s/ with a %s)", name, fleet.ClustersDir, fleet.SiteFile))
		}
	}
	return out, errors.Join(errs...)
}

// NeedsSOPSSecret reports whether a site's client secret comes from the
// SOPS-encrypted file in its overlay.
func NeedsSOPSSecret(s *site.Site) bool {
	return s.Spec.Auth.Provider != site.AuthNative && s.Spec.Auth.ClientSecret.ExternalSecret == nil
}

func secretFiles(fsys fs.FS, dir string) ([]string, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", dir, err)
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() && IsSecretFile(e.Name()) {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

// Change is one file to create (Old nil), update, or delete (New nil).
type Change struct {
	Path string
	Old  []byte
	New  []byte
}

// Changes compares want with the files on disk that hubfleet manages: the
// overlays of the rendered sites (except their SOPS secrets), their entry
// points, and, when rendering every site, overlays whose site is gone.
func Changes(fsys fs.FS, fl *fleet.Fleet, want Files, only []string) ([]Change, error) {
	managed := map[string]bool{}
	dirs, err := fs.ReadDir(fsys, fleet.OverlaysDir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("reading %s: %w", fleet.OverlaysDir, err)
	}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		name := d.Name()
		if len(only) > 0 && !slices.Contains(only, name) {
			continue
		}
		gone := fl.Site(name) == nil
		err := fs.WalkDir(fsys, fleet.OverlayDir(name), func(p string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return err
			}
			if gone || !IsSecretFile(p) {
				managed[p] = true
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	for _, s := range fl.Sites {
		if len(only) == 0 || slices.Contains(only, s.Metadata.Name) {
			managed[path.Join(fleet.ClustersDir, s.Metadata.Name, EntryPointFile)] = true
		}
	}
	for p := range want {
		managed[p] = true
	}
	var out []Change
	for p := range managed {
		old, err := fs.ReadFile(fsys, p)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("reading %s: %w", p, err)
		}
		if errors.Is(err, fs.ErrNotExist) {
			old = nil
		}
		nw := want[p]
		if (old == nil) == (nw == nil) && bytes.Equal(old, nw) {
			continue
		}
		out = append(out, Change{Path: p, Old: old, New: nw})
	}
	slices.SortFunc(out, func(a, b Change) int { return strings.Compare(a.Path, b.Path) })
	return out, nil
}

// Apply writes the changes under root. Each file is written to a temporary
// file and renamed into place, so an interrupted render never leaves a
// half-written file. Paths are joined securely under root.
func Apply(root string, changes []Change) error {
	for _, c := range changes {
		p, err := securejoin.SecureJoin(root, c.Path)
		if err != nil {
			return fmt.Errorf("%s: %w", c.Path, err)
		}
		if c.New == nil {
			if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("removing %s: %w", c.Path, err)
			}
			removeEmptyDirs(root, filepath.Dir(p))
			continue
		}
		if err := writeAtomic(p, c.New); err != nil {
			return fmt.Errorf("writing %s: %w", c.Path, err)
		}
	}
	return nil
}

// WriteFile writes one file under root atomically (0o644, dirs 0o755).
func WriteFile(root, rel string, data []byte) error {
	p, err := securejoin.SecureJoin(root, rel)
	if err != nil {
		return fmt.Errorf("%s: %w", rel, err)
	}
	return writeAtomic(p, data)
}

func writeAtomic(p string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), "."+filepath.Base(p)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), p)
}

func removeEmptyDirs(root, dir string) {
	root = filepath.Clean(root)
	for dir != root && strings.HasPrefix(dir, root) {
		if err := os.Remove(dir); err != nil {
			return
		}
		dir = filepath.Dir(dir)
	}
}

// Diff renders the changes as a unified diff, in path order.
func Diff(changes []Change) string {
	var b strings.Builder
	for _, c := range changes {
		from, to := "a/"+c.Path, "b/"+c.Path
		if c.Old == nil {
			from = "/dev/null"
		}
		if c.New == nil {
			to = "/dev/null"
		}
		d, _ := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
			A: difflib.SplitLines(string(c.Old)), B: difflib.SplitLines(string(c.New)),
			FromFile: from, ToFile: to, Context: 3,
		})
		b.WriteString(d)
	}
	return b.String()
}
