package verify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
)

// discovery is the part of an OpenID Provider's metadata the checks use.
type discovery struct {
	Issuer                  string   `json:"issuer"`
	AuthorizationEndpoint   string   `json:"authorization_endpoint"`
	TokenEndpoint           string   `json:"token_endpoint"`
	JWKSURI                 string   `json:"jwks_uri"`
	ResponseTypesSupported  []string `json:"response_types_supported"`
	SubjectTypesSupported   []string `json:"subject_types_supported"`
	IDTokenSigningAlgValues []string `json:"id_token_signing_alg_values_supported"`
}

// DiscoveryURL is where the issuer's metadata lives (OIDC Discovery 1.0 §4:
// the issuer without its trailing slash, then /.well-known/...).
func DiscoveryURL(issuer string) string {
	return strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
}

// azureMultiTenant are the Azure AD tenants whose discovery document holds
// the literal issuer ".../{tenantid}/v2.0".
var azureMultiTenant = []string{"common", "organizations", "consumers"}

func (s *siteRun) checkDiscovery(ctx context.Context) Result {
	a := s.t.Auth
	iu, _ := url.Parse(a.Issuer) // validated by Target.Validate
	if r, bad := issuerQuirk(a, iu); bad {
		return r
	}
	u := DiscoveryURL(a.Issuer)
	code, body, err := s.providers.get(ctx, s.v, u)
	if err != nil {
		return s.v.connFailure(ctx, u, providerEndpoint, err)
	}
	if code != http.StatusOK {
		fix := "check the issuer URL: " + a.Issuer
		if a.Provider == ProviderEGICheckin {
			fix = "EGI Check-in issuers look like https://aai.egi.eu/auth/realms/egi (aai-demo / aai-dev for the test instances)"
		}
		return fail(fmt.Sprintf("GET %s returned %d: no OpenID provider metadata at this issuer", u, code), fix, nil)
	}
	var raw map[string]json.RawMessage
	var d discovery
	if err := json.Unmarshal(body, &raw); err != nil {
		return fail(fmt.Sprintf("%s is not JSON", u), "check the issuer URL", err)
	}
	if err := json.Unmarshal(body, &d); err != nil {
		return fail(fmt.Sprintf("%s has fields of the wrong type", u), "check the provider", err)
	}
	required := []string{"issuer", "authorization_endpoint", "jwks_uri", "response_types_supported",
		"subject_types_supported", "id_token_signing_alg_values_supported"}
	if !implicitOnly(d.ResponseTypesSupported) {
		required = append(required, "token_endpoint")
	}
	var missing []string
	for _, f := range required {
		if v, ok := raw[f]; !ok || string(v) == "null" || string(v) == `""` || string(v) == "[]" {
			missing = append(missing, f)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return fail(fmt.Sprintf("the discovery document at %s lacks required field(s): %s", u, strings.Join(missing, ", ")),
			"fix the provider's configuration (OpenID Connect Discovery 1.0 §3)", nil)
	}
	// The document is the provider's: JWKS and oauth-login can use it even
	// when the issuer comparison below fails (that failure is reported here).
	s.disc.set(&d, true, "")
	if strings.Contains(d.Issuer, "{tenantid}") {
		return fail(fmt.Sprintf("the provider's issuer is the literal %s: this is Azure AD's multi-tenant (common) endpoint, whose issuer no token carries", d.Issuer),
			"configure the site with its real Azure AD tenant id instead of common", nil)
	}
	if d.Issuer != a.Issuer {
		if strings.TrimSuffix(d.Issuer, "/") == strings.TrimSuffix(a.Issuer, "/") {
			return fail(fmt.Sprintf("issuer mismatch by a trailing slash: the provider says %q, the hub is configured with %q; OIDC compares issuers exactly", d.Issuer, a.Issuer),
				fmt.Sprintf("set the issuer to exactly %q", d.Issuer), nil)
		}
		return fail(fmt.Sprintf("issuer mismatch: the provider at %s says %q, the hub is configured with %q", u, d.Issuer, a.Issuer),
			fmt.Sprintf("set the issuer to exactly %q, or point the hub at the right provider", d.Issuer), nil)
	}
	au, err := url.Parse(d.AuthorizationEndpoint)
	if err != nil || au.Scheme != "https" {
		return fail(fmt.Sprintf("authorization_endpoint %q is not an https URL", d.AuthorizationEndpoint), "fix the provider's configuration", err)
	}
	if a.AuthorizeHost != "" && au.Host != a.AuthorizeHost {
		return fail(fmt.Sprintf("the provider authorizes on %s, the site expects %s", au.Host, a.AuthorizeHost),
			"correct the site's authorize host or the provider", nil)
	}
	return pass(fmt.Sprintf("issuer %s, authorize at %s", d.Issuer, d.AuthorizationEndpoint))
}

// issuerQuirk catches provider-specific issuer mistakes before fetching.
func issuerQuirk(a Auth, iu *url.URL) (Result, bool) {
	switch a.Provider {
	case ProviderAzureAD:
		parts := strings.Split(strings.Trim(iu.Path, "/"), "/")
		if len(parts) > 0 && slices.Contains(azureMultiTenant, parts[0]) {
			return fail(fmt.Sprintf("the issuer uses the Azure AD %q tenant, whose discovery returns the literal issuer https://login.microsoftonline.com/{tenantid}/v2.0 that no token matches", parts[0]),
				"configure the real tenant id: https://login.microsoftonline.com/<tenant-id>/v2.0 and AzureAdOAuthenticator.tenant_id", nil), true
		}
	case ProviderCognito:
		if strings.HasSuffix(iu.Host, ".amazoncognito.com") {
			return fail(fmt.Sprintf("the issuer %s is the Cognito user-pool domain; Cognito's issuer is https://cognito-idp.<region>.amazonaws.com/<poolId> (the user-pool domain only serves /oauth2/authorize and /oauth2/token)", a.Issuer),
				"set the issuer to https://cognito-idp.<region>.amazonaws.com/<poolId> and keep authorize_url on the user-pool domain", nil), true
		}
	}
	return Result{}, false
}

func implicitOnly(types []string) bool {
	if len(types) == 0 {
		return false
	}
	for _, t := range types {
		if slices.Contains(strings.Fields(t), "code") {
			return false
		}
	}
	return true
}

// privateMembers are JWK members that only private or symmetric keys have.
var privateMembers = []string{"d", "p", "q", "dp", "dq", "qi", "k"}

func (s *siteRun) checkJWKS(ctx context.Context) Result {
	if !s.disc.ok {
		return fail("cannot fetch the JWKS: the discovery document is unusable ("+s.disc.why+")", "see the oidc-discovery check", nil)
	}
	u := s.disc.val.JWKSURI
	code, body, err := s.providers.get(ctx, s.v, u)
	if err != nil {
		return s.v.connFailure(ctx, u, providerEndpoint, err)
	}
	if code != http.StatusOK {
		return fail(fmt.Sprintf("GET %s returned %d", u, code), "check the provider's jwks_uri", nil)
	}
	return judgeJWKS(u, body)
}

// judgeJWKS parses a key set and refuses private key material. It names
// the offending members, never their values.
func judgeJWKS(u string, body []byte) Result {
	var raw struct {
		Keys []map[string]json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return fail(fmt.Sprintf("the JWKS at %s is not a JSON key set", u), "check the provider's jwks_uri", err)
	}
	if len(raw.Keys) == 0 {
		return fail(fmt.Sprintf("the JWKS at %s holds no keys: no token can be verified", u), "check the provider's signing keys", nil)
	}
	var leaks []string
	for i, k := range raw.Keys {
		var found []string
		for _, m := range privateMembers {
			if _, ok := k[m]; ok {
				found = append(found, m)
			}
		}
		if len(found) > 0 {
			var kid string
			_ = json.Unmarshal(k["kid"], &kid) // a missing kid is named by index
			if kid == "" {
				kid = fmt.Sprintf("#%d", i)
			}
			leaks = append(leaks, fmt.Sprintf("key %s has %s", kid, strings.Join(found, ",")))
		}
	}
	if len(leaks) > 0 {
		return fail(fmt.Sprintf("the JWKS at %s publishes private key material (%s)", u, strings.Join(leaks, "; ")),
			"treat the key as compromised: rotate it and publish only public members", nil)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(body, &set); err != nil {
		return fail(fmt.Sprintf("the JWKS at %s does not parse: %s", u, clip(err.Error(), 100)), "check the provider's signing keys", err)
	}
	for _, k := range set.Keys {
		if !k.Valid() || !k.IsPublic() {
			return fail(fmt.Sprintf("the JWKS at %s holds an invalid or non-public key %q", u, k.KeyID), "check the provider's signing keys", nil)
		}
	}
	return pass(fmt.Sprintf("%d public key(s)", len(set.Keys)))
}
