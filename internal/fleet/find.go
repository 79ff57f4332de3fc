package fleet

import (
	"fmt"
	"os"
	"path/filepath"
)

// FindRoot returns the nearest directory at or above dir that holds
// FleetFile, so hubfleet works from any directory inside a fleet
// repository (cd clusters && hubfleet validate).
func FindRoot(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := abs; ; {
		if st, err := os.Stat(filepath.Join(d, filepath.FromSlash(FleetFile))); err == nil && st.Mode().IsRegular() {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("no %s in %s or any directory above it: is this a hubfleet repository? (start one with 'hubfleet init', or pass --root)", FleetFile, abs)
		}
		d = parent
	}
}
