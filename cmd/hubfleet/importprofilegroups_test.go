package main

import (
	"encoding/base64"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/hubfleet/hubfleet/internal/values"
)

// TestImportRealHubKeepsItsProfileGroupsOnTheUpstreamCharts imports 2i2c's
// showcase hub (profiles and choices offered only to GitHub teams, which
// 2i2c's basehub enforces) on the upstream route: import says hubfleet's
// profile filter enforces them, render gives the jupyterhub HelmRelease
// the filter beside the very profile list, and z2jh 4.4.0 (Helm SDK) puts
// both into the hub's configuration Secret, which the hub runs, with the
// GitHub teams in auth_state that basehub set up by default (carried by
// import) and the auth_state crypt key z2jh generates.
func TestImportRealHubKeepsItsProfileGroupsOnTheUpstreamCharts(t *testing.T) {
	if testing.Short() {
		t.Skip("imports a real hub on the real charts")
	}
	const name = "2i2c-aws-us-showcase"
	// A named hub of the default corpus, whatever corpus the others read.
	t.Setenv("HUBFLEET_REAL_CONFIGS", defaultRealConfigsDir())
	root, cache, names, _ := importSomeRealHubs(t, func(s string) bool { return s == name })
	if len(names) != 1 {
		t.Fatalf("imported %v, want %s", names, name)
	}
	cf := filepath.Join(realConfigsDir(t), "2i2c-infrastructure", "clusters", "2i2c-aws-us", "cluster.yaml")
	r := hubfleet(t, "", "import", "--root", root, "--chart-cache", cache, "--cluster-file", cf, "--hub", "showcase", "--site", "again",
		"--tls-mode", "cert-manager", "--cluster-issuer", "letsencrypt-prod", "--client-id", "imported-client")
	if !strings.Contains(r.stderr, "are offered only to some groups (allowed_groups); enforced by hubfleet's profile filter") ||
		strings.Contains(r.stderr, "every user is offered them") {
		t.Errorf("the import report does not say the groups are enforced:\n%s", r.stderr)
	}
	// basehub's GitHub defaults the teams depend on are carried, each
	// with basehub's reason.
	for _, want := range []string{"spec.auth.github.populateTeamsInAuthState: 2i2c's basehub sets this for GitHub hubs",
		"spec.values.jupyterhub.hub.config.GitHubOAuthenticator.enable_auth_state: 2i2c's basehub sets this for GitHub hubs",
		"spec.values.jupyterhub.hub.config.GitHubOAuthenticator.scope: 2i2c's basehub sets this for GitHub hubs"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("the import report lacks %q:\n%s", want, r.stderr)
		}
	}
	setRealSecrets(t, root, names)
	r = hubfleet(t, "", "validate", "--root", root, "--chart-cache", cache)
	if r.code != exitOK {
		t.Fatalf("validate: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if strings.Contains(r.stderr, "not by KubeSpawner") {
		t.Errorf("validate still says allowedGroups is not enforced:\n%s", r.stderr)
	}
	if strings.Contains(r.stderr, "gives users no JupyterHub groups") {
		t.Errorf("validate says login gives the users no groups, yet their GitHub teams are carried:\n%s", r.stderr)
	}
	t.Logf("validate:\n%s", r.stderr)
	if r := hubfleet(t, "", "render", "--root", root, "--chart-cache", cache); r.code != exitOK {
		t.Fatalf("render: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	hr := readHelmReleaseValues(t, filepath.Join(root, "overlays", name))
	list, _ := hr["singleuser"].(map[string]any)["profileList"].([]any)
	if !values.RestrictsGroups(list) {
		t.Fatalf("the HelmRelease's profile list restricts no group: %s", jsonOf(t, list))
	}
	extra, _ := hr["hub"].(map[string]any)["extraConfig"].(map[string]any)
	if extra[values.ProfileGroupsKey] != values.ProfileGroupsConfig {
		t.Fatalf("the HelmRelease lacks hub.extraConfig.%s; extraConfig keys: %v", values.ProfileGroupsKey, keysOf(extra))
	}

	manifest, hv := renderRealHubSecret(t, name, hr)
	if got := hv["hub"].(map[string]any)["extraConfig"].(map[string]any)[values.ProfileGroupsKey]; got != values.ProfileGroupsConfig {
		t.Errorf("the hub Secret lacks hubfleet's profile filter (hub.extraConfig.%s), got %v", values.ProfileGroupsKey, got)
	}
	if a, b := jsonOf(t, list), jsonOf(t, hv["singleuser"].(map[string]any)["profileList"]); a != b {
		t.Errorf("the hub Secret's profile list differs from the HelmRelease's:\nrelease %s\nchart   %s", a, b)
	}
	// The hub gets the teams in auth_state, as on basehub, and z2jh
	// generates the key auth_state is encrypted with: no secret to add.
	gh, _ := hv["hub"].(map[string]any)["config"].(map[string]any)["GitHubOAuthenticator"].(map[string]any)
	want := map[string]any{"enable_auth_state": true, "populate_teams_in_auth_state": true, "auth_refresh_age": 0, "scope": []any{"read:org"}}
	for k, v := range want {
		if jsonOf(t, gh[k]) != jsonOf(t, v) {
			t.Errorf("the hub Secret's GitHubOAuthenticator.%s = %v, want %v (all: %v)", k, gh[k], v, gh)
		}
	}
	if key := hubSecretData(t, manifest, "hub.config.CryptKeeper.keys"); len(key) < 64 {
		t.Errorf("z2jh generated no auth_state crypt key (hub.config.CryptKeeper.keys = %d characters)", len(key))
	}
}

// hubSecretData is one key of the rendered hub Secret's data, decoded.
func hubSecretData(t *testing.T, manifest, key string) string {
	t.Helper()
	for _, doc := range strings.Split(manifest, "\n---") {
		var o struct {
			Kind     string `yaml:"kind"`
			Metadata struct{ Name string }
			Data     map[string]string `yaml:"data"`
		}
		if err := yaml.Unmarshal([]byte(doc), &o); err != nil || o.Kind != "Secret" || o.Metadata.Name != "hub" {
			continue
		}
		b, err := base64.StdEncoding.DecodeString(o.Data[key])
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	t.Fatalf("no hub Secret in the rendered chart")
	return ""
}

func keysOf(m map[string]any) []string {
	return slices.Sorted(maps.Keys(m))
}
