package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/hubfleet/hubfleet/internal/chart/chartrepotest"
	"github.com/hubfleet/hubfleet/internal/gittest"
	"github.com/hubfleet/hubfleet/internal/values"
	"github.com/hubfleet/hubfleet/internal/valuetree"
)

// realConfigsDir is ../shared/real-configs beside the project.
func realConfigsDir(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("HUBFLEET_REAL_CONFIGS"); d != "" {
		return d
	}
	return filepath.Join(filepath.Dir(chartrepotest.RealChartsDir()), "real-configs")
}

// TestImportEveryRealHubThenValidateRenderPlan takes every hub of the real
// configurations (../shared/real-configs), with its files in its owners'
// order (the cluster file's helm_chart_values_files), through import,
// secret set, validate, render and plan on the real charts (z2jh 4.4.0,
// dask-gateway 2026.3.0, composed). Sibling charts are pinned in the
// fleet file and served beside them: the real jupyterhub-home-nfs and
// binderhub-service at the versions 2i2c's basehub pins (vendored in
// chartrepotest), a stand-in for jupyterhub-groups-exporter (its source is
// not kept here). The hubs' sibling values render through the real
// charts' schemas and templates.
func TestImportEveryRealHubThenValidateRenderPlan(t *testing.T) {
	if testing.Short() {
		t.Skip("imports and plans every real hub")
	}
	root, cache, names, siblings := importRealHubs(t)
	r := hubfleet(t, "", "validate", "--root", root, "--chart-cache", cache)
	t.Logf("validate: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	var invalid []string
	for _, n := range names {
		if strings.Contains(r.stderr, "clusters/"+n+"/site.yaml:") && strings.Contains(r.stderr, "clusters/"+n+"/site.yaml") {
			for _, line := range strings.Split(r.stderr, "\n") {
				// A site whose client secret is not stored yet is refused
				// until `secret set` (setRealSecrets, below): that is the
				// next step of an import, not a problem of the hub.
				if strings.HasPrefix(line, "clusters/"+n+"/") && !strings.Contains(line, ": warning: ") && !strings.Contains(line, "run 'hubfleet secret set --site "+n+"'") {
					invalid = append(invalid, n)
					break
				}
			}
		}
	}
	// Every hub is valid, 2i2c-aws-us staging included: its only admins
	// are the staff its base chart adds (custom.2i2c), given with --admin
	// (realHubAdminArgs).
	if len(invalid) > 0 {
		t.Errorf("invalid sites %v, want none\n%s", invalid, r.stderr)
	}
	// Restricted profiles reach somebody: the GitHub hubs get their teams
	// (basehub's GitHub defaults, carried by import), so validate warns
	// only where login gives no groups on basehub either (orcid-demo:
	// CILogon, groups assigned by hand).
	var noGroups []string
	for _, n := range names {
		for _, line := range strings.Split(r.stderr, "\n") {
			if strings.HasPrefix(line, "clusters/"+n+"/") && strings.Contains(line, "gives users no JupyterHub groups") {
				noGroups = append(noGroups, n)
				break
			}
		}
	}
	t.Logf("validate's no-groups warning on %d hubs: %v", len(noGroups), noGroups)
	if strings.Join(noGroups, ",") != "2i2c-aws-us-orcid-demo" {
		t.Errorf("no-groups warning on %v, want only 2i2c-aws-us-orcid-demo", noGroups)
	}
	setRealSecrets(t, root, names)
	for _, args := range [][]string{{"validate"}, {"render"}, {"render", "--check"}} {
		if r := hubfleet(t, "", append(args, "--root", root, "--chart-cache", cache)...); r.code != exitOK {
			t.Fatalf("%v: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
		}
	}
	// NFS homes (the base chart's nfs: block) and sibling releases reach
	// the overlay.
	pv, err := os.ReadFile(filepath.Join(root, "overlays/aimatx-2i2c-hub-prod/nfs-home-persistentvolume.yaml"))
	if err != nil || !strings.Contains(string(pv), "server: 10.100.221.238") {
		t.Errorf("aimatx prod: no NFS home volume on the export of its nfs block (%v):\n%s", err, pv)
	}
	hub, err := os.ReadFile(filepath.Join(root, "overlays/aimatx-2i2c-hub-prod/helmrelease-jupyterhub.yaml"))
	if err != nil || !strings.Contains(string(hub), "pvcName: home-nfs") || !strings.Contains(string(hub), "subPath: '{escaped_username}'") {
		t.Errorf("aimatx prod: the hub does not mount the NFS claim per user (%v):\n%s", err, hub)
	}
	sib, err := os.ReadFile(filepath.Join(root, "overlays/aimatx-2i2c-hub-prod/helmrelease-jupyterhub-home-nfs.yaml"))
	if err != nil || !strings.Contains(string(sib), "volumeId: vol-01b6abdb23764a9a5") || !strings.Contains(string(sib), "dependsOn:\n  - name: jupyterhub") {
		t.Errorf("aimatx prod: the jupyterhub-home-nfs sibling release is not as imported (%v):\n%s", err, sib)
	}
	checkRealSiblingReleases(t, root, cache)
	// Every hub whose profile list offers something only to some groups
	// (2i2c's basehub enforces allowed_groups) keeps the restriction:
	// hubfleet's filter is in its jupyterhub release; no other hub gets it.
	filtered := 0
	for _, n := range names {
		hr := readHelmReleaseValues(t, filepath.Join(root, "overlays", n))
		su, _ := hr["singleuser"].(map[string]any)
		list, _ := su["profileList"].([]any)
		hub, _ := hr["hub"].(map[string]any)
		extra, _ := hub["extraConfig"].(map[string]any)
		restricts, has := values.RestrictsGroups(list), extra[values.ProfileGroupsKey] != nil
		if restricts != has {
			t.Errorf("%s: profile list restricts groups %v, hubfleet's profile filter rendered %v", n, restricts, has)
		}
		if has {
			filtered++
		}
		// A GitHub hub's filter gets the teams, as on basehub.
		cfg, _ := hub["config"].(map[string]any)
		jh, _ := cfg["JupyterHub"].(map[string]any)
		gh, _ := cfg["GitHubOAuthenticator"].(map[string]any)
		if restricts && jh["authenticator_class"] == "github" {
			scope, _ := gh["scope"].([]any)
			if gh["populate_teams_in_auth_state"] != true || gh["enable_auth_state"] != true || !slices.Contains(scope, any("read:org")) {
				t.Errorf("%s: GitHub hub with profiles for teams, but its release does not put the teams in auth_state: %v", n, gh)
			}
		}
	}
	t.Logf("%d of %d hubs get hubfleet's profile filter", filtered, len(names))
	// The staff admins given for 2i2c-aws-us staging reach its release.
	hr := readHelmReleaseValues(t, filepath.Join(root, "overlays", "2i2c-aws-us-staging"))
	if got := valuetree.Get(hr, "hub.config.Authenticator.admin_users"); !slices.Equal(stringsOf(got), realStaffStandIn) {
		t.Errorf("2i2c-aws-us-staging: admin_users %v in its jupyterhub release, want the names given with --admin %v", got, realStaffStandIn)
	}
	if filtered == 0 {
		t.Error("no real hub got hubfleet's profile filter, yet 2i2c's hubs restrict profiles to groups")
	}
	gittest.Run(t, root, "add", "-A")
	gittest.Run(t, root, "commit", "-q", "-m", "imported hubs")
	r = hubfleet(t, "", "plan", "--root", root, "--base", "HEAD~1")
	if r.code != exitOK {
		t.Fatalf("plan: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if strings.Contains(r.stdout, "chart objects not planned") {
		t.Errorf("plan did not render the charts:\n%s", r.stdout)
	}
	t.Logf("plan:\n%s", r.stdout)
	if len(names) != 17 {
		t.Errorf("%d real hubs imported, want 17", len(names))
	}
	for _, n := range names {
		if !strings.Contains(r.stdout, n) {
			t.Errorf("the plan does not mention %s", n)
		}
	}
	for _, s := range siblings {
		if !strings.Contains(r.stdout, s) {
			t.Errorf("the plan does not show the sibling release %s", s)
		}
	}
	// The plan diffs the real sibling charts' objects.
	for _, w := range []string{
		"+++ head/apps/Deployment _/home-nfs\n", "+++ head/core/Service _/home-nfs\n",
		"helm.sh/chart: jupyterhub-home-nfs-" + chartrepotest.HomeNFSVersion,
		"+++ head/apps/Deployment _/binderhub\n", "+++ head/core/Service _/binderhub\n",
		"helm.sh/chart: binderhub-service-" + chartrepotest.BinderHubServiceVersion,
		"+++ head/core/PersistentVolume _/jupyterhub-home-nfs-home-nfs\n", // disasters-prod, once it says eks.enabled
	} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("the plan lacks the real sibling charts' %q", w)
		}
	}
}

// importRealHubs imports every hub of the real configurations, with its
// files in its owners' order, into a fleet on the real charts (composed
// mode, the sibling charts pinned and served: realHubsFleet) rendered and
// committed before the imports, which are written but not committed. It
// returns the fleet, its chart cache, the imported sites and the siblings.
func importRealHubs(t *testing.T) (root, cache string, names, siblings []string) {
	t.Helper()
	return importSomeRealHubs(t, func(string) bool { return true })
}

// importSomeRealHubs is importRealHubs for the hubs keep accepts (by site
// name, <cluster>-<hub>).
func importSomeRealHubs(t *testing.T, keep func(site string) bool) (root, cache string, names, siblings []string) {
	t.Helper()
	root, cache, siblings = realHubsFleet(t)
	if r := hubfleet(t, "", "render", "--root", root, "--chart-cache", cache); r.code != exitOK {
		t.Fatalf("render the fleet on the real charts: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	gittest.Run(t, root, "init", "-q", "-b", "main")
	gittest.Run(t, root, "add", "-A")
	gittest.Run(t, root, "commit", "-q", "-m", "fleet")

	clusters, err := filepath.Glob(filepath.Join(realConfigsDir(t), "*", "clusters", "*", "cluster.yaml"))
	if err != nil || len(clusters) == 0 {
		t.Fatalf("no real configurations: %v", err)
	}
	for _, cf := range clusters {
		data, err := os.ReadFile(cf)
		if err != nil {
			t.Fatal(err)
		}
		var c struct {
			Hubs []struct{ Name string } `yaml:"hubs"`
		}
		if err := yaml.Unmarshal(data, &c); err != nil {
			t.Fatal(err)
		}
		for _, h := range c.Hubs {
			name := filepath.Base(filepath.Dir(cf)) + "-" + h.Name
			if !keep(name) {
				continue
			}
			args := []string{"import", "--root", root, "--chart-cache", cache, "--cluster-file", cf, "--hub", h.Name, "--site", name,
				"--tls-mode", "cert-manager", "--cluster-issuer", "letsencrypt-prod", "--client-id", "imported-client",
				"--age-recipient", "age19yjrrnrlvaylhkrxyewmespaj9mnzlk9ukux8zn9hlkwasjsmu9sje8d6l", "--write"}
			r := hubfleet(t, "", append(args, realHubAdminArgs(name)...)...)
			if !strings.Contains(r.stdout, "wrote clusters/"+name+"/site.yaml") {
				t.Errorf("import %s: exit %d, no site written\n%s%s", name, r.code, r.stdout, r.stderr)
				continue
			}
			checkStaffAdminsReport(t, name, r.stderr)
			if !strings.Contains(r.stderr, "layout (detected): ") {
				t.Errorf("import %s does not say which layout it found:\n%s", name, r.stderr)
			}
			names = append(names, name)
		}
	}
	return root, cache, names, siblings
}

// realHubsFleet is the fleet the real hubs are imported into: the example
// fleet on the real charts (z2jh 4.4.0, dask-gateway 2026.3.0, composed),
// the corpus's sibling charts pinned in the fleet file and served (the
// real jupyterhub-home-nfs and binderhub-service at basehub's versions, a
// stand-in for jupyterhub-groups-exporter), its chart cache filled.
// Nothing is rendered or committed.
func realHubsFleet(t *testing.T) (root, cache string, siblings []string) {
	t.Helper()
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	var url string
	root, url = fleetOnRealCharts(t)
	srv := chartrepotest.StartReal(t, "jupyterhub-4.4.0.tgz", "dask-gateway-2026.3.0.tgz")
	srv.AddRealSiblings(t)
	srv.AddChart(t, chartrepotest.StandIn(chartrepotest.GroupsExporter, chartrepotest.GroupsExporterVersion))
	versions := map[string]string{
		chartrepotest.HomeNFS:          chartrepotest.HomeNFSVersion,
		chartrepotest.BinderHubService: chartrepotest.BinderHubServiceVersion,
		chartrepotest.GroupsExporter:   chartrepotest.GroupsExporterVersion,
	}
	siblings = []string{chartrepotest.HomeNFS, chartrepotest.BinderHubService, chartrepotest.GroupsExporter}
	var pins strings.Builder
	pins.WriteString("    siblings:\n")
	for _, s := range siblings {
		pins.WriteString("      " + s + ":\n        repository: " + srv.URL + "\n        chart: " + s + "\n        version: " + versions[s] + "\n")
	}
	fleetFile := filepath.Join(root, "bases/daskhub/fleet.yaml")
	b, err := os.ReadFile(fleetFile)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(b), "defaultMode: daskhub", "defaultMode: composed", 1)
	s = strings.Replace(s, "  helmRelease:\n", pins.String()+"  helmRelease:\n", 1)
	writeFile(t, fleetFile, []byte(s))
	cache = t.TempDir()
	fillRealChartCache(t, url, cache)
	return root, cache, siblings
}

// setRealSecrets sets the OAuth client secret of every imported site.
func setRealSecrets(t *testing.T, root string, names []string) {
	t.Helper()
	for _, name := range names {
		if r := hubfleet(t, "client-secret-of-"+name, "secret", "set", "--site", name, "--root", root); r.code != exitOK {
			t.Errorf("secret set %s: exit %d\n%s%s", name, r.code, r.stdout, r.stderr)
		}
	}
}

// realStaffStandIn stands for 2i2c's staff list (staff_github_ids in its
// basehub chart's own values.yaml), which is not in the corpus: an
// operator gives the real names with --admin. These are clearly fake.
var realStaffStandIn = []string{"fake-2i2c-staff-a", "fake-2i2c-staff-b"}

// staffAdminHubs are the real hubs whose files turn on basehub's staff
// admins (custom.2i2c.add_staff_user_ids_to_admin_users: true, counted by
// the importer's corpus test as "supplied").
var staffAdminHubs = []string{
	"2i2c-aws-us-staging", "2i2c-aws-us-showcase", "2i2c-aws-us-orcid-demo",
	"aimatx-2i2c-hub-staging", "aimatx-2i2c-hub-prod", "awi-ciroh-staging", "awi-ciroh-prod",
	"leap-staging", "leap-prod", "leap-public",
}

// realHubAdminArgs are the --admin flags a real hub's import gets: the
// stand-in staff for 2i2c-aws-us staging, whose only admins are the
// staff basehub adds (without them no one could log in). The other hubs
// of staffAdminHubs let their users in otherwise and are imported without
// them, as an operator might: import then says what to add.
func realHubAdminArgs(site string) []string {
	if site != "2i2c-aws-us-staging" {
		return nil
	}
	var args []string
	for _, n := range realStaffStandIn {
		args = append(args, "--admin", n)
	}
	return args
}

// checkStaffAdminsReport checks what import said of basehub's staff
// admins: the names given, as operator-supplied; else, on a hub that turns
// them on, the exact next step; else nothing.
func checkStaffAdminsReport(t *testing.T, site, stderr string) {
	t.Helper()
	const next = "next step: basehub's staff admins are not in these files: run import again with --admin NAME for each of them"
	supplied := "supplied (1):\n  spec.auth.admins: " + strings.Join(realStaffStandIn, ", ") + ": given with --admin, operator-supplied, not read from the values"
	switch {
	case realHubAdminArgs(site) != nil:
		if !strings.Contains(stderr, supplied) || strings.Contains(stderr, next) {
			t.Errorf("import %s --admin: the report does not list the given admins as supplied (%q):\n%s", site, supplied, stderr)
		}
	case slices.Contains(staffAdminHubs, site):
		if !strings.Contains(stderr, next) {
			t.Errorf("import %s: basehub's staff admins are on, but import does not say %q:\n%s", site, next, stderr)
		}
	default:
		if strings.Contains(stderr, "basehub's staff admins") {
			t.Errorf("import %s: the hub does not turn basehub's staff admins on, yet import speaks of them:\n%s", site, stderr)
		}
	}
}

// stringsOf is a YAML list of strings as []string.
func stringsOf(v any) []string {
	l, _ := v.([]any)
	out := make([]string, 0, len(l))
	for _, e := range l {
		s, _ := e.(string)
		out = append(out, s)
	}
	return out
}

// checkRealSiblingReleases renders the sibling releases import made for
// disasters-prod (its files set binderhub-service and jupyterhub-home-nfs)
// through the real charts served at basehub's versions (Helm SDK, with the
// rendered HelmRelease values): the charts' own objects appear, with the
// values the hub set. The hub's disk (eks.volumeId) reaches the NFS
// server's PersistentVolume once the site says which cloud (eks.enabled),
// which 2i2c's deploy adds from the cluster's provider outside the hub's
// files; render takes that edit.
func checkRealSiblingReleases(t *testing.T, root, cache string) {
	t.Helper()
	const site = "disasters-prod"
	repo := siblingPinRepository(t, root, chartrepotest.HomeNFS)
	for _, c := range []struct {
		chart string
		want  []string
	}{
		{chartrepotest.HomeNFS, []string{
			"helm.sh/chart: jupyterhub-home-nfs-" + chartrepotest.HomeNFSVersion,
			"# apps/Deployment _/home-nfs\n", // the NFS server and its quota enforcer
			"# core/Service _/home-nfs\n",
			"# core/PersistentVolumeClaim _/home-nfs\n",
			"hard_quota: 100", // the hub's quota, in the enforcer's config
		}},
		{chartrepotest.BinderHubService, []string{
			"helm.sh/chart: binderhub-service-" + chartrepotest.BinderHubServiceVersion,
			"# apps/Deployment _/binderhub\n",
			"# core/Service _/binderhub\n",
			"image_prefix: quay.io/imagebuilding-non-gcp-hubs/disasters-prod-", // the hub's registry prefix, in BinderHub's config
		}},
	} {
		m := renderOwnersRelease(t, root, site, c.chart, repo)
		for _, w := range c.want {
			if !strings.Contains(m, w) {
				t.Errorf("%s: the real %s chart rendered with its HelmRelease values lacks %q", site, c.chart, w)
			}
		}
	}
	const disk = "volumeHandle: vol-00174260142d50e1b"
	if m := renderOwnersRelease(t, root, site, chartrepotest.HomeNFS, repo); !strings.Contains(m, disk) {
		t.Logf("%s: the hub's eks.volumeId reaches no object as imported: the real jupyterhub-home-nfs makes its PersistentVolume only with eks.enabled (gke, openstack), which the hub's files leave to 2i2c's deploy", site)
	}
	siteFile := filepath.Join(root, "clusters", site, "site.yaml")
	b, err := os.ReadFile(siteFile)
	if err != nil {
		t.Fatal(err)
	}
	edited := regexp.MustCompile(`(?m)^( +)volumeId: vol-00174260142d50e1b$`).ReplaceAllString(string(b), "${1}enabled: true\n${1}volumeId: vol-00174260142d50e1b")
	if edited == string(b) {
		t.Fatalf("%s: no eks.volumeId in the site's jupyterhub-home-nfs release values:\n%s", site, b)
	}
	writeFile(t, siteFile, []byte(edited))
	if r := hubfleet(t, "", "render", "--root", root, "--chart-cache", cache, "--site", site); r.code != exitOK {
		t.Fatalf("render %s with eks.enabled: exit %d\n%s%s", site, r.code, r.stdout, r.stderr)
	}
	m := renderOwnersRelease(t, root, site, chartrepotest.HomeNFS, repo)
	for _, w := range []string{"# core/PersistentVolume _/jupyterhub-home-nfs-home-nfs\n", "driver: ebs.csi.aws.com", disk} {
		if !strings.Contains(m, w) {
			t.Errorf("%s with eks.enabled: the real jupyterhub-home-nfs chart lacks %q", site, w)
		}
	}
}

// siblingPinRepository is the repository of the fleet's pin
// spec.charts.siblings.<name>.
func siblingPinRepository(t *testing.T, root, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "bases/daskhub/fleet.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Spec struct {
			Charts struct {
				Siblings map[string]struct {
					Repository string `yaml:"repository"`
				} `yaml:"siblings"`
			} `yaml:"charts"`
		} `yaml:"spec"`
	}
	if err := yaml.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	repo := f.Spec.Charts.Siblings[name].Repository
	if repo == "" {
		t.Fatalf("the fleet file pins no sibling chart %s:\n%s", name, b)
	}
	return repo
}
