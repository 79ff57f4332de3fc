// Package actionmode implements `hubfleet action <mode>`, what the GitHub
// Action in action/ runs: plan (pull requests), render (push to main),
// upgrade (schedule), rollback (dispatch) and verify (push and schedule).
//
// A mode reads its inputs from the environment the composite action maps
// (HUBFLEET_*) and the runner provides (GITHUB_*), reports through a
// report.Reporter (log groups per site, annotations at file and line, a job
// summary, outputs, masks), changes the repository through gitrepo and talks
// to GitHub through internal/github.
//
// The fleet-specific work sits behind narrow interfaces (Renderer, Planner,
// Upgrader, Verifier) that the render pipeline, the chart planner and the
// verifier satisfy; GitPlanner is the HelmRelease-level planner used until
// the chart plan is wired in.
package actionmode
