package actionmode

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hubfleet/hubfleet/internal/github"
	"github.com/hubfleet/hubfleet/internal/gitrepo"
)

// UpgradeMarker identifies the body of the upgrade pull request.
const UpgradeMarker = "<!-- hubfleet:upgrade -->"

func (r *runner) upgrade(ctx context.Context) error {
	if r.opts.Upgrader == nil {
		return errors.New("upgrade: no upgrader configured")
	}
	repo, err := r.repo(ctx)
	if err != nil {
		return fmt.Errorf("upgrade: %w", err)
	}
	base := r.baseBranch()
	branch := r.env.BranchPrefix + "upgrade"
	start, err := resolveBase(ctx, repo, base)
	if err != nil {
		return fmt.Errorf("upgrade: %w", err)
	}
	// Always start from the base branch: the pull request then shows exactly
	// a fresh upgrade, and PublishBranch fast-forwards the bot branch to it.
	if err := repo.CreateBranch(ctx, branch, start); err != nil {
		return fmt.Errorf("upgrade: %w", err)
	}
	res, err := r.opts.Upgrader.Upgrade(ctx, r.root, UpgradeOptions{MaxWave: r.env.Wave, BaseRef: base})
	if err != nil {
		return fmt.Errorf("upgrade: %w", err)
	}
	if len(res.Versions) == 0 {
		return r.noUpgrade()
	}
	title := upgradeTitle(res.Versions)
	body := upgradeBody(res)
	for _, sp := range res.Sites {
		r.rep.Group("site " + sp.Site)
		r.rep.Logf("%s", planLine(sp))
		r.rep.EndGroup()
	}
	if _, err := repo.Commit(ctx, title+"\n\n"+commitBody(res)); err != nil {
		if errors.Is(err, gitrepo.ErrNothingToCommit) {
			return r.noUpgrade()
		}
		return fmt.Errorf("upgrade: %w", err)
	}
	up, err := repo.PublishBranch(ctx, branch, "Update: "+title)
	if err != nil {
		return fmt.Errorf("upgrade: %w", err)
	}
	if up.Pushed {
		r.rep.Logf("pushed %s to %s", shortID(up.Commit), branch)
	} else {
		r.rep.Logf("%s already holds this upgrade", branch)
	}
	gh, err := r.github()
	if err != nil {
		return fmt.Errorf("upgrade: %w", err)
	}
	pr, err := gh.EnsurePullRequest(ctx, github.PullRequestSpec{Head: branch, Base: base, Title: title, Body: body})
	if err != nil {
		return fmt.Errorf("upgrade: %w", err)
	}
	r.rep.Logf("pull request #%d %s: %s", pr.Number, pr.Action, pr.URL)
	changed := up.Pushed || pr.Action != github.Unchanged
	return errors.Join(
		r.rep.AddSummary(body),
		r.outputs("changed", fmt.Sprint(changed), "commit", up.Commit, "sites", lines(siteNames(res.Sites)),
			"pull-request-number", fmt.Sprint(pr.Number), "pull-request-url", pr.URL))
}

func (r *runner) noUpgrade() error {
	r.rep.Logf("no chart version newer than the pins within the fleet's policy")
	return errors.Join(
		r.rep.AddSummary("### hubfleet upgrade\n\nNo chart version newer than the pins within the fleet's policy: nothing to do.\n"),
		r.outputs("changed", "false", "commit", "", "pull-request-number", "", "pull-request-url", ""))
}

func siteNames(plans []SitePlan) []string {
	var n []string
	for _, p := range plans {
		n = append(n, p.Site)
	}
	return n
}

func upgradeTitle(vs []VersionChange) string {
	var parts []string
	for _, v := range vs {
		parts = append(parts, fmt.Sprintf("%s %s → %s", v.Chart, v.From, v.To))
	}
	return "Upgrade " + strings.Join(parts, ", ")
}

func commitBody(res *UpgradeResult) string {
	var b strings.Builder
	for _, m := range res.Migrations {
		fmt.Fprintf(&b, "- %s\n", m)
	}
	for _, d := range res.OneWayDoors {
		fmt.Fprintf(&b, "One-way door: %s\n", d)
	}
	b.WriteString("\nOpened by hubfleet upgrade.\n")
	return b.String()
}

func upgradeBody(res *UpgradeResult) string {
	var b strings.Builder
	b.WriteString(UpgradeMarker + "\n### hubfleet upgrade\n\n| Chart | From | To | Changelog |\n|---|---|---|---|\n")
	for _, v := range res.Versions {
		link := "—"
		if v.ChangelogURL != "" {
			link = fmt.Sprintf("[changes](%s)", v.ChangelogURL)
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", v.Chart, v.From, v.To, link)
	}
	if len(res.OneWayDoors) > 0 {
		b.WriteString("\n> [!WARNING]\n> **One-way doors**: a revert of this pull request will not undo these.\n")
		for _, d := range res.OneWayDoors {
			fmt.Fprintf(&b, "> - %s\n", mdEscape(d))
		}
	}
	if len(res.Migrations) > 0 {
		b.WriteString("\n**Site-value migrations applied**\n\n")
		for _, m := range res.Migrations {
			fmt.Fprintf(&b, "- %s\n", mdEscape(m))
		}
	}
	b.WriteString("\n**Plan per site**\n\n| Site | Change |\n|---|---|\n")
	for _, sp := range res.Sites {
		fmt.Fprintf(&b, "| `%s` | %s |\n", sp.Site, mdEscape(planLine(sp)))
	}
	if len(res.Deferred) > 0 {
		fmt.Fprintf(&b, "\nLater waves, upgraded once these sites verify: %s.\n", strings.Join(res.Deferred, ", "))
	}
	return b.String()
}
