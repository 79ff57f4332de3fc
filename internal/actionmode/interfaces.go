package actionmode

import (
	"context"

	"github.com/hubfleet/hubfleet/internal/fleet"
	"github.com/hubfleet/hubfleet/internal/github"
	"github.com/hubfleet/hubfleet/internal/plan"
	"github.com/hubfleet/hubfleet/internal/verify"
)

// Problem is one validation error, at a file and line.
type Problem struct {
	// Site is the site the problem belongs to; empty for fleet-wide ones.
	Site    string
	File    string
	Line    int
	Field   string
	Message string
	Fix     string
}

// StaleFile is a generated file that differs from a fresh render.
type StaleFile struct {
	Site string
	Path string
	// Diff is the unified diff from the committed file to the fresh render.
	Diff string
}

// RenderCheck is what a render in memory found.
type RenderCheck struct {
	// Sites are every site's name, sorted.
	Sites    []string
	Problems []Problem
	Stale    []StaleFile
	// Fleet is the loaded fleet, nil when it does not load.
	Fleet *fleet.Fleet
}

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

// SiteStatus is the verification status of one site on a commit.
type SiteStatus struct {
	Site string
	Wave int
	// Context is the commit status context, StatusContext(Site).
	Context string
	// State is empty when the commit has no such status.
	State github.State
}

// Verified reports whether the site's verification succeeded.
func (s SiteStatus) Verified() bool { return s.State == github.StateSuccess }

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

// UpgradeOptions bound an upgrade.
type UpgradeOptions struct {
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
}

// UpgradeResult is what an upgrade changed under root.
type UpgradeResult struct {
	// Versions is empty when nothing newer is allowed: nothing was written.
	Versions []VersionChange
	// Plan is every site's plan against the base branch.
	Plan *plan.Plan
	// Written are the files written, relative to root.
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
}

// Upgrader moves the fleet's chart pins to the newest versions its policy
// allows, applies the site-value migrations they need and re-renders,
// writing under root.
type Upgrader interface {
	Upgrade(ctx context.Context, root string, opts UpgradeOptions) (*UpgradeResult, error)
}

// Verifier verifies the named sites (all when empty) of the fleet at root.
// kubeconfig may be empty. A result per check, as verify.Verifier returns.
type Verifier interface {
	Verify(ctx context.Context, root string, sites []string, kubeconfig []byte) ([]verify.Result, error)
}
