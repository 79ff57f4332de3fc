package rollback

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/hubfleet/hubfleet/internal/fleet"
	"github.com/hubfleet/hubfleet/internal/gitrepo"
	"github.com/hubfleet/hubfleet/internal/overlay"
	"github.com/hubfleet/hubfleet/internal/plan"
	"github.com/hubfleet/hubfleet/internal/site"
	"github.com/hubfleet/hubfleet/internal/workspace"
)

// Request is one rollback: of a Site's last overlay change, or of a
// Commit.
type Request struct {
	Site   string
	Commit string
	// InPlace commits the revert on the checkout's current branch. Without
	// it the revert is made in a scratch work tree that is removed before
	// Run returns: the checkout, its HEAD and every branch stay.
	InPlace bool
	// ToMain is a revert meant to be pushed straight to the base branch:
	// the fleet must allow it (spec.git.allowPushToMain), else Run fails
	// before reverting anything.
	ToMain bool
	// Compare configures the plan from now to after the revert.
	Compare plan.CompareOptions
}

// Result is what the rollback does.
type Result struct {
	// Label names the rollback: the site, or the short commit.
	Label string
	// Targets are the reverted commits, newest first.
	Targets []gitrepo.Commit
	// Revert is the revert commit; with InPlace it is the checkout's new
	// HEAD, otherwise it existed only in the scratch work tree.
	Revert string
	// Before and After are the overlay files of the sites concerned now
	// and after the revert.
	Before, After plan.Sides
	// Mismatched are the files that still differ from before the reverted
	// change after the revert (later commits changed them too).
	Mismatched []string
	// Others are the sites besides Label whose overlays the reverted
	// commits changed: the revert rolls them back too.
	Others []string
	// Restored are the files the revert changes.
	Restored []string
	// Plan is the plan from now to after the revert.
	Plan *plan.Plan
	// PushToMainAllowed is the fleet's spec.git.allowPushToMain at HEAD.
	PushToMainAllowed bool
	// Warnings are what went wrong without failing the rollback.
	Warnings []string
}

// Title is the revert's pull request title.
func (r *Result) Title() string {
	return fmt.Sprintf("Roll back %s: revert %q", r.Label, r.Targets[0].Subject)
}

// Branch is the branch a rollback pull request comes from.
func (r *Result) Branch(prefix string) string { return prefix + "rollback/" + r.Label }

// Run runs the rollback in repo. A revert that conflicts returns the
// *gitrepo.ConflictError and changes nothing.
func Run(ctx context.Context, repo *gitrepo.Repo, req Request) (*Result, error) {
	if (req.Site == "") == (req.Commit == "") {
		return nil, errors.New("rollback: give either a site or a commit")
	}
	// The fleet is validated first, in the flow, for both front-ends.
	ws, err := workspace.Load(ctx, repo.Dir(), workspace.Options{})
	if err != nil {
		return nil, fmt.Errorf("rollback: %w", err)
	}
	if errs := ws.Errors(); len(errs) > 0 {
		return nil, &InvalidError{Problems: errs}
	}
	if req.Site != "" {
		if _, err := ws.Select([]string{req.Site}); err != nil {
			return nil, fmt.Errorf("rollback: %w", err)
		}
	}
	res := &Result{}
	var sites []string
	if req.Site != "" {
		res.Label = req.Site
		sites = []string{req.Site}
		dir := overlay.Dir(req.Site)
		targets, err := repo.LastCommits(ctx, "HEAD", dir, 1)
		if err != nil {
			return nil, fmt.Errorf("rollback: %w", err)
		}
		if len(targets) == 0 {
			return nil, fmt.Errorf("rollback: no commit changed %s", dir)
		}
		res.Targets = targets
	} else {
		id, err := repo.RevParse(ctx, req.Commit)
		if err != nil {
			return nil, fmt.Errorf("rollback: %w", err)
		}
		res.Label = gitrepo.Short(id)
		subj, err := repo.LastCommits(ctx, id, ".", 1)
		if err != nil || len(subj) == 0 || subj[0].ID != id {
			return nil, fmt.Errorf("rollback: commit %s: %w", req.Commit, errors.Join(err, errors.New("not found or a merge commit")))
		}
		res.Targets = subj
		if sites, err = changedSites(ctx, repo, id); err != nil {
			return nil, fmt.Errorf("rollback: %w", err)
		}
	}
	ids := make([]string, len(res.Targets))
	for i, c := range res.Targets {
		ids[i] = c.ID
	}
	if res.Others, err = otherSites(ctx, repo, ids, res.Label); err != nil {
		return nil, fmt.Errorf("rollback: %w", err)
	}
	if req.Site != "" {
		// The revert rolls back every site its commits changed: each is
		// planned, with its chart changes and one-way doors, as with
		// --commit.
		sites = append(sites, res.Others...)
	}
	if res.Before, err = sides(ctx, repo, "HEAD", sites); err != nil {
		return nil, fmt.Errorf("rollback: %w", err)
	}
	want, err := sides(ctx, repo, ids[len(ids)-1]+"^", sites)
	if err != nil {
		return nil, fmt.Errorf("rollback: %w", err)
	}
	if res.PushToMainAllowed, err = pushToMainAllowed(ctx, repo); err != nil {
		return nil, fmt.Errorf("rollback: %w", err)
	}
	if req.ToMain && !res.PushToMainAllowed {
		return nil, fmt.Errorf("rollback: push-to-main asked for, but %s does not set spec.git.allowPushToMain: open a pull request instead", fleet.FleetFile)
	}
	work := repo
	if !req.InPlace {
		scratch, cleanup, err := repo.Scratch(ctx, "HEAD")
		if err != nil {
			return nil, fmt.Errorf("rollback: %w", err)
		}
		defer func() {
			if err := cleanup(); err != nil {
				res.Warnings = append(res.Warnings, "scratch work tree: "+err.Error())
			}
		}()
		work = scratch
	}
	if res.Revert, err = work.Revert(ctx, ids...); err != nil {
		return nil, fmt.Errorf("rollback: %w", err)
	}
	if res.After, err = sides(ctx, work, res.Revert, sites); err != nil {
		return nil, fmt.Errorf("rollback: %w", err)
	}
	flat := func(s plan.Sides) map[string][]byte {
		m := map[string][]byte{}
		for _, files := range s {
			maps.Copy(m, files)
		}
		return m
	}
	w, b, a := flat(want), flat(res.Before), flat(res.After)
	for _, p := range unionPaths(w, a) {
		if !bytes.Equal(w[p], a[p]) {
			res.Mismatched = append(res.Mismatched, p)
		}
	}
	for _, p := range unionPaths(b, a) {
		if !bytes.Equal(b[p], a[p]) {
			res.Restored = append(res.Restored, p)
		}
	}
	// What comes back and the doors crossed are the plan from now to
	// after the revert, by the plan flow: the same words as every plan.
	pr, err := plan.Run(ctx, repo, plan.Request{Workspace: ws, CompareOptions: req.Compare,
		Trees: &plan.Trees{Base: res.Before, Head: res.After, Sites: sites}})
	if err != nil {
		return nil, fmt.Errorf("rollback: %w", err)
	}
	if pr.Incomplete != nil {
		return nil, fmt.Errorf("rollback: %w", pr.Incomplete)
	}
	res.Plan = pr.Plan
	return res, nil
}

// sides reads the overlays of the sites at ref, once.
func sides(ctx context.Context, repo *gitrepo.Repo, ref string, sites []string) (plan.Sides, error) {
	if len(sites) == 0 {
		return plan.Sides{}, nil
	}
	out, err := overlay.AtCommit(ctx, repo, ref, sites)
	if err != nil {
		return nil, err
	}
	for _, s := range sites {
		if out[s] == nil {
			out[s] = overlay.Files{}
		}
	}
	return out, nil
}

// changedSites are the sites whose overlays commit id changed.
func changedSites(ctx context.Context, repo *gitrepo.Repo, id string) ([]string, error) {
	files, err := repo.DiffFiles(ctx, id+"^", id, fleet.OverlaysDir+"/")
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, f := range files {
		if s := overlay.SiteOf(f); s != "" {
			seen[s] = true
		}
	}
	return slices.Sorted(maps.Keys(seen)), nil
}

// otherSites lists the sites besides label whose overlays the commits
// changed: a revert rolls them back too.
func otherSites(ctx context.Context, repo *gitrepo.Repo, ids []string, label string) ([]string, error) {
	seen := map[string]bool{}
	for _, id := range ids {
		sites, err := changedSites(ctx, repo, id)
		if err != nil {
			return nil, err
		}
		for _, s := range sites {
			if s != label {
				seen[s] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(seen)), nil
}

// pushToMainAllowed reads spec.git.allowPushToMain of the fleet at HEAD.
func pushToMainAllowed(ctx context.Context, repo *gitrepo.Repo) (bool, error) {
	data, err := repo.Show(ctx, "HEAD", fleet.FleetFile)
	if err != nil {
		return false, fmt.Errorf("read fleet policy: %w", err)
	}
	f, err := site.DecodeFleet(fleet.FleetFile, data)
	if err != nil {
		return false, fmt.Errorf("read fleet policy: %w", err)
	}
	return f.Spec.Git.AllowPushToMain, nil
}

func unionPaths(a, b map[string][]byte) []string {
	m := map[string]bool{}
	for k := range a {
		m[k] = true
	}
	for k := range b {
		m[k] = true
	}
	return slices.Sorted(maps.Keys(m))
}

// InvalidError says the fleet has problems: nothing was reverted. The
// problems are the user's to fix (exit 1 in a terminal).
type InvalidError struct {
	Problems site.ErrorList
}

func (e *InvalidError) Error() string {
	return fmt.Sprintf("rollback: the fleet has %d problem(s), nothing was reverted:\n%s", len(e.Problems), e.Problems.Error())
}
