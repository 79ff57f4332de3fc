package upgrade

import (
	"fmt"

	"github.com/hubfleet/hubfleet/internal/site"
)

// ProblemsError is an upgrade refused because the fleet has problems
// validate, render and plan report too: a chart version (pin or staged
// canary) its repository lacks (workspace.ChartVersions). Nothing was
// written. An upgrade looks above a pin Flux can fetch; it does not skip
// past a pin Flux could never fetch, even to a version the repository
// has: that pin is the operator's to correct, and the problem's fix names
// a version to set.
type ProblemsError struct {
	Problems site.ErrorList
}

func (e *ProblemsError) Error() string {
	return fmt.Sprintf("%s\n%d problem(s) found", e.Problems.Error(), len(e.Problems))
}

// Unwrap lets errors.As find each problem.
func (e *ProblemsError) Unwrap() error { return e.Problems }
