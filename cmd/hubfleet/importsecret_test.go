package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportMovesSecrets: import never writes a value the secret guard
// finds, and reports each as moved to a secret with the command to run.
func TestImportMovesSecrets(t *testing.T) {
	t.Parallel()
	root := fleetCopy(t)
	const dbpw, s3, hexTok = "Pw-imported-9z8y7x", "s3-imported-6w5v4u", "9c1e3b5d7f90a2c4e6b8d0f1a3c5e7b93f9a1c7e5b2d4f60a8c1e3b5d7f90a2c"
	values := filepath.Join(t.TempDir(), "values.yaml")
	if err := os.WriteFile(values, []byte(`jupyterhub:
  hub:
    db:
      type: postgres
      password: `+dbpw+`
    extraEnv:
      - name: LANG
        value: C.UTF-8
      - name: SERVICE_TOKEN
        value: `+hexTok+`
  singleuser:
    extraEnv:
      AWS_SECRET_ACCESS_KEY: `+s3+`
      AWS_DEFAULT_REGION: eu-west-1
`), 0o644); err != nil {
		t.Fatal(err)
	}
	r := hubfleet(t, "", "import", values, "--site", "imported", "--host", "imported.hubs.example.org", "--contact-email", "ops@example.org", "--write", "--root", root)
	site, err := os.ReadFile(filepath.Join(root, "clusters/imported/site.yaml"))
	if err != nil {
		t.Fatalf("import wrote no site: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, v := range []string{dbpw, s3, hexTok} {
		if strings.Contains(string(site)+r.stdout+r.stderr, v) {
			t.Errorf("import copied or printed a secret")
		}
	}
	for _, want := range []string{
		"jupyterhub.hub.db.password: a literal value at the secret key \"password\": moved to a secret: remove it; run `hubfleet secret set --site imported --key db-password`",
		"jupyterhub.singleuser.extraEnv.AWS_SECRET_ACCESS_KEY: a literal value at the secret key \"AWS_SECRET_ACCESS_KEY\": moved to a secret: remove it; run `hubfleet secret set --site imported --key aws-secret-access-key`",
		"jupyterhub.hub.extraEnv[1]: a literal value of the secret environment variable SERVICE_TOKEN: moved to a secret",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("the import report lacks %q:\n%s", want, r.stderr)
		}
	}
	for _, kept := range []string{"AWS_DEFAULT_REGION: eu-west-1", "C.UTF-8"} {
		if !strings.Contains(string(site), kept) {
			t.Errorf("import dropped the non-secret %q:\n%s", kept, site)
		}
	}
}
