package gitrepo

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Commit is one commit in the history.
type Commit struct {
	ID      string
	Subject string
}

// LastCommits returns up to n commits, newest first, reachable from ref that
// changed anything under path (e.g. "overlays/egi-prod/").
func (r *Repo) LastCommits(ctx context.Context, ref, path string, n int) ([]Commit, error) {
	if n < 1 {
		n = 1
	}
	out, err := r.run(ctx, "log", fmt.Sprintf("--max-count=%d", n), "--no-merges", "--format=%H%x00%s", "--end-of-options", ref, "--", path)
	if err != nil {
		return nil, fmt.Errorf("commits changing %s: %w", path, err)
	}
	var commits []Commit
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		id, subject, _ := strings.Cut(line, "\x00")
		commits = append(commits, Commit{ID: id, Subject: subject})
	}
	return commits, nil
}

// Show returns the content of path at ref, byte for byte.
func (r *Repo) Show(ctx context.Context, ref, path string) ([]byte, error) {
	out, err := r.run(ctx, "show", ref+":"+path)
	if err != nil {
		return nil, fmt.Errorf("show %s:%s: %w", ref, path, err)
	}
	return []byte(out), nil
}

// Revert makes one revert commit, as the bot, undoing commits (newest
// first, as LastCommits returns them). A single commit gets git's own
// message ("Revert \"subject\"" / "This reverts commit ..."). The work tree
// must be clean. A conflict is aborted and returned as *ConflictError with
// HEAD and the work tree unchanged.
func (r *Repo) Revert(ctx context.Context, commits ...string) (string, error) {
	if len(commits) == 0 {
		return "", errors.New("revert: no commits given")
	}
	dirty, err := r.ChangedFiles(ctx)
	if err != nil {
		return "", fmt.Errorf("revert: %w", err)
	}
	if len(dirty) > 0 {
		return "", fmt.Errorf("revert: the work tree has uncommitted changes in %s", strings.Join(dirty, ", "))
	}
	before, err := r.Head(ctx)
	if err != nil {
		return "", fmt.Errorf("revert: %w", err)
	}
	var subjects []string
	for _, c := range commits {
		out, err := r.run(ctx, "log", "-1", "--format=%s", c)
		if err != nil {
			return "", fmt.Errorf("revert %s: %w", c, err)
		}
		subjects = append(subjects, strings.TrimSpace(out))
	}

	args := []string{"revert", "--no-edit"}
	if len(commits) > 1 {
		args = append(args, "--no-commit")
	}
	if _, _, err := r.botRun(ctx, append(args, commits...)...); err != nil {
		files, _ := r.conflictedFiles(ctx)
		if aerr := r.abortRevert(ctx, before); aerr != nil {
			return "", errors.Join(fmt.Errorf("revert %s: %w", strings.Join(short(commits), " "), err), aerr)
		}
		if len(files) == 0 {
			return "", fmt.Errorf("revert %s: %w", strings.Join(short(commits), " "), err)
		}
		return "", &ConflictError{Op: "revert", Commits: commits, Files: files}
	}
	if len(commits) > 1 {
		var msg strings.Builder
		fmt.Fprintf(&msg, "Revert %d commits\n\n", len(commits))
		for i, c := range commits {
			fmt.Fprintf(&msg, "This reverts commit %s (%q).\n", c, subjects[i])
		}
		if _, _, err := r.botRun(ctx, "commit", "--quiet", "--no-verify", "-m", msg.String()); err != nil {
			return "", fmt.Errorf("revert: commit: %w", err)
		}
	}
	return r.Head(ctx)
}

// abortRevert undoes a failed revert and checks that HEAD is back at before
// with a clean tree.
func (r *Repo) abortRevert(ctx context.Context, before string) error {
	if _, err := r.run(ctx, "revert", "--abort"); err != nil {
		// A single --no-commit revert has no sequencer state to abort.
		if _, err := r.run(ctx, "reset", "--merge"); err != nil {
			return fmt.Errorf("abort revert: %w", err)
		}
	}
	head, err := r.Head(ctx)
	if err != nil {
		return fmt.Errorf("abort revert: %w", err)
	}
	if head != before {
		return fmt.Errorf("abort revert: HEAD is %s, not %s", head, before)
	}
	dirty, err := r.ChangedFiles(ctx)
	if err != nil {
		return fmt.Errorf("abort revert: %w", err)
	}
	if len(dirty) > 0 {
		return fmt.Errorf("abort revert: work tree left with changes in %s", strings.Join(dirty, ", "))
	}
	return nil
}

// ListFiles lists the files under dir at ref, sorted; none when dir does
// not exist there.
func (r *Repo) ListFiles(ctx context.Context, ref, dir string) ([]string, error) {
	out, err := r.run(ctx, "ls-tree", "-r", "--name-only", "-z", "--end-of-options", ref, "--", dir)
	if err != nil {
		return nil, fmt.Errorf("list %s at %s: %w", dir, ref, err)
	}
	var files []string
	for _, f := range strings.Split(out, "\x00") {
		if f != "" {
			files = append(files, f)
		}
	}
	return files, nil
}
