package verify

import (
	"context"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/google/go-cmp/cmp"
)

func statuses(rs []Result) map[string]Status {
	m := map[string]Status{}
	for _, r := range rs {
		m[r.Check] = r.Status
	}
	return m
}

func find(t *testing.T, rs []Result, check string) Result {
	t.Helper()
	for _, r := range rs {
		if r.Check == check {
			return r
		}
	}
	t.Fatalf("no %q result in %v", check, statuses(rs))
	return Result{}
}

func TestVerifyHealthySite(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		target Target
	}{
		{name: "egi-root", target: egiSite("alpha")},
		{name: "egi-base-url", target: func() Target { s := egiSite("beta"); s.BaseURL = "/jhub/"; return s }()},
		{name: "native-no-gateway", target: func() Target {
			s := egiSite("gamma")
			s.Auth = Auth{Provider: ProviderNative}
			s.DaskGateway = false
			return s
		}()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			w.addSite(tc.target, "203.0.113.10")
			v := New(w.options())
			defer v.Close()
			got := statuses(v.Verify(context.Background(), []Target{tc.target}))
			want := map[string]Status{CheckDNS: Pass, CheckTLS: Pass, CheckHubHealth: Pass, CheckHubVersion: Pass}
			if tc.target.DaskGateway {
				want[CheckDaskGateway] = Pass
			}
			if tc.target.usesOIDC() {
				want[CheckOIDCDiscovery], want[CheckJWKS], want[CheckOAuthLogin], want[CheckOAuthAuthorize] = Pass, Pass, Pass, Pass
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("statuses (-want +got):\n%s", diff)
			}
		})
	}
}

// TestHealthySiteNoFalseFailures runs the healthy site 100 times: any
// non-pass is a false alarm.
func TestHealthySiteNoFalseFailures(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	site := egiSite("alpha")
	w.addSite(site, "203.0.113.10")
	v := New(w.options())
	defer v.Close()
	bad := 0
	for i := range 100 {
		for _, r := range v.Verify(context.Background(), []Target{site}) {
			if r.Status != Pass {
				bad++
				t.Errorf("run %d: %s %s: %s (%v)", i, r.Check, r.Status, r.Detail, r.Err)
			}
		}
	}
	if bad != 0 {
		t.Fatalf("%d false alarms in 100 runs", bad)
	}
}

// TestFaults injects one fault per case into a healthy site and wants the
// check that owns it to report it with the right explanation.
func TestFaults(t *testing.T) {
	t.Parallel()
	const issuer = "https://aai.egi.example.org/auth/realms/egi"
	// A certificate the hub's HTTP client refuses fails every request to
	// the hub; the authorization redirect is then never seen.
	tlsCascade := []string{CheckHubHealth, CheckHubVersion, CheckDaskGateway, CheckOAuthLogin, CheckOAuthAuthorize}
	for _, tc := range []struct {
		name      string
		inject    func(w *world, s *Target)
		timeout   time.Duration
		check     string
		status    Status
		detail    []string // substrings of Detail
		fix       string   // substring of Fix
		wantErrIs error
		// also are the other checks the fault may take down with it;
		// every check not named must still pass.
		also []string
	}{
		{
			name:   "wrong DNS",
			inject: func(w *world, s *Target) { w.setDNS(s.Host, "198.51.100.7") },
			check:  CheckDNS, status: Fail,
			detail: []string{"resolves to 198.51.100.7", "proxy-public is reachable at 203.0.113.10"},
			fix:    "an A record hub.alpha.example.org -> 203.0.113.10",
		},
		{
			name:   "no DNS record",
			inject: func(w *world, s *Target) { w.setDNS(s.Host) },
			check:  CheckDNS, status: Fail, detail: []string{"has no DNS record"},
		},
		{
			name: "expired certificate",
			also: tlsCascade,
			inject: func(w *world, s *Target) {
				w.setCert(s.Host, w.ca.issue(t, leafSpec{cn: s.Host, hosts: []string{s.Host},
					notBefore: w.now.Add(-100 * 24 * time.Hour), notAfter: w.now.Add(-10 * 24 * time.Hour)}))
			},
			check: CheckTLS, status: Fail, detail: []string{"expired at", "10d ago"}, fix: "autohttps",
		},
		{
			name: "not yet valid certificate",
			also: tlsCascade,
			inject: func(w *world, s *Target) {
				w.setCert(s.Host, w.ca.issue(t, leafSpec{cn: s.Host, hosts: []string{s.Host},
					notBefore: w.now.Add(2 * time.Hour), notAfter: w.now.Add(90 * 24 * time.Hour)}))
			},
			check: CheckTLS, status: Fail, detail: []string{"not valid until", "2h0m0s from now"},
		},
		{
			name: "certificate for another host",
			also: tlsCascade,
			inject: func(w *world, s *Target) {
				w.setCert(s.Host, w.goodCert("other.example.org", "www.other.example.org"))
			},
			check: CheckTLS, status: Fail, detail: []string{"is for other.example.org, www.other.example.org, not hub.alpha.example.org"},
		},
		{
			name: "self-signed certificate",
			also: tlsCascade,
			inject: func(w *world, s *Target) {
				w.setCert(s.Host, (*testCA)(nil).issue(t, leafSpec{cn: s.Host, hosts: []string{s.Host},
					notBefore: w.now.Add(-time.Hour), notAfter: w.now.Add(365 * 24 * time.Hour)}))
			},
			check: CheckTLS, status: Fail, detail: []string{"is self-signed"},
		},
		{
			name: "untrusted issuer",
			also: tlsCascade,
			inject: func(w *world, s *Target) {
				other := newTestCA(t, pkix.Name{CommonName: "Some Private CA"}, w.now)
				w.setCert(s.Host, other.issue(t, leafSpec{cn: s.Host, hosts: []string{s.Host},
					notBefore: w.now.Add(-time.Hour), notAfter: w.now.Add(90 * 24 * time.Hour)}))
			},
			check: CheckTLS, status: Fail, detail: []string{"does not lead to a trusted root", "Some Private CA"},
		},
		{
			name: "Let's Encrypt staging certificate",
			also: tlsCascade,
			inject: func(w *world, s *Target) {
				staging := newTestCA(t, pkix.Name{CommonName: "(STAGING) Artificial Apricot R3", Organization: []string{"(STAGING) Let's Encrypt"}}, w.now)
				w.setCert(s.Host, staging.issue(t, leafSpec{cn: s.Host, hosts: []string{s.Host},
					notBefore: w.now.Add(-time.Hour), notAfter: w.now.Add(90 * 24 * time.Hour)}))
			},
			check: CheckTLS, status: Fail, detail: []string{"Let's Encrypt STAGING", "(STAGING) Artificial Apricot R3"},
			fix: "proxy.https.letsencrypt.acmeServer",
		},
		{
			name: "autohttps TRAEFIK DEFAULT CERT",
			also: tlsCascade,
			inject: func(w *world, s *Target) {
				w.setCert(s.Host, (*testCA)(nil).issue(t, leafSpec{cn: "TRAEFIK DEFAULT CERT",
					hosts:     []string{"0f4bd7c1d3d5a1b0b8f7e5f3a1c2d4e6.a8d2f5e7b9c1d3e5f7a9b1c3d5e7f9a1.traefik.default"},
					notBefore: w.now.Add(-time.Hour), notAfter: w.now.Add(365 * 24 * time.Hour)}))
			},
			check: CheckTLS, status: Fail, detail: []string{`"TRAEFIK DEFAULT CERT"`, "autohttps could not get a Let's Encrypt certificate"},
			fix: "then restart the autohttps pod once: kubectl -n daskhub delete pod -l component=autohttps",
		},
		{
			name: "near expiry relative to lifetime",
			inject: func(w *world, s *Target) {
				// 90-day certificate with 20 days left: past the 2/3 renewal point.
				w.setCert(s.Host, w.ca.issue(t, leafSpec{cn: s.Host, hosts: []string{s.Host},
					notBefore: w.now.Add(-70 * 24 * time.Hour), notAfter: w.now.Add(20 * 24 * time.Hour)}))
			},
			check: CheckTLS, status: Warn, detail: []string{"renewal is overdue", "20d left of a 90d lifetime (22%)"},
		},
		{
			name:   "hub down",
			inject: func(w *world, s *Target) { w.hub(s.Host, func(h *hubState) { h.healthCode = 503 }) },
			check:  CheckHubHealth, status: Fail, detail: []string{"returned 503", "hub is down"}, fix: "logs deploy/hub",
		},
		{
			name:   "JupyterHub version mismatch",
			inject: func(w *world, s *Target) { s.JupyterHubVersion = "5.3.0" },
			check:  CheckHubVersion, status: Fail, detail: []string{"runs JupyterHub 4.0.2 but the chart just rendered ships 5.3.0"},
		},
		{
			name: "dask-gateway unhealthy",
			inject: func(w *world, s *Target) {
				w.hub(s.Host, func(h *hubState) { h.gatewayCode, h.gatewayBody = 503, `{"status": "fail"}` })
			},
			check: CheckDaskGateway, status: Fail, detail: []string{"returned 503", `status "fail"`, "dask-gateway is unhealthy"},
			fix: "NetworkPolicies",
		},
		{
			name:   "dask-gateway not routed",
			inject: func(w *world, s *Target) { w.hub(s.Host, func(h *hubState) { h.gatewayCode, h.gatewayBody = 404, "" }) },
			check:  CheckDaskGateway, status: Fail, detail: []string{"404", "does not proxy the dask-gateway service"},
		},
		{
			name:   "issuer trailing slash",
			inject: func(w *world, s *Target) { s.Auth.Issuer = issuer + "/"; w.idps[s.Auth.Issuer] = w.idps[issuer] },
			check:  CheckOIDCDiscovery, status: Fail,
			detail: []string{"trailing slash", `the provider says "` + issuer + `"`, `configured with "` + issuer + `/"`},
			fix:    `set the issuer to exactly "` + issuer + `"`,
		},
		{
			name: "issuer of another realm",
			inject: func(w *world, s *Target) {
				w.idp(issuer, func(p *idpState) { p.discovery["issuer"] = "https://aai.egi.example.org/auth/realms/other" })
			},
			check: CheckOIDCDiscovery, status: Fail, detail: []string{"issuer mismatch", `"https://aai.egi.example.org/auth/realms/other"`},
		},
		{
			name:   "discovery missing a field",
			also:   []string{CheckJWKS, CheckOAuthLogin},
			inject: func(w *world, s *Target) { w.idp(issuer, func(p *idpState) { delete(p.discovery, "jwks_uri") }) },
			check:  CheckOIDCDiscovery, status: Fail, detail: []string{"lacks required field(s): jwks_uri"},
		},
		{
			name: "JWKS with a private key",
			inject: func(w *world, s *Target) {
				k := newKey(t)
				set, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: k, KeyID: "leaky", Algorithm: "ES256", Use: "sig"}}})
				if err != nil {
					t.Fatal(err)
				}
				w.idp(issuer, func(p *idpState) { p.jwks = set })
			},
			check: CheckJWKS, status: Fail, detail: []string{"publishes private key material", "key leaky has d"},
			fix: "rotate",
		},
		{
			name: "JWKS with a symmetric key",
			inject: func(w *world, s *Target) {
				w.idp(issuer, func(p *idpState) { p.jwks = []byte(`{"keys":[{"kty":"oct","kid":"hs","k":"c2VjcmV0"}]}`) })
			},
			check: CheckJWKS, status: Fail, detail: []string{"key hs has k"},
		},
		{
			name: "redirect_uri mismatch",
			also: []string{CheckOAuthAuthorize},
			inject: func(w *world, s *Target) {
				w.hub(s.Host, func(h *hubState) {
					h.login = authorizeURL(issuer+"/protocol/openid-connect/auth", s.Auth.ClientID, "http://hub.alpha.example.org/hub/oauth_callback")
				})
			},
			check: CheckOAuthLogin, status: Fail,
			detail: []string{"redirect_uri=http://hub.alpha.example.org/hub/oauth_callback", "callback is https://hub.alpha.example.org/hub/oauth_callback", "Invalid parameter: redirect_uri"},
			fix:    "oauth_callback_url to https://hub.alpha.example.org/hub/oauth_callback",
		},
		{
			name: "redirect_uri not registered at the provider",
			inject: func(w *world, s *Target) {
				w.idp(issuer, func(p *idpState) {
					p.clients[s.Auth.ClientID] = []string{"https://old-hub.example.org/hub/oauth_callback"}
				})
			},
			check: CheckOAuthAuthorize, status: Fail,
			detail: []string{"the provider refuses redirect_uri https://hub.alpha.example.org/hub/oauth_callback for client hub-alpha", "Invalid parameter: redirect_uri"},
			fix:    "register https://hub.alpha.example.org/hub/oauth_callback as a redirect URI of client hub-alpha",
		},
		{
			name:   "client unknown to the provider",
			inject: func(w *world, s *Target) { w.idp(issuer, func(p *idpState) { delete(p.clients, s.Auth.ClientID) }) },
			check:  CheckOAuthAuthorize, status: Fail, detail: []string{"the provider does not know client hub-alpha", "Client not found"},
		},
		{
			name: "client_id mismatch",
			also: []string{CheckOAuthAuthorize},
			inject: func(w *world, s *Target) {
				w.hub(s.Host, func(h *hubState) {
					h.login = authorizeURL(issuer+"/protocol/openid-connect/auth", "someone-else", s.CallbackURL())
				})
			},
			check: CheckOAuthLogin, status: Fail, detail: []string{`client_id="someone-else"`, `registered as "hub-alpha"`},
		},
		{
			name:   "hub not using OAuth",
			also:   []string{CheckOAuthAuthorize},
			inject: func(w *world, s *Target) { w.hub(s.Host, func(h *hubState) { h.login = "" }) },
			check:  CheckOAuthLogin, status: Fail, detail: []string{"returned 200, not a redirect"},
		},
		{
			name: "hung endpoint bounded by the timeout",
			inject: func(w *world, s *Target) {
				w.hub(s.Host, func(h *hubState) { h.hang["/hub/health"] = true })
			},
			timeout: 300 * time.Millisecond,
			check:   CheckHubHealth, status: Fail, detail: []string{"no answer from https://hub.alpha.example.org/hub/health within 300ms"},
			wantErrIs: context.DeadlineExceeded,
		},
		{
			name: "TLS terminator hangs in the handshake",
			also: tlsCascade,
			inject: func(w *world, s *Target) {
				w.mu.Lock()
				w.silent[s.Host] = true
				w.mu.Unlock()
			},
			timeout: 300 * time.Millisecond,
			check:   CheckTLS, status: Fail, detail: []string{"TLS handshake with hub.alpha.example.org:443 did not finish within 300ms"},
			wantErrIs: context.DeadlineExceeded,
		},
		{
			name: "nothing listens on the hub's address",
			also: append([]string{CheckTLS}, tlsCascade...),
			inject: func(w *world, s *Target) {
				w.mu.Lock()
				w.down[s.Host] = true
				w.mu.Unlock()
			},
			check: CheckHubHealth, status: Fail, detail: []string{"connection to https://hub.alpha.example.org/hub/health refused"},
			fix: "check proxy-public",
		},
		{
			name: "identity provider unreachable",
			also: []string{CheckJWKS, CheckOAuthLogin, CheckOAuthAuthorize},
			inject: func(w *world, s *Target) {
				w.mu.Lock()
				w.down["aai.egi.example.org"] = true
				w.mu.Unlock()
			},
			check: CheckOIDCDiscovery, status: Fail, detail: []string{"connection to https://aai.egi.example.org/auth/realms/egi/.well-known/openid-configuration refused"},
			fix: "the identity provider is unreachable",
		},
		{
			name: "Azure common tenant",
			also: []string{CheckJWKS, CheckOAuthLogin},
			inject: func(w *world, s *Target) {
				s.Auth = Auth{Provider: ProviderAzureAD, Issuer: "https://login.microsoftonline.com/common/v2.0", ClientID: "hub-alpha"}
			},
			check: CheckOIDCDiscovery, status: Fail, detail: []string{`"common" tenant`, "{tenantid}"}, fix: "real tenant id",
		},
		{
			name: "Azure discovery with literal tenantid issuer",
			inject: func(w *world, s *Target) {
				w.idp(issuer, func(p *idpState) { p.discovery["issuer"] = "https://login.microsoftonline.com/{tenantid}/v2.0" })
			},
			check: CheckOIDCDiscovery, status: Fail, detail: []string{"literal https://login.microsoftonline.com/{tenantid}/v2.0"},
		},
		{
			name: "Cognito issuer on the user-pool domain",
			also: []string{CheckJWKS, CheckOAuthLogin},
			inject: func(w *world, s *Target) {
				s.Auth = Auth{Provider: ProviderCognito, Issuer: "https://hubs.auth.eu-west-1.amazoncognito.com", ClientID: "hub-alpha"}
			},
			check: CheckOIDCDiscovery, status: Fail, detail: []string{"is the Cognito user-pool domain", "cognito-idp.<region>.amazonaws.com/<poolId>"},
		},
		{
			name: "Cognito authorize on the issuer host",
			also: []string{CheckOAuthAuthorize},
			inject: func(w *world, s *Target) {
				iss := "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf"
				w.addIdP(iss, "https://hubs.auth.eu-west-1.amazoncognito.com/oauth2/authorize")
				s.Auth = Auth{Provider: ProviderCognito, Issuer: iss, ClientID: "hub-alpha", AuthorizeHost: "hubs.auth.eu-west-1.amazoncognito.com"}
				w.hub(s.Host, func(h *hubState) {
					h.login = authorizeURL("https://cognito-idp.eu-west-1.amazonaws.com/oauth2/authorize", "hub-alpha", s.CallbackURL())
				})
			},
			check: CheckOAuthLogin, status: Fail, detail: []string{"Cognito authorizes on the user-pool domain"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			site := egiSite("alpha")
			w.addSite(site, "203.0.113.10")
			tc.inject(w, &site)
			opts := w.options()
			if tc.timeout > 0 {
				opts.CheckTimeout = tc.timeout
			}
			v := New(opts)
			defer v.Close()
			rs := v.VerifySite(context.Background(), site)
			for _, o := range rs {
				if o.Check != tc.check && o.Status != Pass && !slices.Contains(tc.also, o.Check) {
					t.Errorf("the fault also takes down %s: %s %s", o.Check, o.Status, o.Detail)
				}
			}
			r := find(t, rs, tc.check)
			if r.Status != tc.status {
				t.Fatalf("%s: status %s, want %s: %s", tc.check, r.Status, tc.status, r.Detail)
			}
			for _, d := range tc.detail {
				if !strings.Contains(r.Detail, d) {
					t.Errorf("%s detail %q lacks %q", tc.check, r.Detail, d)
				}
			}
			if !strings.Contains(r.Fix, tc.fix) {
				t.Errorf("%s fix %q lacks %q", tc.check, r.Fix, tc.fix)
			}
			if tc.wantErrIs != nil && !errors.Is(r.Err, tc.wantErrIs) {
				t.Errorf("%s err = %v, want %v", tc.check, r.Err, tc.wantErrIs)
			}
			// No output may carry the OAuth state the hub put in its redirect.
			var out strings.Builder
			for _, write := range []func(io.Writer, []Result) error{WriteJSON, WriteTable, WriteMarkdown} {
				if err := write(&out, rs); err != nil {
					t.Fatal(err)
				}
			}
			if strings.Contains(out.String(), "c2VjcmV0LXN0YXRl") {
				t.Errorf("the output leaks the OAuth state:\n%s", out.String())
			}
		})
	}
}
