package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubfleet/hubfleet/action"
	"github.com/hubfleet/hubfleet/internal/chart/chartrepotest"
	"github.com/hubfleet/hubfleet/internal/gittest"
	"github.com/hubfleet/hubfleet/internal/scaffold"
)

const testActionSHA = "0123456789abcdef0123456789abcdef01234567"

// newSites are 'site new' flags for one site of each provider.
var newSites = map[string][]string{
	"egi-hub":   {"--provider", "egi-checkin", "--host", "egi.example.org", "--client-id", "egi-client", "--egi-vo", "vo.example.org"},
	"aws-hub":   {"--provider", "cognito", "--host", "aws.example.org", "--tls", "autohttps", "--contact-email", "ops@example.org", "--client-id", "c", "--cognito-region", "us-east-1", "--cognito-user-pool", "us-east-1_AbCdEf123", "--cognito-domain", "hub"},
	"azure-hub": {"--provider", "azuread", "--host", "az.example.org", "--tls", "secret", "--tls-secret", "hub-tls", "--client-id", "c", "--azure-tenant", "72f988bf-86f1-41af-91ab-2d7cd011db47"},
	"oidc-hub":  {"--provider", "oidc", "--host", "oidc.example.org", "--client-id", "c", "--oidc-issuer", "https://id.example.org", "--allowed-users", "alice"},
	"dev-hub":   {"--provider", "native", "--host", "dev.example.org", "--admin", "admin"},
}

// TestFirstHour is a new operator's first hour, through the CLI, in a
// temporary directory: init, a site of each provider, the clusters' age
// keys, the OAuth client secrets, render, validate and plan. The charts
// come from a loopback chart repository (the test charts at the pinned
// versions).
func TestFirstHour(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	keys := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", keys) // where keygen puts private keys by default
	root := filepath.Join(t.TempDir(), "my-fleet")

	// 1. init, pinned to a release.
	r := hubfleet(t, "", "init", root, "--action-ref", testActionSHA, "--action-version", "v1.2.3")
	if r.code != exitOK {
		t.Fatalf("init: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := hubfleet(t, "", "init", root); r.code != exitError || !strings.Contains(r.stderr, "not empty") {
		t.Errorf("init into a non-empty directory: exit %d: %s", r.code, r.stderr)
	}
	workflows := map[string][]byte{}
	_ = filepath.WalkDir(filepath.Join(root, ".github/workflows"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			workflows[p], _ = os.ReadFile(p)
		}
		return err
	})
	if len(workflows) == 0 {
		t.Fatal("init wrote no workflows")
	}
	probs, err := action.Lint(workflows, "")
	if err != nil {
		t.Fatal(err)
	}
	for p, data := range workflows {
		probs = append(probs, action.WorkflowProblems(data)...)
		if !bytes.Contains(data, []byte("uses: hubfleet/hubfleet/action@"+testActionSHA+" # v1.2.3")) {
			t.Errorf("%s does not pin the action to the release", p)
		}
	}
	for _, p := range probs {
		t.Errorf("generated workflows: %s", p)
	}
	for _, args := range [][]string{{"validate"}, {"render", "--check"}} {
		if r := hubfleet(t, "", append(args, "--root", root)...); r.code != exitOK {
			t.Fatalf("%v on the new fleet: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
		}
	}

	// The fleet's charts, served on loopback.
	srv := chartrepotest.Start(t,
		chartrepotest.Chart{Dir: chartrepotest.Dir("daskhub"), Version: scaffold.Pins()["daskhub"].Version},
		chartrepotest.Chart{Dir: chartrepotest.Dir("jupyterhub"), Version: scaffold.Pins()["jupyterhub"].Version},
		chartrepotest.Chart{Dir: chartrepotest.Dir("dask-gateway"), Version: scaffold.Pins()["daskGateway"].Version},
	)
	fleetFile := filepath.Join(root, "bases/daskhub/fleet.yaml")
	editFile(t, fleetFile, "repository: https://helm.dask.org\n      chart: daskhub", "repository: "+srv.URL+"\n      chart: daskhub")
	editFile(t, fleetFile, "repository: https://hub.jupyter.org/helm-chart/", "repository: "+srv.URL)
	editFile(t, fleetFile, "repository: https://helm.dask.org\n      chart: dask-gateway", "repository: "+srv.URL+"\n      chart: dask-gateway")
	gittest.Run(t, root, "init", "-q", "-b", "main")
	gittest.Run(t, root, "add", "-A")
	gittest.Run(t, root, "commit", "-q", "-m", "hubfleet init")

	// 2. A site of each provider, its cluster's key and its client secret,
	// run from inside clusters/ (--root is found by walking up).
	t.Chdir(filepath.Join(root, "clusters"))
	for name, flags := range newSites {
		if r := hubfleet(t, "", append([]string{"site", "new", name}, flags...)...); r.code != exitOK {
			t.Fatalf("site new %s: exit %d\n%s%s", name, r.code, r.stdout, r.stderr)
		}
		r := hubfleet(t, "", "secret", "keygen", "--site", name)
		if r.code != exitOK || !strings.Contains(r.stdout, "kubectl --context "+name+" -n flux-system create secret generic sops-age --from-file=age.agekey="+keys) {
			t.Fatalf("secret keygen %s: exit %d\n%s%s", name, r.code, r.stdout, r.stderr)
		}
		if name != "dev-hub" {
			if r := hubfleet(t, "client-secret-of-"+name, "secret", "set", "--site", name); r.code != exitOK {
				t.Fatalf("secret set %s: exit %d\n%s%s", name, r.code, r.stdout, r.stderr)
			}
		}
	}
	if r := hubfleet(t, "", "site", "new", "egi-hub", "--provider", "native", "--host", "x.example.org"); r.code != exitError || !strings.Contains(r.stderr, "already exists") {
		t.Errorf("site new over an existing site: exit %d: %s", r.code, r.stderr)
	}
	if r := hubfleet(t, "", "secret", "keygen", "--site", "egi-hub", "--force", "--out", filepath.Join(root, "overlays", "k.agekey")); r.code != exitError || !strings.Contains(r.stderr, "inside the fleet repository") {
		t.Errorf("keygen into the repository: exit %d: %s", r.code, r.stderr)
	}

	// 3. render, validate, plan.
	if r := hubfleet(t, "", "render"); r.code != exitOK {
		t.Fatalf("render: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, args := range [][]string{{"validate"}, {"render", "--check"}} {
		if r := hubfleet(t, "", args...); r.code != exitOK {
			t.Fatalf("%v: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
		}
	}
	if r := hubfleet(t, "", "validate"); !strings.Contains(r.stdout, "5 site(s) valid") {
		t.Errorf("validate: %s", r.stdout)
	}
	gittest.Run(t, root, "add", "-A")
	gittest.Run(t, root, "commit", "-q", "-m", "five sites")
	// On a terminal, plan shows the chart downloads on stderr.
	r = hubfleetTTY(t, "plan", "--base", "HEAD~1")
	if r.code != exitOK {
		t.Fatalf("plan of five new sites: exit %d, want 0 (a change is not a problem)\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "\r\x1b[Kfetching chart daskhub from "+srv.URL) {
		t.Errorf("plan on a terminal shows no chart download: %q", r.stderr)
	}
	for name := range newSites {
		if !strings.Contains(r.stdout, name) {
			t.Errorf("the plan does not mention %s:\n%s", name, r.stdout)
		}
	}

	// No private key anywhere under the repository, and each in its 0600 file.
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if b, _ := os.ReadFile(p); bytes.Contains(b, []byte("AGE-SECRET-KEY-")) {
			t.Errorf("a private age key is in %s", p)
		}
		return nil
	})
	n := 0
	_ = filepath.WalkDir(keys, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".agekey") {
			n++
			if st, _ := os.Stat(p); st.Mode().Perm() != 0o600 {
				t.Errorf("%s has mode %v", p, st.Mode().Perm())
			}
		}
		return err
	})
	if n != len(newSites) {
		t.Errorf("%d key files, want %d", n, len(newSites))
	}
}
