package importer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubfleet/hubfleet/internal/golden"

	"github.com/hubfleet/hubfleet/internal/site"
)

func fleetConfig(t *testing.T) *site.Fleet {
	t.Helper()
	b, err := os.ReadFile("../../bases/daskhub/fleet.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f, err := site.DecodeFleet("bases/daskhub/fleet.yaml", b)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// testRecipient is a public age key for the imported test sites.
const testRecipient = "age19yjrrnrlvaylhkrxyewmespaj9mnzlk9ukux8zn9hlkwasjsmu9sje8d6l"

func TestImportSeedValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		opts Options
		// wantMigrated and wantDropped are values paths the report must name.
		wantMigrated []string
		wantDropped  []string
		wantProvider string
	}{
		{
			file: "seed000-checkin.yaml", opts: Options{Name: "egi-pangeo", AgeRecipient: testRecipient},
			wantProvider: site.AuthEGICheckin,
			wantMigrated: []string{"jupyterhub.hub.config.GenericOAuthenticator.claim_groups_key", "jupyterhub.hub.config.GenericOAuthenticator.username_key", "dask-gateway.gateway.extraConfig.dasklimits"},
			wantDropped:  []string{"jupyterhub.proxy.secretToken", "jupyterhub.hub.services.dask-gateway.apiToken", "dask-gateway.gateway.auth.jupyterhub.apiToken", "jupyterhub.hub.config.GenericOAuthenticator.userdata_params.state"},
		},
		{
			file: "seed000-native.yaml", opts: Options{Name: "egi-dev"},
			wantProvider: site.AuthNative,
			wantDropped:  []string{"jupyterhub.proxy.secretToken", "jupyterhub.hub.config.JupyterHub.admin_access", "jupyterhub.hub.extraConfig.10-auth-config"},
		},
		{
			file: "seed001-checkin.yaml", opts: Options{Name: "egi-cesnet", Host: "pangeo.vm.fedcloud.eu", AgeRecipient: testRecipient},
			wantProvider: site.AuthEGICheckin,
			wantDropped:  []string{"dask-gateway.gateway.auth.simple.password", "jupyterhub.proxy.secretToken"},
		},
		{
			file: "seed004-secrets.yaml", opts: Options{Name: "pangeo-azure", Host: "pangeo-hub.westeurope.cloudapp.azure.com", ContactEmail: "ops@example.org"},
			wantProvider: site.AuthDummy,
			wantMigrated: []string{"jupyterhub.hub.networkPolicy.enabled"},
			wantDropped:  []string{"jupyterhub.proxy.secretToken", "jupyterhub.hub.services.dask-gateway.apiToken", "dask-gateway.gateway.auth.jupyterhub.apiToken"},
		},
	}
	fl := fleetConfig(t)
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join("testdata/seeds", tt.file)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			s, report, err := Import(map[string][]byte{path: data}, []string{path}, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			out, err := Encode(s, path)
			if err != nil {
				t.Fatal(err)
			}
			// The imported file must be a valid site on its own.
			back, err := site.DecodeSite(path, out)
			if err != nil {
				t.Fatalf("the imported file does not decode: %v\n%s", err, out)
			}
			if err := site.Validate(back, fl); err != nil {
				t.Errorf("the imported site is invalid:\n%v\n%s", err, out)
			}
			if back.Spec.Auth.Provider != tt.wantProvider {
				t.Errorf("provider = %q, want %q", back.Spec.Auth.Provider, tt.wantProvider)
			}
			for _, secret := range []string{"token1", "token2", "egi_oauth_secret", "<secret>", "<password>", "<token>", "secret token"} {
				if strings.Contains(string(out), secret) {
					t.Errorf("the site file carries the secret placeholder %q", secret)
				}
			}
			got := map[Action]map[string]bool{}
			for _, it := range report.Items {
				if got[it.Action] == nil {
					got[it.Action] = map[string]bool{}
				}
				got[it.Action][it.Path] = true
			}
			for _, p := range tt.wantMigrated {
				if !got[Migrated][p] {
					t.Errorf("report does not say %s was migrated:\n%s", p, report)
				}
			}
			for _, p := range tt.wantDropped {
				if !got[Dropped][p] {
					t.Errorf("report does not say %s was dropped:\n%s", p, report)
				}
			}
			golden.Assert(t, strings.TrimSuffix(path, ".yaml")+".site.golden", string(out))
			golden.Assert(t, strings.TrimSuffix(path, ".yaml")+".report.golden", report.String())
		})
	}
}

func TestImportOfTheMangledWebCopyNamesTheLine(t *testing.T) {
	t.Parallel()
	path := "testdata/seeds/seed002-checkin.yaml"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = Import(map[string][]byte{path: data}, []string{path}, Options{Name: "x", Host: "pangeo.vm.fedcloud.eu"})
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "line") {
		t.Errorf("err = %v, want a YAML error naming the file and line", err)
	}
}

func TestImportWithoutHostAsksForIt(t *testing.T) {
	t.Parallel()
	_, _, err := Import(map[string][]byte{"v.yaml": []byte("jupyterhub: {}\n")}, []string{"v.yaml"}, Options{Name: "x"})
	if err == nil || !strings.Contains(err.Error(), "--host") {
		t.Errorf("err = %v, want a hint to pass --host", err)
	}
}

func TestLaterValuesFilesWin(t *testing.T) {
	t.Parallel()
	files := map[string][]byte{
		"config.yaml": []byte("jupyterhub:\n  singleuser:\n    image: {name: a/b, tag: '1'}\n  ingress: {enabled: true, hosts: [hub.example.org], annotations: {cert-manager.io/cluster-issuer: letsencrypt-prod}}\n"),
		"auth.yaml":   []byte("jupyterhub:\n  singleuser:\n    image: {tag: '2'}\n"),
	}
	s, _, err := Import(files, []string{"config.yaml", "auth.yaml"}, Options{Name: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff("a/b:2", s.Spec.Singleuser.Image); diff != "" {
		t.Errorf("image (-want +got):\n%s", diff)
	}
}

func TestImportMovesUsersOfAnyAuthenticatorToSpecAuth(t *testing.T) {
	t.Parallel()
	values := []byte(`jupyterhub:
  hub:
    config:
      JupyterHub: {authenticator_class: generic-oauth}
      GenericOAuthenticator:
        client_id: hub
        authorize_url: https://idp.example.org/authorize
        token_url: https://idp.example.org/token
        userdata_url: https://idp.example.org/userinfo
        admin_users: [alice]
        allowed_users: [bob]
  ingress:
    enabled: true
    hosts: [hub.example.org]
`)
	s, _, err := Import(map[string][]byte{"v.yaml": values}, []string{"v.yaml"}, Options{Name: "x", AgeRecipient: testRecipient, ContactEmail: "ops@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	out, err := Encode(s, "v.yaml")
	if err != nil {
		t.Fatal(err)
	}
	back, err := site.DecodeSite("v.yaml", out)
	if err != nil {
		t.Fatal(err)
	}
	if err := site.Validate(back, fleetConfig(t)); err != nil {
		t.Errorf("the imported site is invalid:\n%v\n%s", err, out)
	}
	if diff := cmp.Diff([]string{"alice"}, back.Spec.Auth.Admins); diff != "" {
		t.Errorf("admins (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"bob"}, back.Spec.Auth.AllowedUsers); diff != "" {
		t.Errorf("allowedUsers (-want +got):\n%s", diff)
	}
}
