// Package fleettest gives tests the repository's example fleet and the
// hubfleet binary built from this module.
package fleettest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// Dirs are the parts of the repository that make up the example fleet.
var Dirs = []string{"bases", "clusters", "overlays"}

// Root is the hubfleet module root (the directory holding go.mod), found
// from the test's working directory upwards.
func Root(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test's directory")
		}
		dir = parent
	}
}

// CopyExample copies the example fleet (bases/, clusters/, overlays/) into
// dst, which may be an existing work tree.
func CopyExample(t testing.TB, dst string) {
	t.Helper()
	root := Root(t)
	for _, d := range Dirs {
		if err := os.CopyFS(filepath.Join(dst, d), os.DirFS(filepath.Join(root, d))); err != nil {
			t.Fatalf("copying the example fleet: %v", err)
		}
	}
}

var (
	cliOnce sync.Once
	cliPath string
	cliErr  error
)

// CLI builds cmd/hubfleet once per test binary and returns its path.
func CLI(t testing.TB) string {
	t.Helper()
	root := Root(t)
	cliOnce.Do(func() {
		dir, err := os.MkdirTemp("", "hubfleet-cli-")
		if err != nil {
			cliErr = err
			return
		}
		cliPath = filepath.Join(dir, "hubfleet")
		cmd := exec.Command("go", "build", "-o", cliPath, "./cmd/hubfleet")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			cliErr = errors.Join(fmt.Errorf("go build ./cmd/hubfleet: %w", err), errors.New(string(out)))
		}
	})
	if cliErr != nil {
		t.Fatal(cliErr)
	}
	return cliPath
}
