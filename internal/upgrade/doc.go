// Package upgrade is the upgrade flow: it moves the fleet's chart pins to
// the newest versions its policy allows, or stages them as canaries for the
// first waves and promotes a canary whose waves verified (the canary gate),
// edits bases/daskhub/fleet.yaml in place (comments and layout kept),
// re-renders every site and plans it against the base branch. Everything is
// computed before anything is written, and the files are written all or
// none.
//
// With spec.rollout.spawnCheck the gate also wants each canary site's
// spawn probe (hubfleet/verify-spawn/<site>, set by the verify mode's spawn
// input) to have passed, and shows its result (spawngate.go).
//
// `hubfleet upgrade` and `hubfleet action upgrade` both call Upgrader.Run
// and print its Result their own way.
package upgrade
