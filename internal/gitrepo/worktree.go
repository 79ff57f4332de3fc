package gitrepo

import (
	"context"
	"errors"
	"fmt"
	"os"
)

// Scratch checks ref out, detached, in a new temporary work tree of the
// same repository and returns it with a function that removes it. Commits
// made there (a dry-run revert) share the object store but move no branch
// and leave the caller's work tree and HEAD untouched.
func (r *Repo) Scratch(ctx context.Context, ref string) (*Repo, func() error, error) {
	dir, err := os.MkdirTemp("", "hubfleet-scratch-")
	if err != nil {
		return nil, nil, fmt.Errorf("scratch work tree: %w", err)
	}
	if _, err := r.run(ctx, "worktree", "add", "--quiet", "--detach", dir, ref); err != nil {
		return nil, nil, errors.Join(fmt.Errorf("scratch work tree: %w", err), os.RemoveAll(dir))
	}
	s, err := Open(ctx, dir, r.opts)
	cleanup := func() error {
		_, werr := r.run(context.WithoutCancel(ctx), "worktree", "remove", "--force", dir)
		return errors.Join(werr, os.RemoveAll(dir))
	}
	if err != nil {
		return nil, nil, errors.Join(err, cleanup())
	}
	return s, cleanup, nil
}
