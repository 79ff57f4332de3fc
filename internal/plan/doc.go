// Package plan computes what a change does to each site of a fleet: the
// diff of the site's rendered overlay files (the HelmRelease), the diff of
// the normalised chart objects, chart and app version changes and the
// one-way doors among them (a JupyterHub version change migrates the hub
// database and a revert will not undo it; CRD changes; a higher Kubernetes
// minimum). It renders the plan as text, Markdown (for a PR comment) and
// JSON.
//
// Sites whose render inputs are unchanged are not rendered at all: their
// cache keys are compared, so a no-op plan costs a hash per site.
package plan
