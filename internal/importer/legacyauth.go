package importer

import (
	"slices"
	"strings"
)

// legacyAuthClasses and legacyAuthKeys are z2jh's own map from the auth:
// block of charts before 0.11 to hub.config (the chart's
// jupyterhub.authDep.classKeyToLong and remapOldToNew maps, which z2jh
// 0.11 to 1.x printed when it refused the old block). z2jh 4 refuses the
// block outright (its values schema has no auth: key), so a hub still
// written that way gets its login from hub.config, read exactly as z2jh
// migrated it.
var legacyAuthClasses = map[string]string{
	"google": "google", "github": "github", "cilogon": "cilogon", "gitlab": "gitlab",
	"azuread": "azuread", "mediawiki": "mediawiki", "globus": "globus",
	"hmac": "hmacauthenticator.HMACAuthenticator", "dummy": "dummy",
	"tmp": "tmpauthenticator.TmpAuthenticator", "lti": "ltiauthenticator.LTIAuthenticator",
	"ldap": "ldapauthenticator.LDAPAuthenticator",
}

var legacyAuthKeys = map[string]string{
	"scopes":                          "OAuthenticator.scope",
	"state.enabled":                   "Authenticator.enable_auth_state",
	"state.cryptoKey":                 "CryptKeeper.keys",
	"admin.access":                    "JupyterHub.admin_access",
	"admin.users":                     "Authenticator.admin_users",
	"whitelist.users":                 "Authenticator.allowed_users",
	"allowedUsers":                    "Authenticator.allowed_users",
	"google.clientId":                 "GoogleOAuthenticator.client_id",
	"google.clientSecret":             "GoogleOAuthenticator.client_secret",
	"google.callbackUrl":              "GoogleOAuthenticator.oauth_callback_url",
	"google.hostedDomain":             "GoogleOAuthenticator.hosted_domain",
	"google.loginService":             "GoogleOAuthenticator.login_service",
	"github.clientId":                 "GitHubOAuthenticator.client_id",
	"github.clientSecret":             "GitHubOAuthenticator.client_secret",
	"github.callbackUrl":              "GitHubOAuthenticator.oauth_callback_url",
	"github.orgWhitelist":             "GitHubOAuthenticator.allowed_organizations",
	"github.allowedOrganizations":     "GitHubOAuthenticator.allowed_organizations",
	"cilogon.clientId":                "CILogonOAuthenticator.client_id",
	"cilogon.clientSecret":            "CILogonOAuthenticator.client_secret",
	"cilogon.callbackUrl":             "CILogonOAuthenticator.oauth_callback_url",
	"gitlab.clientId":                 "GitLabOAuthenticator.client_id",
	"gitlab.clientSecret":             "GitLabOAuthenticator.client_secret",
	"gitlab.callbackUrl":              "GitLabOAuthenticator.oauth_callback_url",
	"gitlab.gitlabGroupWhitelist":     "GitLabOAuthenticator.allowed_gitlab_groups",
	"gitlab.allowedGitlabGroups":      "GitLabOAuthenticator.allowed_gitlab_groups",
	"gitlab.gitlabProjectIdWhitelist": "GitLabOAuthenticator.allowed_project_ids",
	"gitlab.allowedProjectIds":        "GitLabOAuthenticator.allowed_project_ids",
	"gitlab.gitlabUrl":                "GitLabOAuthenticator.gitlab_url",
	"azuread.clientId":                "AzureAdOAuthenticator.client_id",
	"azuread.clientSecret":            "AzureAdOAuthenticator.client_secret",
	"azuread.callbackUrl":             "AzureAdOAuthenticator.oauth_callback_url",
	"azuread.tenantId":                "AzureAdOAuthenticator.tenant_id",
	"azuread.usernameClaim":           "AzureAdOAuthenticator.username_claim",
	"mediawiki.clientId":              "MWOAuthenticator.client_id",
	"mediawiki.clientSecret":          "MWOAuthenticator.client_secret",
	"mediawiki.callbackUrl":           "MWOAuthenticator.oauth_callback_url",
	"mediawiki.indexUrl":              "MWOAuthenticator.index_url",
	"globus.clientId":                 "GlobusOAuthenticator.client_id",
	"globus.clientSecret":             "GlobusOAuthenticator.client_secret",
	"globus.callbackUrl":              "GlobusOAuthenticator.oauth_callback_url",
	"hmac.secretKey":                  "HMACAuthenticator.secret_key",
	"dummy.password":                  "DummyAuthenticator.password",
	"lti.consumers":                   "LTIAuthenticator.consumers",
	"ldap.server.address":             "LDAPAuthenticator.server_address",
	"ldap.server.port":                "LDAPAuthenticator.server_port",
	"ldap.server.ssl":                 "LDAPAuthenticator.use_ssl",
	"ldap.allowedGroups":              "LDAPAuthenticator.allowed_groups",
	"ldap.dn.templates":               "LDAPAuthenticator.bind_dn_template",
	"ldap.dn.lookup":                  "LDAPAuthenticator.lookup_dn",
	"ldap.dn.search.filter":           "LDAPAuthenticator.lookup_dn_search_filter",
	"ldap.dn.search.user":             "LDAPAuthenticator.lookup_dn_search_user",
	"ldap.dn.search.password":         "LDAPAuthenticator.lookup_dn_search_password",
	"ldap.dn.user.dnAttribute":        "LDAPAuthenticator.lookup_dn_user_dn_attribute",
	"ldap.dn.user.escape":             "LDAPAuthenticator.escape_userdn",
	"ldap.dn.user.validRegex":         "LDAPAuthenticator.valid_username_regex",
	"ldap.dn.user.searchBase":         "LDAPAuthenticator.user_search_base",
	"ldap.dn.user.attribute":          "LDAPAuthenticator.user_attribute",
	"ldap.dn.user.useLookupName":      "LDAPAuthenticator.use_lookup_dn_username",
}

// legacyMove is one value of an old auth: block and where z2jh's
// migration puts it: from is under auth:, to under hub.config.
type legacyMove struct {
	from, to Path
	value    any
}

// legacyAuth reads an old auth: block as z2jh's migration did: the moves
// into hub.config (the authenticator class first, then every value it
// knows, custom.config's keys under the custom class's own section), and
// the leaves it has no place for.
func legacyAuth(auth map[string]any) (moves []legacyMove, unknown []Leaf) {
	typ, _ := auth["type"].(string)
	custom, _ := auth["custom"].(map[string]any)
	switch {
	case typ == "custom":
		class, _ := custom["className"].(string)
		if class == "" {
			unknown = append(unknown, Leaf{Path: Path{"type"}, Value: typ})
			break
		}
		moves = append(moves, legacyMove{from: Path{"custom", "className"}, to: Path{"JupyterHub", "authenticator_class"}, value: class})
		section := class[strings.LastIndex(class, ".")+1:]
		cfg, _ := custom["config"].(map[string]any)
		for _, k := range sortedKeys(cfg) {
			moves = append(moves, legacyMove{from: Path{"custom", "config", k}, to: Path{section, k}, value: cfg[k]})
		}
		if len(cfg) == 0 && custom["config"] != nil {
			unknown = append(unknown, Leaf{Path: Path{"custom", "config"}, Value: custom["config"]})
		}
	case typ != "":
		long, ok := legacyAuthClasses[typ]
		if !ok {
			unknown = append(unknown, Leaf{Path: Path{"type"}, Value: typ})
			break
		}
		moves = append(moves, legacyMove{from: Path{"type"}, to: Path{"JupyterHub", "authenticator_class"}, value: long})
	}
	rest := map[string]any{}
	for k, v := range auth {
		if k != "type" && k != "custom" {
			rest[k] = v
		}
	}
	for _, l := range Leaves(rest) {
		to, ok := legacyAuthKeys[joinDots(l.Path)]
		if !ok {
			unknown = append(unknown, l)
			continue
		}
		cls, k, _ := strings.Cut(to, ".")
		v := l.Value
		if joinDots(l.Path) == "state.cryptoKey" {
			v = []any{v}
		}
		moves = append(moves, legacyMove{from: l.Path, to: Path{cls, k}, value: v})
	}
	if typ != "custom" {
		for _, l := range Leaves(map[string]any{"custom": custom}) {
			if len(custom) > 0 {
				unknown = append(unknown, l)
			}
		}
	}
	return moves, unknown
}

// withLegacyAuth returns z2jh values with an old auth: block folded into
// hub.config as z2jh's migration did (a value hub.config sets itself
// wins); values without one come back as they are.
func withLegacyAuth(jh map[string]any) map[string]any {
	auth, ok := jh["auth"].(map[string]any)
	if !ok {
		return jh
	}
	out := deepCopy(jh).(map[string]any)
	delete(out, "auth")
	moves, _ := legacyAuth(auth)
	for _, m := range moves {
		p := append(Path{"hub", "config"}, m.to...)
		if _, set := getPath(out, p); !set {
			setPath(out, p, deepCopy(m.value))
		}
	}
	return out
}

// legacyAuth moves an old auth: block (z2jh before 0.11) into hub.config,
// where the rest of import reads the login; every later line about a
// moved value names the operator's auth: path.
func (im *importer) legacyAuth() {
	base := Path{"jupyterhub", "auth"}
	raw, ok := getPath(im.v, base)
	if !ok {
		return
	}
	auth, isMap := raw.(map[string]any)
	if !isMap {
		im.take(base)
		im.note(Dropped, base, "not a map: the auth: block of z2jh before 0.11 is a map (z2jh 4 refuses any auth: key)")
		return
	}
	moves, unknown := legacyAuth(auth)
	var done []string
	for _, m := range moves {
		to := append(Path{"jupyterhub", "hub", "config"}, m.to...)
		from := append(slices.Clone(base), m.from...)
		if _, set := getPath(im.v, to); set {
			for _, l := range leavesAt(from, m.value) {
				im.note(Dropped, l, "the old auth: form of %s, which hub.config sets too: hub.config's value is the one kept", joinDots(to[1:]))
			}
			continue
		}
		setPath(im.v, to, deepCopy(m.value))
		im.renamed = renamedAdd(im.renamed, to, from)
		done = append(done, joinDots(from[1:])+" → "+joinDots(to[1:]))
	}
	for _, l := range unknown {
		im.note(Dropped, append(slices.Clone(base), l.Path...), "z2jh's own migration of the old auth: block has no place for it (z2jh 4 refuses the block): set it under hub.config.<the authenticator's class> if the hub needs it")
	}
	if typ, _ := auth["type"].(string); typ == "custom" && len(moves) > 0 {
		// The class is auth.custom.className's; type only said to read it.
		p := append(slices.Clone(base), "type")
		im.note(Typed, p, "spec.auth.provider: the class named in auth.custom.className (type custom)")
	}
	im.take(base)
	if len(done) > 0 {
		im.remark("auth: the login block of z2jh before 0.11, which z2jh 4 refuses: read as hub.config, as z2jh's own migration maps it (%s); the lines below name the auth: paths", strings.Join(done, ", "))
	}
}

// leavesAt lists the leaf paths of a value placed at p.
func leavesAt(p Path, v any) []Path {
	m, ok := v.(map[string]any)
	if !ok || len(m) == 0 {
		return []Path{p}
	}
	var out []Path
	for _, l := range Leaves(m) {
		out = append(out, append(slices.Clone(p), l.Path...))
	}
	return out
}

// renamedAdd records that the value now at to was written at from.
func renamedAdd(r map[string]Path, to, from Path) map[string]Path {
	if r == nil {
		r = map[string]Path{}
	}
	r[key(to)] = slices.Clone(from)
	return r
}

// renamedInput maps a path under a value legacyAuth moved back to the
// path the operator wrote (daskhub layout), or returns p.
func (im *importer) renamedInput(p Path) Path {
	for i := len(p); i > 0 && im.renamed != nil; i-- {
		if from, ok := im.renamed[key(p[:i])]; ok {
			return append(slices.Clone(from), p[i:]...)
		}
	}
	return p
}
