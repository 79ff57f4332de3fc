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

// TestSecretSetRefusesWhatSetSyntaxChanges stores values through `secret
// set`: a value that helm-controller's --set parsing of a valuesFrom
// targetPath would change is refused, naming why and never showing it,
// and nothing is written; the same value for an environment variable, and
// an ordinary password, are stored.
func TestSecretSetRefusesWhatSetSyntaxChanges(t *testing.T) {
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
	for _, tc := range []struct {
		name, key, value, why string // why "" means stored
	}{
		{"digits become a number", "hub-db-password", "83920417", "would reach the chart as a int64"},
		{"true becomes a boolean", "hub-db-password", "true", "would reach the chart as a bool"},
		{"a comma splits it", "hub-db-password", "Pw-one,two-Zq9", `contains ","`},
		{"a backslash is dropped", "hub-db-password", `Pw\x-Zq9k2`, `contains "\\"`},
		{"braces make a list", "hub-db-password", "{Pw-Zq9k2}", `contains "{"`},
		{"quotes are stripped", "hub-db-password", "'Pw-Zq9k2'", `contains "'"`},
		{"the client secret too", "", "cs,Zq9k2", `contains ","`},
		{"an env var takes anything", "s3-secret-access-key", "s3,{k}\\ey", ""},
		{"an ordinary password", "hub-db-password", "Pw-Zq9k2.x=y", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := os.ReadFile(sopsFile)
			args := []string{"secret", "set", "--site", "pangeo-azure", "--root", root}
			if tc.key != "" {
				args = append(args, "--key", tc.key)
			}
			r := hubfleet(t, tc.value, args...)
			out := r.stdout + r.stderr
			if strings.Contains(out, tc.value) {
				t.Errorf("the value is printed:\n%s", out)
			}
			if tc.why == "" {
				if !strings.Contains(r.stdout, "wrote overlays/pangeo-azure/") {
					t.Errorf("not stored: exit %d\n%s", r.code, out)
				}
				return
			}
			if r.code != exitError || !strings.Contains(r.stderr, tc.why) || !strings.Contains(r.stderr, "--set syntax") {
				t.Errorf("exit %d, want %d naming %q:\n%s", r.code, exitError, tc.why, out)
			}
			if after, _ := os.ReadFile(sopsFile); string(after) != string(before) {
				t.Error("a refused value changed hubfleet-secrets.sops.yaml")
			}
		})
	}
}
