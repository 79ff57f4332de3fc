package verify

import (
	"context"
	"crypto/tls"
	"net/url"
	"sync"
)

// future is a value one check produces and others wait for.
type future[T any] struct {
	once sync.Once
	done chan struct{}
	val  T
	ok   bool
	why  string
}

func newFuture[T any]() *future[T] { return &future[T]{done: make(chan struct{})} }

// set publishes the value once; ok=false says why it is missing. Later
// calls are ignored.
func (f *future[T]) set(val T, ok bool, why string) {
	f.once.Do(func() {
		f.val, f.ok, f.why = val, ok, why
		close(f.done)
	})
}

// siteRun is one verification of one target.
type siteRun struct {
	v *Verifier
	t Target
	// addrs is proxy-public's public address (LoadBalancer or Ingress).
	addrs *future[[]string]
	// disc is the identity provider's discovery document.
	disc *future[*discovery]
	// hubConn is released once hub-health holds a connection to the hub,
	// so the other hub requests share it (HTTP/2) instead of each paying
	// for a TLS handshake.
	// It carries the TLS state of a fresh connection for the tls check.
	hubConn *future[*tls.ConnectionState]
	// login is where /hub/oauth_login sends the browser.
	login *future[*url.URL]
	// providers shares identity-provider documents between the sites of
	// one run: a fleet on one IdP fetches its discovery and JWKS once.
	providers *fetchCache
	kube      *kubeClients
	// kubeErr is why no client could be built from t.Kube.
	kubeErr error
}

func newSiteRun(v *Verifier, t Target, providers *fetchCache) *siteRun {
	if t.Namespace == "" {
		// Without cluster access the namespace only appears in fix hints.
		t.Namespace = "<namespace>"
	}
	s := &siteRun{v: v, t: t, providers: providers, addrs: newFuture[[]string](), disc: newFuture[*discovery](), hubConn: newFuture[*tls.ConnectionState](), login: newFuture[*url.URL]()}
	if t.Kube != nil {
		s.kube, s.kubeErr = newKubeClients(t.Kube)
	}
	return s
}

func (s *siteRun) checks() []check {
	var cs []check
	t := s.t
	if t.Kube != nil {
		for _, rel := range t.Releases {
			cs = append(cs, check{name: CheckHelmRelease + "/" + rel.Name,
				run: func(ctx context.Context) Result { return s.checkHelmRelease(ctx, rel) }})
		}
		cs = append(cs, check{name: CheckProxyPublic, run: s.checkProxyPublic,
			finally: func(r Result) { s.addrs.set(nil, false, "proxy-public: "+r.Detail) }})
		deps := []string{"hub", "proxy"}
		if t.TLS == TLSAutoHTTPS {
			deps = append(deps, "autohttps")
		}
		for _, d := range deps {
			cs = append(cs, check{name: CheckDeployment + "/" + d,
				run: func(ctx context.Context) Result { return s.checkDeployment(ctx, d) }})
		}
		if t.TLS == TLSCertManager {
			cs = append(cs, check{name: CheckCertificate, run: s.checkCertificate})
		}
	} else {
		s.addrs.set(t.ExpectedAddresses, len(t.ExpectedAddresses) > 0,
			"no cluster access and no expected addresses given")
		if t.KubeSkipped != "" {
			cs = append(cs, s.kubeSkippedCheck())
		}
	}
	cs = append(cs,
		check{name: CheckDNS, run: s.checkDNS, waitFor: waits(s.addrs.done)},
		check{name: CheckTLS, run: s.checkTLS, waitFor: waits(s.hubConn.done)},
		check{name: CheckHubHealth, run: s.checkHubHealth,
			finally: func(Result) { s.hubConn.set(nil, false, "no connection") }},
		check{name: CheckHubVersion, run: s.checkHubVersion, waitFor: waits(s.hubConn.done)},
	)
	if t.DaskGateway {
		cs = append(cs, check{name: CheckDaskGateway, run: s.checkDaskGateway, waitFor: waits(s.hubConn.done)})
	}
	if t.usesOIDC() {
		cs = append(cs,
			check{name: CheckOIDCDiscovery, run: s.checkDiscovery,
				finally: func(r Result) { s.disc.set(nil, false, r.Detail) }},
			check{name: CheckJWKS, run: s.checkJWKS, waitFor: waits(s.disc.done)},
			check{name: CheckOAuthLogin, run: s.checkOAuthLogin, waitFor: waits(s.disc.done, s.hubConn.done),
				finally: func(r Result) { s.login.set(nil, false, r.Detail) }},
			check{name: CheckOAuthAuthorize, run: s.checkAuthorize, waitFor: waits(s.login.done)},
		)
	}
	return cs
}

// fetchCache fetches each URL once per run; concurrent callers wait for
// the first. An error (a timeout included) is shared too: the others would
// have met it as well.
type fetchCache struct {
	mu sync.Mutex
	m  map[string]*fetched
}

type fetched struct {
	done chan struct{}
	code int
	body []byte
	err  error
}

func newFetchCache() *fetchCache { return &fetchCache{m: map[string]*fetched{}} }

func (c *fetchCache) get(ctx context.Context, v *Verifier, u string) (int, []byte, error) {
	c.mu.Lock()
	f, ok := c.m[u]
	if !ok {
		f = &fetched{done: make(chan struct{})}
		c.m[u] = f
	}
	c.mu.Unlock()
	if !ok {
		resp, body, err := v.get(ctx, u)
		if resp != nil {
			f.code = resp.StatusCode
		}
		f.body, f.err = body, err
		close(f.done)
	}
	select {
	case <-f.done:
		return f.code, f.body, f.err
	case <-ctx.Done():
		return 0, nil, ctx.Err()
	}
}

func waits(chs ...chan struct{}) []<-chan struct{} {
	out := make([]<-chan struct{}, len(chs))
	for i, ch := range chs {
		out[i] = ch
	}
	return out
}
