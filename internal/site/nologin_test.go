package site

import (
	"strings"
	"testing"
)

// TestNoLoginSaysWhoCanLogIn checks validate's check of an OAuth site that
// allows no user, group or everyone: an error when no one could log in; a
// warning naming the admins when they are the only way in (2i2c's staging
// hubs run so); a warning when hub.extraConfig code (not read) may allow
// more. The fix names basehub's staff admins when the values turn them on.
func TestNoLoginSaysWhoCanLogIn(t *testing.T) {
	t.Parallel()
	f := testFleet(t)
	sb := readTestdata(t, "testdata/valid/pangeo-azure.yaml")
	staff := map[string]any{"jupyterhub": map[string]any{"custom": map[string]any{"2i2c": map[string]any{"add_staff_user_ids_to_admin_users": true}}}}
	code := map[string]any{"jupyterhub": map[string]any{"hub": map[string]any{"extraConfig": map[string]any{"gate": "c.Authenticator.check_allowed = lambda *a: True"}}}}
	for _, tc := range []struct {
		name     string
		admins   []string
		values   map[string]any
		severity Severity
		msg, fix string
	}{
		{"no one", nil, nil, SeverityError, "no one could log in: OAuthenticator >= 16", "allowedUsers, or allowed groups"},
		{"no one, basehub's staff switch on", nil, staff, SeverityError, "no one could log in", "import with --admin NAME"},
		{"the admins only", []string{"ada", "bob"}, nil, SeverityWarning, "only the 2 admin(s) of spec.auth.admins can log in", "allowedUsers, or allowed groups"},
		{"code in extraConfig", nil, code, SeverityWarning, "unless code in hub.extraConfig (which validate does not read) allows more", "allowedUsers"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := DecodeSite("clusters/pangeo-azure/site.yaml", sb)
			if err != nil {
				t.Fatal(err)
			}
			a := &s.Spec.Auth
			a.Provider, a.AzureAD = AuthGitHub, nil
			a.GitHub = &GitHub{}
			a.AllowAll, a.AllowedUsers, a.AllowedGroups, a.Admins = false, nil, nil, tc.admins
			s.Spec.Values = tc.values
			var got []*FieldError
			for _, e := range Check(s, f) {
				if e.Field == "spec.auth" && strings.Contains(e.Msg, "log in") {
					got = append(got, e)
				}
			}
			if len(got) != 1 {
				t.Fatalf("%d login findings %v, want 1", len(got), got)
			}
			if e := got[0]; e.Severity != tc.severity || !strings.Contains(e.Msg, tc.msg) || !strings.Contains(e.Fix, tc.fix) {
				t.Errorf("%v (severity %v), want %v with %q and fix %q", e, e.Severity, tc.severity, tc.msg, tc.fix)
			}
		})
	}
}
