package gitserver_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hubfleet/hubfleet/internal/gitserver"
)

// git runs git in dir with a fixed identity and no user configuration.
func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_NAME=test", "GIT_AUTHOR_EMAIL=test@example.invalid",
		"GIT_COMMITTER_NAME=test", "GIT_COMMITTER_EMAIL=test@example.invalid",
		"GIT_TERMINAL_PROMPT=0",
	)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

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
			git(t, root, "init", "-q", "-b", "main", work)
			if err := os.WriteFile(filepath.Join(work, "site.yaml"), []byte("name: a\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			git(t, work, "add", ".")
			git(t, work, "commit", "-q", "-m", "add site a")
			want := git(t, work, "rev-parse", "HEAD")
			repo := "fleet"
			if tt.bare {
				git(t, root, "clone", "-q", "--bare", work, filepath.Join(root, "fleet.git"))
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
			git(t, t.TempDir(), "clone", "-q", srv.RepoURL(repo), clone)
			if diff := cmp.Diff(want, git(t, clone, "rev-parse", "HEAD")); diff != "" {
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
				git(t, work, "commit", "-q", "-am", "rename site")
				git(t, clone, "pull", "-q", "--ff-only")
				if diff := cmp.Diff(git(t, work, "rev-parse", "HEAD"), git(t, clone, "rev-parse", "HEAD")); diff != "" {
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
