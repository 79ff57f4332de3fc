package actionmode

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hubfleet/hubfleet/internal/github"
	"github.com/hubfleet/hubfleet/internal/gitrepo"
	"github.com/hubfleet/hubfleet/internal/markdown"
	"github.com/hubfleet/hubfleet/internal/plan"
	"github.com/hubfleet/hubfleet/internal/upgrade"
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
	start, err := repo.Resolve(ctx, base)
	if err != nil {
		return fmt.Errorf("upgrade: %w", err)
	}
	publish := r.publishing()
	if publish {
		// Always start from the base branch: the pull request then shows
		// exactly a fresh upgrade, and PublishBranch fast-forwards the bot
		// branch to it.
		if err := repo.CreateBranch(ctx, branch, start); err != nil {
			return fmt.Errorf("upgrade: %w", err)
		}
	}
	ws, err := r.load(ctx, "upgrade")
	if err != nil {
		return fmt.Errorf("upgrade: %w", err)
	}
	res, err := r.opts.Upgrader.Run(ctx, upgrade.Request{Workspace: ws, MaxWave: r.env.Wave, BaseRef: base,
		BaseCommit: start, Statuses: runnerStatuses{r}, DryRun: !publish})
	var pe *upgrade.ProblemsError
	if errors.As(err, &pe) {
		// The fleet's problems, as loading fails on them.
		return r.fleetProblems("upgrade", pe.Problems)
	}
	if err != nil {
		return fmt.Errorf("upgrade: %w", err)
	}
	for _, c := range res.Canaries {
		r.rep.Logf("%s", canaryLine(c))
	}
	if len(res.Versions) == 0 {
		return r.noUpgrade(res)
	}
	title := upgradeTitle(res.Versions)
	body := upgradeBody(res)
	for _, sc := range res.Plan.Sites {
		r.rep.Group("site " + sc.Site)
		r.rep.Logf("%s", plan.SiteLine(sc))
		r.rep.EndGroup()
	}
	if !publish {
		r.rep.Logf("would commit %q on %s, push it and open a pull request into %s; nothing was written. Pass --publish to do it.", title, branch, base)
		return errors.Join(r.rep.AddSummary(body),
			r.outputs("changed", "false", "commit", "", "sites", lines(siteNames(res.Plan.Sites)), "pull-request-number", "", "pull-request-url", ""))
	}
	if _, err := repo.Commit(ctx, title+"\n\n"+commitBody(res)); err != nil {
		if errors.Is(err, gitrepo.ErrNothingToCommit) {
			return r.noUpgrade(res)
		}
		return fmt.Errorf("upgrade: %w", err)
	}
	up, err := repo.PublishBranch(ctx, branch, "Update: "+title)
	if err != nil {
		return fmt.Errorf("upgrade: %w", err)
	}
	if up.Pushed {
		r.rep.Logf("pushed %s to %s", gitrepo.Short(up.Commit), branch)
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
		r.outputs("changed", fmt.Sprint(changed), "commit", up.Commit, "sites", lines(siteNames(res.Plan.Sites)),
			"pull-request-number", fmt.Sprint(pr.Number), "pull-request-url", pr.URL))
}

func (r *runner) noUpgrade(res *upgrade.Result) error {
	var b strings.Builder
	b.WriteString("### hubfleet upgrade\n\n")
	held := res.Held()
	if len(held) == 0 {
		r.rep.Logf("no chart version newer than the pins within the fleet's policy")
		b.WriteString("No chart version newer than the pins within the fleet's policy: nothing to do.\n")
	} else {
		r.rep.Logf("nothing to change: %d staged canary version(s) wait on their waves' verification", len(held))
		b.WriteString("Nothing to change: the staged canaries have not verified yet, and no newer version is allowed.\n\n")
		writeHeld(&b, held)
	}
	return errors.Join(
		r.rep.AddSummary(b.String()),
		r.outputs("changed", "false", "commit", "", "pull-request-number", "", "pull-request-url", ""))
}

// runnerStatuses reads commit statuses with the runner's GitHub client,
// made only when a staged canary needs them.
type runnerStatuses struct{ r *runner }

func (s runnerStatuses) LatestStatuses(ctx context.Context, ref string) (map[string]github.State, error) {
	gh, err := s.r.github()
	if err != nil {
		return nil, err
	}
	return gh.LatestStatuses(ctx, ref)
}

// canaryLine is one log line on a staged canary's verification.
func canaryLine(c upgrade.CanaryCheck) string {
	if c.Verified() {
		return fmt.Sprintf("canary %s %s: %s verified on %s (%s)", c.Chart, c.Version, waveName(c.MaxWave), gitrepo.Short(c.Commit), statusList(c.Sites, false))
	}
	line := fmt.Sprintf("canary %s %s: %s not verified yet on %s: %s", c.Chart, c.Version, waveName(c.MaxWave), gitrepo.Short(c.Commit), statusList(c.Unverified(), false))
	if c.Newer != "" {
		line += fmt.Sprintf("; moving the canary to %s", c.Newer)
	}
	return line
}

// waveName names the waves up to maxWave.
func waveName(maxWave int) string {
	if maxWave == 0 {
		return "wave 0"
	}
	return fmt.Sprintf("waves 0–%d", maxWave)
}

// stateText says what a verification status is, missing included.
func stateText(s github.State) string {
	if s == "" {
		return "no status yet"
	}
	return string(s)
}

// statusList lists sites with their verification status, in Markdown when
// md is set.
func statusList(sites []upgrade.SiteStatus, md bool) string {
	var parts []string
	for _, s := range sites {
		if md {
			parts = append(parts, fmt.Sprintf("`%s` (`%s`: %s%s)", s.Site, s.Context, stateText(s.State), s.SpawnText(md)))
		} else {
			parts = append(parts, fmt.Sprintf("%s %s %s%s", s.Site, s.Context, stateText(s.State), s.SpawnText(md)))
		}
	}
	if len(parts) == 0 {
		return "no site in these waves"
	}
	return strings.Join(parts, ", ")
}

func codeList(names []string) string {
	var parts []string
	for _, n := range names {
		parts = append(parts, "`"+n+"`")
	}
	return strings.Join(parts, ", ")
}

// writeHeld explains which site holds each canary back, and why.
func writeHeld(b *strings.Builder, held []upgrade.CanaryCheck) {
	for _, c := range held {
		fmt.Fprintf(b, "- `%s` canary %s (%s; later waves on %s) is not verified on `%s` yet: %s. It is promoted once every site of %s has %s.\n",
			c.Chart, c.Version, waveName(c.MaxWave), c.Pin, gitrepo.Short(c.Commit), statusList(c.Unverified(), true), waveName(c.MaxWave), promotedWhen(c))
		if len(c.Running) == 0 {
			fmt.Fprintf(b, "  No site of %s runs the `%s` chart: their verification does not test %s.\n", waveName(c.MaxWave), c.Chart, c.Version)
		}
	}
}

func siteNames(plans []plan.SiteChange) []string {
	var n []string
	for _, p := range plans {
		n = append(n, p.Site)
	}
	return n
}

func upgradeTitle(vs []upgrade.VersionChange) string {
	var parts []string
	for _, v := range vs {
		p := fmt.Sprintf("%s %s → %s", v.Chart, v.From, v.To)
		switch v.Stage {
		case upgrade.StageCanary:
			p += " on " + waveName(v.MaxWave)
		case upgrade.StagePromote:
			p += " on every wave"
		}
		parts = append(parts, p)
	}
	return "Upgrade " + strings.Join(parts, ", ")
}

func commitBody(res *upgrade.Result) string {
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

func upgradeBody(res *upgrade.Result) string {
	var b strings.Builder
	b.WriteString(UpgradeMarker + "\n### hubfleet upgrade\n\n| Chart | From | To | Changelog |\n|---|---|---|---|\n")
	for _, v := range res.Versions {
		link := "—"
		if v.ChangelogURL != "" {
			link = fmt.Sprintf("[changes](%s)", v.ChangelogURL)
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", v.Chart, v.From, v.To, link)
	}
	writeWaves(&b, res)
	if len(res.OneWayDoors) > 0 {
		b.WriteString("\n> [!WARNING]\n> **One-way doors**: a revert of this pull request will not undo these.\n")
		for _, d := range res.OneWayDoors {
			fmt.Fprintf(&b, "> - %s\n", markdown.Cell(d))
		}
	}
	if len(res.Migrations) > 0 {
		b.WriteString("\n**Site-value migrations applied**\n\n")
		for _, m := range res.Migrations {
			fmt.Fprintf(&b, "- %s\n", markdown.Cell(m))
		}
	}
	b.WriteString("\n**Plan per site**\n\n| Site | Change |\n|---|---|\n")
	for _, sc := range res.Plan.Sites {
		fmt.Fprintf(&b, "| `%s` | %s |\n", sc.Site, markdown.Cell(plan.SiteLine(sc)))
	}
	return b.String()
}

// writeWaves says how each change rolls out across the waves: which sites
// go first, which canaries verified and which wait.
func writeWaves(b *strings.Builder, res *upgrade.Result) {
	canaries := map[string]upgrade.CanaryCheck{}
	for _, c := range res.Canaries {
		canaries[c.Chart] = c
	}
	var staged bool
	for _, v := range res.Versions {
		c, wasStaged := canaries[v.Chart]
		switch v.Stage {
		case upgrade.StageCanary:
			staged = true
			if wasStaged {
				fmt.Fprintf(b, "\n**%s goes first, on the newer version.** The `%s` canary moves from %s to %s before %s verified %s (%s).",
					upperFirst(waveName(v.MaxWave)), v.Chart, v.From, v.To, waveName(v.MaxWave), v.From, statusList(c.Unverified(), true))
				fmt.Fprintf(b, " The sites of %s run %s: %s. Every other site stays on %s.\n", waveName(v.MaxWave), v.To, codeList(v.Sites), c.Pin)
				break
			}
			fmt.Fprintf(b, "\n**%s goes first.** `%s` %s is staged as a canary: only the sites of %s run it: %s. Every other site stays on %s.\n",
				upperFirst(waveName(v.MaxWave)), v.Chart, v.To, waveName(v.MaxWave), codeList(v.Sites), v.From)
		case upgrade.StagePromote:
			fmt.Fprintf(b, "\n**%s verified.** The `%s` canary %s passed verification on `%s`: %s. It becomes the pin: every site runs %s.\n",
				upperFirst(waveName(v.MaxWave)), v.Chart, v.To, gitrepo.Short(c.Commit), statusList(c.Sites, true), v.To)
			if c.Newer != "" {
				fmt.Fprintf(b, "%s is newer: the first run after this merges stages it for %s.\n", c.Newer, waveName(v.MaxWave))
			}
		}
	}
	for _, v := range res.Versions {
		if (v.Stage == upgrade.StageCanary || v.Stage == upgrade.StagePromote) && len(v.Running) == 0 {
			fmt.Fprintf(b, "\n> [!WARNING]\n> No site of %s runs the `%s` chart: their verification does not test %s before the later waves get it.\n", waveName(v.MaxWave), v.Chart, v.To)
		}
	}
	for _, n := range res.Notes {
		fmt.Fprintf(b, "\n%s\n", markdown.Cell(n))
	}
	if staged {
		fmt.Fprintf(b, "\nLater waves follow once these sites verify: when each has %s on the base branch, the next upgrade run promotes the canary to the pin.", statusesWording(res.SpawnCheck))
		if len(res.Deferred) > 0 {
			fmt.Fprintf(b, " Waiting: %s.", codeList(res.Deferred))
		}
		b.WriteString("\n")
	}
	if held := res.Held(); len(held) > 0 {
		b.WriteString("\n**Waiting on verification**\n\n")
		writeHeld(b, held)
	}
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
