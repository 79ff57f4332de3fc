package verify

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"syscall"

	"github.com/Masterminds/semver/v3"
)

// maxBody bounds what is read from any endpoint.
const maxBody = 1 << 20

// endpoint says whose endpoint could not be reached, for the fix hint.
type endpoint int

const (
	hubEndpoint endpoint = iota
	providerEndpoint
)

// connFailure explains why an endpoint could not be reached.
func (v *Verifier) connFailure(ctx context.Context, where string, kind endpoint, err error) Result {
	var (
		dnsErr  *net.DNSError
		certErr *tls.CertificateVerificationError
		hostErr x509.HostnameError
		uaErr   x509.UnknownAuthorityError
		invErr  x509.CertificateInvalidError
	)
	unreachable := "check proxy-public (or the Ingress) and the proxy pod"
	hangs := "the endpoint hangs: check the pod behind it and any NetworkPolicy or firewall dropping traffic"
	badCert := "fix the certificate (see the tls check)"
	if kind == providerEndpoint {
		unreachable = "the identity provider is unreachable: check its status page and the issuer URL"
		hangs = "the identity provider does not answer: check its status and any egress firewall"
		badCert = "the identity provider's certificate is not trusted from here: check the issuer URL and the CA bundle"
	}
	switch {
	case timedOut(ctx, err):
		return fail(fmt.Sprintf("no answer from %s within %s", where, v.opts.CheckTimeout), hangs, err)
	case errors.As(err, &dnsErr) && v.resolverDown(ctx, dnsErr):
		r, _ := v.withoutResolver(ctx, err)
		return r
	case errors.As(err, &dnsErr):
		fix := "see the dns check"
		if kind == providerEndpoint {
			fix = "check the issuer URL's host name"
		}
		return fail(fmt.Sprintf("cannot resolve %s: %s", dnsErr.Name, dnsErr.Err), fix, err)
	case errors.As(err, &certErr), errors.As(err, &hostErr), errors.As(err, &uaErr), errors.As(err, &invErr):
		what := "the TLS certificate is not trusted (see the tls check)"
		if kind == providerEndpoint {
			what = "the identity provider's TLS certificate is not trusted: " + clip(err.Error(), 100)
		}
		return fail(fmt.Sprintf("%s: %s", where, what), badCert, err)
	case errors.Is(err, syscall.ECONNREFUSED):
		return fail(fmt.Sprintf("connection to %s refused: nothing listens there", where), unreachable, err)
	default:
		return fail(fmt.Sprintf("cannot reach %s: %s", where, clip(err.Error(), 120)), unreachable, err)
	}
}

// get fetches u without following redirects and reads at most maxBody.
func (v *Verifier) get(ctx context.Context, u string) (*http.Response, []byte, error) {
	return v.getAccept(ctx, u, "application/json")
}

// getAccept is get with an Accept header.
func (v *Verifier) getAccept(ctx context.Context, u, accept string) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("build request for %s: %w", redact(u), err)
	}
	req.Header.Set("User-Agent", v.opts.UserAgent)
	req.Header.Set("Accept", accept)
	resp, err := v.http.Do(req)
	if err != nil {
		// *url.Error repeats the URL, query (state, tokens) included.
		var ue *url.Error
		if errors.As(err, &ue) {
			ue.URL = redact(ue.URL)
		}
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return resp, nil, fmt.Errorf("read %s: %w", redact(u), err)
	}
	return resp, body, nil
}

// redact drops the query of a URL (it may carry state or tokens).
func redact(u string) string {
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		return u[:i]
	}
	return u
}

func (s *siteRun) checkHubHealth(ctx context.Context) Result {
	u := s.t.URL("hub/health")
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(info httptrace.GotConnInfo) {
			// A fresh TLS connection's state spares the tls check a
			// handshake; a reused one may predate a certificate change.
			if tc, ok := info.Conn.(*tls.Conn); ok && !info.Reused {
				st := tc.ConnectionState()
				s.hubConn.set(&st, true, "")
				return
			}
			s.hubConn.set(nil, false, "reused connection")
		},
	})
	resp, _, err := s.v.get(ctx, u)
	if err != nil {
		return s.v.connFailure(ctx, u, hubEndpoint, err)
	}
	switch {
	case resp.StatusCode == http.StatusOK:
		return pass("GET " + u + " 200")
	case resp.StatusCode >= 500:
		return fail(fmt.Sprintf("GET %s returned %d: the proxy answers but the hub is down", u, resp.StatusCode),
			fmt.Sprintf("kubectl -n %s logs deploy/hub (and describe it)", s.t.Namespace), nil)
	case resp.StatusCode == http.StatusNotFound:
		return fail(fmt.Sprintf("GET %s returned 404: no hub at this base URL", u),
			"check hub.baseUrl matches the site's base URL and that the host routes to proxy-public", nil)
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		return fail(fmt.Sprintf("GET %s redirects (%d) to %s instead of answering", u, resp.StatusCode, redact(resp.Header.Get("Location"))),
			"check hub.baseUrl matches the site's base URL (and that nothing in front rewrites the path)", nil)
	default:
		return fail(fmt.Sprintf("GET %s returned %d, want 200", u, resp.StatusCode),
			"check what answers on this host (an ingress default backend?)", nil)
	}
}

func (s *siteRun) checkHubVersion(ctx context.Context) Result {
	u := s.t.URL("hub/api/")
	resp, body, err := s.v.get(ctx, u)
	if err != nil {
		return s.v.connFailure(ctx, u, hubEndpoint, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fail(fmt.Sprintf("GET %s returned %d, want 200 with the JupyterHub version", u, resp.StatusCode),
			"see the hub-health check", nil)
	}
	var api struct {
		Version string `json:"version"`
	}
	if err := json.Unmarshal(body, &api); err != nil || api.Version == "" {
		return fail(fmt.Sprintf("GET %s did not return a JupyterHub version", u),
			"check that this host serves JupyterHub", err)
	}
	want := s.t.JupyterHubVersion
	if want == "" {
		return pass("JupyterHub " + api.Version + " (no expected version given)")
	}
	if !sameVersion(api.Version, want) && s.t.HubImage != "" {
		return warn(fmt.Sprintf("the hub runs JupyterHub %s, the chart just rendered ships %s, and the site runs its own hub image %s", api.Version, want, s.t.HubImage),
			"nothing, if "+s.t.HubImage+" is meant to run JupyterHub "+api.Version+"; else rebuild it on JupyterHub "+want)
	}
	if !sameVersion(api.Version, want) && s.t.OwnChart != "" {
		return warn(fmt.Sprintf("the hub runs JupyterHub %s, the z2jh chart vendored by the operator's chart %s ships %s, and %s's own values may set a hub image of their own (2i2c's basehub does)", api.Version, s.t.OwnChart, want, s.t.OwnChart),
			fmt.Sprintf("nothing, if %s's hub image is meant to run JupyterHub %s; set the image in the site (spec.values at the chart's jupyterhub path, hub.image) for verify to name it", s.t.OwnChart, api.Version))
	}
	if !sameVersion(api.Version, want) {
		return fail(fmt.Sprintf("the hub runs JupyterHub %s but the chart just rendered ships %s", api.Version, want),
			"the upgrade has not rolled out (see the helmrelease check) or hub.image overrides the chart's image", nil)
	}
	return pass("JupyterHub " + api.Version)
}

func sameVersion(got, want string) bool {
	if got == want {
		return true
	}
	g, err1 := semver.NewVersion(got)
	w, err2 := semver.NewVersion(want)
	return err1 == nil && err2 == nil && g.Equal(w)
}

func (s *siteRun) checkDaskGateway(ctx context.Context) Result {
	u := s.t.URL("services/dask-gateway/api/health")
	resp, body, err := s.v.get(ctx, u)
	if err != nil {
		return s.v.connFailure(ctx, u, hubEndpoint, err)
	}
	var h struct {
		Status string `json:"status"`
	}
	_ = json.Unmarshal(body, &h) // a non-JSON body is judged by its status code below
	switch {
	case resp.StatusCode == http.StatusOK && h.Status == "pass":
		return pass("dask-gateway reports pass")
	case resp.StatusCode == http.StatusNotFound:
		return fail(fmt.Sprintf("GET %s returned 404: the hub does not proxy the dask-gateway service", u),
			"check the daskhub glue (hub.extraConfig 00-add-dask-gateway-values registers the dask-gateway service) and gateway.prefix: /services/dask-gateway", nil)
	case resp.StatusCode == http.StatusServiceUnavailable || resp.StatusCode == http.StatusBadGateway || resp.StatusCode == http.StatusGatewayTimeout:
		detail := fmt.Sprintf("GET %s returned %d", u, resp.StatusCode)
		if h.Status != "" {
			detail += fmt.Sprintf(" with status %q: dask-gateway is unhealthy", h.Status)
		} else {
			detail += ": the proxy cannot reach dask-gateway"
		}
		return fail(detail,
			fmt.Sprintf("kubectl -n %s get pods -l app.kubernetes.io/name=dask-gateway; check NetworkPolicies allow the hub and user pods to reach traefik-<release>-dask-gateway", s.t.Namespace), nil)
	default:
		return fail(fmt.Sprintf("GET %s returned %d with status %q, want 200 pass", u, resp.StatusCode, h.Status),
			fmt.Sprintf("kubectl -n %s logs -l app.kubernetes.io/component=gateway", s.t.Namespace), nil)
	}
}

func (s *siteRun) checkOAuthLogin(ctx context.Context) Result {
	u := s.t.URL("hub/oauth_login")
	resp, _, err := s.v.get(ctx, u)
	if err != nil {
		return s.v.connFailure(ctx, u, hubEndpoint, err)
	}
	if resp.StatusCode >= 500 {
		return fail(fmt.Sprintf("GET %s returned %d: the hub cannot answer", u, resp.StatusCode),
			"see the hub-health check first", nil)
	}
	if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusTemporaryRedirect {
		return fail(fmt.Sprintf("GET %s returned %d, not a redirect to the identity provider", u, resp.StatusCode),
			"check hub.config.JupyterHub.authenticator_class is the OAuth authenticator for "+string(s.t.Auth.Provider), nil)
	}
	loc, err := resp.Location()
	if err != nil {
		return fail(fmt.Sprintf("GET %s redirected without a usable Location", u), "", err)
	}
	s.login.set(loc, true, "")
	var discovered string
	if s.disc.ok {
		discovered = s.disc.val.AuthorizationEndpoint
	}
	return judgeOAuthRedirect(loc, discovered, s.t)
}

// judgeOAuthRedirect checks where /hub/oauth_login sends the browser.
func judgeOAuthRedirect(loc *url.URL, authorizeEndpoint string, t Target) Result {
	got := redact(loc.String())
	if strings.HasPrefix(loc.Host, "cognito-idp.") {
		return fail(fmt.Sprintf("the hub sends users to %s, but Cognito authorizes on the user-pool domain (<prefix>.auth.<region>.amazoncognito.com/oauth2/authorize), not on the cognito-idp issuer host", got),
			"set authorize_url (and token_url, userdata_url) to the user-pool domain's /oauth2/ endpoints", nil)
	}
	if authorizeEndpoint != "" {
		if got != redact(authorizeEndpoint) {
			return fail(fmt.Sprintf("the hub sends users to %s but the provider's authorization_endpoint is %s", got, authorizeEndpoint),
				"set the authenticator's authorize_url to "+authorizeEndpoint, nil)
		}
	} else if t.Auth.AuthorizeHost != "" && loc.Host != t.Auth.AuthorizeHost {
		return fail(fmt.Sprintf("the hub sends users to %s, expected host %s", got, t.Auth.AuthorizeHost),
			"set the authenticator's authorize_url to the provider's authorization endpoint", nil)
	}
	q := loc.Query()
	if id := q.Get("client_id"); id != t.Auth.ClientID {
		return fail(fmt.Sprintf("the hub sends client_id=%q, the site is registered as %q", id, t.Auth.ClientID),
			"set the authenticator's client_id to "+t.Auth.ClientID, nil)
	}
	want := t.CallbackURL()
	if ru := q.Get("redirect_uri"); ru != want {
		return fail(fmt.Sprintf("the hub sends redirect_uri=%s but this site's callback is %s: the provider will refuse it (Keycloak \"Invalid parameter: redirect_uri\", Cognito redirect_mismatch, Azure AADSTS50011)", ru, want),
			"set the authenticator's oauth_callback_url to "+want+" and register exactly that URL at the provider", nil)
	}
	detail := "redirects to " + got + " with client_id and redirect_uri " + want
	if authorizeEndpoint == "" {
		return warn(detail+", but the provider's authorization_endpoint is unknown to compare with", "see the oidc-discovery check")
	}
	return pass(detail)
}
