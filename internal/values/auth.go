package values

import (
	"cmp"
	"github.com/hubfleet/hubfleet/internal/site"
	"github.com/hubfleet/hubfleet/internal/valuetree"
)

// oauthMajor is the OAuthenticator major version the site runs; unknown
// versions are treated as the newest (17).
func (b *builder) oauthMajor() uint64 {
	if m := b.jh.OAuthenticatorMajor(); m != 0 {
		return m
	}
	return 17
}

func (b *builder) auth(jh map[string]any) {
	a := &b.s.Spec.Auth
	ac := site.ClassOf(a)
	cfg := "hub.config." + ac.Class + "."
	valuetree.Set(jh, "hub.config.JupyterHub.authenticator_class", ac.EntryPoint)
	if len(a.Admins) > 0 {
		valuetree.Set(jh, "hub.config.Authenticator.admin_users", anyList(a.Admins))
	}
	if len(a.AllowedUsers) > 0 {
		valuetree.Set(jh, "hub.config.Authenticator.allowed_users", anyList(a.AllowedUsers))
	}
	b.access(jh, cfg)
	if !ac.OAuth {
		if a.AllowAll {
			valuetree.Set(jh, cfg+"allow_all", true)
		}
		if a.Provider != site.AuthNative {
			return
		}
	}
	if a.Provider == site.AuthNative {
		if a.Native != nil && a.Native.OpenSignup {
			valuetree.Set(jh, cfg+"open_signup", true)
		}
		// NativeAuthenticator's sign-up pages live in its own templates.
		valuetree.Set(jh, "hub.extraConfig.10-native-templates",
			"import os, nativeauthenticator\nc.JupyterHub.template_paths = [f\"{os.path.dirname(nativeauthenticator.__file__)}/templates/\"]\n")
		return
	}
	major := b.oauthMajor()
	valuetree.Set(jh, cfg+"client_id", a.ClientID)
	valuetree.Set(jh, cfg+"oauth_callback_url", Callback(b.s))
	if a.AllowAll && major >= 16 {
		valuetree.Set(jh, cfg+"allow_all", true)
	}
	usernameKey := "username_claim"
	if major < 16 {
		usernameKey = "username_key"
	}
	switch a.Provider {
	case site.AuthEGICheckin:
		e := a.EGICheckin
		base := "https://" + EGIHost(e.Instance) + "/auth/realms/egi/protocol/openid-connect/"
		valuetree.Set(jh, cfg+"authorize_url", base+"auth")
		valuetree.Set(jh, cfg+"token_url", base+"token")
		valuetree.Set(jh, cfg+"userdata_url", base+"userinfo")
		valuetree.Set(jh, cfg+"login_service", "EGI Check-in")
		valuetree.Set(jh, cfg+"scope", []any{"openid", "email", "profile", "eduperson_entitlement"})
		valuetree.Set(jh, cfg+usernameKey, "preferred_username")
		b.groups(jh, cfg, "eduperson_entitlement", []string{EGIEntitlement(e)}, nil)
	case site.AuthCognito:
		c := a.Cognito
		base := cognitoBase(c) + "/oauth2/"
		valuetree.Set(jh, cfg+"authorize_url", base+"authorize")
		valuetree.Set(jh, cfg+"token_url", base+"token")
		valuetree.Set(jh, cfg+"userdata_url", base+"userInfo")
		valuetree.Set(jh, cfg+"login_service", "AWS Cognito")
		valuetree.Set(jh, cfg+"scope", []any{"openid", "email", "profile"})
		valuetree.Set(jh, cfg+usernameKey, "email")
		if len(c.AllowedGroups) > 0 || len(c.AdminGroups) > 0 {
			// Cognito puts groups only in the ID token.
			valuetree.Set(jh, cfg+"userdata_from_id_token", true)
			b.groups(jh, cfg, "cognito:groups", c.AllowedGroups, c.AdminGroups)
		}
	case site.AuthAzureAD:
		valuetree.Set(jh, cfg+"tenant_id", a.AzureAD.TenantID)
		valuetree.Set(jh, cfg+usernameKey, "preferred_username")
		valuetree.Set(jh, cfg+"login_service", "Microsoft Entra ID")
		if len(a.AzureAD.AllowedGroups) > 0 {
			b.groups(jh, cfg, "groups", a.AzureAD.AllowedGroups, nil)
		}
	case site.AuthGitHub:
		if g := a.GitHub; g != nil {
			if len(g.Organizations) > 0 {
				valuetree.Set(jh, cfg+"allowed_organizations", anyList(g.Organizations))
			}
			if g.PopulateTeamsInAuthState {
				valuetree.Set(jh, cfg+"populate_teams_in_auth_state", true)
			}
		}
	case site.AuthCILogon:
		if c := a.CILogon; c != nil && len(c.AllowedIdPs) > 0 {
			valuetree.Set(jh, cfg+"allowed_idps", cilogonIdPs(c))
		}
	case site.AuthGoogle:
		if g := a.Google; g != nil && len(g.HostedDomains) > 0 {
			valuetree.Set(jh, cfg+"hosted_domain", anyList(g.HostedDomains))
		}
	case site.AuthGitLab:
		if g := a.GitLab; g != nil {
			if g.URL != "" {
				valuetree.Set(jh, cfg+"gitlab_url", g.URL)
			}
			if len(g.Groups) > 0 {
				valuetree.Set(jh, cfg+"allowed_gitlab_groups", anyList(g.Groups))
			}
			if len(g.ProjectIDs) > 0 {
				ids := make([]any, len(g.ProjectIDs))
				for i, id := range g.ProjectIDs {
					ids[i] = id
				}
				valuetree.Set(jh, cfg+"allowed_project_ids", ids)
			}
		}
	case site.AuthAuth0:
		valuetree.Set(jh, cfg+"auth0_domain", a.Auth0.Domain)
	case site.AuthGenericOAuth:
		g := a.GenericOAuth
		valuetree.Set(jh, cfg+"authorize_url", g.AuthorizeURL)
		valuetree.Set(jh, cfg+"token_url", g.TokenURL)
		if g.UserdataURL != "" {
			valuetree.Set(jh, cfg+"userdata_url", g.UserdataURL)
		}
	case site.AuthOIDC:
		o := a.OIDC
		valuetree.Set(jh, cfg+"authorize_url", cmp.Or(o.AuthorizeURL, o.Issuer+"/authorize"))
		valuetree.Set(jh, cfg+"token_url", cmp.Or(o.TokenURL, o.Issuer+"/token"))
		valuetree.Set(jh, cfg+"userdata_url", cmp.Or(o.UserdataURL, o.Issuer+"/userinfo"))
		valuetree.Set(jh, cfg+"login_service", cmp.Or(o.LoginService, "OpenID Connect"))
		scopes := o.Scopes
		if len(scopes) == 0 {
			scopes = []string{"openid", "email", "profile"}
		}
		valuetree.Set(jh, cfg+"scope", anyList(scopes))
		valuetree.Set(jh, cfg+usernameKey, cmp.Or(o.UsernameClaim, "preferred_username"))
		if len(o.AllowedGroups) > 0 {
			b.groups(jh, cfg, o.GroupsClaim, o.AllowedGroups, nil)
		}
	}
}

// groups writes the group gate in the keys the site's OAuthenticator knows:
// claim_groups_key up to 16, manage_groups + auth_state_groups_key from 17.
func (b *builder) groups(jh map[string]any, cfg, claim string, allowed, admin []string) {
	if b.oauthMajor() >= 17 {
		valuetree.Set(jh, cfg+"manage_groups", true)
		valuetree.Set(jh, cfg+"auth_state_groups_key", "oauth_user."+claim)
	} else {
		valuetree.Set(jh, cfg+"claim_groups_key", claim)
	}
	if len(allowed) > 0 {
		valuetree.Set(jh, cfg+"allowed_groups", anyList(allowed))
	}
	if len(admin) > 0 {
		valuetree.Set(jh, cfg+"admin_groups", anyList(admin))
	}
}

// clientSecret is the valuesFrom reference of the OAuth client secret,
// relative to the jupyterhub chart's values; nil for native auth.
func (b *builder) clientSecret() *ValuesFrom {
	a := &b.s.Spec.Auth
	ac := site.ClassOf(a)
	if !ac.OAuth {
		return nil
	}
	return &ValuesFrom{SecretName: ClientSecretName, Key: ClientSecretKey,
		TargetPath: "hub.config." + ac.Class + ".client_secret"}
}

func anyList(in []string) []any {
	out := make([]any, len(in))
	for i, s := range in {
		out[i] = s
	}
	return out
}

// access writes the access settings of spec.auth that every provider
// shares (blocked users, groups, existing users, group management).
func (b *builder) access(jh map[string]any, cfg string) {
	a := &b.s.Spec.Auth
	if len(a.BlockedUsers) > 0 {
		valuetree.Set(jh, "hub.config.Authenticator.blocked_users", anyList(a.BlockedUsers))
	}
	if len(a.AllowedGroups) > 0 {
		valuetree.Set(jh, cfg+"allowed_groups", anyList(a.AllowedGroups))
	}
	if len(a.AdminGroups) > 0 {
		valuetree.Set(jh, cfg+"admin_groups", anyList(a.AdminGroups))
	}
	if a.AllowExistingUsers != nil {
		valuetree.Set(jh, cfg+"allow_existing_users", *a.AllowExistingUsers)
	}
	if g := a.Groups; g != nil {
		if g.Manage {
			valuetree.Set(jh, cfg+"manage_groups", true)
		}
		if g.AuthStateKey != "" {
			valuetree.Set(jh, cfg+"auth_state_groups_key", g.AuthStateKey)
		}
		if g.ClaimKey != "" {
			valuetree.Set(jh, cfg+"claim_groups_key", g.ClaimKey)
		}
	}
}

// cilogonIdPs writes allowed_idps in CILogonOAuthenticator's own keys.
func cilogonIdPs(c *site.CILogon) map[string]any {
	out := map[string]any{}
	for id, idp := range c.AllowedIdPs {
		m := map[string]any{}
		if idp.DisplayName != "" {
			m["display_name"] = idp.DisplayName
		}
		if idp.Default {
			m["default"] = true
		}
		if idp.AllowAll != nil {
			m["allow_all"] = *idp.AllowAll
		}
		if len(idp.AllowedDomains) > 0 {
			m["allowed_domains"] = anyList(idp.AllowedDomains)
		}
		d := map[string]any{}
		if idp.UsernameDerivation.UsernameClaim != "" {
			d["username_claim"] = idp.UsernameDerivation.UsernameClaim
		}
		if idp.UsernameDerivation.Action != "" {
			d["action"] = idp.UsernameDerivation.Action
		}
		if idp.UsernameDerivation.Domain != "" {
			d["domain"] = idp.UsernameDerivation.Domain
		}
		if idp.UsernameDerivation.Prefix != "" {
			d["prefix"] = idp.UsernameDerivation.Prefix
		}
		if len(d) > 0 {
			m["username_derivation"] = d
		}
		out[id] = m
	}
	return out
}
