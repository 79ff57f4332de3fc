package upgrade

import (
	"fmt"
	"strings"
)

// CanaryUnverifiableError says a canary is staged and nothing can read the
// verification that decides it (a terminal has no commit statuses): it
// names the ways on.
type CanaryUnverifiableError struct {
	// Chart and Version are the staged canary; Pin the version the other
	// waves run; MaxWave its last wave; Sites the sites that run it.
	Chart, Version, Pin string
	MaxWave             int
	Sites               []string
	// Key is the chart's key under spec.charts when it is an operator's
	// umbrella chart (umbrellas.<name>), whose canary carries Vendored,
	// the jupyterhub version it vendors; both empty for the other charts.
	Key, Vendored string
}

func (e *CanaryUnverifiableError) Error() string {
	sites := "the sites of waves 0-" + fmt.Sprint(e.MaxWave)
	verify := "hubfleet verify"
	if len(e.Sites) > 0 {
		sites = strings.Join(e.Sites, ", ")
		verify = "hubfleet verify --site " + strings.Join(e.Sites, " --site ")
	}
	promote := "set spec.charts.<chart>.version to " + e.Version
	if e.Key != "" {
		promote = "set spec.charts." + e.Key + ".version to " + e.Version
		if e.Vendored != "" {
			promote += " and its jupyterhubVersion to " + e.Vendored
		}
	}
	return fmt.Sprintf("chart %s: canary %s is staged for waves up to %d (%s) while the others run %s, and a terminal cannot read the commit statuses that verify it. To go on:\n"+
		"  - verify the canary: `%s`; when it passes, promote it: %s and delete its canary block in bases/daskhub/fleet.yaml, run `hubfleet render`, review with `hubfleet plan` and commit (the upgrade workflow, `hubfleet action upgrade`, does this itself from the verify statuses);\n"+
		"  - or upgrade the other charts only: `hubfleet upgrade --chart <name>`;\n"+
		"  - or, to move the canary to more waves, choose them with `hubfleet upgrade --wave N` once it is verified.",
		e.Chart, e.Version, e.MaxWave, sites, e.Pin, verify, promote)
}
