package upgrade

// SpawnStatusContext is the commit status context of a site's spawn probe
// (verify --spawn: a server started, code and a Dask computation run in
// it), which the canary gate reads when the fleet's rollout policy asks
// for it (spec.rollout.spawnCheck).
func SpawnStatusContext(site string) string { return "hubfleet/verify-spawn/" + site }
