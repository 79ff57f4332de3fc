package gitrepo

import (
	"context"
	"fmt"
	"strings"
)

// Diff returns the unified diff of paths between base and head
// (git diff base...head: the changes on head since they diverged). An empty
// head means the work tree.
func (r *Repo) Diff(ctx context.Context, base, head string, paths ...string) (string, error) {
	args := []string{"diff", "--no-color", "--no-ext-diff", "--no-renames"}
	if head == "" {
		args = append(args, "--merge-base", base)
	} else {
		args = append(args, base+"..."+head)
	}
	out, err := r.run(ctx, append(append(args, "--"), paths...)...)
	if err != nil {
		return "", fmt.Errorf("diff %s: %w", base, err)
	}
	return out, nil
}

// tree returns the tree id of a commit.
func (r *Repo) tree(ctx context.Context, ref string) (string, error) {
	out, err := r.run(ctx, "rev-parse", "--verify", "--end-of-options", ref+"^{tree}")
	if err != nil {
		return "", fmt.Errorf("tree of %s: %w", ref, err)
	}
	return strings.TrimSpace(out), nil
}

// BranchUpdate says what PublishBranch did.
type BranchUpdate struct {
	// Commit is the tip of the branch on the remote afterwards.
	Commit string
	// Pushed is false when the remote branch already had HEAD's content.
	Pushed bool
}

// PublishBranch makes the remote branch hold exactly HEAD's content without
// a force push. A new branch is pushed as is. An existing branch whose tree
// already equals HEAD's is left alone (running twice changes nothing).
// Otherwise a bot commit with HEAD's tree and two parents (the remote tip
// and HEAD) is pushed: a fast-forward for the remote, and the pull request's
// diff against HEAD's base is exactly HEAD's change. The local branch is
// moved to the pushed commit.
func (r *Repo) PublishBranch(ctx context.Context, branch, message string) (BranchUpdate, error) {
	exists, err := r.RemoteBranchExists(ctx, branch)
	if err != nil {
		return BranchUpdate{}, fmt.Errorf("publish %s: %w", branch, err)
	}
	if !exists {
		if err := r.Push(ctx, branch); err != nil {
			return BranchUpdate{}, fmt.Errorf("publish %s: %w", branch, err)
		}
		head, err := r.Head(ctx)
		return BranchUpdate{Commit: head, Pushed: true}, err
	}
	if err := r.Fetch(ctx, branch); err != nil {
		return BranchUpdate{}, fmt.Errorf("publish %s: %w", branch, err)
	}
	remote := r.opts.Remote + "/" + branch
	remoteTip, err := r.RevParse(ctx, remote)
	if err != nil {
		return BranchUpdate{}, fmt.Errorf("publish %s: %w", branch, err)
	}
	remoteTree, err := r.tree(ctx, remote)
	if err != nil {
		return BranchUpdate{}, fmt.Errorf("publish %s: %w", branch, err)
	}
	headTree, err := r.tree(ctx, "HEAD")
	if err != nil {
		return BranchUpdate{}, fmt.Errorf("publish %s: %w", branch, err)
	}
	if remoteTree == headTree {
		return BranchUpdate{Commit: remoteTip}, nil
	}
	out, _, err := r.botRun(ctx, "commit-tree", headTree, "-p", remoteTip, "-p", "HEAD", "-m", message)
	if err != nil {
		return BranchUpdate{}, fmt.Errorf("publish %s: %w", branch, err)
	}
	commit := strings.TrimSpace(out)
	if _, err := r.run(ctx, "reset", "--quiet", "--soft", commit); err != nil {
		return BranchUpdate{}, fmt.Errorf("publish %s: %w", branch, err)
	}
	if err := r.Push(ctx, branch); err != nil {
		return BranchUpdate{}, fmt.Errorf("publish %s: %w", branch, err)
	}
	return BranchUpdate{Commit: commit, Pushed: true}, nil
}
