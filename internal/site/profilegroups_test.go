package site

import (
	"strings"
	"testing"
)

// TestProfileGroupsNeedAGroupSource checks validate's warning for profiles
// offered only to groups when login gives users no JupyterHub groups: it
// names the first restricted field with a fix (GitHub's names teams), is
// a warning (the filter fails closed; admins may assign groups on the
// hub), and is quiet when the site has a group source or runs an
// operator's chart (basehub does the filtering and its own group set-up).
func TestProfileGroupsNeedAGroupSource(t *testing.T) {
	t.Parallel()
	f := testFleet(t)
	sb := readTestdata(t, "testdata/valid/pangeo-azure.yaml")
	choice := []Profile{{Name: "Small", Slug: "small"}, {Name: "Big", Slug: "big", Options: []ProfileOption{{Name: "image", DisplayName: "Image",
		Choices: []ProfileChoice{{Name: "a", DisplayName: "A"}, {Name: "b", DisplayName: "B", AllowedGroups: []string{"staff"}}}}}}}
	profile := []Profile{{Name: "Small", Slug: "small", AllowedGroups: []string{"staff"}}}
	github := func(populate bool, values map[string]any) func(*Spec) {
		return func(sp *Spec) {
			sp.Auth.Provider, sp.Auth.AzureAD = AuthGitHub, nil
			sp.Auth.GitHub = &GitHub{Organizations: []string{"org"}, PopulateTeamsInAuthState: populate}
			sp.Values = values
		}
	}
	authState := map[string]any{"jupyterhub": map[string]any{"hub": map[string]any{"config": map[string]any{"GitHubOAuthenticator": map[string]any{"enable_auth_state": true}}}}}
	for _, tc := range []struct {
		name     string
		profiles []Profile
		edit     func(*Spec)
		field    string // "" no warning
		fix      string
	}{
		{"a choice, no group source", choice, func(sp *Spec) {}, "spec.singleuser.profiles[1].options[0].choices[1].allowedGroups", "spec.auth.groups.manage: true"},
		{"a profile, no group source", profile, func(sp *Spec) {}, "spec.singleuser.profiles[0].allowedGroups", "spec.auth.groups.manage: true"},
		{"no restriction", profile[:0], func(sp *Spec) {}, "", ""},
		{"the authenticator manages groups", profile, func(sp *Spec) { sp.Auth.Groups = &GroupManagement{Manage: true, AuthStateKey: "oauth_user.groups"} }, "", ""},
		{"Azure AD groups", profile, func(sp *Spec) { sp.Auth.AzureAD.AllowedGroups = []string{"0b1c"} }, "", ""},
		{"the hub loads groups", profile, func(sp *Spec) {
			sp.Values = map[string]any{"jupyterhub": map[string]any{"hub": map[string]any{"config": map[string]any{"JupyterHub": map[string]any{"load_groups": map[string]any{"staff": []any{"ada"}}}}}}}
		}, "", ""},
		{"GitHub teams without auth_state", profile, github(true, nil), "spec.singleuser.profiles[0].allowedGroups", "enable_auth_state: true"},
		{"GitHub teams in auth_state", profile, github(true, authState), "", ""},
		{"a list passed through in spec.values", nil, func(sp *Spec) {
			sp.Values = map[string]any{"jupyterhub": map[string]any{"singleuser": map[string]any{"profileList": []any{
				map[string]any{"display_name": "Small"},
				map[string]any{"display_name": "Big", "profile_options": map[string]any{"image": map[string]any{"choices": map[string]any{
					"a": map[string]any{"display_name": "A"}, "b": map[string]any{"display_name": "B", "allowed_groups": []any{"staff"}}}}}}}}}}
		}, "spec.values.jupyterhub.singleuser.profileList[1].profile_options.image.choices.b.allowed_groups", "spec.auth.groups.manage: true"},
		{"an operator's chart does it", profile, func(sp *Spec) { sp.Chart.Umbrella = "basehub" }, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := DecodeSite("clusters/pangeo-azure/site.yaml", sb)
			if err != nil {
				t.Fatal(err)
			}
			s.Spec.Singleuser.Profiles = tc.profiles
			tc.edit(&s.Spec)
			var got *FieldError
			for _, e := range Check(s, f) {
				if strings.Contains(e.Msg, "gives users no JupyterHub groups") {
					if e.Severity != SeverityWarning {
						t.Errorf("%v: an error, want a warning", e)
					}
					got = e
				}
			}
			switch {
			case tc.field == "" && got != nil:
				t.Errorf("unexpected warning: %v", got)
			case tc.field != "" && got == nil:
				t.Errorf("no warning, want one on %s", tc.field)
			case tc.field != "" && (got.Field != tc.field || !strings.Contains(got.Fix, tc.fix) || got.File != "clusters/pangeo-azure/site.yaml"):
				t.Errorf("warning %v: want field %s, a line, and a fix with %q", got, tc.field, tc.fix)
			}
		})
	}
}
