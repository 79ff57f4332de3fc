package importer

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/hubfleet/hubfleet/internal/site"
)

// The cases here are look-alikes of what real configurations outside the
// 2i2c corpus do (checked on public configurations of other
// organisations, not copied): the z2jh 0.x auth: block, a base chart
// whose own values.yaml holds the login, and a base chart's own values
// beside jupyterhub: (camelCase keys its templates read).

// itemFor returns the report line of an input path.
func itemFor(rep Report, path string) (Item, bool) {
	for _, it := range rep.Items {
		if it.Path == path {
			return it, true
		}
	}
	return Item{}, false
}

func TestImportReadsTheOldAuthBlock(t *testing.T) {
	t.Parallel()
	t.Run("github under plain z2jh", func(t *testing.T) {
		t.Parallel()
		values := "auth:\n  type: github\n  github:\n    clientId: client-a\n    clientSecret: not-a-real-secret-0123456789abcdef\n    callbackUrl: https://hub.example.org/hub/oauth_callback\n    orgWhitelist: [research-org]\n  admin:\n    access: true\n    users: [alice]\n  whitelist:\n    users: [bob, carol]\n"
		s, rep, err := Import(map[string][]byte{"v.yaml": []byte(values)}, []string{"v.yaml"}, Options{Name: "old-github", TLSMode: "cert-manager", ClusterIssuer: "letsencrypt-prod"})
		if err != nil {
			t.Fatal(err)
		}
		a := s.Spec.Auth
		if a.Provider != site.AuthGitHub || s.Spec.Host != "hub.example.org" || a.ClientID != "client-a" {
			t.Errorf("provider %q host %q client %q: want github, hub.example.org (from auth.github.callbackUrl), client-a", a.Provider, s.Spec.Host, a.ClientID)
		}
		if a.GitHub == nil || !cmp.Equal(a.GitHub.Organizations, []string{"research-org"}) {
			t.Errorf("github organizations %+v, want [research-org]", a.GitHub)
		}
		if diff := cmp.Diff([]string{"alice"}, a.Admins); diff != "" {
			t.Errorf("admins (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"bob", "carol"}, a.AllowedUsers); diff != "" {
			t.Errorf("allowed users (-want +got):\n%s", diff)
		}
		if a.AllowAll {
			t.Error("allowAll set: the old block let in the organisation and the listed users only")
		}
		if _, ok := getPath(s.Spec.Values, Path{"jupyterhub", "auth"}); ok {
			t.Errorf("auth: passed through (z2jh 4 refuses it): %v", s.Spec.Values)
		}
		for path, want := range map[string]Action{
			"auth.github.orgWhitelist": Typed, "auth.admin.users": Typed, "auth.whitelist.users": Typed,
			"auth.type": Typed, "auth.github.clientSecret": Secret, "auth.admin.access": Dropped,
		} {
			it, ok := itemFor(rep, path)
			if !ok || it.Action != want {
				t.Errorf("%s: reported %q (%v), want %s\n%s", path, it.Action, ok, want, rep)
			}
		}
		if strings.Contains(rep.String(), "not-a-real-secret") {
			t.Error("the report quotes the client secret")
		}
		// Access, as the access comparison reads it, is the old block's.
		acc := Access(map[string]any{"auth": mustYAML(t, values)["auth"]})
		if acc["authenticator_class"] != "github" || acc["admin_users"] != "[alice]" || acc["allowed_users"] != "[bob, carol]" {
			t.Errorf("Access of the old block: %v", acc)
		}
	})
	t.Run("custom class under an umbrella", func(t *testing.T) {
		t.Parallel()
		values := "deploy:\n  jupyterhub:\n    proxy:\n      https: {enabled: true, hosts: [hub.example.org], letsencrypt: {contactEmail: ops@example.org}}\n    auth:\n      type: custom\n      custom:\n        className: oauthenticator.generic.GenericOAuthenticator\n        config:\n          login_service: Example\n          token_url: https://login.example.org/oauth/token\n          userdata_url: https://login.example.org/userinfo\n          username_key: nickname\n      admin:\n        users: [alice]\n      state:\n        unknownFlag: true\n"
		s, rep, err := Import(map[string][]byte{"v.yaml": []byte(values)}, []string{"v.yaml"}, Options{Name: "old-custom", ClientID: "client-b"})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Layout.Flag() != "umbrella:deploy" {
			t.Errorf("layout %s, want umbrella:deploy", rep.Layout.Flag())
		}
		a := s.Spec.Auth
		if a.Provider != site.AuthGenericOAuth || a.GenericOAuth == nil || a.GenericOAuth.TokenURL != "https://login.example.org/oauth/token" {
			t.Errorf("auth %+v: want generic-oauth with the token URL", a)
		}
		if it, ok := itemFor(rep, "deploy.jupyterhub.auth.type"); !ok || it.Action != Typed {
			t.Errorf("auth.type custom: %+v, want typed (the class is className's)", it)
		}
		it, ok := itemFor(rep, "deploy.jupyterhub.auth.custom.config.login_service")
		if !ok || it.Action != Kept || it.To.String() != "jupyterhub.hub.config.GenericOAuthenticator.login_service" {
			t.Errorf("login_service: %+v, want kept at jupyterhub.hub.config.GenericOAuthenticator.login_service\n%s", it, rep)
		}
		if got := getOr(s.Spec.Values, "jupyterhub.hub.config.GenericOAuthenticator.username_key"); got != "nickname" {
			t.Errorf("username_key in spec.values: %v", got)
		}
		it, ok = itemFor(rep, "deploy.jupyterhub.auth.state.unknownFlag")
		if !ok || it.Action != Dropped || !strings.Contains(it.Note, "no place") {
			t.Errorf("an auth: key z2jh's migration does not know: %+v, want dropped with the reason", it)
		}
		if !strings.Contains(rep.String(), "auth.custom.className → hub.config.JupyterHub.authenticator_class") {
			t.Errorf("the report does not say how the old block was read:\n%s", rep)
		}
	})
	t.Run("hub.config wins over the old form", func(t *testing.T) {
		t.Parallel()
		values := "hub:\n  config:\n    JupyterHub: {authenticator_class: dummy}\n    Authenticator: {admin_users: [alice]}\nauth:\n  admin:\n    users: [mallory]\n"
		s, rep, err := Import(map[string][]byte{"v.yaml": []byte(values)}, []string{"v.yaml"}, Options{Name: "both", Host: "hub.example.org", ContactEmail: "ops@example.org"})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"alice"}, s.Spec.Auth.Admins); diff != "" {
			t.Errorf("admins (-want +got):\n%s", diff)
		}
		if it, ok := itemFor(rep, "auth.admin.users"); !ok || it.Action != Dropped {
			t.Errorf("auth.admin.users: %+v, want dropped (hub.config sets it too)", it)
		}
	})
}

func TestImportRefusesToGuessTheLoginOfAnOwnersChart(t *testing.T) {
	t.Parallel()
	// A base chart whose own values.yaml holds the login: the hub's files
	// set none.
	hubFile := []byte("nfsPVC:\n  enabled: true\njupyterhub:\n  ingress:\n    enabled: true\n    hosts: [hub.example.edu]\n    tls: [{secretName: tls-cert, hosts: [hub.example.edu]}]\n")
	chartValues := []byte("jupyterhub:\n  hub:\n    config:\n      JupyterHub: {authenticator_class: ldapauthenticator.LDAPAuthenticator}\n      LDAPAuthenticator: {server_address: ldap.example.edu}\n")
	files := map[string][]byte{"values.yaml": chartValues, "prod.yaml": hubFile}
	o := Options{Name: "owners", TLSMode: "cert-manager", ClusterIssuer: "letsencrypt-prod"}
	_, _, err := Import(files, []string{"prod.yaml"}, o)
	if err == nil || !strings.Contains(err.Error(), "jupyterhub.hub.config.JupyterHub.authenticator_class") || !strings.Contains(err.Error(), "values.yaml first") {
		t.Fatalf("import without the chart's values.yaml: %v, want a refusal naming the key and the fix", err)
	}
	s, _, err := Import(files, []string{"values.yaml", "prod.yaml"}, o)
	if err != nil {
		t.Fatal(err)
	}
	if s.Spec.Auth.Provider != site.AuthCustom || s.Spec.Auth.Class != "ldapauthenticator.LDAPAuthenticator" {
		t.Errorf("auth %+v, want the chart's LDAP class", s.Spec.Auth)
	}
	// Plain z2jh values with no class do run z2jh's default.
	s, _, err = Import(map[string][]byte{"v.yaml": []byte("ingress:\n  enabled: true\n  hosts: [hub.example.edu]\n")}, []string{"v.yaml"}, o)
	if err != nil || s.Spec.Auth.Provider != site.AuthDummy {
		t.Errorf("plain z2jh without a class: %v, %+v: want dummy, as z2jh runs it", err, s)
	}
}

func TestImportDropsTheOwnChartsValuesOnTheUpstreamRoute(t *testing.T) {
	t.Parallel()
	values := []byte("homeDirectories:\n  nfs:\n    enabled: true\n    serverIP: 10.0.0.2\n    serverName: homes\nbinderhub-service:\n  enabled: true\n  config: {BinderHub: {use_registry: false}}\njupyterhub:\n  hub:\n    config:\n      JupyterHub: {authenticator_class: dummy}\n  proxy:\n    https: {enabled: true, hosts: [hub.example.org], letsencrypt: {contactEmail: ops@example.org}}\n  singleuser:\n    storage: {type: static, static: {pvcName: home-nfs, subPath: '{username}'}}\n")
	s, rep, err := Import(map[string][]byte{"v.yaml": values}, []string{"v.yaml"}, Options{Name: "own-values"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rep.Layout.String(), "with sibling charts binderhub-service, with the chart's own values homeDirectories") {
		t.Errorf("layout: %s", rep.Layout)
	}
	var names []string
	for _, r := range s.Spec.Releases {
		names = append(names, r.Name)
	}
	if diff := cmp.Diff([]string{"binderhub-service"}, names); diff != "" {
		t.Errorf("sibling releases (-want +got):\n%s", diff)
	}
	for _, p := range []string{"homeDirectories.nfs.enabled", "homeDirectories.nfs.serverIP", "homeDirectories.nfs.serverName"} {
		if it, ok := itemFor(rep, p); !ok || it.Action != Dropped || !strings.Contains(it.Note, "--route owner") {
			t.Errorf("%s: %+v, want dropped with the reason", p, it)
		}
	}
	if !strings.Contains(rep.String(), "homeDirectories: not a chart") {
		t.Errorf("the report does not say what the upstream route loses:\n%s", rep)
	}
	if err := site.Validate(s, corpusFleet(t)); err != nil {
		t.Errorf("invalid: %v", err)
	}
}

func mustYAML(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := yaml.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func getOr(m map[string]any, dottedPath string) any {
	v, _ := getPath(m, dotted(dottedPath))
	return v
}

func TestImportRefusesToGuessALoginSetElsewhere(t *testing.T) {
	t.Parallel()
	o := Options{Name: "elsewhere", Host: "hub.example.edu", TLSMode: "cert-manager", ClusterIssuer: "letsencrypt-prod"}
	for _, tt := range []struct{ name, values, want string }{
		{"code sets a class's settings", "jupyterhub:\n  hub:\n    extraConfig:\n      username: |\n        c.GenericOAuthenticator.username_claim = 'email'\n",
			"jupyterhub.hub.extraConfig.username configures c.GenericOAuthenticator"},
		{"hub.config holds a class's section", "hub:\n  config:\n    GitHubOAuthenticator: {allowed_organizations: [research-org]}\n",
			"hub.config.GitHubOAuthenticator configures GitHubOAuthenticator"},
		{"a null deletes the chart's config", "jupyterhub:\n  hub:\n    config:\n    loadRoles: {staff: {groups: [staff], scopes: [admin-ui]}}\n",
			"jupyterhub.hub.config is null"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := Import(map[string][]byte{"v.yaml": []byte(tt.values)}, []string{"v.yaml"}, o)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "does not assume z2jh's default") {
				t.Errorf("import: %v, want a refusal saying %q", err, tt.want)
			}
		})
	}
	// The null deletes the login of an earlier file too: import reads it as helm does.
	files := map[string][]byte{
		"values.yaml": []byte("jupyterhub:\n  hub:\n    config:\n      JupyterHub: {authenticator_class: github}\n"),
		"prod.yaml":   []byte("jupyterhub:\n  hub:\n    config:\n"),
	}
	if _, _, err := Import(files, []string{"values.yaml", "prod.yaml"}, o); err == nil || !strings.Contains(err.Error(), "remove the empty config key") {
		t.Errorf("import after a null config: %v, want the refusal naming the empty key", err)
	}
}

func TestImportReadsAnOAuthenticatorSubclassAndEnvEndpoints(t *testing.T) {
	t.Parallel()
	// A custom class named as OAuthenticator's subclasses are reads
	// OAuthenticator's section: its allow_all is the hub's.
	values := "hub:\n  config:\n    JupyterHub: {authenticator_class: canvasauth.CanvasOAuthenticator}\n    OAuthenticator: {allow_all: true}\n    CanvasOAuthenticator: {canvas_url: 'https://lms.example.edu/'}\n"
	s, rep, err := Import(map[string][]byte{"v.yaml": []byte(values)}, []string{"v.yaml"}, Options{Name: "subclass", Host: "hub.example.edu", TLSMode: "cert-manager", ClusterIssuer: "letsencrypt-prod"})
	if err != nil {
		t.Fatal(err)
	}
	if !s.Spec.Auth.AllowAll {
		t.Errorf("allowAll not typed from OAuthenticator.allow_all:\n%s", rep)
	}
	if err := site.Validate(s, fleetConfig(t)); err != nil {
		t.Errorf("invalid: %v", err)
	}
	// GenericOAuthenticator's endpoints from the hub's environment.
	values = "hub:\n  extraEnv:\n    OAUTH2_AUTHORIZE_URL: https://login.example.org/authorize\n    OAUTH2_TOKEN_URL: https://login.example.org/oauth/token\n  config:\n    JupyterHub: {authenticator_class: generic-oauth}\n    GenericOAuthenticator: {userdata_url: 'https://login.example.org/userinfo', allowed_users: [bob]}\n"
	s, rep, err = Import(map[string][]byte{"v.yaml": []byte(values)}, []string{"v.yaml"}, Options{Name: "env", Host: "hub.example.org", TLSMode: "cert-manager", ClusterIssuer: "letsencrypt-prod", ClientID: "client-c"})
	if err != nil {
		t.Fatal(err)
	}
	g := s.Spec.Auth.GenericOAuth
	if g == nil || g.AuthorizeURL != "https://login.example.org/authorize" || g.TokenURL != "https://login.example.org/oauth/token" {
		t.Errorf("generic OAuth %+v: want the endpoints from hub.extraEnv", g)
	}
	if got := getOr(s.Spec.Values, "jupyterhub.hub.extraEnv.OAUTH2_TOKEN_URL"); got != "https://login.example.org/oauth/token" {
		t.Errorf("the env no longer passes through: %v", got)
	}
	if !strings.Contains(rep.String(), "spec.auth.genericOAuth.authorizeURL: read from hub.extraEnv.OAUTH2_AUTHORIZE_URL") {
		t.Errorf("the report does not say where the endpoint came from:\n%s", rep)
	}
	// The client secret is in no file given: import asks for it.
	if len(rep.Asks) != 1 || !strings.Contains(rep.Asks[0], "hubfleet secret set --site env") {
		t.Errorf("asks %q, want the client secret asked for", rep.Asks)
	}
}

func TestImportGivenCertificateBecomesATLSSecret(t *testing.T) {
	t.Parallel()
	key := "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n-----END RSA PRIVATE KEY-----\n"
	values := "jupyterhub:\n  hub:\n    config:\n      JupyterHub: {authenticator_class: dummy}\n  proxy:\n    https:\n      enabled: true\n      type: manual\n      hosts: [hub.example.edu]\n      manual:\n        key: |\n          " + strings.ReplaceAll(strings.TrimSpace(key), "\n", "\n          ") + "\n        cert: |\n          -----BEGIN CERTIFICATE-----\n          MIIBOgIBAAJBAKj34Gkx\n          -----END CERTIFICATE-----\n"
	s, rep, err := Import(map[string][]byte{"v.yaml": []byte(values)}, []string{"v.yaml"}, Options{Name: "manual-tls", IngressClass: "nginx"})
	if err != nil {
		t.Fatal(err)
	}
	if s.Spec.TLS.Mode != site.TLSSecret || s.Spec.TLS.SecretName != "hub-example-edu-tls" || s.Spec.Host != "hub.example.edu" {
		t.Errorf("tls %+v host %q: want mode secret from the Secret hub-example-edu-tls (not Let's Encrypt)", s.Spec.TLS, s.Spec.Host)
	}
	for _, p := range []string{"jupyterhub.proxy.https.manual.key", "jupyterhub.proxy.https.manual.cert"} {
		if it, ok := itemFor(rep, p); !ok || it.Action != Secret || !strings.Contains(it.Note, "kubectl create secret tls hub-example-edu-tls") {
			t.Errorf("%s: %+v, want moved to the TLS Secret", p, it)
		}
	}
	if strings.Contains(rep.String(), "MIIBOgIBAAJB") {
		t.Error("the report quotes the key")
	}
	out, err := Encode(s, "v.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "PRIVATE KEY") || strings.Contains(string(out), "MIIBOgIBAAJB") {
		t.Errorf("the site file holds the key or certificate:\n%s", out)
	}
	if len(rep.Asks) != 1 || !strings.Contains(rep.Asks[0], "create the TLS Secret hub-example-edu-tls") {
		t.Errorf("asks %q, want the TLS Secret asked for", rep.Asks)
	}
	if err := site.Validate(s, fleetConfig(t)); err != nil {
		t.Errorf("invalid: %v", err)
	}
	// type secret: the Secret the proxy served is the ingress's.
	values = "jupyterhub:\n  hub:\n    config:\n      JupyterHub: {authenticator_class: dummy}\n  proxy:\n    https:\n      enabled: true\n      type: secret\n      hosts: [hub.example.edu]\n      secret: {name: hub-cert}\n"
	s, _, err = Import(map[string][]byte{"v.yaml": []byte(values)}, []string{"v.yaml"}, Options{Name: "secret-tls"})
	if err != nil {
		t.Fatal(err)
	}
	if s.Spec.TLS.Mode != site.TLSSecret || s.Spec.TLS.SecretName != "hub-cert" {
		t.Errorf("tls %+v: want mode secret from hub-cert", s.Spec.TLS)
	}
}

func TestImportDropsDaskhubsOwnValuesCopiedIntoTheFile(t *testing.T) {
	t.Parallel()
	values := "jupyterhub:\n  hub:\n    config:\n      JupyterHub: {authenticator_class: dummy}\n    extraConfig:\n      00-add-dask-gateway-values: |\n        import os\n        c.KubeSpawner.environment.setdefault(\"DASK_GATEWAY__PUBLIC_ADDRESS\", \"/services/dask-gateway/\")\n  ingress: {enabled: true, hosts: [hub.example.org]}\ndask-gateway:\n  gateway:\n    prefix: /services/dask-gateway\n"
	s, rep, err := Import(map[string][]byte{"v.yaml": []byte(values)}, []string{"v.yaml"}, Options{Name: "copied", TLSMode: "cert-manager", ClusterIssuer: "letsencrypt-prod"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"dask-gateway.gateway.prefix", "jupyterhub.hub.extraConfig.00-add-dask-gateway-values"} {
		if it, ok := itemFor(rep, p); !ok || it.Action != Dropped {
			t.Errorf("%s: %+v, want dropped with the reason", p, it)
		}
	}
	if err := site.Validate(s, fleetConfig(t)); err != nil {
		t.Errorf("invalid: %v", err)
	}
	// Another prefix stays (validate says hubfleet owns it).
	values = strings.Replace(values, "prefix: /services/dask-gateway", "prefix: /gateway", 1)
	_, rep, err = Import(map[string][]byte{"v.yaml": []byte(values)}, []string{"v.yaml"}, Options{Name: "copied", TLSMode: "cert-manager", ClusterIssuer: "letsencrypt-prod"})
	if err != nil {
		t.Fatal(err)
	}
	if it, ok := itemFor(rep, "dask-gateway.gateway.prefix"); !ok || it.Action != Kept {
		t.Errorf("another prefix: %+v, want kept", it)
	}
}

func TestImportMigratesCloudMetadataAndAsksForEmptyExtraFiles(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		enabled, block bool
	}{{true, false}, {false, true}} {
		values := fmt.Sprintf("hub:\n  config:\n    JupyterHub: {authenticator_class: dummy}\n  extraFiles:\n    banner: {mountPath: /usr/share/banner.txt}\n    motd: {mountPath: /etc/motd, stringData: hello}\nsingleuser:\n  cloudMetadata: {enabled: %v, ip: 169.254.169.254}\n", tt.enabled)
		s, rep, err := Import(map[string][]byte{"v.yaml": []byte(values)}, []string{"v.yaml"}, Options{Name: "meta", Host: "hub.example.org", ContactEmail: "ops@example.org"})
		if err != nil {
			t.Fatal(err)
		}
		if got := getOr(s.Spec.Values, "jupyterhub.singleuser.cloudMetadata.blockWithIptables"); got != tt.block {
			t.Errorf("enabled: %v became blockWithIptables %v, want %v", tt.enabled, got, tt.block)
		}
		if _, ok := getPath(s.Spec.Values, dotted("jupyterhub.singleuser.cloudMetadata.enabled")); ok {
			t.Error("cloudMetadata.enabled passed through (z2jh 1.0 and later refuse it)")
		}
		if got := getOr(s.Spec.Values, "jupyterhub.singleuser.cloudMetadata.ip"); got != "169.254.169.254" {
			t.Errorf("cloudMetadata.ip %v, want it kept", got)
		}
		if it, ok := itemFor(rep, "singleuser.cloudMetadata.enabled"); !ok || it.Action != Migrated {
			t.Errorf("cloudMetadata.enabled: %+v, want migrated", it)
		}
		if len(rep.Asks) != 1 || !strings.Contains(rep.Asks[0], "hub.extraFiles.banner has no content") {
			t.Errorf("asks %q, want the content of extraFiles.banner (only) asked for", rep.Asks)
		}
		if err := site.Validate(s, fleetConfig(t)); err != nil {
			t.Errorf("invalid: %v", err)
		}
	}
}
