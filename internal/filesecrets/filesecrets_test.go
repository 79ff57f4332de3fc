package filesecrets_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubfleet/hubfleet/internal/filesecrets"
	"github.com/hubfleet/hubfleet/internal/gitrepo"
	"github.com/hubfleet/hubfleet/internal/gittest"
)

// TestChangedFindsSecretsOnBothSides finds a secret that only the base
// holds (removed in the work tree), one that only the work tree holds, and
// none in a file that did not change or lies outside the fleet's
// directories.
func TestChangedFindsSecretsOnBothSides(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	gittest.Run(t, dir, "init", "-q", "-b", "main")
	gittest.Run(t, dir, "config", "user.email", "t@example.invalid")
	gittest.Run(t, dir, "config", "user.name", "t")
	write := func(rel, text string) {
		t.Helper()
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("overlays/a/release.yaml", "spec:\n  values:\n    hub:\n      db:\n        password: Base-Only-Pw-7q2Lx\n")
	write("overlays/b/release.yaml", "spec:\n  values:\n    hub:\n      db:\n        password: Unchanged-Pw-3k9Zt\n")
	write("notes/x.yaml", "password: Outside-Pw-8m1Qw\n")
	gittest.Run(t, dir, "add", "-A")
	gittest.Run(t, dir, "commit", "-q", "-m", "base")
	write("overlays/a/release.yaml", "spec:\n  values:\n    hub:\n      extraEnv:\n      - name: API_TOKEN\n        value: Head-Only-Tk-5w8Rn\n")
	write("notes/x.yaml", "password: Outside-Pw-changed-9\n")

	opts := gitrepo.DefaultOptions()
	opts.Env = gittest.Isolated
	repo, err := gitrepo.Open(context.Background(), dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	findings, err := filesecrets.Changed(context.Background(), repo, "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range findings {
		got = append(got, f.Secret)
	}
	slices.Sort(got)
	if diff := cmp.Diff([]string{"Base-Only-Pw-7q2Lx", "Head-Only-Tk-5w8Rn"}, got); diff != "" {
		t.Errorf("secrets (-want +got):\n%s", diff)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := filesecrets.Changed(ctx, repo, "HEAD"); err == nil {
		t.Error("Changed with an ended context returned no error")
	}
}
