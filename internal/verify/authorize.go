package verify

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
)

// refusal is how a provider's authorization page says no. Distinctive
// wording counts on any page; generic error codes only on an error status,
// since a healthy login page may carry them in its scripts.
type refusal struct {
	marker   []byte
	anyPage  bool
	redirect bool // about the redirect_uri (else about the client)
}

var refusals = []refusal{
	{marker: []byte("Invalid parameter: redirect_uri"), anyPage: true, redirect: true}, // Keycloak (EGI Check-in)
	{marker: []byte("redirect_uri did not match"), anyPage: true, redirect: true},      // oidc-provider
	{marker: []byte("AADSTS50011"), anyPage: true, redirect: true},                     // Azure AD
	{marker: []byte("AADSTS700016"), anyPage: true},                                    // Azure AD: no such application
	{marker: []byte("Client not found"), anyPage: true},                                // Keycloak
	{marker: []byte("invalid_redirect_uri"), redirect: true},                           // oidc-provider
	{marker: []byte("redirect_mismatch"), redirect: true},                              // Cognito
	{marker: []byte("redirect_uri_mismatch"), redirect: true},                          // Google, GitHub
	{marker: []byte("invalid_client")},
	{marker: []byte("unauthorized_client")},
}

// checkAuthorize opens the provider's authorization page exactly as the
// hub's redirect asks, without logging in, to see whether the provider
// accepts this client_id and redirect_uri.
func (s *siteRun) checkAuthorize(ctx context.Context) Result {
	if !s.login.ok {
		return warn("not checked: the hub gave no authorization redirect to follow ("+s.login.why+")", "see the oauth-login check")
	}
	loc := s.login.val
	resp, body, err := s.v.getAccept(ctx, loc.String(), "text/html")
	if err != nil {
		return s.v.connFailure(ctx, redact(loc.String()), providerEndpoint, err)
	}
	var next *url.URL
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		next, _ = resp.Location() // nil when absent: judged by status
	}
	q := loc.Query()
	return judgeAuthorize(resp.StatusCode, next, body, q.Get("client_id"), q.Get("redirect_uri"))
}

// judgeAuthorize reads a provider's answer to an authorization request.
func judgeAuthorize(code int, next *url.URL, body []byte, clientID, redirectURI string) Result {
	register := fmt.Sprintf("register %s as a redirect URI of client %s at the provider (or fix the hub's oauth_callback_url)", redirectURI, clientID)
	if next != nil {
		nq := next.Query()
		switch e := nq.Get("error"); {
		case e == "redirect_mismatch":
			return fail(fmt.Sprintf("the provider refuses redirect_uri %s for client %s (redirect_mismatch)", redirectURI, clientID), register, nil)
		case e != "":
			return fail(fmt.Sprintf("the provider refuses the authorization request: error=%s %s", e, clip(nq.Get("error_description"), 120)),
				"check client "+clientID+" at the provider (enabled, allowed grant and scopes)", nil)
		}
		// Only the host: the path may carry a login-session id.
		return pass(fmt.Sprintf("the provider accepts client %s and redirect_uri %s (answered %d, on to its login at %s)", clientID, redirectURI, code, next.Host))
	}
	for _, r := range refusals {
		if !bytes.Contains(body, r.marker) || (!r.anyPage && code < 400) {
			continue
		}
		if r.redirect {
			return fail(fmt.Sprintf("the provider refuses redirect_uri %s for client %s (%q)", redirectURI, clientID, r.marker), register, nil)
		}
		return fail(fmt.Sprintf("the provider does not know client %s (%q)", clientID, r.marker),
			"register the client at the provider, or set the hub's client_id to the registered one", nil)
	}
	if code >= 400 {
		return fail(fmt.Sprintf("the provider answered %d to the authorization request", code),
			"open the hub's login in a browser to read the provider's error", nil)
	}
	if code != http.StatusOK && (code < 300 || code >= 400) {
		return warn(fmt.Sprintf("the provider answered %d to the authorization request", code), "")
	}
	return pass(fmt.Sprintf("the provider accepts client %s and redirect_uri %s (login page %d)", clientID, redirectURI, code))
}
