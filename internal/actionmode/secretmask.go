package actionmode

import (
	"github.com/hubfleet/hubfleet/internal/plan"
)

// maskSecrets registers every secret value the plan flow masked with the
// runner (::add-mask::), which then masks them in the job log too. The
// result this mode publishes is masked already, by the flow, the same
// for the CLI: nothing is masked here.
func (r *runner) maskSecrets(res *plan.Result) {
	for _, s := range res.Secrets {
		r.rep.AddMask(s)
	}
}
