// Package plan computes what a change does to each site of a fleet: the
// diff of the site's rendered overlay files (the HelmRelease), the diff of
// the normalised chart objects, chart and app version changes and the
// one-way doors among them (a JupyterHub version change migrates the hub
// database and a revert will not undo it; CRD changes; a higher Kubernetes
// minimum; a removed site; a switch between the daskhub umbrella and
// composed mode). It renders the plan as text, Markdown (for a PR comment)
// and JSON.
//
// Run is the plan flow's one entry point, which both front-ends call and
// upgrade and rollback plan through: it plans a loaded workspace against a
// base commit (or its fresh render, for upgrade's preview; or two given
// sides, for rollback), reading each side's overlays once, and decides
// which sites fail and why (invalid, stale, a chart problem, a site
// removal the pull request does not confirm).
//
// Sites whose render inputs are unchanged are not rendered at all: their
// cache keys are compared, so a no-op plan costs a hash per site.
package plan
