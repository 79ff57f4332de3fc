package verify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
)

// Unknown is the status of a check that could not run here (no kube
// context, no DNS resolver): nothing is known to be wrong with the site,
// and nothing is known to be right. Detail says why; it does not fail the
// run (exit code 0), but it is never reported as a pass.
const Unknown Status = "unknown"

func unknown(detail, fix string) Result { return Result{Status: Unknown, Detail: detail, Fix: fix} }

// CheckKubernetes is the result that stands for the Kubernetes checks of
// a site that has no cluster access (a Target with KubeSkipped set).
const CheckKubernetes = "kubernetes"

func (s *siteRun) kubeSkippedCheck() check {
	why := s.t.KubeSkipped
	return check{name: CheckKubernetes, run: func(context.Context) Result {
		return unknown("not checked: "+why+" (HelmRelease, proxy-public, deployments, certificate)",
			"give verify cluster access: --kubeconfig FILE and --context NAME, or spec.kubernetes.context")
	}}
}

// resolverProbe remembers whether the resolver answered the probe name.
type resolverProbe struct {
	once sync.Once
	down bool
	why  string
}

// resolverDown reports whether a failed lookup says no resolver is
// reachable: the resolver did not answer at all (not a "no such host"), or
// it says "no such host" for the probe name too (a resolver that answers
// NXDOMAIN for everything, as offline sandboxes do).
func (v *Verifier) resolverDown(ctx context.Context, dnsErr *net.DNSError) bool {
	if dnsErr.IsNotFound {
		if v.opts.ResolverProbe == "" {
			return false
		}
		v.probe.once.Do(func() {
			_, err := v.opts.Resolver.LookupHost(ctx, v.opts.ResolverProbe)
			if err != nil {
				v.probe.down, v.probe.why = true, fmt.Sprintf("%s does not resolve either", v.opts.ResolverProbe)
			}
		})
		return v.probe.down
	}
	// Timeouts, refused connections to the resolver, server failures.
	return !timedOut(ctx, ctx.Err()) && (dnsErr.IsTimeout || dnsErr.IsTemporary || dnsErr.Server != "")
}

// withoutResolver turns a lookup error into an unknown result when no DNS
// resolver is reachable; ok is false for a real answer (a missing record).
func (v *Verifier) withoutResolver(ctx context.Context, err error) (Result, bool) {
	var dnsErr *net.DNSError
	if !errors.As(err, &dnsErr) || !v.resolverDown(ctx, dnsErr) {
		return Result{}, false
	}
	why := dnsErr.Err
	if dnsErr.IsNotFound {
		why = v.probe.why
	}
	r := unknown(fmt.Sprintf("not checked: no DNS resolver reachable (%s)", why),
		"run verify where DNS works, or point it at the hub with --resolve HOST=ADDR")
	r.Err = err
	return r, true
}

// unknownIfBlocked makes a check unknown when it could not run because a
// check it depends on was not checked: "cannot fetch the JWKS: the
// discovery document is unusable (not checked: no DNS resolver reachable)"
// says nothing about the JWKS.
func unknownIfBlocked(r Result) Result {
	if (r.Status == Warn || r.Status == Fail) && strings.Contains(r.Detail, "(not checked: ") {
		r.Status, r.transient = Unknown, false
	}
	return r
}
