package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportAsksForBasehubsStaffAdmins takes the real 2i2c-aws-us staging
// hub, whose only admins are the staff 2i2c's basehub adds from its own
// chart values (custom.2i2c.add_staff_user_ids_to_admin_users; the list is
// not in the hub's files), through import without and with --admin:
// without, import writes the site, says what to add, and validate refuses
// it with a fix naming the flag; with the names (realStaffStandIn: fake,
// for 2i2c's staff list), the report lists them as supplied and the site
// validates. --admin on a hub that does not turn the staff admins on is
// refused, and nothing is written.
func TestImportAsksForBasehubsStaffAdmins(t *testing.T) {
	// Named hubs of the default corpus, whatever corpus the others read.
	t.Setenv("HUBFLEET_REAL_CONFIGS", defaultRealConfigsDir())
	root, cache, _ := realHubsFleet(t)
	cf := filepath.Join(realConfigsDir(t), "2i2c-infrastructure", "clusters", "2i2c-aws-us", "cluster.yaml")
	const name = "2i2c-aws-us-staging"
	args := []string{"import", "--root", root, "--chart-cache", cache, "--cluster-file", cf, "--hub", "staging", "--site", name,
		"--tls-mode", "cert-manager", "--cluster-issuer", "letsencrypt-prod", "--client-id", "imported-client",
		"--age-recipient", "age19yjrrnrlvaylhkrxyewmespaj9mnzlk9ukux8zn9hlkwasjsmu9sje8d6l", "--write"}

	r := hubfleet(t, "", args...)
	if !strings.Contains(r.stdout, "wrote clusters/"+name+"/site.yaml") {
		t.Fatalf("import without --admin: exit %d, no site written\n%s%s", r.code, r.stdout, r.stderr)
	}
	fix := "list the staff 2i2c's basehub made admins (spec.values.jupyterhub.custom.2i2c.add_staff_user_ids_to_admin_users: its list is in basehub's own values, not here) in spec.auth.admins: import with --admin NAME for each"
	for _, want := range []string{
		"jupyterhub.custom.2i2c.add_staff_user_ids_to_admin_users: 2i2c's basehub makes its staff admins of this hub (github ids, from its own chart values: custom.2i2c.staff_github_ids), which these files do not hold; the upstream jupyterhub chart ignores the switch (kept as is, inert), so on this site they are not admins: give them with --admin NAME, once per name (e.g. --admin alice --admin bob); they go to spec.auth.admins",
		"next step: basehub's staff admins are not in these files: run import again with --admin NAME for each of them (github ids, the list in basehub's values at custom.2i2c.staff_github_ids)",
		"no one could log in",
		fix,
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("import without --admin: output lacks %q:\n%s", want, r.stderr)
		}
	}
	if r.code != exitProblems {
		t.Errorf("import without --admin: exit %d, want %d (the site needs a fix before render)", r.code, exitProblems)
	}
	r = hubfleet(t, "", "validate", "--root", root, "--chart-cache", cache)
	if r.code != exitProblems || !strings.Contains(r.stderr, "clusters/"+name+"/site.yaml") || !strings.Contains(r.stderr, fix) {
		t.Errorf("validate of the site imported without --admin: exit %d, want %d and the fix %q\n%s", r.code, exitProblems, fix, r.stderr)
	}

	// With the names: the same import, operator-supplied admins, valid.
	if err := os.RemoveAll(filepath.Join(root, "clusters", name)); err != nil {
		t.Fatal(err)
	}
	r = hubfleet(t, "", append(args, "--admin", realStaffStandIn[0], "--admin", realStaffStandIn[1])...)
	if !strings.Contains(r.stdout, "wrote clusters/"+name+"/site.yaml") {
		t.Fatalf("import --admin: exit %d, no site written\n%s%s", r.code, r.stdout, r.stderr)
	}
	checkStaffAdminsReport(t, cf, "staging", name, r.stderr, true)
	for _, want := range []string{
		"jupyterhub.custom.2i2c.add_staff_user_ids_to_admin_users: basehub's staff admins: replaced by the admins given with --admin, in spec.auth.admins",
		"jupyterhub.custom.2i2c.add_staff_user_ids_of_type: basehub's staff admins: replaced by the admins given with --admin",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("import --admin: the report lacks %q:\n%s", want, r.stderr)
		}
	}
	site, err := os.ReadFile(filepath.Join(root, "clusters", name, "site.yaml"))
	if err != nil || !strings.Contains(string(site), "admins:\n      - fake-2i2c-staff-a\n      - fake-2i2c-staff-b\n") || strings.Contains(string(site), "add_staff_user_ids") {
		t.Errorf("the site does not hold the given admins in spec.auth.admins, or still holds basehub's switch (%v):\n%s", err, site)
	}
	setRealSecrets(t, root, []string{name})
	if r := hubfleet(t, "", "validate", "--root", root, "--chart-cache", cache); r.code != exitOK {
		t.Errorf("validate with the admins given: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// --admin where the values do not turn basehub's staff admins on
	// (maap prod sets the switch false): refused, nothing written.
	before := snapshot(t, root)
	maap := filepath.Join(realConfigsDir(t), "2i2c-infrastructure", "clusters", "maap", "cluster.yaml")
	r = hubfleet(t, "", "import", "--root", root, "--chart-cache", cache, "--cluster-file", maap, "--hub", "prod", "--site", "maap-prod",
		"--tls-mode", "cert-manager", "--cluster-issuer", "letsencrypt-prod", "--write", "--admin", "fake-2i2c-staff-a")
	if r.code != exitError || !strings.Contains(r.stderr, "--admin gives the admins 2i2c's basehub adds from its own staff list (jupyterhub.custom.2i2c.add_staff_user_ids_to_admin_users: true), and these values do not turn that on") {
		t.Errorf("--admin on a hub without basehub's staff admins: exit %d, want a refusal\n%s", r.code, r.stderr)
	}
	if after := snapshot(t, root); after != before {
		t.Errorf("a refused import changed the fleet")
	}
}
