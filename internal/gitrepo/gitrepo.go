package gitrepo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// Identity is a git author and committer.
type Identity struct {
	Name  string
	Email string
}

// Options configures a Repo.
type Options struct {
	// Git is the git binary.
	Git string
	// Bot is the identity commits are made as.
	Bot Identity
	// Remote is the remote pushed to and fetched from.
	Remote string
	// MaxPushAttempts bounds push, fetch and rebase rounds.
	MaxPushAttempts int
	// Env is added to git's environment (e.g. GIT_CONFIG_GLOBAL=/dev/null).
	Env []string
	// AsUser makes commits as the user's own git identity, with their
	// signing configuration (a terminal's commands); Bot is used only
	// where git has no user identity configured. Without it, commits are
	// the bot's, unsigned (the Action).
	AsUser bool
}

// DefaultOptions returns git from PATH, the hubfleet bot identity, origin,
// and five push attempts.
func DefaultOptions() Options {
	return Options{
		Git:             "git",
		Bot:             Identity{Name: "hubfleet[bot]", Email: "hubfleet[bot]@users.noreply.github.com"},
		Remote:          "origin",
		MaxPushAttempts: 5,
	}
}

// Repo is a git work tree.
type Repo struct {
	dir  string
	opts Options
}

// ErrNothingToCommit is returned by Commit when the paths have no changes.
var ErrNothingToCommit = errors.New("nothing to commit")

// GitError is a git command that failed.
type GitError struct {
	Args   []string
	Stderr string
	Err    error
}

func (e *GitError) Error() string {
	return fmt.Sprintf("git %s: %v: %s", strings.Join(e.Args, " "), e.Err, strings.TrimSpace(e.Stderr))
}

func (e *GitError) Unwrap() error { return e.Err }

// ConflictError is a revert or rebase that conflicted. The operation was
// aborted: the work tree and HEAD are as they were before it.
type ConflictError struct {
	// Op is "revert" or "rebase".
	Op string
	// Commits are the commits being reverted or rebased onto.
	Commits []string
	// Files are the paths that conflicted.
	Files []string
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("%s of %s conflicts in %s; aborted, nothing changed",
		e.Op, strings.Join(short(e.Commits), ", "), strings.Join(e.Files, ", "))
}

// PushRejectedError is a push the remote kept rejecting after every retry.
type PushRejectedError struct {
	Branch   string
	Attempts int
	Stderr   string
}

func (e *PushRejectedError) Error() string {
	return fmt.Sprintf("push to %s rejected %d times: %s", e.Branch, e.Attempts, strings.TrimSpace(e.Stderr))
}

// Open returns the repository whose work tree contains dir.
func Open(ctx context.Context, dir string, opts Options) (*Repo, error) {
	def := DefaultOptions()
	if opts.Git == "" {
		opts.Git = def.Git
	}
	if opts.Bot.Name == "" || opts.Bot.Email == "" {
		opts.Bot = def.Bot
	}
	if opts.Remote == "" {
		opts.Remote = def.Remote
	}
	if opts.MaxPushAttempts < 1 {
		opts.MaxPushAttempts = def.MaxPushAttempts
	}
	r := &Repo{dir: dir, opts: opts}
	top, err := r.run(ctx, "rev-parse", "--show-toplevel")
	if err != nil {
		return nil, fmt.Errorf("open git repository %s: %w", dir, err)
	}
	r.dir = strings.TrimSpace(top)
	return r, nil
}

// Dir is the top of the work tree.
func (r *Repo) Dir() string { return r.dir }

// run runs git in the work tree and returns its stdout.
func (r *Repo) run(ctx context.Context, args ...string) (string, error) {
	out, _, err := r.runFull(ctx, nil, args...)
	return out, err
}

func (r *Repo) runFull(ctx context.Context, extraEnv []string, args ...string) (string, string, error) {
	cmd := exec.CommandContext(ctx, r.opts.Git, args...)
	cmd.Dir = r.dir
	cmd.Env = append(os.Environ(), "LC_ALL=C", "GIT_TERMINAL_PROMPT=0", "GIT_EDITOR=true")
	cmd.Env = append(cmd.Env, r.opts.Env...)
	cmd.Env = append(cmd.Env, extraEnv...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), stderr.String(), &GitError{Args: args, Stderr: stderr.String(), Err: err}
	}
	return stdout.String(), stderr.String(), nil
}

// botEnv makes the bot both author and committer.
func (r *Repo) botEnv() []string {
	b := r.opts.Bot
	return []string{
		"GIT_AUTHOR_NAME=" + b.Name, "GIT_AUTHOR_EMAIL=" + b.Email,
		"GIT_COMMITTER_NAME=" + b.Name, "GIT_COMMITTER_EMAIL=" + b.Email,
	}
}

// botRun runs a command that creates commits, as the bot, unsigned; with
// Options.AsUser, as the user when git knows who that is.
func (r *Repo) botRun(ctx context.Context, args ...string) (string, string, error) {
	if r.opts.AsUser && r.hasUserIdentity(ctx) {
		return r.runFull(ctx, nil, args...)
	}
	args = append([]string{"-c", "commit.gpgsign=false", "-c", "user.name=" + r.opts.Bot.Name, "-c", "user.email=" + r.opts.Bot.Email}, args...)
	return r.runFull(ctx, r.botEnv(), args...)
}

// hasUserIdentity says whether git has a user name and e-mail address
// configured (or given in its environment) for commits in the repository.
func (r *Repo) hasUserIdentity(ctx context.Context) bool {
	for _, v := range []string{"GIT_COMMITTER_IDENT", "GIT_AUTHOR_IDENT"} {
		if _, _, err := r.runFull(ctx, nil, "var", v); err != nil {
			return false
		}
	}
	return true
}

// Head returns the commit HEAD points at.
func (r *Repo) Head(ctx context.Context) (string, error) {
	return r.RevParse(ctx, "HEAD")
}

// RevParse resolves ref to a full commit id.
func (r *Repo) RevParse(ctx context.Context, ref string) (string, error) {
	out, err := r.run(ctx, "rev-parse", "--verify", "--end-of-options", ref+"^{commit}")
	if err != nil {
		return "", fmt.Errorf("resolve %s: %w", ref, err)
	}
	return strings.TrimSpace(out), nil
}

// CurrentBranch returns the checked-out branch, or "" on a detached HEAD.
func (r *Repo) CurrentBranch(ctx context.Context) (string, error) {
	out, err := r.run(ctx, "symbolic-ref", "--quiet", "--short", "HEAD")
	if err != nil {
		var ge *GitError
		if errors.As(err, &ge) {
			var ee *exec.ExitError
			if errors.As(ge.Err, &ee) && ee.ExitCode() == 1 {
				return "", nil
			}
		}
		return "", fmt.Errorf("current branch: %w", err)
	}
	return strings.TrimSpace(out), nil
}

// ChangedFiles lists the paths under paths (all when empty) that differ
// from HEAD in the work tree or index, untracked files included, sorted.
func (r *Repo) ChangedFiles(ctx context.Context, paths ...string) ([]string, error) {
	args := append([]string{"status", "--porcelain=v1", "-z", "--untracked-files=all", "--"}, paths...)
	out, err := r.run(ctx, args...)
	if err != nil {
		return nil, fmt.Errorf("changed files: %w", err)
	}
	var files []string
	entries := strings.Split(out, "\x00")
	for i := 0; i < len(entries); i++ {
		e := entries[i]
		if len(e) < 4 {
			continue
		}
		files = append(files, e[3:])
		if e[0] == 'R' || e[0] == 'C' {
			i++ // the next entry is the rename source
		}
	}
	return files, nil
}

// DiffFiles lists the paths under paths changed between base and head
// (git diff base...head: the changes on head since they diverged).
func (r *Repo) DiffFiles(ctx context.Context, base, head string, paths ...string) ([]string, error) {
	args := append([]string{"diff", "--name-only", "-z", "--no-renames", base + "..." + head, "--"}, paths...)
	out, err := r.run(ctx, args...)
	if err != nil {
		return nil, fmt.Errorf("diff %s...%s: %w", base, head, err)
	}
	var files []string
	for _, f := range strings.Split(out, "\x00") {
		if f != "" {
			files = append(files, f)
		}
	}
	return files, nil
}

// CreateBranch creates (or resets) branch at start and checks it out.
func (r *Repo) CreateBranch(ctx context.Context, branch, start string) error {
	if _, err := r.run(ctx, "switch", "--quiet", "--force-create", branch, start); err != nil {
		return fmt.Errorf("create branch %s at %s: %w", branch, start, err)
	}
	return nil
}

// Checkout switches to an existing branch.
func (r *Repo) Checkout(ctx context.Context, branch string) error {
	if _, err := r.run(ctx, "switch", "--quiet", branch); err != nil {
		return fmt.Errorf("checkout %s: %w", branch, err)
	}
	return nil
}

// Commit stages everything under paths (all when empty), including
// deletions, and commits it as the bot. It returns ErrNothingToCommit when
// nothing changed.
func (r *Repo) Commit(ctx context.Context, message string, paths ...string) (string, error) {
	if len(paths) == 0 {
		paths = []string{"."}
	}
	if _, err := r.run(ctx, append([]string{"add", "--all", "--"}, paths...)...); err != nil {
		return "", fmt.Errorf("commit: stage %s: %w", strings.Join(paths, " "), err)
	}
	if _, err := r.run(ctx, "diff", "--cached", "--quiet"); err == nil {
		return "", ErrNothingToCommit
	}
	if _, _, err := r.botRun(ctx, "commit", "--quiet", "--no-verify", "-m", message); err != nil {
		return "", fmt.Errorf("commit: %w", err)
	}
	return r.Head(ctx)
}

// Fetch fetches branch from the remote into refs/remotes/<remote>/<branch>.
func (r *Repo) Fetch(ctx context.Context, branch string) error {
	refspec := fmt.Sprintf("+refs/heads/%s:refs/remotes/%s/%s", branch, r.opts.Remote, branch)
	if _, err := r.run(ctx, "fetch", "--quiet", r.opts.Remote, refspec); err != nil {
		return fmt.Errorf("fetch %s: %w", branch, err)
	}
	return nil
}

// RemoteBranchExists reports whether the remote has branch.
func (r *Repo) RemoteBranchExists(ctx context.Context, branch string) (bool, error) {
	out, err := r.run(ctx, "ls-remote", "--heads", r.opts.Remote, "refs/heads/"+branch)
	if err != nil {
		return false, fmt.Errorf("ls-remote %s: %w", branch, err)
	}
	return strings.TrimSpace(out) != "", nil
}

// Push pushes HEAD to branch on the remote. When a concurrent push won, it
// fetches the branch, rebases HEAD onto it and tries again, up to
// MaxPushAttempts. It never force-pushes. A rebase that conflicts is aborted
// and returned as *ConflictError, leaving HEAD and the work tree as they
// were.
func (r *Repo) Push(ctx context.Context, branch string) error {
	var stderr string
	for attempt := 1; attempt <= r.opts.MaxPushAttempts; attempt++ {
		so, se, err := r.runFull(ctx, nil, "push", "--porcelain", r.opts.Remote, "HEAD:refs/heads/"+branch)
		if err == nil {
			return nil
		}
		stderr = so + se
		if !rejected(so, se) {
			return fmt.Errorf("push %s: %w", branch, err)
		}
		if err := r.Fetch(ctx, branch); err != nil {
			return fmt.Errorf("push %s: after rejection: %w", branch, err)
		}
		if err := r.rebase(ctx, r.opts.Remote+"/"+branch); err != nil {
			return fmt.Errorf("push %s: %w", branch, err)
		}
	}
	return &PushRejectedError{Branch: branch, Attempts: r.opts.MaxPushAttempts, Stderr: stderr}
}

// rejected reports a push refused because the remote moved on: a porcelain
// "!" line saying so, or the ref lock lost to a concurrent push.
func rejected(stdout, stderr string) bool {
	for _, line := range strings.Split(stdout, "\n") {
		if strings.HasPrefix(line, "!\t") &&
			(strings.Contains(line, "fetch first") || strings.Contains(line, "non-fast-forward") ||
				strings.Contains(line, "failed to update ref") || strings.Contains(line, "failed to lock")) {
			return true
		}
	}
	return strings.Contains(stderr, "cannot lock ref") || strings.Contains(stderr, "failed to update ref")
}

func (r *Repo) rebase(ctx context.Context, onto string) error {
	_, _, err := r.botRun(ctx, "rebase", "--quiet", onto)
	if err == nil {
		return nil
	}
	files, _ := r.conflictedFiles(ctx)
	if _, abortErr := r.run(ctx, "rebase", "--abort"); abortErr != nil {
		return errors.Join(fmt.Errorf("rebase onto %s: %w", onto, err), fmt.Errorf("abort rebase: %w", abortErr))
	}
	if len(files) == 0 {
		return fmt.Errorf("rebase onto %s: %w", onto, err)
	}
	return &ConflictError{Op: "rebase", Commits: []string{onto}, Files: files}
}

func (r *Repo) conflictedFiles(ctx context.Context) ([]string, error) {
	out, err := r.run(ctx, "diff", "--name-only", "-z", "--diff-filter=U")
	if err != nil {
		return nil, err
	}
	var files []string
	for _, f := range strings.Split(out, "\x00") {
		if f != "" {
			files = append(files, f)
		}
	}
	return files, nil
}

func short(ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = Short(id)
	}
	return out
}

// Short abbreviates a commit ID to 12 hex digits, as the log and pull
// requests show it; a ref name (with a "/") stays whole.
func Short(id string) string {
	if len(id) > 12 && !strings.Contains(id, "/") {
		return id[:12]
	}
	return id
}
