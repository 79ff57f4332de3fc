package importer

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubfleet/hubfleet/internal/site"
)

func TestDetectLayout(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		values string
		want   string
		sib    []string
	}{
		{"plain z2jh", "hub: {}\nproxy: {}\nsingleuser: {}\n", "z2jh", nil},
		{"daskhub", "jupyterhub: {}\ndask-gateway: {}\nrbac: {enabled: true}\n", "daskhub", nil},
		{"base chart with siblings", "jupyterhub: {}\nnfs: {enabled: true}\nbinderhub-service: {enabled: true}\ndask-gateway: {}\n", "base", []string{"binderhub-service", "nfs"}},
		{"umbrella over a base chart", "basehub:\n  jupyterhub: {}\n  nfs: {}\ndask-gateway: {}\n", "umbrella:basehub", []string{"nfs"}},
		{"umbrella over plain z2jh", "pangeo:\n  hub: {}\n  singleuser: {}\n", "umbrella:pangeo", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := Merge(map[string][]byte{"v.yaml": []byte(tt.values)}, []string{"v.yaml"})
			if err != nil {
				t.Fatal(err)
			}
			l, err := detectLayout(m)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, l.Flag()); diff != "" {
				t.Errorf("layout (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.sib, l.Siblings); diff != "" {
				t.Errorf("siblings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMergeFollowsHelm(t *testing.T) {
	t.Parallel()
	files := map[string][]byte{
		"common.yaml": []byte("a:\n  b: 1\n  c: [1, 2]\n  d: {e: 1}\n"),
		"prod.yaml":   []byte("a:\n  c: [3]\n  d: null\n  f: 2\n"),
	}
	got, err := Merge(files, []string{"common.yaml", "prod.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	// Maps merge, lists replace, a null replaces (and later deletes the
	// chart's default, which the HelmRelease values do too).
	want := map[string]any{"a": map[string]any{"b": 1, "c": []any{3}, "d": nil, "f": 2}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("merged (-want +got):\n%s", diff)
	}
}

func TestImportAsksForDeployTimePlaceholders(t *testing.T) {
	t.Parallel()
	values := []byte("hub:\n  config:\n    JupyterHub: {authenticator_class: github}\n    GitHubOAuthenticator:\n      client_id: ${GH_OAUTH_CLIENT_ID}\n      client_secret: ${GH_OAUTH_CLIENT_SECRET}\n      allowed_organizations: [org]\nsingleuser:\n  image: {name: quay.io/x/y, tag: set-on-deployment}\n")
	files := map[string][]byte{"v.yaml": values}
	o := Options{Name: "x", Host: "hub.example.org", ContactEmail: "ops@example.org", AgeRecipient: testRecipient}
	_, _, err := Import(files, []string{"v.yaml"}, o)
	var pe *PlaceholderError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v, want a PlaceholderError", err)
	}
	// The secret is not asked for: it moves to a secret channel anyway.
	if diff := cmp.Diff([]string{
		"hub.config.GitHubOAuthenticator.client_id (e.g. --set 'hub.config.GitHubOAuthenticator.client_id=...')",
		"singleuser.image.tag (e.g. --set 'singleuser.image.tag=...')",
	}, pe.Items); diff != "" {
		t.Errorf("placeholders (-want +got):\n%s", diff)
	}
	o.Set = map[string]string{"hub.config.GitHubOAuthenticator.client_id": "Iv1.abc", "singleuser.image.tag": "2024.01.15"}
	s, rep, err := Import(files, []string{"v.yaml"}, o)
	if err != nil {
		t.Fatal(err)
	}
	if s.Spec.Auth.ClientID != "Iv1.abc" || s.Spec.Singleuser.Image != "quay.io/x/y:2024.01.15" {
		t.Errorf("clientID %q, image %q: want the --set values", s.Spec.Auth.ClientID, s.Spec.Singleuser.Image)
	}
	out, err := Encode(s, "v.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "${") || strings.Contains(string(out), "set-on-deployment") {
		t.Errorf("a placeholder was copied:\n%s", out)
	}
	if c := rep.Counts(); c[Secret] != 1 {
		t.Errorf("report: %d secrets, want the client secret:\n%s", c[Secret], rep)
	}
}

func TestGenericOAuthWithAllowedUsersDoesNotBecomeAllowAll(t *testing.T) {
	t.Parallel()
	values := []byte(`jupyterhub:
  hub:
    config:
      JupyterHub: {authenticator_class: generic-oauth}
      Authenticator:
        allowed_users: [mallory]
      GenericOAuthenticator:
        client_id: hub
        authorize_url: https://idp.example.org/authorize
        token_url: https://idp.example.org/token
        userdata_url: https://idp.example.org/userinfo
        allowed_users: [bob, carol]
        admin_users: [alice]
  ingress: {enabled: true, hosts: [hub.example.org], annotations: {cert-manager.io/cluster-issuer: letsencrypt-prod}}
`)
	s, rep, err := Import(map[string][]byte{"v.yaml": values}, []string{"v.yaml"}, Options{Name: "x", AgeRecipient: testRecipient})
	if err != nil {
		t.Fatal(err)
	}
	a := s.Spec.Auth
	if a.AllowAll || a.Provider != site.AuthGenericOAuth {
		t.Errorf("provider %s, allowAll %v: want generic-oauth without allowAll", a.Provider, a.AllowAll)
	}
	// GenericOAuthenticator.allowed_users wins over Authenticator's
	// (traitlets reads the most specific class): mallory was never let in.
	if diff := cmp.Diff([]string{"bob", "carol"}, a.AllowedUsers); diff != "" {
		t.Errorf("allowedUsers (-want +got):\n%s", diff)
	}
	if !strings.Contains(rep.String(), "jupyterhub.hub.config.Authenticator.allowed_users: had no effect") {
		t.Errorf("the report does not say the shadowed allowed_users had no effect:\n%s", rep)
	}
	if err := site.Validate(s, fleetConfig(t)); err != nil {
		t.Errorf("invalid: %v", err)
	}
}

func TestLayoutFlagOverridesTheGuess(t *testing.T) {
	t.Parallel()
	// Without --layout, a lone top-level key holding jupyterhub: is an
	// umbrella; given --layout z2jh, import takes the file as z2jh values
	// and says it was told.
	values := []byte("wrap:\n  jupyterhub:\n    hub: {baseUrl: /hub-a/, config: {JupyterHub: {authenticator_class: dummy}}}\n")
	files := map[string][]byte{"v.yaml": values}
	o := Options{Name: "x", Host: "hub.example.org", ContactEmail: "ops@example.org"}
	s, rep, err := Import(files, []string{"v.yaml"}, o)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Layout.Flag() != "umbrella:wrap" || !rep.Detected || s.Spec.BaseURL != "/hub-a/" {
		t.Errorf("guessed layout %s (detected %v), baseURL %q: want umbrella:wrap, /hub-a/", rep.Layout.Flag(), rep.Detected, s.Spec.BaseURL)
	}
	l, err := ParseLayout("z2jh")
	if err != nil {
		t.Fatal(err)
	}
	o.Layout = l
	_, rep, err = Import(files, []string{"v.yaml"}, o)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Detected || !strings.HasPrefix(rep.String(), "layout (given by --layout): plain z2jh") {
		t.Errorf("report does not say the layout was given:\n%s", rep)
	}
	if _, err := ParseLayout("umbrella:"); err == nil {
		t.Error("ParseLayout accepted umbrella: without a key")
	}
}
