package upgrade

import (
	"context"

	"github.com/hubfleet/hubfleet/internal/github"
	"github.com/hubfleet/hubfleet/internal/plan"
	"github.com/hubfleet/hubfleet/internal/workspace"
)

// Stage is how a version change rolls out across the waves.
type Stage string

// The stages of a version change.
const (
	// StagePin moves the fleet-wide pin: every site at once.
	StagePin Stage = "pin"
	// StageCanary stages the version as the chart's canary: only the
	// sites of waves up to MaxWave run it, the pin stays.
	StageCanary Stage = "canary"
	// StagePromote makes a canary whose waves verified the pin.
	StagePromote Stage = "promote"
)

// VersionChange is one chart version bump.
type VersionChange struct {
	Chart        string
	From, To     string
	ChangelogURL string
	// Stage is how the change rolls out; empty means StagePin.
	Stage Stage
	// MaxWave is the last wave of the canary (StageCanary, StagePromote).
	MaxWave int
	// Sites are the sites of the waves up to MaxWave (StageCanary).
	Sites []string
	// Running are the sites of the waves up to MaxWave that run the chart
	// (StageCanary, StagePromote); empty means their verification does not
	// test the version.
	Running []string
}

// StatusContext is the commit status context of a site's verification,
// which the canary gate reads.
func StatusContext(site string) string { return "hubfleet/verify/" + site }

// SiteStatus is the verification status of one site on a commit.
type SiteStatus struct {
	Site string
	Wave int
	// Context is the commit status context, StatusContext(Site).
	Context string
	// State is empty when the commit has no such status.
	State github.State
	// Spawn is the site's spawn probe status when the rollout policy asks
	// for it (spawngate.go), else nil.
	Spawn *SpawnStatus
}

// Verified reports whether the site's verification succeeded (and its
// spawn probe, when the rollout policy asks for it).
func (s SiteStatus) Verified() bool {
	return s.State == github.StateSuccess && (s.Spawn == nil || s.Spawn.State == github.StateSuccess)
}

// CanaryCheck is the verification of a canary staged on the base branch:
// the statuses of the sites of its waves on the base branch head.
type CanaryCheck struct {
	Chart string
	// Pin is the version the later waves run; Version the canary's.
	Pin, Version string
	MaxWave      int
	// Commit is the base branch head the statuses were read on.
	Commit string
	Sites  []SiteStatus
	// Running are the sites of Sites that run the chart.
	Running []string
	// Newer is a version above the canary within the policy ("" if none).
	Newer string
}

// Verified reports whether every site of the canary's waves verified.
func (c CanaryCheck) Verified() bool {
	for _, s := range c.Sites {
		if !s.Verified() {
			return false
		}
	}
	return true
}

// Unverified are the sites of the canary's waves that did not verify.
func (c CanaryCheck) Unverified() []SiteStatus {
	var out []SiteStatus
	for _, s := range c.Sites {
		if !s.Verified() {
			out = append(out, s)
		}
	}
	return out
}

// StatusReader reads the latest state of each commit status context on a
// ref; *github.Client is one.
type StatusReader interface {
	LatestStatuses(ctx context.Context, ref string) (map[string]github.State, error)
}

// Request is one upgrade.
type Request struct {
	// Workspace is the fleet repository's work tree, loaded: upgrade reads
	// the tree only through it, its preview included.
	Workspace *workspace.Workspace
	// MaxWave is the highest site wave to upgrade; negative means what the
	// fleet's rollout policy allows. Zero or more stages new versions as
	// canaries for the waves up to MaxWave even where the fleet does not
	// roll out in waves.
	MaxWave int
	// BaseRef is the branch the upgrade is planned against.
	BaseRef string
	// BaseCommit is the base branch head whose commit statuses decide
	// whether a staged canary verified; empty means BaseRef.
	BaseCommit string
	// Statuses reads those statuses; needed only when a canary is staged.
	Statuses StatusReader
	// DryRun computes and plans the upgrade but writes nothing.
	DryRun bool
	// Charts limits the upgrade to these chart names (empty: every chart).
	Charts []string
	// AllowUnknown lets the upgrade propose a chart version hubfleet's
	// catalog has no facts about (neither built in nor declared in the
	// fleet file's spec.chartFacts); without it such versions are
	// skipped, and named in the result's notes.
	AllowUnknown bool
}

// Result is what an upgrade changed under Root.
type Result struct {
	// Versions is empty when nothing newer is allowed: nothing was written.
	Versions []VersionChange
	// Plan is every site's plan against the base branch.
	Plan *plan.Plan
	// Written are the files written, relative to Root (none with DryRun).
	Written     []string
	OneWayDoors []string
	// Deferred are the sites of later waves left for a later run.
	Deferred []string
	// Canaries are the canaries staged on the base branch and what their
	// waves' verification says, whether promoted, moved or held.
	Canaries []CanaryCheck
	// Migrations describe the site-value migrations applied.
	Migrations []string
	// Notes are what else the pull request should say about the rollout.
	Notes []string
	// SpawnCheck says the fleet's rollout policy promotes a canary on each
	// of its sites' spawn probe too (spec.rollout.spawnCheck), besides its
	// verification.
	SpawnCheck bool
}

// Held are the staged canaries that neither verified nor moved: they
// wait on their waves' verification.
func (r *Result) Held() []CanaryCheck {
	changed := map[string]bool{}
	for _, v := range r.Versions {
		changed[v.Chart] = true
	}
	var out []CanaryCheck
	for _, c := range r.Canaries {
		if !changed[c.Chart] {
			out = append(out, c)
		}
	}
	return out
}
