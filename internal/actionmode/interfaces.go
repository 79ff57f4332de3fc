package actionmode

import (
	"context"

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
}

// Renderer validates and renders the fleet rooted at a directory.
type Renderer interface {
	// Check loads and validates the fleet, renders it in memory and
	// compares the result with the files on disk. It writes nothing.
	Check(ctx context.Context, root string) (*RenderCheck, error)
	// Write renders the fleet and writes the files that changed,
	// returning their paths relative to root.
	Write(ctx context.Context, root string) ([]string, error)
}

// Change is how a site changes in a plan.
type Change string

// The kinds of change.
const (
	ChangeAdded     Change = "added"
	ChangeChanged   Change = "changed"
	ChangeRemoved   Change = "removed"
	ChangeUnchanged Change = "unchanged"
)

// SitePlan is the plan of one site.
type SitePlan struct {
	Site   string
	Change Change
	// Summary is one line for the summary table.
	Summary string
	// Details is Markdown (diffs in ```diff fences).
	Details string
	// OneWayDoors are changes a revert will not undo.
	OneWayDoors []string
	// Problems are reasons the site's chart would not install (schema,
	// template or check failures of the head render); they fail the plan.
	Problems []string
}

// Planner plans the change of each site between baseRef and the work tree.
type Planner interface {
	Plan(ctx context.Context, root, baseRef string, sites []string) ([]SitePlan, error)
}

// VersionChange is one chart version bump.
type VersionChange struct {
	Chart        string
	From, To     string
	ChangelogURL string
}

// UpgradeOptions bound an upgrade.
type UpgradeOptions struct {
	// MaxWave is the highest site wave to upgrade; negative means what the
	// fleet's rollout policy allows.
	MaxWave int
	// BaseRef is the branch the upgrade is planned against.
	BaseRef string
}

// UpgradeResult is what an upgrade changed under root.
type UpgradeResult struct {
	// Versions is empty when nothing newer is allowed: nothing was written.
	Versions    []VersionChange
	Sites       []SitePlan
	OneWayDoors []string
	// Deferred are the sites of later waves left for a later run.
	Deferred []string
	// Migrations describe the site-value migrations applied.
	Migrations []string
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
