package main

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/hubfleet/hubfleet/internal/valuetree"
)

// Look-alikes of what public hub configurations of organisations other
// than 2i2c do (written here, not copied): a pangeo-style umbrella whose
// login is z2jh 0.x's auth: block, beside its chart's own camelCase
// values; and a hub whose files leave the login to its chart's values.yaml.

// TestImportOldAuthBlockThroughRender takes an umbrella hub whose login is
// the old auth: block through import, secret set, validate and render:
// the login and its access settings reach the jupyterhub release, no
// auth: key does (z2jh 4 refuses it), and the chart's own homeDirectories
// values are dropped with the reason, not made a sibling release.
func TestImportOldAuthBlockThroughRender(t *testing.T) {
	t.Parallel()
	root := fleetCopy(t)
	values := filepath.Join(t.TempDir(), "values.yaml")
	writeFile(t, values, []byte(`homeDirectories:
  nfs:
    enabled: true
    serverIP: 10.0.0.2
    serverName: homes
daskhub:
  jupyterhub:
    proxy:
      https:
        enabled: true
        hosts: [hub.example.org]
        letsencrypt: {contactEmail: ops@example.org}
    auth:
      type: github
      github:
        clientId: client-of-old-auth
        clientSecret: not-a-real-secret-4f1c2a7b9d0e
        orgWhitelist: [research-org]
      admin:
        access: true
        users: [alice]
      whitelist:
        users: [bob]
`))
	r := hubfleet(t, "", "import", "-f", values, "--site", "old-auth", "--root", root,
		"--age-recipient", "age19yjrrnrlvaylhkrxyewmespaj9mnzlk9ukux8zn9hlkwasjsmu9sje8d6l", "--write")
	if !strings.Contains(r.stdout, "wrote clusters/old-auth/site.yaml") {
		t.Fatalf("import: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		"auth: the login block of z2jh before 0.11",
		"daskhub.jupyterhub.auth.github.orgWhitelist: spec.auth.github.organizations",
		"daskhub.jupyterhub.auth.admin.users: spec.auth.admins",
		"homeDirectories.nfs.serverIP: the operator's own chart's values",
		"homeDirectories: not a chart",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("the report lacks %q:\n%s", want, r.stderr)
		}
	}
	if strings.Contains(r.stdout+r.stderr, "not-a-real-secret") {
		t.Error("import printed the client secret")
	}
	if strings.Contains(r.stderr, "anyone can log in") {
		t.Errorf("import calls the hub open to anyone:\n%s", r.stderr)
	}
	b, err := os.ReadFile(filepath.Join(root, "clusters", "old-auth", "site.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "not-a-real-secret") || strings.Contains(string(b), "homeDirectories") {
		t.Errorf("the site file holds the secret or the chart's own values:\n%s", b)
	}
	if r := hubfleet(t, "secret-of-old-auth", "secret", "set", "--site", "old-auth", "--root", root); r.code != exitOK {
		t.Fatalf("secret set: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, args := range [][]string{{"validate"}, {"render"}} {
		if r := hubfleet(t, "", append(args, "--root", root)...); r.code != exitOK {
			t.Fatalf("%s: exit %d\n%s%s", args[0], r.code, r.stdout, r.stderr)
		}
	}
	hr := readHelmReleaseValues(t, filepath.Join(root, "overlays", "old-auth"))
	jh, _ := hr["jupyterhub"].(map[string]any)
	if jh == nil {
		jh = hr // composed: the jupyterhub release's own values
	}
	if _, ok := jh["auth"]; ok {
		t.Errorf("the release holds an auth: block: %v", jh["auth"])
	}
	for path, want := range map[string][]string{
		"hub.config.GitHubOAuthenticator.allowed_organizations": {"research-org"},
		"hub.config.Authenticator.admin_users":                  {"alice"},
		"hub.config.Authenticator.allowed_users":                {"bob"},
	} {
		if got := stringsOf(valuetree.Get(jh, path)); !slices.Equal(got, want) {
			t.Errorf("%s = %v in the release, want %v", path, got, want)
		}
	}
	if got := valuetree.Get(jh, "hub.config.JupyterHub.authenticator_class"); got != "github" {
		t.Errorf("authenticator_class %v, want github", got)
	}
	if valuetree.Get(jh, "hub.config.GitHubOAuthenticator.allow_all") == true || valuetree.Get(jh, "hub.config.OAuthenticator.allow_all") == true {
		t.Error("the release lets everyone in (allow_all)")
	}
}

// TestImportAsksForTheOwnersChartLogin: a base chart's hub files that set
// no login are refused (exit 2, nothing written) with the fix; given the
// chart's values.yaml first, as helm merges it, the hub imports.
func TestImportAsksForTheOwnersChartLogin(t *testing.T) {
	t.Parallel()
	root := fleetCopy(t)
	dir := t.TempDir()
	chartValues, prod := filepath.Join(dir, "values.yaml"), filepath.Join(dir, "prod.yaml")
	writeFile(t, chartValues, []byte("jupyterhub:\n  hub:\n    config:\n      JupyterHub: {authenticator_class: ldapauthenticator.LDAPAuthenticator}\n      LDAPAuthenticator: {server_address: ldap.example.edu}\n"))
	writeFile(t, prod, []byte("nfsPVC:\n  enabled: true\njupyterhub:\n  ingress:\n    enabled: true\n    hosts: [hub.example.edu]\n"))
	args := []string{"import", "--site", "owners-login", "--root", root, "--tls-mode", "cert-manager", "--cluster-issuer", "letsencrypt-prod", "--write"}
	r := hubfleet(t, "", append(args, "-f", prod)...)
	if r.code != exitError || !strings.Contains(r.stderr, "jupyterhub.hub.config.JupyterHub.authenticator_class") || !strings.Contains(r.stderr, "values.yaml first") {
		t.Fatalf("import of the hub files alone: exit %d, want 2 and the fix\n%s%s", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(root, "clusters", "owners-login")); err == nil {
		t.Fatal("a refused import wrote the site")
	}
	r = hubfleet(t, "", append(args, "-f", chartValues, "-f", prod)...)
	if r.code != exitOK {
		t.Fatalf("import with the chart's values.yaml first: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "spec.auth.provider: custom (class ldapauthenticator.LDAPAuthenticator") {
		t.Errorf("the chart's login is not the site's:\n%s", r.stderr)
	}
	if r := hubfleet(t, "", "validate", "--root", root); r.code != exitOK {
		t.Fatalf("validate: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestImportGenericOAuthFromEnvAsksForTheSecret: a generic OAuth hub whose
// endpoints are in the hub's environment and whose client secret sits in
// a file left out (an encrypted one) imports, says where the endpoints
// came from, and asks for the secret as its next step; once it is given,
// validate and render pass and the release gets the endpoints.
func TestImportGenericOAuthFromEnvAsksForTheSecret(t *testing.T) {
	t.Parallel()
	root := fleetCopy(t)
	values := filepath.Join(t.TempDir(), "values.yaml")
	writeFile(t, values, []byte(`jupyterhub:
  proxy:
    https: {enabled: true, hosts: [hub.example.org], letsencrypt: {contactEmail: ops@example.org}}
  hub:
    extraEnv:
      OAUTH2_AUTHORIZE_URL: https://login.example.org/authorize
      OAUTH2_TOKEN_URL: https://login.example.org/oauth/token
    config:
      JupyterHub: {authenticator_class: oauthenticator.generic.GenericOAuthenticator}
      GenericOAuthenticator:
        userdata_url: https://login.example.org/userinfo
        allowed_users: [bob]
dask-gateway:
  enabled: true
`))
	r := hubfleet(t, "", "import", "-f", values, "--site", "env-oauth", "--root", root, "--client-id", "client-of-env",
		"--age-recipient", "age19yjrrnrlvaylhkrxyewmespaj9mnzlk9ukux8zn9hlkwasjsmu9sje8d6l", "--write")
	if !strings.Contains(r.stdout, "wrote clusters/env-oauth/site.yaml") {
		t.Fatalf("import: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		"spec.auth.genericOAuth.authorizeURL: read from jupyterhub.hub.extraEnv.OAUTH2_AUTHORIZE_URL",
		"next step: the OAuth client secret is not in these files",
		"hubfleet secret set --site env-oauth",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("import output lacks %q:\n%s", want, r.stderr)
		}
	}
	if r := hubfleet(t, "secret-of-env", "secret", "set", "--site", "env-oauth", "--root", root); r.code != exitOK {
		t.Fatalf("secret set: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, args := range [][]string{{"validate"}, {"render"}} {
		if r := hubfleet(t, "", append(args, "--root", root)...); r.code != exitOK {
			t.Fatalf("%s: exit %d\n%s%s", args[0], r.code, r.stdout, r.stderr)
		}
	}
	hr := readHelmReleaseValues(t, filepath.Join(root, "overlays", "env-oauth"))
	jh, _ := hr["jupyterhub"].(map[string]any)
	if jh == nil {
		jh = hr
	}
	for path, want := range map[string]string{
		"hub.config.GenericOAuthenticator.authorize_url": "https://login.example.org/authorize",
		"hub.config.GenericOAuthenticator.token_url":     "https://login.example.org/oauth/token",
		"hub.extraEnv.OAUTH2_TOKEN_URL":                  "https://login.example.org/oauth/token",
	} {
		if got := valuetree.Get(jh, path); got != want {
			t.Errorf("%s = %v in the release, want %s", path, got, want)
		}
	}
}

// TestImportGivenCertificateThroughRender: z2jh's manual https (a
// certificate and key written in the values) imports as a TLS Secret the
// ingress serves: import never writes the key, says how to make the
// Secret, and the rendered release serves the hub from it.
func TestImportGivenCertificateThroughRender(t *testing.T) {
	t.Parallel()
	root := fleetCopy(t)
	values := filepath.Join(t.TempDir(), "values.yaml")
	writeFile(t, values, []byte(`hub:
  config:
    JupyterHub: {authenticator_class: dummy}
proxy:
  https:
    enabled: true
    type: manual
    hosts: [hub.example.edu]
    manual:
      key: |
        -----BEGIN RSA PRIVATE KEY-----
        MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu
        -----END RSA PRIVATE KEY-----
      cert: |
        -----BEGIN CERTIFICATE-----
        MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu
        -----END CERTIFICATE-----
`))
	r := hubfleet(t, "", "import", "-f", values, "--site", "manual-tls", "--root", root, "--ingress-class", "nginx", "--write")
	if r.code != exitOK {
		t.Fatalf("import: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "next step: create the TLS Secret hub-example-edu-tls") || strings.Contains(r.stdout+r.stderr, "MIIBOgIBAAJB") {
		t.Errorf("import output: want the TLS Secret asked for and no key quoted:\n%s", r.stderr)
	}
	for _, args := range [][]string{{"validate"}, {"render"}} {
		if r := hubfleet(t, "", append(args, "--root", root)...); r.code != exitOK {
			t.Fatalf("%s: exit %d\n%s%s", args[0], r.code, r.stdout, r.stderr)
		}
	}
	noKeyInRepo(t, root)
	hr := readHelmReleaseValues(t, filepath.Join(root, "overlays", "manual-tls"))
	jh, _ := hr["jupyterhub"].(map[string]any)
	if jh == nil {
		jh = hr
	}
	tls, _ := valuetree.Get(jh, "ingress.tls").([]any)
	if len(tls) != 1 || valuetree.Get(tls[0].(map[string]any), "secretName") != "hub-example-edu-tls" {
		t.Errorf("ingress.tls %v, want the Secret hub-example-edu-tls", tls)
	}
	if valuetree.Get(jh, "proxy.https.enabled") == true {
		t.Error("the release still asks the proxy for Let's Encrypt")
	}
}

// noKeyInRepo fails if any file under root holds the test's key text.
func noKeyInRepo(t *testing.T, root string) {
	t.Helper()
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err == nil && strings.Contains(string(b), "MIIBOgIBAAJB") {
			t.Errorf("%s holds the key or certificate", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestImportOldCloudMetadataThroughRender: z2jh 0.x's
// singleuser.cloudMetadata.enabled reaches the release as z2jh 1.0's
// blockWithIptables with the same meaning, and an extraFiles entry whose
// content is in a file not given is asked for.
func TestImportOldCloudMetadataThroughRender(t *testing.T) {
	t.Parallel()
	root := fleetCopy(t)
	values := filepath.Join(t.TempDir(), "values.yaml")
	writeFile(t, values, []byte(`hub:
  config:
    JupyterHub: {authenticator_class: dummy}
singleuser:
  cloudMetadata:
    enabled: true
  extraFiles:
    app-key:
      mountPath: /etc/github/app-key.pem
`))
	r := hubfleet(t, "", "import", "-f", values, "--site", "old-meta", "--root", root, "--host", "hub.example.org",
		"--tls-mode", "cert-manager", "--cluster-issuer", "letsencrypt-prod",
		"--age-recipient", "age19yjrrnrlvaylhkrxyewmespaj9mnzlk9ukux8zn9hlkwasjsmu9sje8d6l", "--write")
	if r.code != exitOK {
		t.Fatalf("import: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		"singleuser.cloudMetadata.enabled: z2jh 0.x's form",
		"next step: singleuser.extraFiles.app-key has no content",
		"declare spec.secrets.values.app-key: {targetPath: jupyterhub.singleuser.extraFiles.app-key.stringData} in the site file, then run `hubfleet secret set --site old-meta --key app-key`",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("import output lacks %q:\n%s", want, r.stderr)
		}
	}
	// The next step, followed as it says: declare the secret, then set it.
	siteFile := filepath.Join(root, "clusters", "old-meta", "site.yaml")
	b, err := os.ReadFile(siteFile)
	if err != nil {
		t.Fatal(err)
	}
	const recipient = "    ageRecipient: age19yjrrnrlvaylhkrxyewmespaj9mnzlk9ukux8zn9hlkwasjsmu9sje8d6l\n"
	if !strings.Contains(string(b), recipient) {
		t.Fatalf("site file without its age recipient:\n%s", b)
	}
	writeFile(t, siteFile, []byte(strings.Replace(string(b), recipient, recipient+"    values:\n      app-key:\n        targetPath: jupyterhub.singleuser.extraFiles.app-key.stringData\n", 1)))
	if r := hubfleet(t, "not-a-real-key-content", "secret", "set", "--site", "old-meta", "--key", "app-key", "--root", root); r.code != exitOK {
		t.Fatalf("secret set --key app-key: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, args := range [][]string{{"validate"}, {"render"}} {
		if r := hubfleet(t, "", append(args, "--root", root)...); r.code != exitOK {
			t.Fatalf("%s: exit %d\n%s%s", args[0], r.code, r.stdout, r.stderr)
		}
	}
	noKeyContentInRepo(t, root)
	hr := readHelmReleaseValues(t, filepath.Join(root, "overlays", "old-meta"))
	jh, _ := hr["jupyterhub"].(map[string]any)
	if jh == nil {
		jh = hr
	}
	if got := valuetree.Get(jh, "singleuser.cloudMetadata"); !reflect.DeepEqual(got, map[string]any{"blockWithIptables": false}) {
		t.Errorf("singleuser.cloudMetadata in the release: %v, want {blockWithIptables: false}", got)
	}
}

// noKeyContentInRepo fails if a file of the fleet holds the secret given
// for the extra file in plain text.
func noKeyContentInRepo(t *testing.T, root string) {
	t.Helper()
	_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if b, err := os.ReadFile(p); err == nil && strings.Contains(string(b), "not-a-real-key-content") {
				t.Errorf("%s holds the extra file's secret content in plain text", p)
			}
		}
		return nil
	})
}

// TestImportExtraFileWithADotInItsName: an extraFiles entry named like a
// file (github-app-private-key.pem, as a 2i2c hub names its GitHub App
// key) is asked for with its dot escaped in the targetPath (\., as
// helm-controller reads it); declared and set as the next step says, it
// validates and renders to a literal valuesFrom at that path.
func TestImportExtraFileWithADotInItsName(t *testing.T) {
	t.Parallel()
	root := fleetCopy(t)
	values := filepath.Join(t.TempDir(), "values.yaml")
	writeFile(t, values, []byte(`hub:
  config:
    JupyterHub: {authenticator_class: dummy}
  extraFiles:
    github-app-private-key.pem:
      mountPath: /etc/github/github-app-private-key.pem
`))
	r := hubfleet(t, "", "import", "-f", values, "--site", "app-key", "--root", root, "--host", "hub.example.org",
		"--tls-mode", "cert-manager", "--cluster-issuer", "letsencrypt-prod",
		"--age-recipient", "age19yjrrnrlvaylhkrxyewmespaj9mnzlk9ukux8zn9hlkwasjsmu9sje8d6l", "--write")
	if r.code != exitOK {
		t.Fatalf("import: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	const target = `jupyterhub.hub.extraFiles.github-app-private-key\.pem.stringData`
	if !strings.Contains(r.stderr, "{targetPath: "+target+"}") {
		t.Fatalf("import does not ask for %s:\n%s", target, r.stderr)
	}
	siteFile := filepath.Join(root, "clusters", "app-key", "site.yaml")
	b, err := os.ReadFile(siteFile)
	if err != nil {
		t.Fatal(err)
	}
	const recipient = "    ageRecipient: age19yjrrnrlvaylhkrxyewmespaj9mnzlk9ukux8zn9hlkwasjsmu9sje8d6l\n"
	writeFile(t, siteFile, []byte(strings.Replace(string(b), recipient, recipient+"    values:\n      app-key:\n        targetPath: "+target+"\n", 1)))
	if r := hubfleet(t, "not-a-real-key-content", "secret", "set", "--site", "app-key", "--key", "app-key", "--root", root); r.code != exitOK {
		t.Fatalf("secret set --key app-key: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, args := range [][]string{{"validate"}, {"render"}} {
		if r := hubfleet(t, "", append(args, "--root", root)...); r.code != exitOK {
			t.Fatalf("%s: exit %d\n%s%s", args[0], r.code, r.stdout, r.stderr)
		}
	}
	noKeyContentInRepo(t, root)
	var found bool
	_ = filepath.WalkDir(filepath.Join(root, "overlays", "app-key"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasPrefix(d.Name(), "helmrelease-") {
			return nil
		}
		hr, _ := os.ReadFile(p)
		if strings.Contains(string(hr), "hub.extraFiles.github-app-private-key\\.pem.stringData") {
			found = true
			if !strings.Contains(string(hr), "literal: true") {
				t.Errorf("%s: the valuesFrom is not literal:\n%s", p, hr)
			}
		}
		return nil
	})
	if !found {
		t.Error("no HelmRelease reads the key at hub.extraFiles.github-app-private-key\\.pem.stringData")
	}
}
