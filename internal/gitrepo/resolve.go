package gitrepo

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Resolve resolves a ref the way git does, then falls back on the remote:
// a local ref or revision expression first (HEAD~1, v1.2.0, main, a commit
// id), and only when that fails the remote-tracking branch origin/<ref>,
// which is all a CI checkout has of its base branch.
func (r *Repo) Resolve(ctx context.Context, ref string) (string, error) {
	id, err := r.RevParse(ctx, ref)
	if err == nil {
		return id, nil
	}
	errs := []error{err}
	if !strings.HasPrefix(ref, "origin/") {
		id, err := r.RevParse(ctx, "origin/"+ref)
		if err == nil {
			return id, nil
		}
		errs = append(errs, err)
	}
	return "", fmt.Errorf("%s is neither a local ref nor origin/%s (a CI checkout needs fetch-depth: 0): %w", ref, ref, errors.Join(errs...))
}

// DefaultBase is the branch a plan compares with when none is given:
// origin/main when the remote-tracking branch exists, else main.
func (r *Repo) DefaultBase(ctx context.Context) string {
	if _, err := r.RevParse(ctx, "origin/main"); err == nil {
		return "origin/main"
	}
	return "main"
}
