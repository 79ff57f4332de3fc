package flowtest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubfleet/hubfleet/internal/catalog"
	"github.com/hubfleet/hubfleet/internal/chart/chartrepotest"
	"github.com/hubfleet/hubfleet/internal/fleet"
	"github.com/hubfleet/hubfleet/internal/fleettest"
	"github.com/hubfleet/hubfleet/internal/gittest"
	"github.com/hubfleet/hubfleet/internal/workspace"
	"github.com/hubfleet/hubfleet/internal/writeset"
)

// Repo is the example fleet on main of a bare remote (Remote), and a
// clone of it (Work) whose origin/HEAD is main, as in a real checkout.
type Repo struct {
	T      testing.TB
	Remote string
	Work   string
}

// New makes the remote, pushes the example fleet to its main and clones
// it into Work.
func New(t testing.TB) *Repo {
	t.Helper()
	root := t.TempDir()
	remote := filepath.Join(root, "remote.git")
	gittest.Run(t, root, "init", "--quiet", "--bare", "--initial-branch=main", remote)
	gittest.Run(t, remote, "config", "receive.denyNonFastForwards", "true")
	seed := filepath.Join(root, "seed")
	gittest.Run(t, root, "clone", "--quiet", remote, seed)
	gittest.Run(t, seed, "switch", "--quiet", "--create", "main")
	fleettest.CopyExample(t, seed)
	gittest.Run(t, seed, "add", ".")
	gittest.Run(t, seed, "commit", "--quiet", "-m", "Add the example fleet")
	gittest.Run(t, seed, "push", "--quiet", "origin", "main")
	r := &Repo{T: t, Remote: remote, Work: filepath.Join(root, "work")}
	gittest.Run(t, root, "clone", "--quiet", remote, r.Work)
	return r
}

// Clone makes another work tree of the remote.
func (r *Repo) Clone() string {
	r.T.Helper()
	dir := filepath.Join(r.T.TempDir(), "other")
	gittest.Run(r.T, filepath.Dir(dir), "clone", "--quiet", r.Remote, dir)
	return dir
}

// Git runs git in the work tree.
func (r *Repo) Git(args ...string) string {
	r.T.Helper()
	return gittest.Run(r.T, r.Work, args...)
}

// Write writes a file under dir.
func (r *Repo) Write(dir, path, content string) {
	r.T.Helper()
	p := filepath.Join(dir, filepath.FromSlash(path))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.T.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		r.T.Fatal(err)
	}
}

// Read reads a file under dir.
func (r *Repo) Read(dir, path string) string {
	r.T.Helper()
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(path)))
	if err != nil {
		r.T.Fatal(err)
	}
	return string(b)
}

// Replace edits a file under dir, failing if old is absent.
func (r *Repo) Replace(dir, path, old, new string) {
	r.T.Helper()
	s := r.Read(dir, path)
	if !strings.Contains(s, old) {
		r.T.Fatalf("%s does not contain %q", path, old)
	}
	r.Write(dir, path, strings.Replace(s, old, new, 1))
}

// Render renders the fleet in dir and writes what changed.
func (r *Repo) Render(dir string) {
	r.T.Helper()
	ws, err := workspace.Load(context.Background(), dir, workspace.Options{})
	if err != nil {
		r.T.Fatal(err)
	}
	if errs := ws.Errors(); len(errs) > 0 {
		r.T.Fatal(errs)
	}
	_, changes, err := ws.Render(context.Background(), nil)
	if err != nil {
		r.T.Fatal(err)
	}
	if err := writeset.Apply(dir, changes); err != nil {
		r.T.Fatal(err)
	}
}

// RenderValid renders the valid sites of the fleet in dir and writes what
// changed: a fleet with an invalid site, as a pull request may have one.
func (r *Repo) RenderValid(dir string) {
	r.T.Helper()
	ws, err := workspace.Load(context.Background(), dir, workspace.Options{})
	if err != nil {
		r.T.Fatal(err)
	}
	_, changes, err := ws.Render(context.Background(), nil)
	if err != nil {
		r.T.Fatal(err)
	}
	if err := writeset.Apply(dir, changes); err != nil {
		r.T.Fatal(err)
	}
}

// Commit renders the work tree, commits everything and pushes main; it
// returns the commit.
func (r *Repo) Commit(msg string) string {
	r.T.Helper()
	r.Render(r.Work)
	r.Git("add", "-A")
	r.Git("commit", "--quiet", "-m", msg)
	r.Git("push", "--quiet", "origin", "main")
	return r.Git("rev-parse", "HEAD")
}

// Status is the work tree's `git status --porcelain`, untracked files
// included: empty when clean.
func (r *Repo) Status() string {
	r.T.Helper()
	return r.Git("status", "--porcelain", "--untracked-files=all")
}

// ServeCharts serves test charts on loopback and points the fleet's three
// chart sources at it, rendered, committed and pushed (main stays clean).
// The repository holds daskhub 2024.1.1, dask-gateway 2026.3.0, the given
// jupyterhub versions and the extra charts.
func (r *Repo) ServeCharts(jupyterhubVersions []string, extra ...chartrepotest.Chart) *chartrepotest.Server {
	r.T.Helper()
	charts := []chartrepotest.Chart{
		{Dir: chartrepotest.Dir("daskhub")},
		{Dir: chartrepotest.Dir("dask-gateway"), Version: "2026.3.0"},
	}
	for _, v := range jupyterhubVersions {
		charts = append(charts, chartrepotest.Chart{Dir: chartrepotest.Dir("jupyterhub"), Version: v})
	}
	repo := chartrepotest.Start(r.T, append(charts, extra...)...)
	for _, old := range []string{"https://helm.dask.org", "https://hub.jupyter.org/helm-chart/"} {
		s := r.Read(r.Work, fleet.FleetFile)
		r.Write(r.Work, fleet.FleetFile, strings.ReplaceAll(s, "repository: "+old, "repository: "+repo.URL))
	}
	// The test jupyterhub versions hubfleet's catalog lacks are copies of
	// the 4.4.0 test chart: the fleet declares their facts, as an
	// operator does for a release newer than hubfleet.
	var facts strings.Builder
	for _, v := range jupyterhubVersions {
		if !catalog.IsBuiltIn("jupyterhub", v) {
			fmt.Fprintf(&facts, "      - version: %s\n        jupyterHub: 5.5.0\n        oauthenticator: 17.4.0\n        kubeMin: 1.28.0\n", v)
		}
	}
	if facts.Len() > 0 {
		s := r.Read(r.Work, fleet.FleetFile)
		r.Write(r.Work, fleet.FleetFile, strings.Replace(s, "\nspec:\n", "\nspec:\n  chartFacts:\n    jupyterhub:\n"+facts.String(), 1))
	}
	r.Commit("Use the test chart repository")
	return repo
}
