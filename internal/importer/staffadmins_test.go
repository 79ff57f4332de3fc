package importer

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubfleet/hubfleet/internal/site"
)

// TestImportAsksForBasehubsStaffAdmins: values that turn on 2i2c
// basehub's staff admins (whose list is in basehub's own values, not in
// the hub's files) get the admins the operator gives (Options.Admins,
// --admin) in spec.auth.admins, reported as supplied; on the upstream
// route they replace the switch (migrated), on the owner route it stays
// kept. Without them the site is still built, and the report asks.
// Nothing is invented: the admins are refused where the values do not
// turn the staff admins on.
func TestImportAsksForBasehubsStaffAdmins(t *testing.T) {
	t.Parallel()
	hub := func(extra string) string {
		return `
    hub:
      config:
        JupyterHub: {authenticator_class: github}
        GitHubOAuthenticator: {client_id: hub}` + extra + `
    ingress: {enabled: true, hosts: [hub.example.org]}
    custom:
      2i2c:
        add_staff_user_ids_to_admin_users: true
        add_staff_user_ids_of_type: github
`
	}
	base := "nfs: {enabled: false}\njupyterhub:" + hub("")
	owner := Options{Route: RouteOwner, OwnerChart: "basehub"}
	tests := []struct {
		name   string
		values string
		opts   Options
		admins []string
		// items is what the report says of the switch, its type and the
		// admins: path -> action.
		items map[string]Action
		ask   bool
		err   string
	}{
		{name: "upstream, no admins given: kept as is, asked for", values: base,
			items: map[string]Action{"jupyterhub.custom.2i2c.add_staff_user_ids_to_admin_users": Kept, "jupyterhub.custom.2i2c.add_staff_user_ids_of_type": Kept}, ask: true},
		{name: "upstream, admins given: they replace the switch", values: base, opts: Options{Admins: []string{"alice", "bob"}}, admins: []string{"alice", "bob"},
			items: map[string]Action{"jupyterhub.custom.2i2c.add_staff_user_ids_to_admin_users": Migrated, "jupyterhub.custom.2i2c.add_staff_user_ids_of_type": Migrated, "spec.auth.admins": Supplied}},
		{name: "the hub's own admins stay first, given ones join them once", values: "nfs: {enabled: false}\njupyterhub:" + hub("\n        Authenticator: {admin_users: [carol, alice]}"),
			opts: Options{Admins: []string{"alice", "bob"}}, admins: []string{"carol", "alice", "bob"},
			items: map[string]Action{"jupyterhub.custom.2i2c.add_staff_user_ids_to_admin_users": Migrated, "jupyterhub.custom.2i2c.add_staff_user_ids_of_type": Migrated, "spec.auth.admins": Supplied}},
		{name: "under 2i2c daskhub's basehub: key, the operator's paths are reported", values: "basehub:\n  nfs: {enabled: false}\n  jupyterhub:" + indent(hub("")),
			opts: Options{Admins: []string{"alice"}}, admins: []string{"alice"},
			items: map[string]Action{"basehub.jupyterhub.custom.2i2c.add_staff_user_ids_to_admin_users": Migrated, "basehub.jupyterhub.custom.2i2c.add_staff_user_ids_of_type": Migrated, "spec.auth.admins": Supplied}},
		{name: "owner route, admins given: the switch stays (basehub adds its list too)", values: base, opts: withAdmins(owner, "alice"), admins: []string{"alice"},
			items: map[string]Action{"jupyterhub.custom.2i2c.add_staff_user_ids_to_admin_users": Kept, "jupyterhub.custom.2i2c.add_staff_user_ids_of_type": Kept, "spec.auth.admins": Supplied}},
		{name: "owner route, no admins given: kept, asked for", values: base, opts: owner,
			items: map[string]Action{"jupyterhub.custom.2i2c.add_staff_user_ids_to_admin_users": Kept, "jupyterhub.custom.2i2c.add_staff_user_ids_of_type": Kept}, ask: true},
		{name: "the values do not turn staff admins on: admins refused", values: strings.Replace(base, "add_staff_user_ids_to_admin_users: true", "add_staff_user_ids_to_admin_users: false", 1),
			opts: Options{Admins: []string{"alice"}}, err: "--admin gives the admins 2i2c's basehub adds from its own staff list"},
		{name: "a more specific section's admin_users wins over basehub's: the switch had no effect, dropped with the reason, not asked for",
			values: strings.Replace(base, "GitHubOAuthenticator: {client_id: hub}", "GitHubOAuthenticator: {client_id: hub, admin_users: [carol]}\n        Authenticator: {admin_users: [dave]}", 1),
			admins: []string{"carol"},
			items:  map[string]Action{"jupyterhub.custom.2i2c.add_staff_user_ids_to_admin_users": Dropped, "jupyterhub.custom.2i2c.add_staff_user_ids_of_type": Dropped}},
		{name: "owner route, a more specific section's admin_users wins: the switch is dropped too (else basehub would add its staff to the admins hubfleet writes)",
			values: strings.Replace(base, "GitHubOAuthenticator: {client_id: hub}", "GitHubOAuthenticator: {client_id: hub, admin_users: [carol]}", 1), opts: owner,
			admins: []string{"carol"},
			items:  map[string]Action{"jupyterhub.custom.2i2c.add_staff_user_ids_to_admin_users": Dropped, "jupyterhub.custom.2i2c.add_staff_user_ids_of_type": Dropped}},
		{name: "a more specific section's admin_users wins: admins given are refused",
			values: strings.Replace(base, "GitHubOAuthenticator: {client_id: hub}", "GitHubOAuthenticator: {client_id: hub, admin_users: [carol]}", 1), opts: Options{Admins: []string{"alice"}},
			err: "and the hub's GitHubOAuthenticator.admin_users wins over that section"},
		{name: "an empty name is refused", values: base, opts: Options{Admins: []string{"alice", " "}}, err: `--admin " " (the 2. one): write one user name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := tt.opts
			o.Name, o.AgeRecipient, o.TLSMode, o.ClusterIssuer = "x", testRecipient, site.TLSCertManager, "letsencrypt-prod"
			s, rep, err := Import(map[string][]byte{"v.yaml": []byte(tt.values)}, []string{"v.yaml"}, o)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.admins, s.Spec.Auth.Admins); diff != "" {
				t.Errorf("spec.auth.admins (-want +got):\n%s", diff)
			}
			got := map[string]Action{}
			for _, it := range rep.Items {
				if strings.Contains(it.Path, "custom.2i2c") || it.Path == "spec.auth.admins" {
					got[it.Path] = it.Action
				}
				if it.Action == Supplied && !strings.Contains(it.Note, "given with --admin, operator-supplied, not read from the values: 2i2c's basehub makes its staff admins of this hub (github ids, from its own chart values: custom.2i2c.staff_github_ids)") {
					t.Errorf("the supplied admins are not reported as what they are: %s", it.Note)
				}
			}
			if diff := cmp.Diff(tt.items, got); diff != "" {
				t.Errorf("report items (-want +got):\n%s\n%s", diff, rep)
			}
			// What import writes still turns the staff admins on exactly
			// where it keeps the switch.
			_, kept := getPath(s.Spec.Values, staffSwitchPath)
			if want := got[staffSwitchPath.String()] == Kept; kept != want && !strings.HasPrefix(tt.name, "under") {
				t.Errorf("switch in spec.values: %v, want %v", kept, want)
			}
			// One ask for the staff (the client secret, not in these
			// files, is asked for too).
			staffAsks := 0
			for _, a := range rep.Asks {
				if strings.Contains(a, "run import again with --admin NAME for each of them (github ids") {
					staffAsks++
				}
			}
			asked := staffAsks == 1
			remarked := slices.ContainsFunc(rep.Items, func(it Item) bool {
				return it.Action == Note && strings.Contains(it.Note, "give them with --admin NAME, once per name")
			})
			if asked != tt.ask || remarked != tt.ask {
				t.Errorf("asks %q, remark %v; want asked: %v\n%s", rep.Asks, remarked, tt.ask, rep)
			}
		})
	}
}

func withAdmins(o Options, admins ...string) Options {
	o.Admins = admins
	return o
}
