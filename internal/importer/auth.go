package importer

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/hubfleet/hubfleet/internal/site"
)

// AccessKeys are the authenticator settings that decide who may log in
// and who is admin. Import carries each over unchanged (typed or passed
// through); TestAccessNeverWidens compares them before and after.
var AccessKeys = []string{
	"admin_users", "allowed_users", "blocked_users", "allowed_groups", "admin_groups",
	"allow_all", "allow_existing_users", "allowed_organizations", "allowed_idps",
	"hosted_domain", "allowed_gitlab_groups", "allowed_project_ids", "allowed_scopes",
	"manage_groups", "auth_state_groups_key", "claim_groups_key", "auth0_domain",
	"gitlab_url", "tenant_id",
}

// listAccessKeys are the AccessKeys that are List or Set traits.
var listAccessKeys = []string{
	"admin_users", "allowed_users", "blocked_users", "allowed_groups", "admin_groups",
	"allowed_organizations", "hosted_domain", "allowed_gitlab_groups", "allowed_project_ids", "allowed_scopes",
}

// Access is the effective access settings of z2jh values: the
// authenticator class, and each access key as the authenticator reads it
// (traitlets: <Class> wins over OAuthenticator, which wins over
// Authenticator), as YAML-ish text. An unset key is absent; false and
// empty lists count as unset (they are the defaults).
func Access(jh map[string]any) map[string]string {
	out := map[string]string{}
	jh = withLegacyAuth(jh)
	class := fmt.Sprint(get(jh, "hub", "config", "JupyterHub", "authenticator_class"))
	if class == "<nil>" {
		class = "dummy" // z2jh's default
	}
	provider := site.ProviderOfClass(class)
	ac := site.ClassOf(&site.Auth{Provider: provider})
	if provider == "" {
		ac = site.ClassOf(&site.Auth{Provider: site.AuthCustom, Class: class})
		out["authenticator_class"] = class
	} else {
		out["authenticator_class"] = provider
	}
	sections := configSections(ac)
	for _, k := range AccessKeys {
		for _, sec := range sections {
			v, ok := getPath(jh, Path{"hub", "config", sec, k})
			if !ok {
				continue
			}
			if str, ok := v.(string); ok && str != "" && slices.Contains(listAccessKeys, k) {
				v = []any{str} // traitlets casts a string to a one-element list or set
			}
			if t := canonText(v); t != "" {
				out[k] = t
			}
			break
		}
	}
	return out
}

// configSections are the traitlets sections an authenticator class reads,
// most specific first. A class hubfleet has no type for reads
// OAuthenticator's section too when it is named as OAuthenticator's
// subclasses are (CanvasOAuthenticator, LocalGitHubOAuthenticator).
func configSections(ac site.AuthClass) []string {
	if ac.Class == "Authenticator" {
		return []string{"Authenticator"} // a class named by an entry point hubfleet does not know
	}
	sections := []string{ac.Class}
	if ac.OAuth || (ac.Class != "OAuthenticator" && strings.HasSuffix(ac.Class, "OAuthenticator")) {
		sections = append(sections, "OAuthenticator")
	}
	return append(sections, "Authenticator")
}

func get(m map[string]any, keys ...string) any {
	v, _ := getPath(m, keys)
	return v
}

// canonText writes a value so that equal settings compare equal: lists
// as sorted sets, maps with sorted keys; "" for unset-like values.
func canonText(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case bool:
		if !t {
			return ""
		}
		return "true"
	case []any:
		if len(t) == 0 {
			return ""
		}
		items := make([]string, len(t))
		for i, e := range t {
			items[i] = canonText(e)
		}
		slices.Sort(items)
		items = slices.Compact(items)
		return "[" + strings.Join(items, ", ") + "]"
	case map[string]any:
		if len(t) == 0 {
			return ""
		}
		var parts []string
		for _, k := range sortedKeys(t) {
			parts = append(parts, k+": "+canonText(t[k]))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(v)
}

var (
	egiHostRE  = regexp.MustCompile(`^aai(-demo|-dev)?\.egi\.eu$`)
	egiGroupRE = regexp.MustCompile(`^urn:mace:egi\.eu:group:([^:]+):role=([^#]+)#aai\.egi\.eu$`)
	cognitoRE  = regexp.MustCompile(`^([a-z0-9-]+)\.auth\.([a-z0-9-]+)\.amazoncognito\.com$`)
)

// cfgPath is the path of an authenticator setting.
func cfgPath(section, key string) Path {
	return Path{"jupyterhub", "hub", "config", section, key}
}

// unnamedLoginError is import's refusal to assume z2jh's default login
// (the dummy authenticator: anyone logs in) for values that set no
// authenticator_class but show that the hub runs another: values written
// for an operator's own chart (base or umbrella layout), whose own
// values.yaml may set it (UC Berkeley's hub chart sets its Canvas login
// there), or values that configure an authenticator's section in
// hub.config or in hub.extraConfig code (the class then sits in a file
// left out, often an encrypted one: hubploy's secrets/prod.yaml).
func (im *importer) unnamedLogin() error {
	p := cfgPath("JupyterHub", "authenticator_class")
	if v, ok := getPath(im.v, p); ok && v != nil && v != "" {
		return nil
	}
	var why, fix string
	for i := len(p) - 1; i >= 2; i-- {
		// A key set to nothing (config: with nothing under it) is null,
		// which deletes what an earlier file or the chart set there.
		if v, ok := getPath(im.v, p[:i]); ok && v == nil {
			return fmt.Errorf("the values set no %s: %s is null (a key with nothing under it), which deletes what the chart's values.yaml or an earlier file sets there, the login included (as helm does): import does not assume z2jh's default (the dummy authenticator: anyone logs in). Fix: remove the empty %s key from the file that has it, if the hub's login is the chart's; else give the file that sets the login (-f ...)",
				im.input(p), im.input(p[:i]), p[i-1])
		}
	}
	if k := im.layout.Kind; k == LayoutBase || k == LayoutUmbrella {
		why = fmt.Sprintf("they are written for the operator's own chart (layout %s), whose own values.yaml may set the login", im.layout.Flag())
		fix = "give the chart's values.yaml first (-f CHART/values.yaml -f ..., as helm merges it under yours)"
	} else if at, section := im.authenticatorConfigured(); at != nil {
		why = fmt.Sprintf("%s configures %s: the class is set in a file not given here (an encrypted secrets file?)", im.input(at), section)
		fix = "give that file too, in the owners' order (-f ...)"
	} else {
		return nil
	}
	return fmt.Errorf("the values set no %s, yet %s: import does not assume z2jh's default (the dummy authenticator: anyone logs in). Fix: %s; if the hub really lets anyone in, add a values file that says so (%s: dummy)",
		im.input(p), why, fix, im.input(p))
}

// codeAuthRE finds an authenticator class's settings in extraConfig code.
var codeAuthRE = regexp.MustCompile(`\bc\.([A-Za-z0-9_]+Authenticator)\.`)

// authenticatorConfigured finds a setting of an authenticator class other
// than the base Authenticator and DummyAuthenticator: a hub.config section
// or extraConfig code. It returns where, and the class.
func (im *importer) authenticatorConfigured() (Path, string) {
	other := func(c string) bool { return c != "Authenticator" && c != "DummyAuthenticator" }
	cfg, _ := getPath(im.v, Path{"jupyterhub", "hub", "config"})
	if m, ok := cfg.(map[string]any); ok {
		for _, k := range sortedKeys(m) {
			if strings.HasSuffix(k, "Authenticator") && other(k) {
				return Path{"jupyterhub", "hub", "config", k}, k
			}
		}
	}
	code, _ := getPath(im.v, Path{"jupyterhub", "hub", "extraConfig"})
	if m, ok := code.(map[string]any); ok {
		for _, k := range sortedKeys(m) {
			src, _ := m[k].(string)
			for _, sm := range codeAuthRE.FindAllStringSubmatch(src, -1) {
				if other(sm[1]) {
					return Path{"jupyterhub", "hub", "extraConfig", k}, "c." + sm[1]
				}
			}
		}
	}
	return nil, ""
}

func (im *importer) auth() {
	a := &im.s.Spec.Auth
	classPath := cfgPath("JupyterHub", "authenticator_class")
	class, hasClass := im.takeString(classPath)
	if !hasClass || class == "" {
		class = "dummy"
		im.remark("the values set no authenticator_class: z2jh's default is the dummy authenticator (anyone can log in), kept as spec.auth.provider: dummy, for testing only")
	}
	provider := site.ProviderOfClass(class)
	if provider == "" {
		a.Provider, a.Class = site.AuthCustom, class
	} else {
		a.Provider = provider
	}
	ac := site.ClassOf(a)
	if hasClass {
		im.note(Typed, classPath, "spec.auth.provider: %s%s", a.Provider, map[bool]string{true: " (class " + a.Class + ", its settings pass through)", false: ""}[a.Provider == site.AuthCustom])
	}
	if ac.TestingOnly {
		im.remark("spec.auth.provider %s is for testing only: anyone who knows the shared password (or anyone, for dummy) logs in, as before", a.Provider)
	}
	if v, ok := im.take(cfgPath("JupyterHub", "admin_access")); ok {
		im.note(Dropped, cfgPath("JupyterHub", "admin_access"), "removed in JupyterHub 5 (value was %v): admins get access through roles", v)
	}
	sections := configSections(ac)
	im.inertSections(a.Provider, ac, sections)

	// pick takes key from every section and returns the value the
	// authenticator reads (the most specific class's); the shadowed ones
	// had no effect and are dropped with that reason.
	pick := func(key string) (any, Path, bool) {
		var val any
		var at Path
		found := false
		for _, sec := range sections {
			p := cfgPath(sec, key)
			v, ok := getPath(im.v, p)
			if !ok {
				continue
			}
			if !found {
				val, at, found = v, p, true
				continue
			}
			im.take(p)
			im.note(Dropped, p, "had no effect: %s wins over it (traitlets reads the most specific class)", at.String())
		}
		return val, at, found
	}
	typed := func(key, field string, set func(v any) bool) {
		v, at, ok := pick(key)
		if !ok {
			return
		}
		if set(v) {
			im.take(at)
			im.note(Typed, at, "%s", field)
		}
	}
	// A list setting written as one string is a one-element list:
	// traitlets casts a string assigned to a List or Set trait so
	// (allowed_organizations: my-org is {"my-org"}).
	list := func(dst *[]string) func(v any) bool {
		return func(v any) bool {
			if _, isList := v.([]any); !isList && v != nil {
				if s, ok := v.(string); !ok || s == "" {
					return false
				}
			}
			*dst = stringList(v)
			return true
		}
	}
	boolean := func(dst *bool) func(v any) bool {
		return func(v any) bool {
			b, ok := v.(bool)
			*dst = b
			return ok
		}
	}
	typed("admin_users", "spec.auth.admins", list(&a.Admins))
	typed("allowed_users", "spec.auth.allowedUsers", list(&a.AllowedUsers))
	typed("blocked_users", "spec.auth.blockedUsers", list(&a.BlockedUsers))
	typed("allow_all", "spec.auth.allowAll", boolean(&a.AllowAll))
	typed("allow_existing_users", "spec.auth.allowExistingUsers", func(v any) bool {
		b, ok := v.(bool)
		if ok {
			a.AllowExistingUsers = &b
		}
		return ok
	})
	g := &site.GroupManagement{}
	typed("manage_groups", "spec.auth.groups.manage", boolean(&g.Manage))
	typed("auth_state_groups_key", "spec.auth.groups.authStateKey", func(v any) bool {
		s, ok := v.(string)
		g.AuthStateKey = s
		return ok
	})
	typed("claim_groups_key", "spec.auth.groups.claimKey", func(v any) bool {
		s, ok := v.(string)
		g.ClaimKey = s
		return ok
	})
	if *g != (site.GroupManagement{}) {
		a.Groups = g
	}
	if ac.OAuth {
		im.clientCredentials(sections)
	}
	switch a.Provider {
	case site.AuthGenericOAuth:
		im.generic(pick, typed, list)
	case site.AuthGitHub:
		gh := &site.GitHub{}
		typed("allowed_organizations", "spec.auth.github.organizations", list(&gh.Organizations))
		typed("populate_teams_in_auth_state", "spec.auth.github.populateTeamsInAuthState", boolean(&gh.PopulateTeamsInAuthState))
		a.GitHub = gh
	case site.AuthCILogon:
		c := &site.CILogon{}
		typed("allowed_idps", "spec.auth.cilogon.allowedIdPs", func(v any) bool { return parseIdPs(v, c) })
		a.CILogon = c
	case site.AuthGoogle:
		gg := &site.Google{}
		typed("hosted_domain", "spec.auth.google.hostedDomains", list(&gg.HostedDomains))
		a.Google = gg
	case site.AuthGitLab:
		gl := &site.GitLab{}
		typed("gitlab_url", "spec.auth.gitlab.url", func(v any) bool { s, ok := v.(string); gl.URL = s; return ok })
		typed("allowed_gitlab_groups", "spec.auth.gitlab.groups", list(&gl.Groups))
		typed("allowed_project_ids", "spec.auth.gitlab.projectIDs", func(v any) bool {
			l, ok := v.([]any)
			for _, e := range l {
				n, err := strconv.Atoi(fmt.Sprint(e))
				if err != nil {
					return false
				}
				gl.ProjectIDs = append(gl.ProjectIDs, n)
			}
			return ok
		})
		a.GitLab = gl
	case site.AuthAuth0:
		a0 := &site.Auth0{}
		typed("auth0_domain", "spec.auth.auth0.domain", func(v any) bool { s, ok := v.(string); a0.Domain = s; return ok })
		a.Auth0 = a0
	case site.AuthAzureAD:
		az := &site.AzureAD{}
		typed("tenant_id", "spec.auth.azureAD.tenantID", func(v any) bool { s, ok := v.(string); az.TenantID = s; return ok })
		typed("allowed_groups", "spec.auth.azureAD.allowedGroups", list(&az.AllowedGroups))
		a.AzureAD = az
	}
	if a.Provider != site.AuthEGICheckin && a.Provider != site.AuthCognito && a.Provider != site.AuthAzureAD {
		typed("allowed_groups", "spec.auth.allowedGroups", list(&a.AllowedGroups))
		typed("admin_groups", "spec.auth.adminGroups", list(&a.AdminGroups))
	}
	im.nestedSections()
	if a.Provider == site.AuthNative {
		if v, ok := im.take(cfgPath("NativeAuthenticator", "open_signup")); ok {
			a.Native = &site.Native{OpenSignup: v == true}
			im.note(Typed, cfgPath("NativeAuthenticator", "open_signup"), "spec.auth.native.openSignup")
		}
	}
}

// parseIdPs reads CILogon's allowed_idps; false when it holds keys
// hubfleet does not type (then it passes through... but it is owned, so
// import keeps it typed only when every key is known).
func parseIdPs(v any, c *site.CILogon) bool {
	m, ok := v.(map[string]any)
	if !ok {
		return false
	}
	c.AllowedIdPs = map[string]site.CILogonIdP{}
	for id, e := range m {
		em, ok := e.(map[string]any)
		if !ok {
			return false
		}
		var idp site.CILogonIdP
		for k, x := range em {
			switch k {
			case "display_name":
				idp.DisplayName = fmt.Sprint(x)
			case "default":
				idp.Default = x == true
			case "allow_all":
				b, ok := x.(bool)
				if !ok {
					return false
				}
				idp.AllowAll = &b
			case "allowed_domains":
				idp.AllowedDomains = stringList(x)
			case "username_derivation":
				d, ok := x.(map[string]any)
				if !ok {
					return false
				}
				for dk, dv := range d {
					s := fmt.Sprint(dv)
					switch dk {
					case "username_claim":
						idp.UsernameDerivation.UsernameClaim = s
					case "action":
						idp.UsernameDerivation.Action = s
					case "domain":
						idp.UsernameDerivation.Domain = s
					case "prefix":
						idp.UsernameDerivation.Prefix = s
					default:
						return false
					}
				}
			default:
				return false
			}
		}
		c.AllowedIdPs[id] = idp
	}
	return true
}

func (im *importer) clientCredentials(sections []string) {
	a := &im.s.Spec.Auth
	for _, sec := range sections {
		p := cfgPath(sec, "client_id")
		if v, ok := im.takeString(p); ok {
			if a.ClientID == "" {
				a.ClientID = v
				im.note(Typed, p, "spec.auth.clientID")
			} else {
				im.note(Dropped, p, "had no effect: a more specific class sets client_id")
			}
		}
		sp := cfgPath(sec, "client_secret")
		if _, ok := im.take(sp); ok {
			im.clientSecretSeen = true
			im.note(Secret, sp, "a secret is never copied to git: run `hubfleet secret set --site %s` (SOPS-encrypted, reaches the chart through valuesFrom)", im.opts.Name)
		}
		cp := cfgPath(sec, "oauth_callback_url")
		if cb, ok := im.takeString(cp); ok {
			im.note(Typed, cp, "derived from spec.host and spec.baseURL (was %s)", cb)
		}
	}
	a.ClientSecret.SOPS = true
	switch {
	case im.opts.ClientID != "" && a.ClientID != "" && a.ClientID != im.opts.ClientID:
		im.remark("--client-id %s replaces the values' client_id %s", im.opts.ClientID, a.ClientID)
		a.ClientID = im.opts.ClientID
	case im.opts.ClientID != "":
		a.ClientID = im.opts.ClientID
	case a.ClientID == "":
		im.remark("the values name no OAuth client_id (it may be in a file left out, e.g. an encrypted one): pass --client-id, or write spec.auth.clientID")
	}
	if !im.clientSecretSeen {
		im.asks = append(im.asks, fmt.Sprintf("the OAuth client secret is not in these files (it may be in a file left out, e.g. an encrypted one): give it with `hubfleet secret set --site %s` before render", im.opts.Name))
	}
}

// generic maps GenericOAuthenticator: EGI Check-in and Cognito get their
// typed providers; any other provider keeps its endpoints as they are.
func (im *importer) generic(pick func(string) (any, Path, bool), typed func(string, string, func(any) bool), list func(*[]string) func(any) bool) {
	a := &im.s.Spec.Auth
	authorize, _, _ := pick("authorize_url")
	au, _ := authorize.(string)
	u, _ := url.Parse(au)
	host := ""
	if u != nil {
		host = u.Hostname()
	}
	base := "GenericOAuthenticator"
	switch {
	case egiHostRE.MatchString(host):
		im.egi(host)
		return
	case cognitoRE.MatchString(host):
		m := cognitoRE.FindStringSubmatch(host)
		a.Provider = site.AuthCognito
		a.Cognito = &site.Cognito{Domain: m[1], Region: m[2], UserPoolID: m[2] + "_REPLACEME"}
		for _, k := range []string{"authorize_url", "token_url", "userdata_url"} {
			if _, ok := im.take(cfgPath(base, k)); ok {
				im.note(Migrated, cfgPath(base, k), "derived from spec.auth.cognito (set spec.auth.cognito.userPoolID: the values do not name the pool)")
			}
		}
		typed("allowed_groups", "spec.auth.cognito.allowedGroups", list(&a.Cognito.AllowedGroups))
		typed("admin_groups", "spec.auth.cognito.adminGroups", list(&a.Cognito.AdminGroups))
		return
	}
	g := &site.GenericOAuth{}
	typed("authorize_url", "spec.auth.genericOAuth.authorizeURL", func(v any) bool { s, ok := v.(string); g.AuthorizeURL = s; return ok })
	typed("token_url", "spec.auth.genericOAuth.tokenURL", func(v any) bool { s, ok := v.(string); g.TokenURL = s; return ok })
	typed("userdata_url", "spec.auth.genericOAuth.userdataURL", func(v any) bool { s, ok := v.(string); g.UserdataURL = s; return ok })
	a.GenericOAuth = g
	// GenericOAuthenticator reads its endpoints from the hub's
	// environment when the config does not set them (OAUTH2_AUTHORIZE_URL,
	// OAUTH2_TOKEN_URL, OAUTH2_USERDATA_URL): the env passes through as it
	// is, and the typed fields say the same.
	for _, e := range []struct {
		env, field string
		dst        *string
	}{
		{"OAUTH2_AUTHORIZE_URL", "authorizeURL", &g.AuthorizeURL},
		{"OAUTH2_TOKEN_URL", "tokenURL", &g.TokenURL},
		{"OAUTH2_USERDATA_URL", "userdataURL", &g.UserdataURL},
	} {
		if *e.dst != "" {
			continue
		}
		if v, ok := im.hubEnv(e.env); ok {
			*e.dst = v
			im.remark("spec.auth.genericOAuth.%s: read from %s, which GenericOAuthenticator uses when its config sets no endpoint (the variable still passes through)", e.field, im.input(Path{"jupyterhub", "hub", "extraEnv", e.env}))
		}
	}
	if g.AuthorizeURL == "" || g.TokenURL == "" {
		im.remark("GenericOAuthenticator: the values lack authorize_url or token_url (they may be in a file left out): fill in spec.auth.genericOAuth")
	}
}

// hubEnv is a plain string variable of hub.extraEnv (a map of names to
// values, as z2jh takes it).
func (im *importer) hubEnv(name string) (string, bool) {
	v, ok := getPath(im.v, Path{"jupyterhub", "hub", "extraEnv", name})
	s, isString := v.(string)
	return s, ok && isString && s != ""
}

// egi maps EGI Check-in's endpoints and VO gate onto spec.auth.egiCheckin.
func (im *importer) egi(host string) {
	a := &im.s.Spec.Auth
	base := "GenericOAuthenticator"
	a.Provider = site.AuthEGICheckin
	inst := site.EGIProd
	if strings.HasPrefix(host, "aai-demo") {
		inst = site.EGIDemo
	} else if strings.HasPrefix(host, "aai-dev") {
		inst = site.EGIDev
	}
	e := &site.EGICheckin{Instance: inst}
	groups := stringList(get(im.v, "jupyterhub", "hub", "config", base, "allowed_groups"))
	for _, g := range groups {
		if m := egiGroupRE.FindStringSubmatch(g); m != nil {
			e.VO = m[1]
			if m[2] != "member" {
				e.Role = m[2]
			}
			break
		}
	}
	a.EGICheckin = e
	im.take(cfgPath(base, "authorize_url"))
	im.note(Migrated, cfgPath(base, "authorize_url"), "EGI Check-in %s instance: spec.auth.egiCheckin (endpoints, scopes and VO gate are derived)", inst)
	if e.VO != "" && len(groups) == 1 {
		im.take(cfgPath(base, "allowed_groups"))
		im.note(Typed, cfgPath(base, "allowed_groups"), "spec.auth.egiCheckin.vo: %s", e.VO)
	}
	for _, k := range []string{"token_url", "userdata_url", "scope", "login_service", "username_key", "username_claim"} {
		if _, ok := im.take(cfgPath(base, k)); ok {
			im.note(Migrated, cfgPath(base, k), "derived from the EGI Check-in instance (hubfleet writes the key the chart version understands)")
		}
	}
	if a.Groups != nil {
		a.Groups = nil
		for i := range im.items {
			if strings.HasPrefix(im.items[i].Note, "spec.auth.groups.") {
				im.items[i].Action = Migrated
				im.items[i].Note = "derived from the EGI Check-in instance and the chart version"
			}
		}
		im.remark("EGI Check-in: the group claim settings are derived from the chart version the site runs (OAuthenticator 16: claim_groups_key; 17: manage_groups + auth_state_groups_key)")
	}
}

// nestedSections says where a config section sits inside another one
// (hub.config.GitHubOAuthenticator.Authenticator.admin_users, an
// indentation slip): traitlets reads it as an unknown setting of the
// outer class, so it has no effect, today and after import. It passes
// through unchanged, but the operator should know.
func (im *importer) nestedSections() {
	cfg, _ := getPath(im.v, dotted("jupyterhub.hub.config"))
	m, _ := cfg.(map[string]any)
	for _, outer := range sortedKeys(m) {
		sec, _ := m[outer].(map[string]any)
		for _, inner := range sortedKeys(sec) {
			if _, isMap := sec[inner].(map[string]any); isMap && len(inner) > 0 && inner[0] >= 'A' && inner[0] <= 'Z' {
				im.remark("jupyterhub.hub.config.%s.%s is a config section inside another (an indentation slip?): it has no effect, today and after import; kept as is. Move it up a level if it was meant to apply", outer, inner)
			}
		}
	}
}

// inertSections drops the hub.config sections of the other authenticator
// classes hubfleet knows (a GitHubOAuthenticator section left by a common
// file on a hub that logs in with a shared password): the authenticator
// the hub runs does not read them, so they have no effect, and kept they
// would set keys hubfleet derives from spec.auth for its own class. A
// custom class keeps every section: hubfleet cannot tell which classes it
// inherits from.
func (im *importer) inertSections(provider string, ac site.AuthClass, read []string) {
	if provider == site.AuthCustom {
		return
	}
	seen := map[string]bool{}
	for _, p := range site.AuthProviders {
		if p == site.AuthCustom {
			continue
		}
		c := site.ClassOf(&site.Auth{Provider: p}).Class
		if c == "" || seen[c] || slices.Contains(read, c) || c == "Authenticator" || c == "OAuthenticator" {
			continue
		}
		seen[c] = true
		p := Path{"jupyterhub", "hub", "config", c}
		if _, ok := im.take(p); ok {
			im.note(Dropped, p, "had no effect: the hub's authenticator (%s) does not read %s's settings", ac.Class, c)
		}
	}
}
