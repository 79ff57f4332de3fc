package verify

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Clock is the verifier's source of time: certificate expiry, the
// LoadBalancer grace period and the Wait loop are judged by it.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Resolver looks up a host's addresses; *net.Resolver satisfies it.
type Resolver interface {
	LookupHost(ctx context.Context, host string) ([]string, error)
}

// DialFunc dials a network address, like (*net.Dialer).DialContext.
type DialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

// Options configure a Verifier.
type Options struct {
	// CheckTimeout bounds each check (a hung endpoint fails after it).
	CheckTimeout time.Duration
	// Parallelism is how many sites are verified at once.
	Parallelism int
	// LoadBalancerGrace is how long a pending LoadBalancer or Ingress
	// address is a warning before it is reported as a missing controller.
	LoadBalancerGrace time.Duration
	// WaitInterval is the pause between rounds of Wait.
	WaitInterval time.Duration
	Clock        Clock
	// Resolver is used by the DNS check.
	Resolver Resolver
	// ResolverProbe is a name that always resolves (both front-ends use
	// DefaultResolverProbe). When a site's host does not resolve, it is looked up
	// too: if it fails as well, no DNS resolver is reachable and the DNS
	// results are unknown rather than failed. Empty: no probe.
	ResolverProbe string
	// Dial connects to hubs and identity providers; tests map site hosts
	// to loopback listeners with it.
	Dial DialFunc
	// RootCAs verify server certificates; nil means the system roots.
	RootCAs   *x509.CertPool
	UserAgent string
}

// DefaultResolverProbe is the ResolverProbe of both front-ends: the
// default of `hubfleet verify --dns-probe` and the name the Action's verify
// mode probes, so that a runner whose resolver answers "no such host" for
// everything gets the same unknown DNS results as a terminal does.
const DefaultResolverProbe = "example.org"

// DefaultOptions returns the options `hubfleet verify` uses.
func DefaultOptions() Options {
	return Options{
		CheckTimeout:      10 * time.Second,
		Parallelism:       32,
		LoadBalancerGrace: 10 * time.Minute,
		WaitInterval:      15 * time.Second,
		Clock:             realClock{},
		Resolver:          net.DefaultResolver,
		UserAgent:         "hubfleet-verify",
	}
}

// Verifier runs the checks. It is safe for concurrent use.
type Verifier struct {
	opts   Options
	http   *http.Client
	dialer DialFunc
	probe  resolverProbe
}

// New returns a Verifier; zero fields of opts take their defaults.
func New(opts Options) *Verifier {
	def := DefaultOptions()
	if opts.CheckTimeout <= 0 {
		opts.CheckTimeout = def.CheckTimeout
	}
	if opts.Parallelism <= 0 {
		opts.Parallelism = def.Parallelism
	}
	if opts.LoadBalancerGrace <= 0 {
		opts.LoadBalancerGrace = def.LoadBalancerGrace
	}
	if opts.WaitInterval <= 0 {
		opts.WaitInterval = def.WaitInterval
	}
	if opts.Clock == nil {
		opts.Clock = def.Clock
	}
	if opts.Resolver == nil {
		opts.Resolver = def.Resolver
	}
	if opts.UserAgent == "" {
		opts.UserAgent = def.UserAgent
	}
	dial := opts.Dial
	tr := &http.Transport{
		// Certificates are judged at the Verifier's clock, like the tls check.
		TLSClientConfig:     &tls.Config{RootCAs: opts.RootCAs, MinVersion: tls.VersionTLS12, Time: opts.Clock.Now},
		TLSHandshakeTimeout: opts.CheckTimeout,
		MaxIdleConnsPerHost: 4,
		IdleConnTimeout:     30 * time.Second,
		ForceAttemptHTTP2:   true,
	}
	if dial == nil {
		d := &net.Dialer{Timeout: opts.CheckTimeout, KeepAlive: 30 * time.Second}
		dial = d.DialContext
		tr.Proxy = http.ProxyFromEnvironment
	}
	tr.DialContext = dial
	return &Verifier{
		opts:   opts,
		dialer: dial,
		http: &http.Client{
			Transport: tr,
			// Redirects are judged, never followed: /hub/oauth_login must
			// answer with its own 302.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
}

// Close releases idle connections.
func (v *Verifier) Close() { v.http.CloseIdleConnections() }

// Verify checks every target concurrently and returns all results, ordered
// by target then check. Invalid targets yield one failed result each.
func (v *Verifier) Verify(ctx context.Context, targets []Target) []Result {
	out := make([][]Result, len(targets))
	providers := newFetchCache()
	sem := make(chan struct{}, v.opts.Parallelism)
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
			case <-ctx.Done():
				out[i] = []Result{{Site: t.Site, Check: "verify", Status: Fail,
					Detail: "not verified: " + ctx.Err().Error(), Err: ctx.Err()}}
				return
			}
			out[i] = v.verifySite(ctx, t, providers)
		}()
	}
	wg.Wait()
	var all []Result
	for _, rs := range out {
		all = append(all, rs...)
	}
	return all
}

// Wait verifies the targets, then re-verifies the sites that still fail (or
// wait on something transient, like a pending LoadBalancer within its grace
// period) every WaitInterval until all pass or timeout has passed on the
// Verifier's clock. It returns the last result of every site.
func (v *Verifier) Wait(ctx context.Context, targets []Target, timeout time.Duration) []Result {
	deadline := v.opts.Clock.Now().Add(timeout)
	latest := make(map[string][]Result, len(targets))
	pending := targets
	for {
		for _, r := range groupBySite(v.Verify(ctx, pending)) {
			latest[r[0].Site] = r
		}
		var again []Target
		for _, t := range pending {
			if needsRetry(latest[t.Site]) {
				again = append(again, t)
			}
		}
		pending = again
		if len(pending) == 0 || !v.opts.Clock.Now().Add(v.opts.WaitInterval).Before(deadline) {
			break
		}
		select {
		case <-ctx.Done():
		case <-v.opts.Clock.After(v.opts.WaitInterval):
		}
		if ctx.Err() != nil {
			break
		}
	}
	var all []Result
	for _, t := range targets {
		all = append(all, latest[t.Site]...)
	}
	return all
}

func needsRetry(rs []Result) bool {
	for _, r := range rs {
		if r.Status == Fail || r.transient {
			return true
		}
	}
	return false
}

func groupBySite(rs []Result) [][]Result {
	var out [][]Result
	for i := 0; i < len(rs); {
		j := i
		for j < len(rs) && rs[j].Site == rs[i].Site {
			j++
		}
		out = append(out, rs[i:j])
		i = j
	}
	return out
}

// check is one named check of a site.
type check struct {
	name string
	run  func(ctx context.Context) Result
	// waitFor are closed before the check's own timeout starts (DNS waits
	// for proxy-public's address, JWKS and oauth-login for discovery, the
	// hub requests for the first connection to the hub).
	waitFor []<-chan struct{}
	// finally runs with the result; producers use it to release waiters
	// even when they timed out.
	finally func(Result)
}

// VerifySite runs every applicable check on one target concurrently.
func (v *Verifier) VerifySite(ctx context.Context, t Target) []Result {
	return v.verifySite(ctx, t, newFetchCache())
}

func (v *Verifier) verifySite(ctx context.Context, t Target, providers *fetchCache) []Result {
	if err := t.Validate(); err != nil {
		return []Result{{Site: t.Site, Check: "target", Status: Fail,
			Detail: "invalid target: " + firstLine(err.Error()), Err: err}}
	}
	s := newSiteRun(v, t, providers)
	checks := s.checks()
	results := make([]Result, len(checks))
	var wg sync.WaitGroup
	var probed []Result
	if t.Probe != nil {
		// The probe's stages run one after the other, each under its own
		// timeout, beside the checks.
		wg.Go(func() { probed = s.probe(ctx) })
	} else if t.ProbeSkipped != "" {
		probed = []Result{{Site: t.Site, Check: CheckSpawn, Status: Unknown, Detail: "not probed: " + t.ProbeSkipped,
			Fix: "configure the probe: spec.probe in the site, its token in spec.secrets.values (see hubfleet verify --help)"}}
	}
	for i, c := range checks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, ch := range c.waitFor {
				select {
				case <-ch:
				case <-ctx.Done():
				}
			}
			start := v.opts.Clock.Now()
			results[i] = unknownIfBlocked(v.runCheck(ctx, c))
			results[i].Site, results[i].Check = t.Site, c.name
			results[i].Duration = v.opts.Clock.Now().Sub(start)
			if c.finally != nil {
				c.finally(results[i])
			}
		}()
	}
	wg.Wait()
	return append(results, probed...)
}

// runCheck runs c under the per-check timeout. A check that does not
// return by then is reported as timed out even if it ignores its context.
func (v *Verifier) runCheck(ctx context.Context, c check) Result {
	ctx, cancel := context.WithTimeout(ctx, v.opts.CheckTimeout)
	defer cancel()
	done := make(chan Result, 1)
	go func() { done <- c.run(ctx) }()
	select {
	case r := <-done:
		return r
	case <-ctx.Done():
		// Give a check that honours its context a moment to explain itself.
		select {
		case r := <-done:
			return r
		case <-time.After(50 * time.Millisecond):
		}
		return fail(fmt.Sprintf("no answer within %s", v.opts.CheckTimeout),
			"the endpoint hangs: check the pod behind it and any NetworkPolicy or firewall dropping traffic", ctx.Err())
	}
}

// timedOut reports whether err is (or was caused by) ctx running out.
func timedOut(ctx context.Context, err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) ||
		(errors.As(err, &ne) && ne.Timeout())
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " (and more)"
	}
	return s
}

func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
