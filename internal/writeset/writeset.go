package writeset

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"time"

	"github.com/hubfleet/hubfleet/internal/flux"
)

// Apply writes the changes under root in order, each atomically
// (flux.Apply). When one fails, the files already written get their old
// content back (or are removed), so the tree is as it was; the error says
// so, or names what could not be restored.
func Apply(root string, changes []flux.Change) error {
	return ApplyWith(root, changes, func(c flux.Change) error { return flux.Apply(root, []flux.Change{c}) })
}

// ApplyContext is Apply stopping between files when ctx ends; what it
// wrote by then is restored like after any failure, so an interrupted
// render leaves the tree as it was.
func ApplyContext(ctx context.Context, root string, changes []flux.Change) error {
	return ApplyWith(root, changes, func(c flux.Change) error { return flux.ApplyContext(ctx, root, []flux.Change{c}) })
}

// ApplyWith is Apply writing each change through write; restoring always
// goes through flux.Apply. Tests fail write to check the restore.
func ApplyWith(root string, changes []flux.Change, write func(flux.Change) error) error {
	for i, c := range changes {
		err := write(c)
		if err == nil {
			continue
		}
		var undo []error
		for j := i - 1; j >= 0; j-- {
			d := changes[j]
			if uerr := flux.Apply(root, []flux.Change{{Path: d.Path, Old: d.New, New: d.Old}}); uerr != nil {
				undo = append(undo, uerr)
			}
		}
		if len(undo) > 0 {
			return errors.Join(fmt.Errorf("write %s: %w", c.Path, err), fmt.Errorf("and could not restore the files written before it: %w", errors.Join(undo...)))
		}
		return fmt.Errorf("write %s: %w (the %d file(s) written before it were restored: nothing changed)", c.Path, err, i)
	}
	return nil
}

// Preview is fsys as it will be once the changes are applied: changed
// files read their new content. Changes may only replace files that exist
// (what a re-render of a fleet file does); directory listings come from
// fsys.
func Preview(fsys fs.FS, changes []flux.Change) fs.FS {
	m := map[string][]byte{}
	for _, c := range changes {
		m[c.Path] = c.New
	}
	return preview{fsys, m}
}

type preview struct {
	fs.FS
	files map[string][]byte
}

func (p preview) Open(name string) (fs.File, error) {
	data, ok := p.files[name]
	if !ok {
		return p.FS.Open(name)
	}
	if data == nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return &memFile{name: name, data: data}, nil
}

type memFile struct {
	name string
	data []byte
	off  int
}

func (f *memFile) Stat() (fs.FileInfo, error) { return memInfo{f}, nil }
func (f *memFile) Close() error               { return nil }
func (f *memFile) Read(b []byte) (int, error) {
	if f.off >= len(f.data) {
		return 0, io.EOF
	}
	n := copy(b, f.data[f.off:])
	f.off += n
	return n, nil
}

type memInfo struct{ f *memFile }

func (i memInfo) Name() string       { return i.f.name }
func (i memInfo) Size() int64        { return int64(len(i.f.data)) }
func (i memInfo) Mode() fs.FileMode  { return 0o644 }
func (i memInfo) ModTime() time.Time { return time.Time{} }
func (i memInfo) IsDir() bool        { return false }
func (i memInfo) Sys() any           { return nil }
