package site

import "slices"

// Auth providers of real hubs besides the seed ones (types.go).
const (
	AuthGitHub       = "github"
	AuthCILogon      = "cilogon"
	AuthGoogle       = "google"
	AuthGitLab       = "gitlab"
	AuthAuth0        = "auth0"
	AuthGenericOAuth = "generic-oauth"
	// AuthSharedPassword and AuthDummy are for testing only: anyone who
	// knows the password (or anyone at all) logs in.
	AuthSharedPassword = "shared-password"
	AuthDummy          = "dummy"
	// AuthCustom is any other authenticator class, named in auth.class.
	AuthCustom = "custom"
)

// AuthProviders lists every provider spec.auth.provider accepts.
var AuthProviders = []string{
	AuthGitHub, AuthCILogon, AuthGoogle, AuthGitLab, AuthAuth0, AuthGenericOAuth,
	AuthAzureAD, AuthCognito, AuthEGICheckin, AuthOIDC, AuthNative,
	AuthSharedPassword, AuthDummy, AuthCustom,
}

// AuthClass is the authenticator class a provider configures (the
// section of hub.config it reads) and the authenticator_class value
// hubfleet writes (an entry point where the class has one).
type AuthClass struct {
	// Class is the traitlets section, e.g. GitHubOAuthenticator.
	Class string
	// EntryPoint is what authenticator_class is set to.
	EntryPoint string
	// OAuth is true for OAuthenticator classes (client id and secret).
	OAuth bool
	// TestingOnly marks authenticators that let anyone in who knows a
	// shared password, or anyone at all.
	TestingOnly bool
}

// authClasses maps providers to their classes.
var authClasses = map[string]AuthClass{
	AuthGitHub:         {Class: "GitHubOAuthenticator", EntryPoint: "github", OAuth: true},
	AuthCILogon:        {Class: "CILogonOAuthenticator", EntryPoint: "cilogon", OAuth: true},
	AuthGoogle:         {Class: "GoogleOAuthenticator", EntryPoint: "google", OAuth: true},
	AuthGitLab:         {Class: "GitLabOAuthenticator", EntryPoint: "gitlab", OAuth: true},
	AuthAuth0:          {Class: "Auth0OAuthenticator", EntryPoint: "auth0", OAuth: true},
	AuthGenericOAuth:   {Class: "GenericOAuthenticator", EntryPoint: "generic-oauth", OAuth: true},
	AuthEGICheckin:     {Class: "GenericOAuthenticator", EntryPoint: "generic-oauth", OAuth: true},
	AuthCognito:        {Class: "GenericOAuthenticator", EntryPoint: "generic-oauth", OAuth: true},
	AuthOIDC:           {Class: "GenericOAuthenticator", EntryPoint: "generic-oauth", OAuth: true},
	AuthAzureAD:        {Class: "AzureAdOAuthenticator", EntryPoint: "azuread", OAuth: true},
	AuthNative:         {Class: "NativeAuthenticator", EntryPoint: "nativeauthenticator.NativeAuthenticator"},
	AuthSharedPassword: {Class: "SharedPasswordAuthenticator", EntryPoint: "shared-password", TestingOnly: true},
	AuthDummy:          {Class: "DummyAuthenticator", EntryPoint: "dummy", TestingOnly: true},
}

// ClassOf is the authenticator class of a site's auth block. For provider
// custom it is the last dotted part of auth.class.
func ClassOf(a *Auth) AuthClass {
	if a.Provider == AuthCustom {
		if sec, ok := sectionOfEntryPoint(a.Class); ok {
			return AuthClass{Class: sec, EntryPoint: a.Class}
		}
		c := a.Class
		for i := len(c) - 1; i >= 0; i-- {
			if c[i] == '.' {
				c = c[i+1:]
				break
			}
		}
		return AuthClass{Class: c, EntryPoint: a.Class}
	}
	return authClasses[a.Provider]
}

// ProviderOfClass maps an authenticator_class value (an entry point or a
// dotted class name) to a provider; "" when hubfleet has no type for it.
func ProviderOfClass(class string) string {
	short := class
	for i := len(short) - 1; i >= 0; i-- {
		if short[i] == '.' {
			short = short[i+1:]
			break
		}
	}
	for _, p := range []string{AuthGitHub, AuthCILogon, AuthGoogle, AuthGitLab, AuthAuth0, AuthGenericOAuth, AuthAzureAD, AuthNative, AuthSharedPassword, AuthDummy} {
		c := authClasses[p]
		if class == c.EntryPoint || short == c.Class || class == p {
			return p
		}
	}
	switch short {
	case "LocalGitHubOAuthenticator":
		return ""
	case "GenericOAuthenticator", "generic":
		return AuthGenericOAuth
	}
	return ""
}

// GroupManagement is how an authenticator manages JupyterHub groups
// (OAuthenticator 17: manage_groups, auth_state_groups_key; 16 and
// older: claim_groups_key).
type GroupManagement struct {
	// Manage makes the authenticator sync users' groups (manage_groups).
	Manage bool `yaml:"manage,omitempty"`
	// AuthStateKey is auth_state_groups_key, e.g. oauth_user.groups.
	AuthStateKey string `yaml:"authStateKey,omitempty"`
	// ClaimKey is claim_groups_key (OAuthenticator 16 and older).
	ClaimKey string `yaml:"claimKey,omitempty"`
}

// GitHub is GitHubOAuthenticator's access settings.
type GitHub struct {
	// Organizations whose members may log in; org:team limits it to a
	// team (allowed_organizations).
	Organizations []string `yaml:"organizations,omitempty"`
	// PopulateTeamsInAuthState is populate_teams_in_auth_state.
	PopulateTeamsInAuthState bool `yaml:"populateTeamsInAuthState,omitempty"`
}

// CILogon is CILogonOAuthenticator's identity providers.
type CILogon struct {
	// AllowedIdPs are keyed by the IdP's entity id (allowed_idps).
	AllowedIdPs map[string]CILogonIdP `yaml:"allowedIdPs,omitempty"`
}

// CILogonIdP is one allowed identity provider of CILogon.
type CILogonIdP struct {
	DisplayName string `yaml:"displayName,omitempty"`
	Default     bool   `yaml:"default,omitempty"`
	// AllowAll lets anyone this IdP authenticates log in.
	AllowAll *bool `yaml:"allowAll,omitempty"`
	// AllowedDomains limits login to e-mail domains of the IdP.
	AllowedDomains     []string           `yaml:"allowedDomains,omitempty"`
	UsernameDerivation UsernameDerivation `yaml:"usernameDerivation,omitempty"`
}

// UsernameDerivation is how CILogon makes a username from a claim.
type UsernameDerivation struct {
	UsernameClaim string `yaml:"usernameClaim,omitempty"`
	// Action is strip_idp_domain or prefix.
	Action string `yaml:"action,omitempty"`
	Domain string `yaml:"domain,omitempty"`
	Prefix string `yaml:"prefix,omitempty"`
}

// Google is GoogleOAuthenticator's domain gate.
type Google struct {
	// HostedDomains are the Google Workspace domains that may log in.
	HostedDomains []string `yaml:"hostedDomains,omitempty"`
}

// GitLab is GitLabOAuthenticator's settings.
type GitLab struct {
	// URL of a self-hosted GitLab (gitlab_url); default gitlab.com.
	URL string `yaml:"url,omitempty"`
	// ProjectIDs whose members may log in (allowed_project_ids).
	ProjectIDs []int `yaml:"projectIDs,omitempty"`
	// Groups whose members may log in (allowed_gitlab_groups).
	Groups []string `yaml:"groups,omitempty"`
}

// Auth0 is Auth0OAuthenticator's tenant.
type Auth0 struct {
	// Domain is the tenant's domain, e.g. example.us.auth0.com.
	Domain string `yaml:"domain"`
}

// GenericOAuth is GenericOAuthenticator on any OAuth2 provider, written as
// its endpoints (unlike oidc, nothing is derived from an issuer).
type GenericOAuth struct {
	AuthorizeURL string `yaml:"authorizeURL"`
	TokenURL     string `yaml:"tokenURL"`
	UserdataURL  string `yaml:"userdataURL,omitempty"`
}

// NFSHome is an NFS export that holds the users' home directories.
type NFSHome struct {
	// Server is the NFS server's address or DNS name.
	Server string `yaml:"server"`
	// Path is the exported directory; defaults to /.
	Path string `yaml:"path,omitempty"`
	// MountOptions of the PersistentVolume.
	MountOptions []string `yaml:"mountOptions,omitempty"`
}

// validateRealAuth checks the provider blocks of authkinds.go.
func validateRealAuth(r *reporter, a *Auth) {
	if a.Provider == AuthCustom && a.Class == "" {
		r.add(KindRequired, "spec.auth.class", "name the authenticator class, e.g. mymodule.MyAuthenticator", "provider custom needs auth.class")
	}
	if a.Class != "" && a.Provider != AuthCustom {
		r.add(KindAuth, "spec.auth.class", "remove it, or set auth.provider: custom", "auth.class is only used with provider custom")
	}
	if ClassOf(a).TestingOnly {
		r.warn(KindAuth, "spec.auth.provider", "use a real identity provider before users rely on the hub",
			"%s is for testing only: anyone who knows the shared password (or anyone at all, for dummy) can log in", a.Provider)
	}
	if a.Auth0 != nil && a.Auth0.Domain == "" {
		r.add(KindRequired, "spec.auth.auth0.domain", "write the tenant's domain, e.g. example.us.auth0.com", "auth0 needs its domain")
	}
	if g := a.GenericOAuth; g != nil {
		checkHTTPS(r, "spec.auth.genericOAuth.authorizeURL", g.AuthorizeURL, true)
		checkHTTPS(r, "spec.auth.genericOAuth.tokenURL", g.TokenURL, true)
		checkHTTPS(r, "spec.auth.genericOAuth.userdataURL", g.UserdataURL, false)
	}
	if c := a.CILogon; c != nil {
		for _, idp := range sortedIdPs(c.AllowedIdPs) {
			d := c.AllowedIdPs[idp].UsernameDerivation
			if d.Action != "" && d.Action != "strip_idp_domain" && d.Action != "prefix" {
				r.add(KindEnum, "spec.auth.cilogon.allowedIdPs."+idp+".usernameDerivation.action", "use strip_idp_domain or prefix", "%q is not a CILogon username action", d.Action)
			}
		}
	}
}

func sortedIdPs(m map[string]CILogonIdP) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func validateNFSHome(r *reporter, st *Storage) {
	if st.Type == StorageNFS && (st.NFS == nil || st.NFS.Server == "") {
		r.add(KindRequired, "spec.singleuser.storage.nfs.server", "name the NFS server (an address or DNS name)", "storage type nfs needs nfs.server")
	}
	if st.NFS != nil && st.Type != StorageNFS {
		r.add(KindEnum, "spec.singleuser.storage.nfs", "set storage.type: nfs", "nfs is only used with storage type nfs")
	}
}
