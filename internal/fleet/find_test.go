package fleet

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFindRoot(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	for _, d := range []string{"bases/daskhub", "clusters/a/flux-system"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, FleetFile), []byte("kind: Fleet\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, start := range []string{root, filepath.Join(root, "clusters"), filepath.Join(root, "clusters/a/flux-system")} {
		got, err := FindRoot(start)
		if err != nil || got != root {
			t.Errorf("FindRoot(%s) = %q, %v; want %q", start, got, err, root)
		}
	}
	outside := t.TempDir()
	if _, err := FindRoot(outside); err == nil || !strings.Contains(err.Error(), "hubfleet init") {
		t.Errorf("FindRoot outside a fleet: %v, want an error naming hubfleet init", err)
	}
}
