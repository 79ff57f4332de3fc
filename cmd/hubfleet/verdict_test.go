package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/hubfleet/hubfleet/internal/chart/chartrepotest"
	"github.com/hubfleet/hubfleet/internal/github/githubtest"
	"github.com/hubfleet/hubfleet/internal/gittest"
)

// exampleSites are the sites of the example fleet.
var exampleSites = []string{"egi-cesnet", "egi-dev", "egi-pangeo", "heliocloud-aws", "pangeo-azure"}

// planVerdicts runs plan in every format and checks that each lists every
// site exactly once; it returns each site's verdict (from the JSON), and
// that the JSON and YAML documents agree.
func planVerdicts(t *testing.T, root string, sites []string, args ...string) (map[string]string, result) {
	t.Helper()
	verdicts := map[string]string{}
	var jsonRun result
	for _, format := range []string{"json", "yaml", "markdown", "text"} {
		r := hubfleet(t, "", append([]string{"plan", "--root", root, "-o", format}, args...)...)
		if r.code == exitError {
			t.Fatalf("plan -o %s: exit 2\n%s", format, r.stderr)
		}
		switch format {
		case "json", "yaml":
			var doc struct {
				Sites []struct {
					Site    string `json:"site" yaml:"site"`
					Verdict string `json:"verdict" yaml:"verdict"`
				} `json:"sites" yaml:"sites"`
			}
			var err error
			if format == "json" {
				err = json.Unmarshal([]byte(r.stdout), &doc)
				jsonRun = r
			} else {
				err = yaml.Unmarshal([]byte(r.stdout), &doc)
			}
			if err != nil {
				t.Fatalf("plan -o %s does not parse: %v\n%.2000s", format, err, r.stdout)
			}
			var names []string
			for _, s := range doc.Sites {
				names = append(names, s.Site)
				if format == "json" {
					verdicts[s.Site] = s.Verdict
				} else if verdicts[s.Site] != s.Verdict {
					t.Errorf("plan -o yaml: %s is %q, -o json says %q", s.Site, s.Verdict, verdicts[s.Site])
				}
			}
			if !slices.Equal(names, sites) {
				t.Errorf("plan -o %s lists sites %v, want each of %v once", format, names, sites)
			}
		case "markdown":
			for _, s := range sites {
				if !strings.Contains(r.stdout, "`"+s+"`") && !strings.Contains(r.stdout, " "+s) {
					t.Errorf("plan -o markdown lacks site %s:\n%s", s, r.stdout)
				}
			}
		case "text":
			for _, s := range sites {
				if !strings.Contains(r.stdout, " "+s) {
					t.Errorf("plan lacks site %s:\n%s", s, r.stdout)
				}
			}
		}
	}
	return verdicts, jsonRun
}

// TestVersionTheRepositoryLacks pins jupyterhub to 4.5.0, which the
// chart repository (the real charts, served on loopback) does not have:
// validate, render and plan say so, naming the versions it has, and every
// site is still in every format of the plan.
func TestVersionTheRepositoryLacks(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	srv := chartrepotest.StartReal(t)
	root := planFleet(t, srv.URL)
	// A plan fills the chart cache (the index), as after any first plan.
	if r := hubfleet(t, "", "plan", "--root", root); r.code != exitOK {
		t.Fatalf("plan of the unchanged fleet: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	fleetFile := filepath.Join(root, "bases/daskhub/fleet.yaml")
	editFile(t, fleetFile, "version: 4.4.0", "version: 4.5.0")

	for _, cmd := range [][]string{{"validate"}, {"render"}} {
		r := hubfleet(t, "", append(cmd, "--root", root)...)
		if r.code != exitProblems || !strings.Contains(r.stderr, `chart jupyterhub version "4.5.0" is not in repository`) || !strings.Contains(r.stderr, "4.4.0") {
			t.Errorf("%s with jupyterhub 4.5.0: exit %d, want 1 naming the missing version and the versions there are\n%s%s", cmd[0], r.code, r.stdout, r.stderr)
		}
	}
	// The overlays as they would be rendered: edit the HelmReleases of
	// the composed sites as the render would.
	for _, s := range []string{"heliocloud-aws", "pangeo-azure", "egi-cesnet"} {
		p := filepath.Join(root, "overlays", s, "helmrelease-jupyterhub.yaml")
		editFile(t, p, "version: 4.4.0", "version: 4.5.0")
	}
	verdicts, r := planVerdicts(t, root, exampleSites)
	if r.code != exitProblems {
		t.Errorf("plan with a version the repository lacks: exit %d, want 1\n%s", r.code, r.stderr)
	}
	for _, s := range []string{"heliocloud-aws", "pangeo-azure", "egi-cesnet"} {
		if verdicts[s] != "problem" {
			t.Errorf("site %s is %q, want problem", s, verdicts[s])
		}
	}
	if !strings.Contains(r.stdout, `chart jupyterhub version \"4.5.0\" is not in repository`) || !strings.Contains(r.stdout, "(it has 4.4.0, 3.2.1)") {
		t.Errorf("plan does not name the missing version and those the repository has:\n%.3000s", r.stdout)
	}

	// The Action's plan decides the same: the pull request check fails,
	// naming the sites, and its plan is the CLI's Markdown.
	gittest.Run(t, root, "switch", "-q", "-c", "pin-4.5.0")
	gittest.Run(t, root, "commit", "-q", "-am", "jupyterhub 4.5.0")
	cli := hubfleet(t, "", "plan", "--root", root, "--base", "main", "-o", "markdown")
	gh := githubtest.NewServer(t, "fleet", "hubs", actionToken)
	act := runAction(t, root, gh, "plan", &pullRequest{}, nil)
	if act.exit != 1 || act.outputs["failed-sites"] != "egi-cesnet\nheliocloud-aws\npangeo-azure" || act.outputs["problems"] != "3" {
		t.Errorf("action plan: exit %d, failed-sites %q, problems %q; want 1, the three composed sites, 3\n%s", act.exit, act.outputs["failed-sites"], act.outputs["problems"], act.log)
	}
	if raw, err := os.ReadFile(act.outputs["plan-file"]); err != nil || string(raw) != cli.stdout {
		t.Errorf("the Action's plan differs from the CLI's (%v):\n%s", err, cmp.Diff(cli.stdout, string(raw)))
	}
}

// TestRemovalWhicheverFileGoesFirst removes a site the README's way
// (site.yaml first, render empties the overlay) and without rendering:
// both are a removal with its one-way door, gated until confirmed; the
// clean-up after it (clusters/<site>/ and the empty overlay) is a removal
// with nothing left to prune, and no gate.
func TestRemovalWhicheverFileGoesFirst(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	root := planFleet(t, "http://127.0.0.1:9/unused")
	gittest.Run(t, root, "rm", "-q", filepath.Join("clusters", "egi-dev", "site.yaml"))

	for _, step := range []string{"not rendered yet", "rendered (the README's step 1)"} {
		if strings.HasPrefix(step, "rendered") {
			mustRender(t, root)
		}
		verdicts, r := planVerdicts(t, root, exampleSites, "--charts=false")
		if verdicts["egi-dev"] != "problem" || r.code != exitProblems || !strings.Contains(r.stdout, "site-removal") ||
			!strings.Contains(r.stdout, "deletes namespace daskhub") || !strings.Contains(r.stderr, "site removal not confirmed: egi-dev") {
			t.Errorf("%s: egi-dev is %q, exit %d; want an unconfirmed removal naming its door\n%s%s", step, verdicts["egi-dev"], r.code, r.stdout, r.stderr)
		}
		if strings.Contains(r.stdout, "stay") {
			t.Errorf("%s: the plan says something stays:\n%s", step, r.stdout)
		}
		verdicts, r = planVerdicts(t, root, exampleSites, "--charts=false", "--confirm-removal", "egi-dev")
		if verdicts["egi-dev"] != "removed" || r.code != exitOK {
			t.Errorf("%s, confirmed: egi-dev is %q, exit %d; want removed, 0\n%s", step, verdicts["egi-dev"], r.code, r.stderr)
		}
	}
	// Step 3 after the merge: the empty overlay and the entry point go.
	gittest.Run(t, root, "add", "-A")
	gittest.Run(t, root, "commit", "-q", "-m", "remove egi-dev, step 1")
	gittest.Run(t, root, "push", "-q", "origin", "main")
	gittest.Run(t, root, "rm", "-q", "-r", "clusters/egi-dev")
	mustRender(t, root)
	verdicts, r := planVerdicts(t, root, exampleSites, "--charts=false")
	if verdicts["egi-dev"] != "removed" || r.code != exitOK || strings.Contains(r.stdout, "site-removal") {
		t.Errorf("the clean-up: egi-dev is %q, exit %d; want removed with no door and no gate\n%s%s", verdicts["egi-dev"], r.code, r.stdout, r.stderr)
	}
}

// TestLargeObjectAndSharedNamespace: a site whose values render a
// HelmRelease over 1 MiB, and a site on another's kube context and
// namespace, are problems of validate (and render), named.
func TestLargeObjectAndSharedNamespace(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	root := planFleet(t, "http://127.0.0.1:9/unused")
	site := filepath.Join(root, "clusters/egi-dev/site.yaml")
	big := strings.Repeat("x", 2<<20)
	editFile(t, site, "  wave: 0\n", "  wave: 0\n  values:\n    jupyterhub:\n      hub:\n        extraConfig:\n          big: "+big+"\n")
	for _, cmd := range []string{"validate", "render"} {
		r := hubfleet(t, "", cmd, "--root", root)
		if r.code != exitProblems || !strings.Contains(r.stderr, "over the 1 MiB a Kubernetes object may hold") ||
			!strings.Contains(r.stderr, "spec.values.jupyterhub.hub.extraConfig.big") || strings.Contains(r.stderr, big[:64]) {
			t.Errorf("%s with a 2 MiB value: exit %d, want 1 naming the field\n%.2000s", cmd, r.code, r.stderr)
		}
	}
	gittest.Run(t, root, "checkout", "-q", "--", ".")

	editFile(t, filepath.Join(root, "clusters/egi-pangeo/site.yaml"), "  kubernetes:\n", "  kubernetes:\n    context: egi-dev\n")
	r := hubfleet(t, "", "validate", "--root", root)
	if r.code != exitProblems || !strings.Contains(r.stderr, "sites egi-dev (clusters/egi-dev/site.yaml) and egi-pangeo (clusters/egi-pangeo/site.yaml) both deploy to namespace") {
		t.Errorf("validate with two sites on one context and namespace: exit %d, want 1 naming both\n%s", r.code, r.stderr)
	}
}

// TestUpgradeWithAStagedCanaryInATerminal: once a canary is staged, a
// terminal's upgrade says how to go on (verify, then promote; or --wave),
// exit 1, instead of failing as if the tool could not run.
func TestUpgradeWithAStagedCanaryInATerminal(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	srv := chartrepotest.StartReal(t)
	root := planFleet(t, srv.URL)
	editFile(t, filepath.Join(root, "bases/daskhub/fleet.yaml"), "      version: 2026.3.0\n", "      version: 2024.1.0\n      canary:\n        version: 2026.3.0\n        maxWave: 1\n")
	mustRender(t, root)
	for _, args := range [][]string{{"upgrade"}, {"upgrade", "--wave", "0"}} {
		r := hubfleet(t, "", append(args, "--root", root)...)
		if r.code != exitProblems || !strings.Contains(r.stderr, "canary 2026.3.0 is staged") || !strings.Contains(r.stderr, "hubfleet verify") ||
			!strings.Contains(r.stderr, "--wave") || strings.Contains(r.stderr, "no commit statuses can be read") {
			t.Errorf("%v with a staged canary: exit %d, want 1 saying how to go on\n%s%s", args, r.code, r.stdout, r.stderr)
		}
	}
}

// TestSecretSetFindsTheKeygenKey: after `secret keygen` wrote the site's
// key where it chose, a second `secret set` (which must decrypt the keys
// already stored) works without SOPS_AGE_KEY_FILE.
func TestSecretSetFindsTheKeygenKey(t *testing.T) {
	root := fleetCopy(t)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	t.Setenv("SOPS_AGE_KEY", "")
	t.Setenv("SOPS_AGE_KEY_FILE", "")
	if r := hubfleet(t, "", "secret", "keygen", "--site", "pangeo-azure", "--force", "--root", root); r.code != exitOK {
		t.Fatalf("secret keygen: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	editFile(t, filepath.Join(root, "clusters/pangeo-azure/site.yaml"), "    ageRecipient: ", `    values:
      hub-db-password: {targetPath: jupyterhub.hub.db.password}
      gateway-token: {env: {component: gateway, name: EXTRA_TOKEN}}
    ageRecipient: `)
	for _, k := range []string{"hub-db-password", "gateway-token"} {
		r := hubfleet(t, "value-of-"+k+"-0a9b8c\n", "secret", "set", "--site", "pangeo-azure", "--key", k, "--root", root)
		if !strings.Contains(r.stdout, "key "+k) {
			t.Fatalf("secret set --key %s: exit %d\n%s%s", k, r.code, r.stdout, r.stderr)
		}
	}
}

// TestValidateReportsWhatRenderRefuses: a site that reads its OAuth
// client secret from a SOPS file that is not there is a problem of
// validate and of render alike, exit 1 (the user's to fix), never
// "valid" then a render failure.
func TestValidateReportsWhatRenderRefuses(t *testing.T) {
	root := fleetCopy(t)
	if err := os.Remove(filepath.Join(root, "overlays/egi-pangeo/oauth-client-secret.sops.yaml")); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"validate", "render"} {
		r := hubfleet(t, "", cmd, "--root", root)
		if r.code != exitProblems || !strings.Contains(r.stderr, "oauth-client-secret.sops.yaml, which does not exist") || !strings.Contains(r.stderr, "hubfleet secret set --site egi-pangeo") {
			t.Errorf("%s without the site's SOPS file: exit %d, want 1 naming it and the fix\n%s%s", cmd, r.code, r.stdout, r.stderr)
		}
	}
}

// TestUpgradeToAVersionTheCatalogLacks: jupyterhub 4.5.0 is served but
// hubfleet's chart catalog has no facts about it. upgrade does not
// propose it unless --allow-unknown, and says how to declare its facts;
// once the fleet file declares them (spec.chartFacts), upgrade proposes
// it and validate knows it.
func TestUpgradeToAVersionTheCatalogLacks(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	srv := chartrepotest.Start(t,
		chartrepotest.Chart{Dir: chartrepotest.Dir("daskhub"), Version: "2024.1.1"},
		chartrepotest.Chart{Dir: chartrepotest.Dir("jupyterhub"), Version: "4.4.0"},
		chartrepotest.Chart{Dir: chartrepotest.Dir("jupyterhub"), Version: "4.5.0"},
		chartrepotest.Chart{Dir: chartrepotest.Dir("dask-gateway"), Version: "2026.3.0"},
	)
	root := planFleet(t, srv.URL)
	fleetFile := filepath.Join(root, "bases/daskhub/fleet.yaml")
	read := func() string {
		b, err := os.ReadFile(fleetFile)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}

	r := hubfleet(t, "", "upgrade", "--chart", "jupyterhub", "--root", root, "-o", "json")
	if r.code != exitOK || strings.Contains(read(), "version: 4.5.0") || !strings.Contains(r.stdout, "4.5.0: not in this hubfleet's chart catalog") ||
		!strings.Contains(r.stdout, "spec.chartFacts") || !strings.Contains(r.stdout, "--allow-unknown") {
		t.Errorf("upgrade to a version the catalog lacks: exit %d, want 0, the version named and not proposed\n%s%s", r.code, r.stdout, r.stderr)
	}

	// Declared facts make it known: upgrade proposes it, validate does
	// not warn about it.
	editFile(t, fleetFile, "spec:\n", `spec:
  chartFacts:
    jupyterhub:
      - version: 4.5.0
        jupyterHub: 5.5.0
        oauthenticator: 17.4.0
        kubeMin: 1.28.0
`)
	r = hubfleet(t, "", "upgrade", "--chart", "jupyterhub", "--root", root)
	if r.code != exitOK || !strings.Contains(read(), "version: 4.5.0") {
		t.Errorf("upgrade with the version's facts declared: exit %d, want 0 and the pin moved\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = hubfleet(t, "", "validate", "--root", root)
	if r.code != exitOK || strings.Contains(r.stderr, "not in hubfleet's chart catalog") {
		t.Errorf("validate with the version's facts declared: exit %d\n%s", r.code, r.stderr)
	}
	gittest.Run(t, root, "checkout", "-q", "--", ".")

	r = hubfleet(t, "", "upgrade", "--chart", "jupyterhub", "--allow-unknown", "--root", root)
	if r.code != exitOK || !strings.Contains(read(), "version: 4.5.0") {
		t.Errorf("upgrade --allow-unknown: exit %d, want 0 and the pin moved\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestPlanOfAnOAuthSiteAddedASOPSKeyChangedASiteRemoved is the issue's
// done-when: the JSON, YAML and Markdown plans of that change parse, list
// every site, and mask exactly the SOPS payloads, showing which key
// changed.
func TestPlanOfAnOAuthSiteAddedASOPSKeyChangedASiteRemoved(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	root := planFleet(t, "http://127.0.0.1:9/unused")
	sops := filepath.Join(root, "overlays/egi-pangeo/oauth-client-secret.sops.yaml")
	editFile(t, sops, "client_secret: ENC[AES256_GCM,data:nHvX", "client_secret: ENC[AES256_GCM,data:mHvX")
	gittest.Run(t, root, "rm", "-q", "clusters/egi-dev/site.yaml")
	src, err := os.ReadFile(filepath.Join(root, "clusters/egi-cesnet/site.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	site := strings.Replace(strings.Replace(string(src), "name: egi-cesnet", "name: egi-new", 1), "host: pangeo-cesnet.vm.fedcloud.eu", "host: pangeo-new.vm.fedcloud.eu", 1)
	for p, data := range map[string]string{"clusters/egi-new/site.yaml": site, "overlays/egi-new/oauth-client-secret.sops.yaml": ""} {
		if data == "" {
			b, err := os.ReadFile(filepath.Join(root, "overlays/egi-cesnet/oauth-client-secret.sops.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			data = string(b)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(root, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, p), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mustRender(t, root)

	sites := []string{"egi-cesnet", "egi-dev", "egi-new", "egi-pangeo", "heliocloud-aws", "pangeo-azure"}
	verdicts, r := planVerdicts(t, root, sites, "--charts=false", "--confirm-removal", "egi-dev")
	if r.code != exitOK {
		t.Fatalf("plan: exit %d\n%s", r.code, r.stderr)
	}
	want := map[string]string{"egi-cesnet": "unchanged", "egi-dev": "removed", "egi-new": "added", "egi-pangeo": "changed", "heliocloud-aws": "unchanged", "pangeo-azure": "unchanged"}
	if diff := cmp.Diff(want, verdicts); diff != "" {
		t.Errorf("verdicts (-want +got):\n%s", diff)
	}
	var doc struct {
		Sites []struct {
			Site  string
			Files []struct{ Name, Unified string }
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	changedKey := false
	for _, s := range doc.Sites {
		for _, f := range s.Files {
			for _, l := range strings.Split(f.Unified, "\n") {
				if strings.Contains(l, "ENC[") || strings.Contains(l, "-----BEGIN AGE") {
					t.Errorf("%s: a SOPS payload is shown: %.80s", f.Name, l)
				}
				if !strings.Contains(l, "[redacted") {
					continue
				}
				k, _, _ := strings.Cut(strings.TrimLeft(l, "+- "), ":")
				if k != "client_secret" && k != "enc" && k != "mac" {
					t.Errorf("%s: a value that is not a SOPS payload is masked: %s", f.Name, l)
				}
				if s.Site == "egi-pangeo" && strings.HasPrefix(l, "+") && k == "client_secret" && strings.Contains(l, "[redacted, changed]") {
					changedKey = true
				}
			}
		}
	}
	if !changedKey {
		t.Errorf("the changed SOPS key is not shown as changed:\n%.3000s", r.stdout)
	}
}
