package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"

	"github.com/hubfleet/hubfleet/internal/secrets"
)

// TestSecretSetKeyWiresValuesFrom takes a composed site through `secret
// set --key` for an external hub database password, an extra OAuth
// setting, users' S3 credentials and a gateway token, renders it, decrypts
// the SOPS file with the test age key, and checks that the HelmReleases
// read each value from the Secret at the right place.
func TestSecretSetKeyWiresValuesFrom(t *testing.T) {
	root := fleetCopy(t)
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("SOPS_AGE_KEY", id.String())
	siteFile := filepath.Join(root, "clusters/pangeo-azure/site.yaml")
	editFile(t, siteFile, "    ageRecipient: age1t7fprvuy59nvvaq6n843e6yr4u9lymw2s4v4weuw2mr5vcjkyumstdv8am\n",
		"    ageRecipient: "+id.Recipient().String()+`
    values:
      hub-db-password: {targetPath: jupyterhub.hub.db.password}
      oauth-token-param: {targetPath: jupyterhub.hub.config.AzureAdOAuthenticator.token_params.client_assertion}
      s3-secret-access-key: {env: {component: singleuser, name: AWS_SECRET_ACCESS_KEY}}
      gateway-token: {env: {component: gateway, name: EXTRA_TOKEN}}
`)
	// Before the values are stored, render names the command to run.
	if r := hubfleet(t, "", "render", "--root", root); r.code != exitProblems || !strings.Contains(r.stderr, "hubfleet secret set --site pangeo-azure --key hub-db-password") {
		t.Fatalf("render without the secrets: exit %d\n%s", r.code, r.stderr)
	}
	want := map[string]string{
		"hub-db-password":      "db-pw-9f8e7d6c5b4a",
		"oauth-token-param":    "assertion-0a1b2c3d4e",
		"s3-secret-access-key": "s3-key-5e6f7a8b9c0d",
		"gateway-token":        "gw-token-1a2b3c4d5e",
	}
	var printed strings.Builder
	keys := []string{"hub-db-password", "oauth-token-param", "s3-secret-access-key", "gateway-token"}
	for i, k := range keys {
		r := hubfleet(t, want[k]+"\n", "secret", "set", "--site", "pangeo-azure", "--key", k, "--root", root)
		printed.WriteString(r.stdout + r.stderr)
		if r.code != exitOK || !strings.Contains(r.stdout, "wrote overlays/pangeo-azure/hubfleet-secrets.sops.yaml: key "+k) {
			t.Fatalf("secret set --key %s: exit %d\n%s%s", k, r.code, r.stdout, r.stderr)
		}
		// Until the last key is stored, it says which are still to set
		// instead of failing on them.
		if rest := slices.Sorted(slices.Values(keys[i+1:])); len(rest) > 0 {
			if !strings.Contains(r.stdout, "still needs "+strings.Join(rest, ", ")) {
				t.Errorf("secret set --key %s does not name the keys still to set %v:\n%s", k, rest, r.stdout)
			}
		} else if strings.Contains(r.stdout, "still needs") {
			t.Errorf("secret set of the last key says keys are missing:\n%s", r.stdout)
		}
	}
	if r := hubfleet(t, "", "render", "--root", root); r.code != exitOK {
		t.Fatalf("render: exit %d\n%s", r.code, r.stderr)
	}
	if r := hubfleet(t, "", "check-secrets", "--root", root); r.code != exitOK {
		t.Fatalf("check-secrets: exit %d\n%s", r.code, r.stdout)
	}
	tree := snapshot(t, root) + printed.String()
	for k, v := range want {
		if strings.Contains(tree, v) {
			t.Errorf("the value of %s appears in plain text", k)
		}
	}

	enc, err := os.ReadFile(filepath.Join(root, "overlays/pangeo-azure/hubfleet-secrets.sops.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := secrets.Decrypt(enc)
	if err != nil {
		t.Fatalf("decrypting with the test age key: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("decrypted secrets (-want +got):\n%s", diff)
	}

	type ref struct {
		Kind, Name, ValuesKey, TargetPath string
	}
	type env struct {
		Name      string
		ValueFrom map[string]map[string]string `json:"valueFrom"`
	}
	var hub struct {
		Spec struct {
			ValuesFrom []ref `json:"valuesFrom"`
			Values     struct {
				Singleuser struct {
					ExtraEnv map[string]any `json:"extraEnv"`
				} `json:"singleuser"`
			} `json:"values"`
		} `json:"spec"`
	}
	var gw struct {
		Spec struct {
			ValuesFrom []ref `json:"valuesFrom"`
			Values     struct {
				Gateway struct {
					Env []env `json:"env"`
				} `json:"gateway"`
			} `json:"values"`
		} `json:"spec"`
	}
	readYAML(t, filepath.Join(root, "overlays/pangeo-azure/helmrelease-jupyterhub.yaml"), &hub)
	readYAML(t, filepath.Join(root, "overlays/pangeo-azure/helmrelease-dask-gateway.yaml"), &gw)
	wantFrom := []ref{
		{Kind: "Secret", Name: "oauth-client-secret", ValuesKey: "client_secret", TargetPath: "hub.config.AzureAdOAuthenticator.client_secret"},
		{Kind: "Secret", Name: "hubfleet-secrets", ValuesKey: "hub-db-password", TargetPath: "hub.db.password"},
		{Kind: "Secret", Name: "hubfleet-secrets", ValuesKey: "oauth-token-param", TargetPath: "hub.config.AzureAdOAuthenticator.token_params.client_assertion"},
	}
	if diff := cmp.Diff(wantFrom, hub.Spec.ValuesFrom); diff != "" {
		t.Errorf("jupyterhub valuesFrom (-want +got):\n%s", diff)
	}
	if len(gw.Spec.ValuesFrom) != 0 {
		t.Errorf("dask-gateway valuesFrom: %v", gw.Spec.ValuesFrom)
	}
	wantS3 := map[string]any{"valueFrom": map[string]any{"secretKeyRef": map[string]any{"name": "hubfleet-secrets", "key": "s3-secret-access-key"}}}
	if diff := cmp.Diff(wantS3, hub.Spec.Values.Singleuser.ExtraEnv["AWS_SECRET_ACCESS_KEY"]); diff != "" {
		t.Errorf("singleuser.extraEnv.AWS_SECRET_ACCESS_KEY (-want +got):\n%s", diff)
	}
	wantGW := []env{{Name: "EXTRA_TOKEN", ValueFrom: map[string]map[string]string{"secretKeyRef": {"name": "hubfleet-secrets", "key": "gateway-token"}}}}
	if diff := cmp.Diff(wantGW, gw.Spec.Values.Gateway.Env); diff != "" {
		t.Errorf("gateway.env (-want +got):\n%s", diff)
	}
	kz, err := os.ReadFile(filepath.Join(root, "overlays/pangeo-azure/kustomization.yaml"))
	if err != nil || !strings.Contains(string(kz), "- hubfleet-secrets.sops.yaml") {
		t.Errorf("the kustomization does not apply hubfleet-secrets.sops.yaml:\n%s", kz)
	}
}

func readYAML(t *testing.T, file string, out any) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, out); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
}

// TestSecretSetStoresAnyValueVerbatim stores values that Helm's --set
// parser would change (a comma, a backslash, braces, quotes, digits,
// "true") through `secret set`: each is stored as given, never printed,
// and the HelmRelease reads it with literal: true, so helm-controller sets
// it verbatim (the real loop, TestRealSiteLifecycle's secret step, shows a
// comma and braces reaching the chart's hub Secret whole).
func TestSecretSetStoresAnyValueVerbatim(t *testing.T) {
	root := fleetCopy(t)
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("SOPS_AGE_KEY", id.String())
	editFile(t, filepath.Join(root, "clusters/pangeo-azure/site.yaml"), "    ageRecipient: age1t7fprvuy59nvvaq6n843e6yr4u9lymw2s4v4weuw2mr5vcjkyumstdv8am\n",
		"    ageRecipient: "+id.Recipient().String()+`
    values:
      hub-db-password: {targetPath: jupyterhub.hub.db.password}
      s3-secret-access-key: {env: {component: singleuser, name: AWS_SECRET_ACCESS_KEY}}
`)
	sopsFile := filepath.Join(root, "overlays/pangeo-azure/hubfleet-secrets.sops.yaml")
	clientFile := filepath.Join(root, "overlays/pangeo-azure/oauth-client-secret.sops.yaml")
	for _, tc := range []struct {
		name, key, value string
	}{
		{"digits", "hub-db-password", "83920417"},
		{"true", "hub-db-password", "true"},
		{"a comma", "hub-db-password", "Pw-one,two-Zq9"},
		{"a backslash", "hub-db-password", `Pw\x-Zq9k2`},
		{"braces", "hub-db-password", "{Pw-Zq9k2}"},
		{"quotes", "hub-db-password", "'Pw-Zq9k2'"},
		{"the client secret", "", "cs,Zq9k2{x}"},
		{"an env var", "s3-secret-access-key", "s3,{k}\\ey"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"secret", "set", "--site", "pangeo-azure", "--root", root}
			file, key := clientFile, "client_secret"
			if tc.key != "" {
				args = append(args, "--key", tc.key)
				file, key = sopsFile, tc.key
			}
			r := hubfleet(t, tc.value, args...)
			out := r.stdout + r.stderr
			if strings.Contains(out, tc.value) {
				t.Errorf("the value is printed:\n%s", out)
			}
			if !strings.Contains(r.stdout, "wrote overlays/pangeo-azure/") {
				t.Fatalf("not stored: exit %d\n%s", r.code, out)
			}
			enc, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			got, err := secrets.Decrypt(enc)
			if err != nil {
				t.Fatal(err)
			}
			if got[key] != tc.value {
				t.Errorf("stored %s differs from the value given", key)
			}
		})
	}
	// Once every declared key is stored, the site renders: each valuesFrom
	// with a targetPath is literal.
	hr, err := os.ReadFile(filepath.Join(root, "overlays/pangeo-azure/helmrelease-jupyterhub.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if n, lit := strings.Count(string(hr), "targetPath: "), strings.Count(string(hr), "literal: true"); n != 2 || lit != n {
		t.Errorf("helmrelease-jupyterhub.yaml: %d valuesFrom with a targetPath, %d literal; want 2 and 2:\n%s", n, lit, hr)
	}
}
