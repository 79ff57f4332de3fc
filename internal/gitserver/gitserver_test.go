package gitserver_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hubfleet/hubfleet/internal/gitserver"
	"github.com/hubfleet/hubfleet/internal/gittest"
)

func TestCloneOverSmartHTTP(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		bare bool
	}{
		{name: "work tree", bare: false},
		{name: "bare", bare: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			work := filepath.Join(root, "fleet")
			gittest.Run(t, root, "init", "-q", "-b", "main", work)
			if err := os.WriteFile(filepath.Join(work, "site.yaml"), []byte("name: a\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			gittest.Run(t, work, "add", ".")
			gittest.Run(t, work, "commit", "-q", "-m", "add site a")
			want := gittest.Run(t, work, "rev-parse", "HEAD")
			repo := "fleet"
			if tt.bare {
				gittest.Run(t, root, "clone", "-q", "--bare", work, filepath.Join(root, "fleet.git"))
				repo = "fleet.git"
			}

			srv := gitserver.Start(t, root)
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			if err := srv.Check(ctx, repo); err != nil {
				t.Fatalf("Check: %v", err)
			}
			clone := filepath.Join(t.TempDir(), "clone")
			// -c protocol.version=0 and 2 both go through http-backend.
			gittest.Run(t, t.TempDir(), "clone", "-q", srv.RepoURL(repo), clone)
			if diff := cmp.Diff(want, gittest.Run(t, clone, "rev-parse", "HEAD")); diff != "" {
				t.Errorf("cloned HEAD (-want +got):\n%s", diff)
			}
			data, err := os.ReadFile(filepath.Join(clone, "site.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff("name: a\n", string(data)); diff != "" {
				t.Errorf("cloned site.yaml (-want +got):\n%s", diff)
			}

			// A new commit in the served repository is visible to a fetch.
			if !tt.bare {
				if err := os.WriteFile(filepath.Join(work, "site.yaml"), []byte("name: b\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				gittest.Run(t, work, "commit", "-q", "-am", "rename site")
				gittest.Run(t, clone, "pull", "-q", "--ff-only")
				if diff := cmp.Diff(gittest.Run(t, work, "rev-parse", "HEAD"), gittest.Run(t, clone, "rev-parse", "HEAD")); diff != "" {
					t.Errorf("HEAD after pull (-want +got):\n%s", diff)
				}
			}

			if err := srv.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			if err := srv.Check(ctx, repo); err == nil || !strings.Contains(err.Error(), "git server") {
				t.Errorf("Check after Close = %v, want an error naming the git server", err)
			}
		})
	}
}

func TestCheckUnknownRepository(t *testing.T) {
	t.Parallel()
	srv := gitserver.Start(t, t.TempDir())
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if err := srv.Check(ctx, "missing"); err == nil {
		t.Fatal("Check of a missing repository succeeded, want an error")
	}
}

func TestNewRejectsMissingRoot(t *testing.T) {
	t.Parallel()
	if _, err := gitserver.New(gitserver.DefaultOptions(filepath.Join(t.TempDir(), "nope"))); err == nil {
		t.Fatal("New with a missing root succeeded, want an error")
	}
}
