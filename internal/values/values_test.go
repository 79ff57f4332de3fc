package values

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubfleet/hubfleet/internal/site"
	"github.com/hubfleet/hubfleet/internal/valuetree"
)

func load(t *testing.T, name string) (*site.Site, *site.Fleet) {
	t.Helper()
	fb, err := os.ReadFile("../../bases/daskhub/fleet.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f, err := site.DecodeFleet("fleet.yaml", fb)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := os.ReadFile("../../clusters/" + name + "/site.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s, err := site.DecodeSite(name, sb)
	if err != nil {
		t.Fatal(err)
	}
	return s, f
}

func TestOAuthenticatorKeysFollowTheChartVersion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		mode     string
		present  []string
		absent   []string
		hubRoot  string
		releases []string
	}{
		{
			name: "daskhub 2024.1.1 ships jupyterhub 3.2.1 (OAuthenticator 16)", mode: site.ModeDaskHub,
			hubRoot: "jupyterhub.", releases: []string{"daskhub"},
			present: []string{"claim_groups_key", "allowed_groups", "username_claim"},
			absent:  []string{"manage_groups", "auth_state_groups_key", "username_key", "userdata_params"},
		},
		{
			name: "jupyterhub 4.4.0 ships OAuthenticator 17", mode: site.ModeComposed,
			releases: []string{"jupyterhub", "dask-gateway"},
			present:  []string{"manage_groups", "auth_state_groups_key", "allowed_groups"},
			absent:   []string{"claim_groups_key"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, f := load(t, "egi-pangeo")
			s.Spec.Chart.Mode = tt.mode
			rels := Releases(s, f)
			var names []string
			for _, r := range rels {
				names = append(names, r.Name)
			}
			if diff := cmp.Diff(tt.releases, names); diff != "" {
				t.Fatalf("releases (-want +got):\n%s", diff)
			}
			cfg := tt.hubRoot + "hub.config.GenericOAuthenticator."
			for _, k := range tt.present {
				if valuetree.Get(rels[0].Values, cfg+k) == nil {
					t.Errorf("%s%s missing", cfg, k)
				}
			}
			for _, k := range tt.absent {
				if v := valuetree.Get(rels[0].Values, cfg+k); v != nil {
					t.Errorf("%s%s = %v, must not be set for this chart", cfg, k, v)
				}
			}
			want := ValuesFrom{SecretName: ClientSecretName, Key: ClientSecretKey, TargetPath: cfg + "client_secret"}
			if diff := cmp.Diff([]ValuesFrom{want}, rels[0].ValuesFrom); diff != "" {
				t.Errorf("valuesFrom (-want +got):\n%s", diff)
			}
		})
	}
}

func TestComposedModeWritesTheGlueWithTheGatewayReleaseNames(t *testing.T) {
	t.Parallel()
	s, f := load(t, "pangeo-azure")
	rels := Releases(s, f)
	glue, _ := valuetree.Get(rels[0].Values, "hub.extraConfig.00-add-dask-gateway-values").(string)
	// The dask-gateway chart names its objects <release> when the release
	// name contains "dask-gateway": traefik-dask-gateway, not
	// traefik-dask-gateway-dask-gateway.
	for _, want := range []string{"gateway://traefik-dask-gateway.daskhub:80", `"http://traefik-dask-gateway.daskhub"`, "/services/dask-gateway/"} {
		if !strings.Contains(glue, want) {
			t.Errorf("glue lacks %q:\n%s", want, glue)
		}
	}
	gw := rels[1]
	if diff := cmp.Diff([]string{"jupyterhub"}, gw.DependsOn); diff != "" {
		t.Errorf("dask-gateway must wait for the hub Secret (-want +got):\n%s", diff)
	}
	for path, want := range map[string]any{
		"gateway.prefix":       "/services/dask-gateway",
		"gateway.auth.type":    "jupyterhub",
		"traefik.service.type": "ClusterIP",
	} {
		if got := valuetree.Get(gw.Values, path); got != want {
			t.Errorf("dask-gateway %s = %v, want %v", path, got, want)
		}
	}
	if _, ok := gw.Values["enabled"]; ok {
		t.Error("the dask-gateway chart has no top-level enabled key (its schema rejects it)")
	}
}

func TestBaseURLMovesCallbackAndGatewayPrefix(t *testing.T) {
	t.Parallel()
	s, f := load(t, "egi-pangeo")
	s.Spec.BaseURL = "/jupyterhub/"
	rels := Releases(s, f)
	v := rels[0].Values
	if got := valuetree.Get(v, "jupyterhub.hub.config.GenericOAuthenticator.oauth_callback_url"); got != "https://pangeo.vm.fedcloud.eu/jupyterhub/hub/oauth_callback" {
		t.Errorf("callback = %v", got)
	}
	if got := valuetree.Get(v, "dask-gateway.gateway.prefix"); got != "/jupyterhub/services/dask-gateway" {
		t.Errorf("gateway prefix = %v", got)
	}
}

func TestUserValuesMergeLast(t *testing.T) {
	t.Parallel()
	s, f := load(t, "egi-dev")
	s.Spec.Values = map[string]any{"jupyterhub": map[string]any{"cull": map[string]any{"timeout": 7200}}}
	rels := Releases(s, f)
	if got := valuetree.Get(rels[0].Values, "jupyterhub.cull.timeout"); got != 7200 {
		t.Errorf("site value did not win: %v", got)
	}
	if got := valuetree.Get(rels[0].Values, "jupyterhub.cull.enabled"); got != true {
		t.Errorf("fleet value lost in the merge: %v", got)
	}
	if rels[0].ValuesFrom != nil {
		t.Error("native auth has no client secret")
	}
}
