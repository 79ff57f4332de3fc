package main

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hubfleet/hubfleet/internal/valuetree"
)

// TestImportMore2i2cShapesThroughRender takes look-alikes (written here,
// none copied) of what more of 2i2c's hubs write through import, secret
// set, validate and render, and checks the HelmRelease values:
//   - allowed_organizations given as one string, not a list (traitlets
//     reads a one-element set): typed, not refused by validate as owned;
//   - an authenticator named by its entry point (tmp): its settings stay
//     in sections z2jh's schema accepts (TmpAuthenticator, Authenticator),
//     none under the entry point's name;
//   - a GitHubOAuthenticator section on a hub whose authenticator does not
//     read it: dropped with the reason, not refused by validate as owned;
//   - basehub's staff admins shadowed by GenericOAuthenticator.admin_users:
//     not asked for, and the hub's own admins only;
//   - a homepage text whose block scalar begins with an empty line keeps
//     its leading newline.
func TestImportMore2i2cShapesThroughRender(t *testing.T) {
	t.Parallel()
	root := fleetCopy(t)
	dir := t.TempDir()
	hubs := map[string]string{
		"one-org": `jupyterhub:
  ingress: {enabled: true, hosts: [one-org.example.org]}
  hub:
    config:
      JupyterHub: {authenticator_class: github}
      GitHubOAuthenticator:
        allowed_organizations: research-org
`,
		"tmp-login": `jupyterhub:
  ingress: {enabled: true, hosts: [tmp-login.example.org]}
  hub:
    config:
      JupyterHub: {authenticator_class: tmp}
      TmpAuthenticator: {auto_login: false}
      Authenticator: {allow_all: true}
`,
		"inert-github": `jupyterhub:
  ingress: {enabled: true, hosts: [inert-github.example.org]}
  hub:
    config:
      JupyterHub: {authenticator_class: dummy}
      GitHubOAuthenticator:
        allowed_organizations: [research-org:workshop]
`,
		"shadowed-staff": `jupyterhub:
  ingress: {enabled: true, hosts: [shadowed-staff.example.org]}
  custom:
    2i2c:
      add_staff_user_ids_to_admin_users: true
      add_staff_user_ids_of_type: google
    homepage:
      templateVars:
        learn_more: |2

          Ask us for access:
          <a href="https://example.org/form">form</a>
  hub:
    config:
      JupyterHub: {authenticator_class: generic-oauth}
      GenericOAuthenticator:
        authorize_url: https://login.example.org/authorize
        token_url: https://login.example.org/token
        userdata_url: https://login.example.org/userinfo
        allow_all: true
        admin_users: [carol]
      Authenticator:
        admin_users: [dave]
`,
	}
	for _, name := range []string{"one-org", "tmp-login", "inert-github", "shadowed-staff"} {
		f := filepath.Join(dir, name+".yaml")
		writeFile(t, f, []byte(hubs[name]))
		r := hubfleet(t, "", "import", "-f", f, "--site", name, "--root", root,
			"--tls-mode", "cert-manager", "--cluster-issuer", "letsencrypt-prod", "--client-id", "imported-client",
			"--age-recipient", "age19yjrrnrlvaylhkrxyewmespaj9mnzlk9ukux8zn9hlkwasjsmu9sje8d6l", "--write")
		if !strings.Contains(r.stdout, "wrote clusters/"+name+"/site.yaml") {
			t.Fatalf("import %s: exit %d\n%s%s", name, r.code, r.stdout, r.stderr)
		}
		if name == "shadowed-staff" {
			for _, want := range []string{
				"basehub's staff admins had no effect on this hub: basehub adds them to Authenticator.admin_users, and GenericOAuthenticator.admin_users wins over that section",
			} {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("import %s: output lacks %q:\n%s", name, want, r.stderr)
				}
			}
			if strings.Contains(r.stderr, "--admin NAME") {
				t.Errorf("import %s asks for basehub's staff admins, which have no effect on this hub:\n%s", name, r.stderr)
			}
			// Given anyway, they are refused.
			if r := hubfleet(t, "", "import", "-f", f, "--site", "again", "--root", root, "--tls-mode", "cert-manager", "--cluster-issuer", "letsencrypt-prod",
				"--admin", "fake-staff"); r.code != exitError || !strings.Contains(r.stderr, "GenericOAuthenticator.admin_users wins over that section") {
				t.Errorf("import --admin on a hub whose staff admins are shadowed: exit %d, want a refusal\n%s", r.code, r.stderr)
			}
		}
		if name == "one-org" || name == "shadowed-staff" { // OAuth logins: the client secret is asked for
			if r := hubfleet(t, "client-secret-of-"+name, "secret", "set", "--site", name, "--root", root); r.code != exitOK {
				t.Fatalf("secret set %s: exit %d\n%s%s", name, r.code, r.stdout, r.stderr)
			}
		}
	}
	for _, args := range [][]string{{"validate"}, {"render"}} {
		if r := hubfleet(t, "", append(args, "--root", root)...); r.code != exitOK {
			t.Fatalf("%s: exit %d\n%s%s", args[0], r.code, r.stdout, r.stderr)
		}
	}
	release := func(name string) map[string]any {
		hr := readHelmReleaseValues(t, filepath.Join(root, "overlays", name))
		if jh, ok := hr["jupyterhub"].(map[string]any); ok {
			return jh
		}
		return hr
	}
	for _, c := range []struct {
		site, path string
		want       any
	}{
		{"one-org", "hub.config.GitHubOAuthenticator.allowed_organizations", []any{"research-org"}},
		{"tmp-login", "hub.config.JupyterHub.authenticator_class", "tmp"},
		{"tmp-login", "hub.config.TmpAuthenticator.auto_login", false},
		{"tmp-login", "hub.config.TmpAuthenticator.allow_all", true}, // the class reads its own section first
		{"tmp-login", "hub.config.tmp", nil},
		{"inert-github", "hub.config.GitHubOAuthenticator", nil},
		{"shadowed-staff", "hub.config.Authenticator.admin_users", []any{"carol"}},
		{"shadowed-staff", "custom.2i2c", nil},
		{"shadowed-staff", "custom.homepage.templateVars.learn_more", "\nAsk us for access:\n<a href=\"https://example.org/form\">form</a>\n"},
	} {
		if got := valuetree.Get(release(c.site), c.path); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %s in the release is %#v, want %#v", c.site, c.path, got, c.want)
		}
	}
}
