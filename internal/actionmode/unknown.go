package actionmode

import (
	"fmt"
	"strings"

	"github.com/hubfleet/hubfleet/internal/verify"
)

// notVerified says which of a site's checks could not run here, and why
// ("kubernetes: not checked: no cluster credentials"); empty when every
// check ran. A site with such checks and no failure is not verified, a
// neutral result: its commit status is "pending" with the reason (never
// "success", so no canary is promoted on it, and not "failure" or "error",
// which GitHub counts as failed), its summary row is "unknown" with the
// reason, and the job does not fail on it. With the strict input it is a
// failure: status "failure", and the job fails.
func notVerified(rs []verify.Result) string {
	var parts []string
	for _, r := range rs {
		if r.Status == verify.Unknown {
			parts = append(parts, fmt.Sprintf("%s: %s", r.Check, r.Detail))
		}
	}
	return strings.Join(parts, "; ")
}
