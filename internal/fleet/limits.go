package fleet

import (
	"fmt"
	"io"
	"io/fs"
	"path"

	"github.com/hubfleet/hubfleet/internal/site"
)

// readLimited reads a configuration file, but never more than one byte
// past site.MaxFileSize: the decoder refuses a file that large with a
// message, without hubfleet reading all of it first.
func readLimited(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, site.MaxFileSize+1))
}

// refuseSymlinks reports every symbolic link under clusters/ and
// overlays/. hubfleet writes into both trees; a link there would make a
// write land somewhere else (another site's overlay, or outside the
// repository) while the file Flux reads stays stale.
func refuseSymlinks(fsys fs.FS) error {
	var errs site.ErrorList
	for _, dir := range []string{ClustersDir, OverlaysDir} {
		err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if p == dir {
					return fs.SkipDir // no such tree
				}
				return err
			}
			if d.Type()&fs.ModeSymlink != 0 {
				errs = append(errs, &site.FieldError{File: p, Kind: site.KindSymlink,
					Msg: "is a symbolic link: hubfleet reads and writes clusters/ and overlays/ only through real files and directories",
					Fix: "replace the link with a copy of what it points to, or remove it"})
			}
			return nil
		})
		if err != nil && err != fs.SkipDir {
			return fmt.Errorf("reading %s: %w", path.Clean(dir), err)
		}
	}
	return errs.Err()
}
