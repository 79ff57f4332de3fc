package actionmode

import (
	"context"

	"github.com/hubfleet/hubfleet/internal/targets"
	"github.com/hubfleet/hubfleet/internal/upgrade"
	"github.com/hubfleet/hubfleet/internal/verify"
)

// Upgrader runs the upgrade flow; upgrade.Upgrader is the one used in
// production.
type Upgrader interface {
	Run(ctx context.Context, req upgrade.Request) (*upgrade.Result, error)
}

// Verifier runs the verify flow; targets.Verifier is the one used in
// production.
type Verifier interface {
	Run(ctx context.Context, req targets.Request) ([]verify.Result, error)
}
