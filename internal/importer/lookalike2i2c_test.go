package importer

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubfleet/hubfleet/internal/site"
	"github.com/hubfleet/hubfleet/internal/values"
)

// Look-alikes of what more of 2i2c's hubs (the held-out clusters of the
// same repository) write; each written here, none copied.

// TestImportOneStringForAListSetting: allowed_organizations: my-org (one
// string, no list) is the one-element set traitlets makes of it; it is
// typed as such, not kept where hubfleet owns the key (validate refused
// it), and access reads the same before and after.
func TestImportOneStringForAListSetting(t *testing.T) {
	t.Parallel()
	in := `
jupyterhub:
  ingress: {enabled: true, hosts: [hub.example.org]}
  hub:
    config:
      JupyterHub: {authenticator_class: github}
      GitHubOAuthenticator:
        client_id: hub
        allowed_organizations: my-org
`
	s, _ := importSite(t, in)
	if diff := cmp.Diff([]string{"my-org"}, s.Spec.Auth.GitHub.Organizations); diff != "" {
		t.Errorf("spec.auth.github.organizations (-want +got):\n%s", diff)
	}
	if _, kept := getPath(s.Spec.Values, dotted("jupyterhub.hub.config.GitHubOAuthenticator.allowed_organizations")); kept {
		t.Errorf("allowed_organizations is still in spec.values, which hubfleet owns")
	}
	f := corpusFleet(t)
	if errs := site.Check(s, f).Errors(); len(errs) > 0 {
		t.Errorf("validate: %v", errs.Err())
	}
	merged, err := Merge(map[string][]byte{"v.yaml": []byte(in)}, []string{"v.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	before := Access(merged["jupyterhub"].(map[string]any))
	var after map[string]string
	for _, r := range values.Releases(s, f) {
		if r.Name == values.ReleaseJupyterHub {
			after = Access(r.Values)
		}
	}
	if before["allowed_organizations"] != "[my-org]" || before["allowed_organizations"] != after["allowed_organizations"] {
		t.Errorf("allowed_organizations: before %q, after %q, want [my-org] both", before["allowed_organizations"], after["allowed_organizations"])
	}
}

// TestEncodeKeepsALeadingNewline: a passed-through string that begins
// with an empty line (a YAML block scalar with an indentation indicator,
// |2, and a blank first line) reads back from the site file unchanged.
func TestEncodeKeepsALeadingNewline(t *testing.T) {
	t.Parallel()
	in := "jupyterhub:\n  ingress: {enabled: true, hosts: [hub.example.org]}\n  custom:\n    homepage:\n      templateVars:\n        learn_more: |2\n\n          Ask us for access:\n          <a href=\"https://example.org/form\">\n            form\n          </a>\n"
	s, _ := importSite(t, in)
	out, err := Encode(s, "v.yaml")
	if err != nil {
		t.Fatal(err)
	}
	back, err := site.DecodeSite("clusters/x/site.yaml", out)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := getPath(back.Spec.Values, dotted("jupyterhub.custom.homepage.templateVars.learn_more"))
	want := "\nAsk us for access:\n<a href=\"https://example.org/form\">\n  form\n</a>\n"
	if got != want {
		t.Errorf("learn_more read back as %q, want %q\n%s", got, want, out)
	}
}

func importSite(t *testing.T, in string) (*site.Site, Report) {
	t.Helper()
	s, rep, err := Import(map[string][]byte{"v.yaml": []byte(in)}, []string{"v.yaml"},
		Options{Name: "x", AgeRecipient: testRecipient, TLSMode: site.TLSCertManager, ClusterIssuer: "letsencrypt-prod", ClientID: "imported-client"})
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	if strings.Contains(rep.String(), "<nil>") {
		t.Logf("%s", rep)
	}
	return s, rep
}

// TestImportDropsAnotherClassesSection: a workshop hub logs in with a
// shared password, and its common file's GitHubOAuthenticator section
// (allowed_organizations) stays in the merged values, which the
// authenticator never reads: dropped with the reason, not kept where
// hubfleet owns the key (validate refused it); access reads the same.
func TestImportDropsAnotherClassesSection(t *testing.T) {
	t.Parallel()
	in := `
jupyterhub:
  ingress: {enabled: true, hosts: [hub.example.org]}
  hub:
    config:
      JupyterHub: {authenticator_class: dummy}
      GitHubOAuthenticator:
        allowed_organizations: [research-org:workshop]
        scope: [read:org]
      Authenticator: {admin_users: [alice]}
`
	s, rep := importSite(t, in)
	if _, kept := getPath(s.Spec.Values, dotted("jupyterhub.hub.config.GitHubOAuthenticator")); kept {
		t.Errorf("the GitHubOAuthenticator section is still in spec.values")
	}
	var got []string
	for _, it := range rep.Items {
		if it.Action == Dropped && strings.HasPrefix(it.Path, "jupyterhub.hub.config.GitHubOAuthenticator") {
			got = append(got, it.Path+": "+it.Note)
		}
	}
	want := []string{"jupyterhub.hub.config.GitHubOAuthenticator: had no effect: the hub's authenticator (DummyAuthenticator) does not read GitHubOAuthenticator's settings"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("dropped items (-want +got):\n%s", diff)
	}
	f := corpusFleet(t)
	if errs := site.Check(s, f).Errors(); len(errs) > 0 {
		t.Errorf("validate: %v", errs.Err())
	}
	merged, err := Merge(map[string][]byte{"v.yaml": []byte(in)}, []string{"v.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	before := Access(merged["jupyterhub"].(map[string]any))
	for _, r := range values.Releases(s, f) {
		if r.Name == values.ReleaseJupyterHub {
			if after := Access(r.Values); !cmp.Equal(before, after) {
				t.Errorf("access changed: before %v, after %v", before, after)
			}
		}
	}
}

// TestImportSiblingNamesTheHubWithoutTheUmbrellasTemplate: a
// binderhub-service block written for an umbrella chart names the hub's
// Secret with z2jh's template ({{ include "jupyterhub.hub.fullname" . }}),
// which a sibling release cannot include: import writes the name the
// template gives ("hub", or <fullnameOverride>-hub) and says so.
func TestImportSiblingNamesTheHubWithoutTheUmbrellasTemplate(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ override, want string }{{"", "hub"}, {"\n  fullnameOverride: lab", "lab-hub"}} {
		in := `
jupyterhub:
  ingress: {enabled: true, hosts: [hub.example.org]}
  hub: {config: {JupyterHub: {authenticator_class: dummy}}}` + tt.override + `
binderhub-service:
  enabled: true
  extraEnv:
  - name: JUPYTERHUB_API_TOKEN
    valueFrom:
      secretKeyRef:
        name: '{{ include "jupyterhub.hub.fullname" . }}'
        key: hub.services.binder.apiToken
  - name: JUPYTERHUB_CLIENT_ID
    value: service-binder
`
		s, rep := importSite(t, in)
		if len(s.Spec.Releases) != 1 {
			t.Fatalf("releases %+v, want binderhub-service", s.Spec.Releases)
		}
		env, _ := s.Spec.Releases[0].Values["extraEnv"].([]any)
		got, _ := getPath(env[0].(map[string]any), Path{"valueFrom", "secretKeyRef", "name"})
		if got != tt.want {
			t.Errorf("fullnameOverride %q: the Secret's name is %v, want %q", tt.override, got, tt.want)
		}
		found := false
		for _, it := range rep.Items {
			if it.Path == "binderhub-service.extraEnv" {
				found = it.Action == Migrated && strings.Contains(it.Note, `written as "`+tt.want+`"`)
			}
		}
		if !found {
			t.Errorf("the report does not say the template was written as %q:\n%s", tt.want, rep)
		}
	}
}
