package actionmode

import (
	"fmt"
	"strings"

	"github.com/hubfleet/hubfleet/internal/verify"
)

// notVerified says which of a site's checks could not run here, and why
// ("kubernetes: not checked: no cluster credentials"); empty when every
// check ran. A site with such checks and no failure is not verified: its
// commit status is "error" (never "success", so no canary is promoted on
// it), its summary row is "unknown" with the reason, and the job fails on
// it only when the strict input is set.
func notVerified(rs []verify.Result) string {
	var parts []string
	for _, r := range rs {
		if r.Status == verify.Unknown {
			parts = append(parts, fmt.Sprintf("%s: %s", r.Check, r.Detail))
		}
	}
	return strings.Join(parts, "; ")
}

// clipStatus keeps a commit status description within GitHub's 140
// characters.
func clipStatus(s string) string {
	if len(s) <= 140 {
		return s
	}
	return s[:137] + "..."
}
