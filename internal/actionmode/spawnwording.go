package actionmode

import "github.com/hubfleet/hubfleet/internal/upgrade"

// promotedWhen says which statuses of every canary site promote c: its
// verification, and its spawn probe when the fleet's rollout policy asks
// for it (spec.rollout.spawnCheck; the gate then read a spawn status for
// each site).
func promotedWhen(c upgrade.CanaryCheck) string {
	for _, s := range c.Sites {
		if s.Spawn != nil {
			return statusesWording(true)
		}
	}
	return statusesWording(false)
}

// statusesWording names the statuses each canary site needs for the
// canary to be promoted: its verification, and its spawn probe with the
// rollout policy's spawn check.
func statusesWording(spawnCheck bool) string {
	if spawnCheck {
		return "successful `hubfleet/verify/<site>` and `hubfleet/verify-spawn/<site>` statuses"
	}
	return "a successful `hubfleet/verify/<site>` status"
}
