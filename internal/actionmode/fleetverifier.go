package actionmode

import (
	"context"
	"fmt"
	"strings"

	"github.com/hubfleet/hubfleet/internal/fleet"
	"github.com/hubfleet/hubfleet/internal/targets"
	"github.com/hubfleet/hubfleet/internal/verify"
)

// FleetVerifier is the Verifier of the fleet: internal/targets maps each
// site onto a verify.Target (Kubernetes checks only with a kubeconfig) and
// verify.Verifier runs the checks.
type FleetVerifier struct {
	Options verify.Options
}

var _ Verifier = FleetVerifier{}

// CheckKubeconfig names the result that reports a site's unusable
// kubeconfig context.
const CheckKubeconfig = "kubeconfig"

// Verify implements Verifier.
func (v FleetVerifier) Verify(ctx context.Context, root string, sites []string, kubeconfig []byte) ([]verify.Result, error) {
	fl, err := fleet.LoadDir(root)
	if err != nil {
		return nil, fmt.Errorf("load fleet: %w", err)
	}
	kc := targets.Kubeconfig{Data: kubeconfig, Skip: len(kubeconfig) == 0}
	ts, warnings, err := targets.For(fl, sites, kc)
	if err != nil {
		return nil, err
	}
	var results []verify.Result
	for _, w := range warnings {
		// targets reports "site <name>: ..."; keep the site so the warning
		// lands in its group and annotation.
		name := ""
		if rest, ok := strings.CutPrefix(w, "site "); ok {
			name, _, _ = strings.Cut(rest, ":")
		}
		results = append(results, verify.Result{Site: name, Check: CheckKubeconfig, Status: verify.Warn, Detail: w,
			Fix: "add the context to the kubeconfig secret (HUBFLEET_KUBECONFIG)"})
	}
	vr := verify.New(v.Options)
	defer vr.Close()
	return append(results, vr.Verify(ctx, ts)...), nil
}
