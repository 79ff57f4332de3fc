package flux

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// refuseSymlink fails when any part of rel under root is a symbolic
// link. securejoin keeps a write inside root, but it follows links that
// stay inside: a linked overlay file would make hubfleet write the link's
// target and leave the file Flux reads stale.
func refuseSymlink(root, rel string) error {
	p := root
	for _, part := range strings.Split(filepath.ToSlash(filepath.Clean(rel)), "/") {
		p = filepath.Join(p, part)
		fi, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			r, _ := filepath.Rel(root, p)
			return fmt.Errorf("%s is a symbolic link: hubfleet does not write through links (replace it with a copy of what it points to, or remove it)", filepath.ToSlash(r))
		}
	}
	return nil
}
