package actionmode

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/hubfleet/hubfleet/internal/github"
	"github.com/hubfleet/hubfleet/internal/gitrepo"
	"github.com/hubfleet/hubfleet/internal/markdown"
	"github.com/hubfleet/hubfleet/internal/overlay"
	"github.com/hubfleet/hubfleet/internal/plan"
	"github.com/hubfleet/hubfleet/internal/report"
	"github.com/hubfleet/hubfleet/internal/site"
)

// fleetFile is where the fleet's policy lives.
const fleetFile = "bases/daskhub/fleet.yaml"

func (r *runner) rollback(ctx context.Context) error {
	switch {
	case len(r.env.Sites) > 1:
		return fmt.Errorf("rollback: one site at a time, got %s", strings.Join(r.env.Sites, ", "))
	case (len(r.env.Sites) == 1) == (r.env.Commit != ""):
		return errors.New("rollback: give either a site or a commit")
	}
	repo, err := r.repo(ctx)
	if err != nil {
		return fmt.Errorf("rollback: %w", err)
	}
	base := r.baseBranch()

	var targets []gitrepo.Commit
	var dirs []string
	label := ""
	if len(r.env.Sites) == 1 {
		s := r.env.Sites[0]
		label = s
		dir := path.Join("overlays", s) + "/"
		dirs = []string{dir}
		if targets, err = repo.LastCommits(ctx, "HEAD", dir, 1); err != nil {
			return fmt.Errorf("rollback: %w", err)
		}
		if len(targets) == 0 {
			return fmt.Errorf("rollback: no commit changed %s", dir)
		}
	} else {
		id, err := repo.RevParse(ctx, r.env.Commit)
		if err != nil {
			return fmt.Errorf("rollback: %w", err)
		}
		label = shortID(id)
		subj, err := repo.LastCommits(ctx, id, ".", 1)
		if err != nil || len(subj) == 0 || subj[0].ID != id {
			return fmt.Errorf("rollback: commit %s: %w", r.env.Commit, errors.Join(err, errors.New("not found or a merge commit")))
		}
		targets = subj
		files, err := repo.DiffFiles(ctx, id+"^", id)
		if err != nil {
			return fmt.Errorf("rollback: %w", err)
		}
		seen := map[string]bool{}
		for _, f := range files {
			if s := overlay.SiteOf(f); s != "" && strings.HasPrefix(f, "overlays/") && !seen[s] {
				seen[s] = true
				dirs = append(dirs, path.Join("overlays", s)+"/")
			}
		}
	}
	ids := make([]string, len(targets))
	for i, c := range targets {
		ids[i] = c.ID
	}

	before, err := r.treeFiles(ctx, repo, "HEAD", dirs)
	if err != nil {
		return fmt.Errorf("rollback: %w", err)
	}
	want, err := r.treeFiles(ctx, repo, ids[len(ids)-1]+"^", dirs)
	if err != nil {
		return fmt.Errorf("rollback: %w", err)
	}
	publish := r.publishing()
	// Outside GitHub Actions without --publish the revert is made in a
	// scratch work tree: the checkout, its HEAD and every branch stay.
	work := repo
	if !publish {
		scratch, cleanup, err := repo.Scratch(ctx, "HEAD")
		if err != nil {
			return fmt.Errorf("rollback: %w", err)
		}
		defer func() {
			if err := cleanup(); err != nil {
				r.rep.Annotate(report.Annotation{Level: report.LevelWarning, Title: "hubfleet: scratch work tree", Message: err.Error()})
			}
		}()
		work = scratch
	}
	rev, err := work.Revert(ctx, ids...)
	if err != nil {
		var ce *gitrepo.ConflictError
		if errors.As(err, &ce) {
			for _, f := range ce.Files {
				r.rep.Annotate(report.Annotation{Level: report.LevelError, File: f, Title: "hubfleet: rollback conflict",
					Message: fmt.Sprintf("reverting %s conflicts with later changes to %s; nothing was changed. Revert by hand or roll back the later commits first.", shortID(ids[0]), f)})
			}
			_ = r.rep.AddSummary(fmt.Sprintf("### hubfleet rollback\n\n❌ Reverting `%s` conflicts in %s. Nothing was changed.\n", shortID(ids[0]), strings.Join(ce.Files, ", ")))
		}
		return fmt.Errorf("rollback: %w", err)
	}
	after, err := r.treeFiles(ctx, work, rev, dirs)
	if err != nil {
		return fmt.Errorf("rollback: %w", err)
	}
	var mismatched []string
	for _, p := range unionPaths(want, after) {
		if !bytes.Equal(want[p], after[p]) {
			mismatched = append(mismatched, p)
		}
	}
	if len(mismatched) > 0 {
		r.rep.Annotate(report.Annotation{Level: report.LevelWarning, Title: "hubfleet: partial rollback",
			Message: fmt.Sprintf("after the revert these files still differ from before %s (later commits changed them): %s", shortID(ids[0]), strings.Join(mismatched, ", "))})
	}
	others, err := r.otherSites(ctx, repo, ids, label)
	if err != nil {
		return fmt.Errorf("rollback: %w", err)
	}
	if len(others) > 0 {
		r.rep.Annotate(report.Annotation{Level: report.LevelWarning, Title: "hubfleet: rollback reaches other sites",
			Message: fmt.Sprintf("%s also changed %s: the revert rolls them back too", shortID(ids[0]), strings.Join(others, ", "))})
	}
	// What comes back and the doors crossed are the plan from now to
	// after the revert: the same words as every plan.
	back, err := r.rollbackPlan(ctx, before, after)
	if err != nil {
		return fmt.Errorf("rollback: %w", err)
	}
	for _, w := range back.Warnings {
		r.rep.Annotate(report.Annotation{Level: report.LevelWarning, Title: "hubfleet: plan incomplete", Message: w})
	}
	title := fmt.Sprintf("Roll back %s: revert %q", label, targets[0].Subject)
	body := rollbackBody(targets, before, after, back, mismatched, others)
	for _, sc := range back.Sites {
		for _, d := range sc.OneWayDoors {
			r.rep.Annotate(report.Annotation{Level: report.LevelWarning, File: sitePath(sc.Site), Title: "hubfleet: one-way door", Message: d.Kind + ": " + d.Detail})
		}
	}

	branch := r.env.BranchPrefix + "rollback/" + label
	if !publish {
		where := fmt.Sprintf("push branch %s and open a pull request %q into %s", branch, title, base)
		if r.env.PushToMain {
			where = "push the revert to " + base
		}
		r.rep.Logf("would %s; nothing was committed or pushed. Pass --publish to do it.", where)
		return errors.Join(r.rep.AddSummary(body),
			r.outputs("changed", "false", "commit", "", "pull-request-number", "", "pull-request-url", ""))
	}
	var errs []error
	if r.env.PushToMain {
		allowed, err := r.pushToMainAllowed()
		if err != nil {
			return fmt.Errorf("rollback: %w", err)
		}
		if !allowed {
			return fmt.Errorf("rollback: push-to-main asked for, but %s does not set spec.git.allowPushToMain: open a pull request instead", fleetFile)
		}
		if err := repo.Push(ctx, base); err != nil {
			return fmt.Errorf("rollback: %w", err)
		}
		head, err := repo.Head(ctx)
		if err != nil {
			return fmt.Errorf("rollback: %w", err)
		}
		r.rep.Logf("pushed revert %s to %s", shortID(head), base)
		errs = append(errs, r.rep.AddSummary(body), r.outputs("changed", "true", "commit", head, "pull-request-number", "", "pull-request-url", ""))
		return errors.Join(errs...)
	}

	if err := repo.CreateBranch(ctx, branch, rev); err != nil {
		return fmt.Errorf("rollback: %w", err)
	}
	up, err := repo.PublishBranch(ctx, branch, title)
	if err != nil {
		return fmt.Errorf("rollback: %w", err)
	}
	gh, err := r.github()
	if err != nil {
		return fmt.Errorf("rollback: %w", err)
	}
	pr, err := gh.EnsurePullRequest(ctx, github.PullRequestSpec{Head: branch, Base: base, Title: title, Body: body})
	if err != nil {
		return fmt.Errorf("rollback: %w", err)
	}
	r.rep.Logf("pull request #%d %s: %s", pr.Number, pr.Action, pr.URL)
	return errors.Join(r.rep.AddSummary(body),
		r.outputs("changed", "true", "commit", up.Commit, "pull-request-number", fmt.Sprint(pr.Number), "pull-request-url", pr.URL))
}

// rollbackPlan plans the overlays from now (before) to after the revert.
func (r *runner) rollbackPlan(ctx context.Context, before, after map[string][]byte) (*plan.Plan, error) {
	bs, as := plan.Sides{}, plan.Sides{}
	sites := map[string]bool{}
	for _, side := range []struct {
		files map[string][]byte
		into  plan.Sides
	}{{before, bs}, {after, as}} {
		for p, b := range side.files {
			n := overlay.SiteOf(p)
			if side.into[n] == nil {
				side.into[n] = overlay.Files{}
			}
			side.into[n][p], sites[n] = b, true
		}
	}
	opts := r.opts.Compare
	opts.Charts = r.env.PlanCharts
	return plan.Compare(ctx, bs, as, sortedKeys(sites), opts)
}

func (r *runner) pushToMainAllowed() (bool, error) {
	data, err := os.ReadFile(filepath.Join(r.root, filepath.FromSlash(fleetFile)))
	if err != nil {
		return false, fmt.Errorf("read fleet policy: %w", err)
	}
	f, err := site.DecodeFleet(fleetFile, data)
	if err != nil {
		return false, fmt.Errorf("read fleet policy: %w", err)
	}
	return f.Spec.Git.AllowPushToMain, nil
}

// treeFiles reads the files under dirs at ref.
func (r *runner) treeFiles(ctx context.Context, repo *gitrepo.Repo, ref string, dirs []string) (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, d := range dirs {
		files, err := repo.ListFiles(ctx, ref, d)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			b, err := repo.Show(ctx, ref, f)
			if err != nil {
				return nil, err
			}
			out[f] = b
		}
	}
	return out, nil
}

func unionPaths(a, b map[string][]byte) []string {
	m := map[string]bool{}
	for k := range a {
		m[k] = true
	}
	for k := range b {
		m[k] = true
	}
	return sortedKeys(m)
}

// otherSites lists the sites besides label whose overlays the commits
// changed: a revert rolls them back too.
func (r *runner) otherSites(ctx context.Context, repo *gitrepo.Repo, ids []string, label string) ([]string, error) {
	seen := map[string]bool{}
	for _, id := range ids {
		files, err := repo.DiffFiles(ctx, id+"^", id, "overlays/")
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			if s := overlay.SiteOf(f); s != "" && s != label {
				seen[s] = true
			}
		}
	}
	return sortedKeys(seen), nil
}

func rollbackBody(targets []gitrepo.Commit, before, after map[string][]byte, back *plan.Plan, mismatched, others []string) string {
	var b strings.Builder
	b.WriteString("### hubfleet rollback\n\nReverts (a real `git revert`; Flux applies it as a forward `helm upgrade` to the old chart and values, not a Helm rollback):\n\n")
	for _, c := range targets {
		fmt.Fprintf(&b, "- %s %s\n", shortID(c.ID), markdown.Cell(c.Subject))
	}
	var rows []string
	var doors []string
	for _, sc := range back.Sites {
		for _, c := range sc.Charts {
			rows = append(rows, fmt.Sprintf("| `%s` | %s |", sc.Site, markdown.Cell(plan.ChartLine(c))))
		}
		for _, d := range sc.OneWayDoors {
			doors = append(doors, fmt.Sprintf("`%s` **%s**: %s", sc.Site, d.Kind, markdown.Cell(d.Detail)))
		}
	}
	if len(rows) > 0 {
		b.WriteString("\n**What comes back** (now -> after the rollback)\n\n| Site | Chart |\n|---|---|\n")
		b.WriteString(strings.Join(rows, "\n") + "\n")
	}
	var files []string
	for _, p := range unionPaths(before, after) {
		if !bytes.Equal(before[p], after[p]) {
			files = append(files, "`"+p+"`")
		}
	}
	if len(files) > 0 {
		fmt.Fprintf(&b, "\nFiles restored: %s.\n", strings.Join(files, ", "))
	}
	if len(mismatched) == 0 {
		b.WriteString("\nThe reverted overlays equal the overlays before the change, byte for byte.\n")
	} else {
		fmt.Fprintf(&b, "\n> [!NOTE]\n> Later commits also changed %s: those changes stay.\n", strings.Join(mismatched, ", "))
	}
	if len(others) > 0 {
		fmt.Fprintf(&b, "\n> [!IMPORTANT]\n> The reverted commit also changed %s: this rolls them back too.\n", strings.Join(others, ", "))
	}
	for _, w := range back.Warnings {
		fmt.Fprintf(&b, "\n> [!WARNING]\n> %s\n", markdown.Cell(w))
	}
	if len(doors) > 0 {
		b.WriteString("\n> [!CAUTION]\n> **One-way doors crossed back over**:\n")
		for _, d := range doors {
			fmt.Fprintf(&b, "> - %s\n", d)
		}
	}
	return b.String()
}
