package actionmode

import (
	"context"

	"github.com/hubfleet/hubfleet/internal/github"
)

// LatestStatusDetails reads the statuses whole, so the canary gate can show
// each canary's spawn probe result (upgrade.StatusDetailReader).
func (s runnerStatuses) LatestStatusDetails(ctx context.Context, ref string) (map[string]github.Status, error) {
	gh, err := s.r.github()
	if err != nil {
		return nil, err
	}
	return gh.LatestStatusDetails(ctx, ref)
}
