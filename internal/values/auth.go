package values

import (
	"cmp"
	"github.com/hubfleet/hubfleet/internal/site"
	"github.com/hubfleet/hubfleet/internal/valuetree"
)

// authClass is the OAuthenticator class and the authenticator_class entry
// point JupyterHub loads for a provider.
func authClass(provider string) (class, entryPoint string) {
	switch provider {
	case site.AuthAzureAD:
		return "AzureAdOAuthenticator", "azuread"
	case site.AuthNative:
		return "NativeAuthenticator", "nativeauthenticator.NativeAuthenticator"
	}
	return "GenericOAuthenticator", "generic-oauth"
}

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
	class, entry := authClass(a.Provider)
	cfg := "hub.config." + class + "."
	valuetree.Set(jh, "hub.config.JupyterHub.authenticator_class", entry)
	if len(a.Admins) > 0 {
		valuetree.Set(jh, "hub.config.Authenticator.admin_users", anyList(a.Admins))
	}
	if len(a.AllowedUsers) > 0 {
		valuetree.Set(jh, "hub.config.Authenticator.allowed_users", anyList(a.AllowedUsers))
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
	if a.Provider == site.AuthNative {
		return nil
	}
	class, _ := authClass(a.Provider)
	return &ValuesFrom{SecretName: ClientSecretName, Key: ClientSecretKey,
		TargetPath: "hub.config." + class + ".client_secret"}
}

func anyList(in []string) []any {
	out := make([]any, len(in))
	for i, s := range in {
		out[i] = s
	}
	return out
}
