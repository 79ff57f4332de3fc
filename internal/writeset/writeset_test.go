package writeset

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubfleet/hubfleet/internal/flux"
)

// TestApplyRestoresOnFailure fails the write of each change in turn and
// checks the tree is exactly as before.
func TestApplyRestoresOnFailure(t *testing.T) {
	t.Parallel()
	changes := []flux.Change{
		{Path: "a.yaml", Old: []byte("a1\n"), New: []byte("a2\n")},
		{Path: "d/new.yaml", New: []byte("new\n")},
		{Path: "gone.yaml", Old: []byte("gone\n")},
		{Path: "z.yaml", Old: []byte("z1\n"), New: []byte("z2\n")},
	}
	for fail := range changes {
		t.Run(changes[fail].Path, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			for _, c := range changes {
				if c.Old != nil {
					if err := os.WriteFile(filepath.Join(root, c.Path), c.Old, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			before := tree(t, root)
			n := 0
			err := ApplyWith(root, changes, func(c flux.Change) error {
				if n++; n-1 == fail {
					return errors.New("disk full")
				}
				return flux.Apply(root, []flux.Change{c})
			})
			if err == nil {
				t.Fatal("no error")
			}
			if diff := cmp.Diff(before, tree(t, root)); diff != "" {
				t.Errorf("tree after a failed write (-before +after):\n%s", diff)
			}
		})
	}
}

func TestPreview(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "f.yaml"), []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := Preview(os.DirFS(root), []flux.Change{{Path: "f.yaml", Old: []byte("old"), New: []byte("new")}})
	got, err := fs.ReadFile(p, "f.yaml")
	if err != nil || string(got) != "new" {
		t.Errorf("ReadFile = %q, %v", got, err)
	}
}

func tree(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		out[p] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
