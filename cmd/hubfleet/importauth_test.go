package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportEachAuthenticatorThroughRender imports a hub of each
// authenticator real hubs run, renders it, and checks that the
// authenticator and its access settings reach the HelmRelease values the
// chart gets, unchanged (and that none gains allow_all).
func TestImportEachAuthenticatorThroughRender(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, config string
		oauth        bool
		want         []string
	}{
		{"github", "JupyterHub: {authenticator_class: github}\n  GitHubOAuthenticator:\n    allowed_organizations: [org-a, 'org-b:team-c']\n    scope: [read:org]\n", true,
			[]string{"authenticator_class: github", "- org-a", "- org-b:team-c", "- read:org"}},
		{"cilogon", "JupyterHub: {authenticator_class: cilogon}\n  CILogonOAuthenticator:\n    allowed_idps:\n      http://github.com/login/oauth/authorize:\n        default: true\n        username_derivation: {username_claim: preferred_username}\n      https://idp.example.edu/idp/shibboleth:\n        allowed_domains: [example.edu]\n        username_derivation: {username_claim: email, action: strip_idp_domain, domain: example.edu}\n", true,
			[]string{"authenticator_class: cilogon", "http://github.com/login/oauth/authorize:", "- example.edu", "action: strip_idp_domain"}},
		{"google", "JupyterHub: {authenticator_class: google}\n  GoogleOAuthenticator:\n    hosted_domain: [example.org]\n    allowed_groups: [staff]\n", true,
			[]string{"authenticator_class: google", "hosted_domain:", "- example.org", "allowed_groups:", "- staff"}},
		{"gitlab", "JupyterHub: {authenticator_class: gitlab}\n  GitLabOAuthenticator:\n    gitlab_url: https://gitlab.example.org\n    allowed_gitlab_groups: [research]\n", true,
			[]string{"authenticator_class: gitlab", "gitlab_url: https://gitlab.example.org", "- research"}},
		{"auth0", "JupyterHub: {authenticator_class: auth0}\n  Auth0OAuthenticator:\n    auth0_domain: example.us.auth0.com\n    allowed_users: [bob]\n", true,
			[]string{"authenticator_class: auth0", "auth0_domain: example.us.auth0.com", "- bob"}},
		{"generic", "JupyterHub: {authenticator_class: generic-oauth}\n  GenericOAuthenticator:\n    authorize_url: https://login.example.org/authorize\n    token_url: https://login.example.org/oauth/token\n    userdata_url: https://login.example.org/userinfo\n    allowed_users: [bob, carol]\n    manage_groups: true\n    auth_state_groups_key: oauth_user.groups\n    admin_groups: [admins]\n", true,
			[]string{"authenticator_class: generic-oauth", "authorize_url: https://login.example.org/authorize", "- carol", "manage_groups: true", "auth_state_groups_key: oauth_user.groups", "- admins"}},
		{"azuread", "JupyterHub: {authenticator_class: azuread}\n  AzureAdOAuthenticator:\n    tenant_id: 0b3b5b5e-4a0f-4b5e-9f3a-1a2b3c4d5e6f\n    allowed_users: [bob@example.org]\n", true,
			[]string{"authenticator_class: azuread", "tenant_id: 0b3b5b5e-4a0f-4b5e-9f3a-1a2b3c4d5e6f", "- bob@example.org"}},
		{"shared-password", "JupyterHub: {authenticator_class: shared-password}\n  Authenticator: {admin_users: [alice]}\n", false,
			[]string{"authenticator_class: shared-password", "- alice"}},
		{"custom", "JupyterHub: {authenticator_class: ldapauthenticator.LDAPAuthenticator}\n  LDAPAuthenticator:\n    server_address: ldap.example.org\n    allowed_groups: ['cn=hub,ou=groups,dc=example,dc=org']\n", false,
			[]string{"authenticator_class: ldapauthenticator.LDAPAuthenticator", "server_address: ldap.example.org", "cn=hub,ou=groups,dc=example,dc=org"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root := fleetCopy(t)
			values := filepath.Join(t.TempDir(), "values.yaml")
			writeFile(t, values, []byte("hub:\n  config:\n    "+strings.ReplaceAll(tt.config, "\n", "\n  ")))
			site := "auth-" + tt.name
			args := []string{"import", "-f", values, "--site", site, "--root", root, "--host", site + ".example.org",
				"--tls-mode", "cert-manager", "--cluster-issuer", "letsencrypt-prod", "--write"}
			if tt.oauth {
				args = append(args, "--client-id", "client-of-"+tt.name, "--age-recipient", "age19yjrrnrlvaylhkrxyewmespaj9mnzlk9ukux8zn9hlkwasjsmu9sje8d6l")
			}
			if r := hubfleet(t, "", args...); r.code != exitOK {
				t.Fatalf("import: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			if tt.oauth {
				if r := hubfleet(t, "secret-of-"+tt.name, "secret", "set", "--site", site, "--root", root); r.code != exitOK {
					t.Fatalf("secret set: exit %d\n%s%s", r.code, r.stdout, r.stderr)
				}
			}
			if r := hubfleet(t, "", "render", "--root", root); r.code != exitOK {
				t.Fatalf("render: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			// Plain z2jh values run no dask-gateway: the jupyterhub chart alone.
			b, err := os.ReadFile(filepath.Join(root, "overlays", site, "helmrelease-jupyterhub.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			hr := string(b)
			for _, w := range tt.want {
				if !strings.Contains(hr, w) {
					t.Errorf("the HelmRelease lacks %q:\n%s", w, hr)
				}
			}
			if strings.Contains(hr, "allow_all") {
				t.Errorf("import added allow_all:\n%s", hr)
			}
			if tt.oauth && !strings.Contains(hr, "client_id: client-of-"+tt.name) {
				t.Errorf("the HelmRelease lacks the client id:\n%s", hr)
			}
		})
	}
}

// TestImportStaticHomesThroughRender keeps a static PVC home (claim and
// subPath) through import and render.
func TestImportStaticHomesThroughRender(t *testing.T) {
	t.Parallel()
	root := fleetCopy(t)
	values := filepath.Join(t.TempDir(), "values.yaml")
	writeFile(t, values, []byte("hub:\n  config:\n    JupyterHub: {authenticator_class: dummy}\nsingleuser:\n  storage:\n    type: static\n    static: {pvcName: efs-home, subPath: 'home/{username}'}\n"))
	if r := hubfleet(t, "", "import", "-f", values, "--site", "static-homes", "--root", root, "--host", "static.example.org",
		"--tls-mode", "cert-manager", "--cluster-issuer", "letsencrypt-prod", "--write"); r.code != exitOK {
		t.Fatalf("import: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := hubfleet(t, "", "render", "--root", root); r.code != exitOK {
		t.Fatalf("render: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	b, err := os.ReadFile(filepath.Join(root, "overlays/static-homes/helmrelease-jupyterhub.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"type: static", "pvcName: efs-home", "subPath: home/{username}"} {
		if !strings.Contains(string(b), w) {
			t.Errorf("the HelmRelease lacks %q:\n%s", w, b)
		}
	}
}
