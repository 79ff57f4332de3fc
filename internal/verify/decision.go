package verify

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Decision is the verify flow's verdict on its results, which both
// front-ends print or publish: each site is failed (a check failed; with
// Strict, also a check that could not run), not verified (a check could
// not run here, and none failed) or verified.
type Decision struct {
	// Sites are every site with a result, sorted.
	Sites []string
	// Failed are the sites that fail verify; Unknown the sites with a
	// check that could not run and none that failed (with Strict they
	// are in Failed too).
	Failed, Unknown []string
	// NotVerified says, by site of Unknown, which checks could not run
	// and why ("kubernetes: not checked: no cluster credentials").
	NotVerified map[string]string
	// Reasons say why verify fails; empty when it passes.
	Reasons []string
}

// Decide decides on results; strict makes a check that could not run a
// failure.
func Decide(results []Result, strict bool) Decision {
	bySite := map[string][]Result{}
	for _, r := range results {
		bySite[r.Site] = append(bySite[r.Site], r)
	}
	d := Decision{Sites: slices.Sorted(maps.Keys(bySite)), NotVerified: map[string]string{}}
	for _, n := range d.Sites {
		rs := bySite[n]
		switch Worst(rs) {
		case Fail:
			d.Failed = append(d.Failed, n)
		case Warn, Unknown:
			var parts []string
			for _, r := range rs {
				if r.Status == Unknown {
					parts = append(parts, fmt.Sprintf("%s: %s", r.Check, r.Detail))
				}
			}
			if len(parts) == 0 {
				continue
			}
			d.Unknown = append(d.Unknown, n)
			d.NotVerified[n] = strings.Join(parts, "; ")
			if strict {
				d.Failed = append(d.Failed, n)
			}
		}
	}
	if len(d.Failed) > 0 {
		d.Reasons = append(d.Reasons, "sites failing: "+strings.Join(d.Failed, ", "))
		if strict && len(d.Unknown) > 0 {
			d.Reasons = append(d.Reasons, "not verified with --strict: "+strings.Join(d.Unknown, ", "))
		}
	}
	return d
}
