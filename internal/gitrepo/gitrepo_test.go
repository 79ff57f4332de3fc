package gitrepo_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubfleet/hubfleet/internal/gitrepo"
	"github.com/hubfleet/hubfleet/internal/gittest"
)

func write(t *testing.T, dir, path, content string) {
	t.Helper()
	p := filepath.Join(dir, path)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// fixture is a bare remote on disk with one commit on main.
type fixture struct {
	remote string
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	root := t.TempDir()
	remote := filepath.Join(root, "remote.git")
	gittest.Run(t, root, "init", "--quiet", "--bare", "--initial-branch=main", remote)
	// A force push would be refused: the tests prove none is attempted.
	gittest.Run(t, remote, "config", "receive.denyNonFastForwards", "true")
	seed := filepath.Join(root, "seed")
	gittest.Run(t, root, "clone", "--quiet", remote, seed)
	gittest.Run(t, seed, "switch", "--quiet", "--create", "main")
	write(t, seed, "README.md", "fleet\n")
	gittest.Run(t, seed, "add", ".")
	gittest.Run(t, seed, "commit", "--quiet", "-m", "init")
	gittest.Run(t, seed, "push", "--quiet", "origin", "main")
	return fixture{remote: remote}
}

// clone clones the remote and opens it.
func (f fixture) clone(t *testing.T) *gitrepo.Repo {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "work")
	gittest.Run(t, filepath.Dir(dir), "clone", "--quiet", f.remote, dir)
	opts := gitrepo.DefaultOptions()
	opts.Env = gittest.Isolated
	r, err := gitrepo.Open(context.Background(), dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestOpenHeadBranchChanges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	r := f.clone(t)
	write(t, r.Dir(), "clusters/a/site.yaml", "a\n")
	opts := gitrepo.DefaultOptions()
	opts.Env = gittest.Isolated
	sub, err := gitrepo.Open(ctx, filepath.Join(r.Dir(), "clusters", "a"), opts)
	if err != nil {
		t.Fatal(err)
	}
	if sub.Dir() != r.Dir() {
		t.Errorf("Open(subdir).Dir() = %s, want %s", sub.Dir(), r.Dir())
	}
	if _, err := gitrepo.Open(ctx, t.TempDir(), opts); err == nil {
		t.Errorf("Open on a non-repository succeeded")
	}

	head, err := r.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := gittest.Run(t, r.Dir(), "rev-parse", "HEAD"); head != want {
		t.Errorf("Head = %s, want %s", head, want)
	}
	branch, err := r.CurrentBranch(ctx)
	if err != nil || branch != "main" {
		t.Errorf("CurrentBranch = %q, %v; want main", branch, err)
	}

	write(t, r.Dir(), "README.md", "changed\n")
	write(t, r.Dir(), "overlays/a/hr.yaml", "x\n")
	changed, err := r.ChangedFiles(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"README.md", "clusters/a/site.yaml", "overlays/a/hr.yaml"}, changed); diff != "" {
		t.Errorf("ChangedFiles (-want +got):\n%s", diff)
	}
	changed, err = r.ChangedFiles(ctx, "overlays/")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"overlays/a/hr.yaml"}, changed); diff != "" {
		t.Errorf("ChangedFiles(overlays/) (-want +got):\n%s", diff)
	}

	gittest.Run(t, r.Dir(), "switch", "--quiet", "--detach", "HEAD")
	branch, err = r.CurrentBranch(ctx)
	if err != nil || branch != "" {
		t.Errorf("CurrentBranch detached = %q, %v; want empty", branch, err)
	}
}

func TestCommitAsBot(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newFixture(t).clone(t)
	if err := r.CreateBranch(ctx, "hubfleet/render", "HEAD"); err != nil {
		t.Fatal(err)
	}
	write(t, r.Dir(), "overlays/a/hr.yaml", "v1\n")
	write(t, r.Dir(), "notes.txt", "not staged\n")
	sha, err := r.Commit(ctx, "Render overlays", "overlays/")
	if err != nil {
		t.Fatal(err)
	}
	got := gittest.Run(t, r.Dir(), "log", "-1", "--format=%an <%ae>|%cn <%ce>|%s", sha)
	want := "hubfleet[bot] <hubfleet[bot]@users.noreply.github.com>|hubfleet[bot] <hubfleet[bot]@users.noreply.github.com>|Render overlays"
	if got != want {
		t.Errorf("commit = %q, want %q", got, want)
	}
	files := gittest.Run(t, r.Dir(), "show", "--name-only", "--format=", sha)
	if files != "overlays/a/hr.yaml" {
		t.Errorf("committed files = %q, want only overlays/a/hr.yaml", files)
	}
	if branch, _ := r.CurrentBranch(ctx); branch != "hubfleet/render" {
		t.Errorf("branch = %q", branch)
	}
	if _, err := r.Commit(ctx, "again", "overlays/"); !errors.Is(err, gitrepo.ErrNothingToCommit) {
		t.Errorf("second Commit err = %v, want ErrNothingToCommit", err)
	}
	// Deletions are staged too.
	if err := os.Remove(filepath.Join(r.Dir(), "overlays/a/hr.yaml")); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Commit(ctx, "Remove site a", "overlays/"); err != nil {
		t.Fatal(err)
	}
	if out := gittest.Run(t, r.Dir(), "ls-files", "overlays"); out != "" {
		t.Errorf("overlays still tracked: %q", out)
	}
}

func TestPushRebasesWhenAConcurrentPushWins(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	a, b := f.clone(t), f.clone(t)

	write(t, b.Dir(), "clusters/b/site.yaml", "b\n")
	winner, err := b.Commit(ctx, "Add site b")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Push(ctx, "main"); err != nil {
		t.Fatal(err)
	}

	write(t, a.Dir(), "overlays/a/hr.yaml", "a\n")
	if _, err := a.Commit(ctx, "Render overlays"); err != nil {
		t.Fatal(err)
	}
	if err := a.Push(ctx, "main"); err != nil {
		t.Fatalf("Push after losing the race: %v", err)
	}
	log := gittest.Run(t, f.remote, "log", "--format=%s", "main")
	if diff := cmp.Diff("Render overlays\nAdd site b\ninit", log); diff != "" {
		t.Errorf("remote history (-want +got):\n%s", diff)
	}
	if parent := gittest.Run(t, f.remote, "rev-parse", "main^"); parent != winner {
		t.Errorf("rebased commit's parent = %s, want the winner %s", parent, winner)
	}
}

func TestPushConcurrent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	const n = 4
	repos := make([]*gitrepo.Repo, n)
	for i := range repos {
		repos[i] = f.clone(t)
		write(t, repos[i].Dir(), fmt.Sprintf("overlays/site-%d/hr.yaml", i), "x\n")
		if _, err := repos[i].Commit(ctx, fmt.Sprintf("Render site-%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i, r := range repos {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = r.Push(ctx, "main")
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("push %d: %v", i, err)
		}
	}
	files := gittest.Run(t, f.remote, "ls-tree", "-r", "--name-only", "main", "overlays")
	want := "overlays/site-0/hr.yaml\noverlays/site-1/hr.yaml\noverlays/site-2/hr.yaml\noverlays/site-3/hr.yaml"
	if diff := cmp.Diff(want, files); diff != "" {
		t.Errorf("remote overlays (-want +got):\n%s", diff)
	}
	if count := gittest.Run(t, f.remote, "rev-list", "--count", "main"); count != "5" {
		t.Errorf("remote main has %s commits, want 5 (linear, none lost)", count)
	}
}

func TestPushRebaseConflictKeepsLocalCommit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	a, b := f.clone(t), f.clone(t)
	write(t, b.Dir(), "README.md", "b's fleet\n")
	if _, err := b.Commit(ctx, "b edits README"); err != nil {
		t.Fatal(err)
	}
	if err := b.Push(ctx, "main"); err != nil {
		t.Fatal(err)
	}
	write(t, a.Dir(), "README.md", "a's fleet\n")
	mine, err := a.Commit(ctx, "a edits README")
	if err != nil {
		t.Fatal(err)
	}
	err = a.Push(ctx, "main")
	var ce *gitrepo.ConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("Push err = %v, want *ConflictError", err)
	}
	if ce.Op != "rebase" || !cmp.Equal([]string{"README.md"}, ce.Files) {
		t.Errorf("conflict = %+v", ce)
	}
	if head, _ := a.Head(ctx); head != mine {
		t.Errorf("HEAD = %s, want the local commit %s kept", head, mine)
	}
	if changed, _ := a.ChangedFiles(ctx); len(changed) != 0 {
		t.Errorf("work tree left dirty: %v", changed)
	}
	if _, err := os.Stat(filepath.Join(a.Dir(), ".git", "rebase-merge")); !os.IsNotExist(err) {
		t.Errorf("rebase still in progress")
	}
	if got := gittest.Run(t, f.remote, "log", "-1", "--format=%s", "main"); got != "b edits README" {
		t.Errorf("remote main = %q, want b's commit untouched", got)
	}
}

// history makes three commits on a site's overlay and one on another site.
func history(t *testing.T, r *gitrepo.Repo) (c1, c2, c3 string) {
	t.Helper()
	ctx := context.Background()
	commit := func(msg string, files map[string]string) string {
		for p, c := range files {
			write(t, r.Dir(), p, c)
		}
		sha, err := r.Commit(ctx, msg)
		if err != nil {
			t.Fatal(err)
		}
		return sha
	}
	c1 = commit("Add site a", map[string]string{"overlays/a/hr.yaml": "version: 1\nvalues: {}\n", "overlays/a/ns.yaml": "ns\n"})
	c2 = commit("Upgrade site a", map[string]string{"overlays/a/hr.yaml": "version: 2\nvalues: {}\n"})
	commit("Add site b", map[string]string{"overlays/b/hr.yaml": "b\n"})
	c3 = commit("Tune site a", map[string]string{"overlays/a/hr.yaml": "version: 2\nvalues: {tuned: true}\n"})
	return c1, c2, c3
}

func TestLastCommitsAndRevert(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newFixture(t).clone(t)
	_, c2, c3 := history(t, r)

	got, err := r.LastCommits(ctx, "HEAD", "overlays/a/", 2)
	if err != nil {
		t.Fatal(err)
	}
	want := []gitrepo.Commit{{ID: c3, Subject: "Tune site a"}, {ID: c2, Subject: "Upgrade site a"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("LastCommits (-want +got):\n%s", diff)
	}

	before, err := r.Show(ctx, c3+"^", "overlays/a/hr.yaml")
	if err != nil {
		t.Fatal(err)
	}
	rev, err := r.Revert(ctx, c3)
	if err != nil {
		t.Fatal(err)
	}
	after, err := os.ReadFile(filepath.Join(r.Dir(), "overlays/a/hr.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(before), string(after)); diff != "" {
		t.Errorf("reverted overlay differs from the pre-change one (-want +got):\n%s", diff)
	}
	msg := gittest.Run(t, r.Dir(), "log", "-1", "--format=%an|%B", rev)
	wantMsg := fmt.Sprintf("hubfleet[bot]|Revert \"Tune site a\"\n\nThis reverts commit %s.", c3)
	if msg != wantMsg {
		t.Errorf("revert commit = %q, want %q", msg, wantMsg)
	}
	if parent := gittest.Run(t, r.Dir(), "rev-parse", rev+"^"); parent != c3 {
		t.Errorf("revert parent = %s, want %s", parent, c3)
	}
}

func TestRevertSeveralCommitsInOne(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newFixture(t).clone(t)
	c1, c2, c3 := history(t, r)
	head, _ := r.Head(ctx)
	rev, err := r.Revert(ctx, c3, c2)
	if err != nil {
		t.Fatal(err)
	}
	if n := gittest.Run(t, r.Dir(), "rev-list", "--count", head+".."+rev); n != "1" {
		t.Errorf("revert made %s commits, want 1", n)
	}
	for _, p := range []string{"overlays/a/hr.yaml", "overlays/a/ns.yaml"} {
		want, err := r.Show(ctx, c1, p)
		if err != nil {
			t.Fatal(err)
		}
		got, err := r.Show(ctx, rev, p)
		if err != nil {
			t.Fatal(err)
		}
		if !cmp.Equal(want, got) {
			t.Errorf("%s after revert = %q, want %q", p, got, want)
		}
	}
	body := gittest.Run(t, r.Dir(), "log", "-1", "--format=%B", rev)
	for _, c := range []string{c3, c2} {
		if !strings.Contains(body, "This reverts commit "+c) {
			t.Errorf("message %q does not name %s", body, c)
		}
	}
}

func TestRevertConflict(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		commits func(c1, c2, c3 string) []string
	}{
		{name: "single commit", commits: func(_, c2, _ string) []string { return []string{c2} }},
		{name: "several commits", commits: func(c1, c2, _ string) []string { return []string{c2, c1} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			r := newFixture(t).clone(t)
			c1, c2, c3 := history(t, r)
			// c3 edited the line c2 changed: reverting c2 alone conflicts.
			_, err := r.Revert(ctx, tt.commits(c1, c2, c3)...)
			var ce *gitrepo.ConflictError
			if !errors.As(err, &ce) {
				t.Fatalf("Revert err = %v, want *ConflictError", err)
			}
			if ce.Op != "revert" || !cmp.Equal([]string{"overlays/a/hr.yaml"}, ce.Files) {
				t.Errorf("conflict = %+v", ce)
			}
			if !strings.Contains(err.Error(), "aborted, nothing changed") {
				t.Errorf("error %q does not say the revert was aborted", err)
			}
			if head, _ := r.Head(ctx); head != c3 {
				t.Errorf("HEAD = %s, want %s", head, c3)
			}
			if changed, _ := r.ChangedFiles(ctx); len(changed) != 0 {
				t.Errorf("work tree left dirty: %v", changed)
			}
			for _, f := range []string{"REVERT_HEAD", "sequencer"} {
				if _, err := os.Stat(filepath.Join(r.Dir(), ".git", f)); !os.IsNotExist(err) {
					t.Errorf(".git/%s left behind", f)
				}
			}
		})
	}
}

func TestRevertRefusesDirtyTree(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newFixture(t).clone(t)
	_, _, c3 := history(t, r)
	write(t, r.Dir(), "overlays/a/hr.yaml", "local edit\n")
	if _, err := r.Revert(ctx, c3); err == nil || !strings.Contains(err.Error(), "uncommitted changes in overlays/a/hr.yaml") {
		t.Fatalf("Revert on a dirty tree: err = %v", err)
	}
	b, _ := os.ReadFile(filepath.Join(r.Dir(), "overlays/a/hr.yaml"))
	if string(b) != "local edit\n" {
		t.Errorf("local edit lost: %q", b)
	}
}

func TestShowAndBranches(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	r := f.clone(t)
	if _, err := r.Show(ctx, "HEAD", "missing.yaml"); err == nil {
		t.Errorf("Show of a missing path succeeded")
	}
	got, err := r.Show(ctx, "HEAD", "README.md")
	if err != nil || string(got) != "fleet\n" {
		t.Errorf("Show = %q, %v", got, err)
	}
	exists, err := r.RemoteBranchExists(ctx, "hubfleet/upgrade")
	if err != nil || exists {
		t.Errorf("RemoteBranchExists before push = %v, %v", exists, err)
	}
	if err := r.CreateBranch(ctx, "hubfleet/upgrade", "HEAD"); err != nil {
		t.Fatal(err)
	}
	write(t, r.Dir(), "bases/daskhub/release.yaml", "version: 2024.1.1\n")
	if _, err := r.Commit(ctx, "Bump"); err != nil {
		t.Fatal(err)
	}
	if err := r.Push(ctx, "hubfleet/upgrade"); err != nil {
		t.Fatal(err)
	}
	exists, err = r.RemoteBranchExists(ctx, "hubfleet/upgrade")
	if err != nil || !exists {
		t.Errorf("RemoteBranchExists after push = %v, %v", exists, err)
	}
	diff, err := r.DiffFiles(ctx, "origin/main", "HEAD")
	if err != nil || !cmp.Equal([]string{"bases/daskhub/release.yaml"}, diff) {
		t.Errorf("DiffFiles = %v, %v", diff, err)
	}
}

func TestPublishBranchNeverForces(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	r := f.clone(t)
	const branch = "hubfleet/upgrade"
	bump := func(version string) {
		t.Helper()
		if err := r.CreateBranch(ctx, branch, "origin/main"); err != nil {
			t.Fatal(err)
		}
		write(t, r.Dir(), "bases/daskhub/fleet.yaml", "version: "+version+"\n")
		if _, err := r.Commit(ctx, "Upgrade to "+version); err != nil {
			t.Fatal(err)
		}
	}
	remoteTip := func() string { return gittest.Run(t, f.remote, "rev-parse", branch) }

	bump("2024.1.1")
	up, err := r.PublishBranch(ctx, branch, "Update upgrade")
	if err != nil || !up.Pushed {
		t.Fatalf("first publish = %+v, %v", up, err)
	}
	first := remoteTip()

	// Same content again, from a fresh commit on main: nothing is pushed.
	bump("2024.1.1")
	up, err = r.PublishBranch(ctx, branch, "Update upgrade")
	if err != nil || up.Pushed || up.Commit != first || remoteTip() != first {
		t.Fatalf("second publish = %+v, %v; remote %s, want unchanged %s", up, err, remoteTip(), first)
	}

	// Newer content: a fast-forward whose tree is the fresh commit's.
	bump("2024.2.0")
	fresh, _ := r.Head(ctx)
	up, err = r.PublishBranch(ctx, branch, "Update upgrade")
	if err != nil || !up.Pushed {
		t.Fatalf("third publish = %+v, %v", up, err)
	}
	tip := remoteTip()
	if parents := gittest.Run(t, f.remote, "log", "-1", "--format=%P", tip); parents != first+" "+fresh {
		t.Errorf("parents = %q, want the old tip and the fresh commit", parents)
	}
	if got := gittest.Run(t, f.remote, "show", tip+":bases/daskhub/fleet.yaml"); got != "version: 2024.2.0" {
		t.Errorf("branch content = %q", got)
	}
	if d := gittest.Run(t, f.remote, "diff", "--name-only", "main..."+tip); d != "bases/daskhub/fleet.yaml" {
		t.Errorf("pull request diff = %q", d)
	}
}

func TestDiff(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newFixture(t).clone(t)
	if err := r.CreateBranch(ctx, "pr", "HEAD"); err != nil {
		t.Fatal(err)
	}
	write(t, r.Dir(), "overlays/a/hr.yaml", "v: 1\n")
	if _, err := r.Commit(ctx, "add a"); err != nil {
		t.Fatal(err)
	}
	d, err := r.Diff(ctx, "origin/main", "HEAD", "overlays/a/")
	if err != nil || !strings.Contains(d, "+v: 1") {
		t.Errorf("Diff committed = %q, %v", d, err)
	}
	write(t, r.Dir(), "overlays/a/hr.yaml", "v: 2\n")
	d, err = r.Diff(ctx, "origin/main", "", "overlays/a/")
	if err != nil || !strings.Contains(d, "+v: 2") {
		t.Errorf("Diff work tree = %q, %v", d, err)
	}
}

func TestListFiles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newFixture(t).clone(t)
	c1, _, _ := history(t, r)
	got, err := r.ListFiles(ctx, c1, "overlays/a/")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"overlays/a/hr.yaml", "overlays/a/ns.yaml"}, got); diff != "" {
		t.Errorf("ListFiles (-want +got):\n%s", diff)
	}
	got, err = r.ListFiles(ctx, c1, "overlays/b/")
	if err != nil || len(got) != 0 {
		t.Errorf("ListFiles of a missing dir = %v, %v", got, err)
	}
}
