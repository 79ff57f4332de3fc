package targets

import (
	"context"
	"strings"
	"time"

	"github.com/hubfleet/hubfleet/internal/fleet"
	"github.com/hubfleet/hubfleet/internal/verify"
)

// Verifier verifies the sites of a loaded fleet: For maps each site onto
// a verify.Target (Kubernetes checks only with a kubeconfig) and
// verify.Verifier runs the checks. A kubeconfig without a site's context
// is a warning result of that site.
type Verifier struct {
	Options verify.Options
}

// CheckKubeconfig names the result that reports a site's unusable
// kubeconfig context.
const CheckKubeconfig = "kubeconfig"

// Request is one verification of a loaded fleet's sites.
type Request struct {
	Fleet *fleet.Fleet
	// Sites are the sites verified; empty means all.
	Sites      []string
	Kubeconfig Kubeconfig
	// Wait retries until every check passes or this much time passed;
	// zero verifies once.
	Wait time.Duration
	// Spawn, when set, also runs the spawn probe on each site.
	Spawn *Spawn
}

// Run is the verify flow: a result per check of every named site, and a
// warning result (CheckKubeconfig) for each site whose kubeconfig context
// is unusable.
func (v Verifier) Run(ctx context.Context, req Request) ([]verify.Result, error) {
	ts, warnings, err := For(req.Fleet, req.Sites, req.Kubeconfig)
	if err != nil {
		return nil, err
	}
	if req.Spawn != nil {
		probes(ts, req.Fleet, req.Spawn)
	}
	var results []verify.Result
	for _, w := range warnings {
		// For reports "site <name>: ..."; keep the site so the warning
		// lands in its group and annotation.
		name := ""
		if rest, ok := strings.CutPrefix(w, "site "); ok {
			name, _, _ = strings.Cut(rest, ":")
		}
		results = append(results, verify.Result{Site: name, Check: CheckKubeconfig, Status: verify.Warn, Detail: w,
			Fix: "add the context to the kubeconfig (in the Action, the HUBFLEET_KUBECONFIG secret), or set the site's spec.kubernetes.context"})
	}
	vr := verify.New(v.Options)
	defer vr.Close()
	if req.Wait > 0 {
		return append(results, vr.Wait(ctx, ts, req.Wait)...), nil
	}
	return append(results, vr.Verify(ctx, ts)...), nil
}
