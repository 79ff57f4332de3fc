// Package actionmode is the GitHub Action front-end: `hubfleet action
// <mode>`, what the composite action in action/ runs: plan (pull
// requests), render (push to main), upgrade (schedule), rollback
// (dispatch) and verify (push and schedule).
//
// It holds environment and reporting glue only. A mode reads its inputs
// from the environment the composite action maps (HUBFLEET_*) and the
// runner provides (GITHUB_*), loads the work tree once
// (internal/workspace), calls the flow the CLI calls too (plan.Run,
// upgrade.Upgrader.Run, rollback.Run, targets.Verifier.Run), and reports
// the result: log groups per site, annotations at file and line, a job
// summary, outputs and masks (report.Reporter), and the pushes, pull
// requests, comments and commit statuses that publish it (gitrepo,
// internal/github). Every decision on what to plan, write, revert or
// fail is the flow's.
package actionmode
