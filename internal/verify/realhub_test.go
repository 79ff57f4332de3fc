package verify

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/hubfleet/hubfleet/internal/testhub"
)

// staticNet sends site hosts to loopback listeners and answers the DNS
// check with public-looking addresses.
type staticNet struct {
	dial HostOverrides
	dns  map[string][]string
}

func (n staticNet) LookupHost(_ context.Context, host string) ([]string, error) {
	if a, ok := n.dns[host]; ok {
		return a, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// TestRealHub verifies Debian's JupyterHub behind configurable-http-proxy
// with TLS, against npm oidc-provider as the OpenID provider, then stops
// one component at a time and wants the right explanation.
func TestRealHub(t *testing.T) {
	const (
		hubHost = "hub.real.example.org"
		idpHost = "idp.real.example.org"
		issuer  = "https://" + idpHost
		lbIP    = "203.0.113.10"
	)
	ca, err := testhub.NewCA("hubfleet testhub CA")
	if err != nil {
		t.Fatal(err)
	}
	hubCert, err := ca.Issue(hubHost)
	if err != nil {
		t.Fatal(err)
	}
	idpCert, err := ca.Issue(idpHost)
	if err != nil {
		t.Fatal(err)
	}
	site := Target{
		Site: "real", Host: hubHost, BaseURL: "/", TLS: TLSSecret, Exposure: ExposureLoadBalancer,
		JupyterHubVersion: "3.0.0", DaskGateway: true,
		Auth:              Auth{Provider: ProviderGenericOIDC, Issuer: issuer, ClientID: "hub-real"},
		ExpectedAddresses: []string{lbIP},
	}
	io := testhub.DefaultIdPOptions()
	io.Issuer, io.Cert, io.CA, io.ClientID, io.RedirectURIs = issuer, idpCert, ca, site.Auth.ClientID, []string{site.CallbackURL()}
	idp := testhub.StartIdP(t, io)
	ho := testhub.DefaultHubOptions()
	ho.Host, ho.Cert, ho.CA, ho.DaskGateway = hubHost, hubCert, ca, true
	ho.AuthorizeURL, ho.ClientID, ho.CallbackURL = issuer+"/auth", site.Auth.ClientID, site.CallbackURL()
	hub := testhub.StartHub(t, ho)

	overrides, err := ParseHostOverrides([]string{hubHost + "=" + hub.Addr(), idpHost + "=" + idp.Addr()})
	if err != nil {
		t.Fatal(err)
	}
	n := staticNet{dial: overrides, dns: map[string][]string{hubHost: {lbIP}}}
	opts := DefaultOptions()
	opts.Dial, opts.Resolver, opts.RootCAs, opts.CheckTimeout = overrides.Dial(nil), n, ca.Pool(), 10*time.Second
	verify := func(t *testing.T, target Target) map[string]Result {
		t.Helper()
		v := New(opts)
		defer v.Close()
		out := map[string]Result{}
		rs := v.VerifySite(context.Background(), target)
		for _, r := range rs {
			out[r.Check] = r
		}
		var b strings.Builder
		if err := WriteTable(&b, rs); err != nil {
			t.Fatal(err)
		}
		t.Log("\n" + b.String())
		return out
	}
	type want struct {
		status Status
		detail string
	}
	expect := func(t *testing.T, got map[string]Result, wants map[string]want) {
		t.Helper()
		for check, r := range got {
			w, ok := wants[check]
			if !ok {
				w = want{status: Pass}
			}
			if r.Status != w.status || !strings.Contains(r.Detail, w.detail) {
				t.Errorf("%s = %s %q (%v), want %s containing %q", check, r.Status, r.Detail, r.Err, w.status, w.detail)
			}
		}
	}

	t.Run("healthy", func(t *testing.T) {
		expect(t, verify(t, site), map[string]want{
			CheckHubVersion:     {Pass, "JupyterHub 3.0.0"},
			CheckOIDCDiscovery:  {Pass, "authorize at " + issuer + "/auth"},
			CheckOAuthLogin:     {Pass, "redirect_uri https://hub.real.example.org/hub/oauth_callback"},
			CheckOAuthAuthorize: {Pass, "the provider accepts client hub-real and redirect_uri https://hub.real.example.org/hub/oauth_callback (answered 303, on to its login at idp.real.example.org)"},
		})
	})
	t.Run("issuer configured with a trailing slash", func(t *testing.T) {
		s := site
		s.Auth.Issuer = issuer + "/"
		expect(t, verify(t, s), map[string]want{CheckOIDCDiscovery: {Fail, "issuer mismatch by a trailing slash"}})
	})
	t.Run("hub registered under another client id", func(t *testing.T) {
		s := site
		s.Auth.ClientID = "hub-other"
		expect(t, verify(t, s), map[string]want{CheckOAuthLogin: {Fail, `the hub sends client_id="hub-real", the site is registered as "hub-other"`}})
	})
	t.Run("callback not registered at the provider", func(t *testing.T) {
		// A second hub under /jhub/ sends its own, correct callback, which
		// the provider was never told about.
		ho2 := ho
		ho2.BaseURL = "/jhub/"
		s := site
		s.BaseURL = "/jhub/"
		ho2.CallbackURL = s.CallbackURL()
		hub2 := testhub.StartHub(t, ho2)
		n.dial[hubHost] = hub2.Addr()
		defer func() { n.dial[hubHost] = hub.Addr() }()
		expect(t, verify(t, s), map[string]want{CheckOAuthAuthorize: {Fail,
			"the provider refuses redirect_uri https://hub.real.example.org/jhub/hub/oauth_callback for client hub-real"}})
	})
	t.Run("chart ships another JupyterHub", func(t *testing.T) {
		s := site
		s.JupyterHubVersion = "4.0.2"
		expect(t, verify(t, s), map[string]want{CheckHubVersion: {Fail, "runs JupyterHub 3.0.0 but the chart just rendered ships 4.0.2"}})
	})
	t.Run("site runs its own hub image", func(t *testing.T) {
		s := site
		s.JupyterHubVersion, s.HubImage = "5.5.0", "quay.io/example/hub:3.0.0"
		expect(t, verify(t, s), map[string]want{CheckHubVersion: {Warn,
			"the hub runs JupyterHub 3.0.0, the chart just rendered ships 5.5.0, and the site runs its own hub image quay.io/example/hub:3.0.0"}})
	})
	t.Run("site runs an operator's chart", func(t *testing.T) {
		// basehub may set a hub image in its own values, which hubfleet
		// does not read: a warning naming the chart, not a failure.
		s := site
		s.JupyterHubVersion, s.OwnChart = "5.5.0", "basehub"
		expect(t, verify(t, s), map[string]want{CheckHubVersion: {Warn,
			"the hub runs JupyterHub 3.0.0, the z2jh chart vendored by the operator's chart basehub ships 5.5.0, and basehub's own values may set a hub image of their own"}})
	})
	t.Run("dask-gateway stopped", func(t *testing.T) {
		if err := hub.StopGateway(); err != nil {
			t.Fatal(err)
		}
		expect(t, verify(t, site), map[string]want{CheckDaskGateway: {Fail, "/services/dask-gateway/api/health returned 503"}})
	})
	t.Run("OpenID provider stopped", func(t *testing.T) {
		idp.Stop()
		expect(t, verify(t, site), map[string]want{
			CheckDaskGateway:    {Fail, "returned 503"},
			CheckOIDCDiscovery:  {Fail, "connection to " + issuer + "/.well-known/openid-configuration refused"},
			CheckJWKS:           {Fail, "discovery document is unusable"},
			CheckOAuthLogin:     {Warn, "authorization_endpoint is unknown"},
			CheckOAuthAuthorize: {Fail, "connection to https://idp.real.example.org/auth refused"},
		})
	})
	t.Run("hub process killed, proxy still up", func(t *testing.T) {
		if err := hub.KillHub(); err != nil {
			t.Fatal(err)
		}
		got := verify(t, site)
		for _, c := range []string{CheckHubHealth} {
			if r := got[c]; r.Status != Fail || !strings.Contains(r.Detail, "the hub is down") {
				t.Errorf("%s = %s %q, want fail: the hub is down", c, r.Status, r.Detail)
			}
		}
	})
}
