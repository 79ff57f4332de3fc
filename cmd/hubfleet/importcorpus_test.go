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
	"github.com/hubfleet/hubfleet/internal/importer"
	"github.com/hubfleet/hubfleet/internal/values"
	"github.com/hubfleet/hubfleet/internal/valuetree"
)

// realConfigsDir is the corpus of real configurations: $HUBFLEET_REAL_CONFIGS
// when set (any directory in the same layout: <owner>/clusters/<cluster>/
// cluster.yaml), else ../shared/real-configs beside the project.
func realConfigsDir(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("HUBFLEET_REAL_CONFIGS"); d != "" {
		return d
	}
	return defaultRealConfigsDir()
}

// defaultRealConfigsDir is ../shared/real-configs beside the project: the
// tests of one named real hub read it whatever the corpus.
func defaultRealConfigsDir() string {
	return filepath.Join(filepath.Dir(chartrepotest.RealChartsDir()), "real-configs")
}

// defaultCorpus reports whether the corpus is the default one: its goldens
// (hub names, counts) hold only there.
func defaultCorpus(t *testing.T) bool {
	return filepath.Clean(realConfigsDir(t)) == filepath.Clean(defaultRealConfigsDir())
}

// realHub is one hub of the corpus, named <cluster>-<hub> as a site.
type realHub struct {
	Site, ClusterFile, Hub, Chart, Domain string
}

// realHubs lists every hub of every cluster file of the corpus.
func realHubs(t *testing.T) []realHub {
	t.Helper()
	clusters, err := filepath.Glob(filepath.Join(realConfigsDir(t), "*", "clusters", "*", "cluster.yaml"))
	if err != nil || len(clusters) == 0 {
		t.Fatalf("no real configurations under %s: %v", realConfigsDir(t), err)
	}
	var out []realHub
	for _, cf := range clusters {
		data, err := os.ReadFile(cf)
		if err != nil {
			t.Fatal(err)
		}
		var c struct {
			Hubs []struct {
				Name   string `yaml:"name"`
				Chart  string `yaml:"helm_chart"`
				Domain string `yaml:"domain"`
			} `yaml:"hubs"`
		}
		if err := yaml.Unmarshal(data, &c); err != nil {
			t.Fatal(err)
		}
		for _, h := range c.Hubs {
			out = append(out, realHub{Site: filepath.Base(filepath.Dir(cf)) + "-" + h.Name, ClusterFile: cf, Hub: h.Name, Chart: h.Chart, Domain: h.Domain})
		}
	}
	return out
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
	// Every hub is valid, those whose only admins are the staff basehub
	// adds (custom.2i2c) included: import asked for them, and they were
	// given with --admin (importRealHub).
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
	if defaultCorpus(t) && strings.Join(noGroups, ",") != "2i2c-aws-us-orcid-demo" {
		t.Errorf("no-groups warning on %v, want only 2i2c-aws-us-orcid-demo", noGroups)
	}
	setRealSecrets(t, root, names)
	for _, args := range [][]string{{"validate"}, {"render"}, {"render", "--check"}} {
		if r := hubfleet(t, "", append(args, "--root", root, "--chart-cache", cache)...); r.code != exitOK {
			t.Fatalf("%v: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
		}
	}
	// NFS homes (the base chart's nfs: block) and sibling releases reach
	// the overlay: on every hub that has them, each sibling release after
	// the hub, and the hub mounting the NFS claim.
	for _, n := range names {
		dir := filepath.Join(root, "overlays", n)
		if _, err := os.Stat(filepath.Join(dir, "nfs-home-persistentvolume.yaml")); err == nil {
			if hub, err := os.ReadFile(filepath.Join(dir, "helmrelease-jupyterhub.yaml")); err != nil || !strings.Contains(string(hub), "pvcName: home-nfs") {
				t.Errorf("%s: an NFS home volume, but the hub does not mount its claim (%v)", n, err)
			}
		}
		for _, sib := range siblings {
			if b, err := os.ReadFile(filepath.Join(dir, "helmrelease-"+sib+".yaml")); err == nil && !strings.Contains(string(b), "dependsOn:\n  - name: jupyterhub") {
				t.Errorf("%s: the %s sibling release does not depend on the hub:\n%s", n, sib, b)
			}
		}
	}
	if defaultCorpus(t) {
		checkAimatxHomes(t, root)
	}
	eksEnabled := checkRealSiblingReleases(t, root, cache, names)
	noGroupsOK(t, root, names, noGroups)
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
	// The staff admins given with --admin reach the release of each hub
	// whose files make basehub's staff admins; a hub where a more specific
	// admin_users shadows them gets none of them.
	byName := map[string]realHub{}
	for _, h := range realHubs(t) {
		byName[h.Site] = h
	}
	for _, n := range names {
		on, shadow := realHubStaffAdmins(t, byName[n].ClusterFile, byName[n].Hub)
		hr := readHelmReleaseValues(t, filepath.Join(root, "overlays", n))
		got := stringsOf(valuetree.Get(hr, "hub.config.Authenticator.admin_users"))
		for _, a := range realStaffStandIn {
			if want := on && shadow == ""; slices.Contains(got, a) != want {
				t.Errorf("%s: admin_users %v in its jupyterhub release; the stand-in %s given with --admin in it: %v, want %v (staff admins on %v, shadowed by %q)", n, got, a, !want, want, on, shadow)
			}
		}
		if n == "2i2c-aws-us-staging" && defaultCorpus(t) && !slices.Equal(got, realStaffStandIn) {
			t.Errorf("2i2c-aws-us-staging: admin_users %v in its jupyterhub release, want the names given with --admin %v", got, realStaffStandIn)
		}
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
	if all := realHubs(t); len(names) != len(all) || (defaultCorpus(t) && len(names) != 17) {
		t.Errorf("%d real hubs imported, want every hub of the cluster files: %d", len(names), len(all))
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
	want := []string{
		"+++ head/apps/Deployment _/home-nfs\n", "+++ head/core/Service _/home-nfs\n",
		"helm.sh/chart: jupyterhub-home-nfs-" + chartrepotest.HomeNFSVersion,
		"+++ head/apps/Deployment _/binderhub\n", "+++ head/core/Service _/binderhub\n",
		"helm.sh/chart: binderhub-service-" + chartrepotest.BinderHubServiceVersion,
	}
	if eksEnabled {
		want = append(want, "+++ head/core/PersistentVolume _/jupyterhub-home-nfs-home-nfs\n") // the home disk, its cloud carried by import
	}
	for _, w := range want {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("the plan lacks the real sibling charts' %q", w)
		}
	}
}

// checkAimatxHomes: aimatx prod's NFS homes (the base chart's nfs: block)
// and its jupyterhub-home-nfs sibling release reach the overlay as its
// files say (the default corpus's goldens).
func checkAimatxHomes(t *testing.T, root string) {
	t.Helper()
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
}

// noGroupsOK checks validate's warning that login gives users no
// JupyterHub groups against each hub's rendered release: it warns only of
// a hub whose profile list offers something only to some groups, and
// never of a GitHub hub with such a list (its teams are carried, as on
// basehub).
func noGroupsOK(t *testing.T, root string, names, warned []string) {
	t.Helper()
	for _, n := range names {
		hr := readHelmReleaseValues(t, filepath.Join(root, "overlays", n))
		list, _ := valuetree.Get(hr, "singleuser.profileList").([]any)
		restricts := values.RestrictsGroups(list)
		github := valuetree.Get(hr, "hub.config.JupyterHub.authenticator_class") == "github"
		switch w := slices.Contains(warned, n); {
		case w && !restricts:
			t.Errorf("%s: validate warns that login gives no groups, yet its profile list restricts none", n)
		case w && github:
			t.Errorf("%s: validate warns that login gives no groups, yet it logs in with GitHub (teams carried)", n)
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

	for _, h := range realHubs(t) {
		if !keep(h.Site) {
			continue
		}
		name := h.Site
		args := []string{"import", "--root", root, "--chart-cache", cache, "--cluster-file", h.ClusterFile, "--hub", h.Hub, "--site", name,
			"--tls-mode", "cert-manager", "--cluster-issuer", "letsencrypt-prod", "--client-id", "imported-client",
			"--age-recipient", "age19yjrrnrlvaylhkrxyewmespaj9mnzlk9ukux8zn9hlkwasjsmu9sje8d6l"}
		r, _ := importRealHub(t, h.ClusterFile, h.Hub, name, args)
		if !strings.Contains(r.stdout, "wrote clusters/"+name+"/site.yaml") {
			t.Errorf("import %s: exit %d, no site written\n%s%s", name, r.code, r.stdout, r.stderr)
			continue
		}
		if !strings.Contains(r.stderr, "layout (detected): ") {
			t.Errorf("import %s does not say which layout it found:\n%s", name, r.stderr)
		}
		names = append(names, name)
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

// setRealSecrets sets the OAuth client secret of every imported site that
// reads one from SOPS (spec.auth.clientSecret: {sops: true}, as import
// writes it for an OAuth login whose secret is not in the files); a site
// that logs in otherwise (a shared password, tmp) has none to set.
func setRealSecrets(t *testing.T, root string, names []string) {
	t.Helper()
	for _, name := range names {
		b, err := os.ReadFile(filepath.Join(root, "clusters", name, "site.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), "\n    clientSecret:\n      sops: true\n") {
			continue
		}
		if r := hubfleet(t, "client-secret-of-"+name, "secret", "set", "--site", name, "--root", root); r.code != exitOK {
			t.Errorf("secret set %s: exit %d\n%s%s", name, r.code, r.stdout, r.stderr)
		}
	}
}

// realStaffStandIn stands for 2i2c's staff list (staff_github_ids in its
// basehub chart's own values.yaml), which is not in the corpus: an
// operator gives the real names with --admin. These are clearly fake.
var realStaffStandIn = []string{"fake-2i2c-staff-a", "fake-2i2c-staff-b"}

// staffNextStep is the next step import prints when a hub's files turn on
// basehub's staff admins, whose list they do not hold.
const staffNextStep = "next step: basehub's staff admins are not in these files: run import again with --admin NAME for each of them"

// importRealHub imports one real hub as an operator would: first without
// --write, to read the report; then, following the next step it printed
// for basehub's staff admins (if any), again with --admin for each
// stand-in name, and --write. It checks what each run says of the staff
// admins against the hub's own files (checkStaffAdminsReport) and reports
// whether the admins were given. writeArgs go to the writing run only.
func importRealHub(t *testing.T, clusterFile, hub, site string, args []string, writeArgs ...string) (r result, given bool) {
	t.Helper()
	dry := hubfleet(t, "", args...)
	checkStaffAdminsReport(t, clusterFile, hub, site, dry.stderr, false)
	admins := slices.Clone(writeArgs)
	if strings.Contains(dry.stderr, staffNextStep) {
		for _, n := range realStaffStandIn {
			admins = append(admins, "--admin", n)
		}
	}
	r = hubfleet(t, "", append(append(slices.Clone(args), "--write"), admins...)...)
	given = len(admins) > len(writeArgs)
	checkStaffAdminsReport(t, clusterFile, hub, site, r.stderr, given)
	return r, given
}

// realHubStaffAdmins reads a hub's files, merged in its owners' order,
// for basehub's staff admins: on, and the section whose admin_users
// shadows them ("" when they are admins).
func realHubStaffAdmins(t *testing.T, clusterFile, hub string) (on bool, shadowedBy string) {
	t.Helper()
	cf, err := importer.ReadClusterFile(clusterFile, hub)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range cf.Files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		files[f] = b
	}
	merged, err := importer.Merge(files, cf.Files)
	if err != nil {
		t.Fatal(err)
	}
	return importer.BasehubStaffAdmins(merged)
}

// checkStaffAdminsReport checks what import said of basehub's staff
// admins against the hub's files: the names given, as operator-supplied;
// else, where the files turn them on and no more specific admin_users
// shadows them, the exact next step; where one shadows them, that they
// had no effect (dropped, not asked for); else nothing.
func checkStaffAdminsReport(t *testing.T, clusterFile, hub, site, stderr string, given bool) {
	t.Helper()
	on, shadow := realHubStaffAdmins(t, clusterFile, hub)
	supplied := "supplied (1):\n  spec.auth.admins: " + strings.Join(realStaffStandIn, ", ") + ": given with --admin, operator-supplied, not read from the values"
	switch {
	case given:
		if !on || shadow != "" || !strings.Contains(stderr, supplied) || strings.Contains(stderr, staffNextStep) {
			t.Errorf("import %s --admin: the report does not list the given admins as supplied (%q), or the hub's files do not make them admins (on %v, shadowed by %q):\n%s", site, supplied, on, shadow, stderr)
		}
	case on && shadow == "":
		if !strings.Contains(stderr, staffNextStep) {
			t.Errorf("import %s: basehub's staff admins are on, but import does not say %q:\n%s", site, staffNextStep, stderr)
		}
	case on:
		if want := "basehub's staff admins had no effect on this hub: basehub adds them to Authenticator.admin_users, and " + shadow + ".admin_users wins"; !strings.Contains(stderr, want) || strings.Contains(stderr, staffNextStep) {
			t.Errorf("import %s: %s.admin_users shadows basehub's staff admins, but import does not say %q, or asks for them:\n%s", site, shadow, want, stderr)
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
// one hub whose files set both binderhub-service and jupyterhub-home-nfs
// (disasters-prod in the default corpus; else the first such hub, one
// with a home disk first) through the real charts served at basehub's
// versions (Helm SDK, with the rendered HelmRelease values): the charts'
// own objects appear, with the values the hub set. The hub's disk
// (eks.volumeId, gke.volumeId) reaches the NFS server's PersistentVolume
// because import carries which cloud (eks.enabled, gke.enabled) from the
// cluster file's provider, as 2i2c's basehub does outside the hub's
// files. It reports whether the hub has such a disk (the plan then shows
// the volume).
func checkRealSiblingReleases(t *testing.T, root, cache string, names []string) bool {
	t.Helper()
	diskRE := regexp.MustCompile(`(?m)^( +)volumeId: (\S+)$`)
	site, hasDisk := "", false
	for _, n := range names {
		if defaultCorpus(t) && n != "disasters-prod" {
			continue
		}
		both := true
		for _, c := range []string{chartrepotest.HomeNFS, chartrepotest.BinderHubService} {
			if _, err := os.Stat(filepath.Join(root, "overlays", n, "helmrelease-"+c+".yaml")); err != nil {
				both = false
			}
		}
		if !both {
			continue
		}
		b, err := os.ReadFile(filepath.Join(root, "clusters", n, "site.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		disk := diskRE.Match(b)
		if site == "" || (disk && !hasDisk) {
			site, hasDisk = n, disk
		}
	}
	if site == "" {
		if defaultCorpus(t) {
			t.Fatalf("disasters-prod has no binderhub-service and jupyterhub-home-nfs releases")
		}
		t.Logf("no hub of this corpus sets both binderhub-service and jupyterhub-home-nfs: the real sibling charts are checked through the plan only")
		return false
	}
	repo := siblingPinRepository(t, root, chartrepotest.HomeNFS)
	for _, c := range []struct {
		chart  string
		want   []string
		golden []string // the default corpus's disasters-prod
	}{
		{chartrepotest.HomeNFS, []string{
			"helm.sh/chart: jupyterhub-home-nfs-" + chartrepotest.HomeNFSVersion,
			"# apps/Deployment _/home-nfs\n", // the NFS server and its quota enforcer
			"# core/Service _/home-nfs\n",
			"# core/PersistentVolumeClaim _/home-nfs\n",
		}, []string{
			"hard_quota: 100", // the hub's quota, in the enforcer's config
		}},
		{chartrepotest.BinderHubService, []string{
			"helm.sh/chart: binderhub-service-" + chartrepotest.BinderHubServiceVersion,
			"# apps/Deployment _/binderhub\n",
			"# core/Service _/binderhub\n",
		}, []string{
			"image_prefix: quay.io/imagebuilding-non-gcp-hubs/disasters-prod-", // the hub's registry prefix, in BinderHub's config
		}},
	} {
		want := c.want
		if defaultCorpus(t) {
			want = append(want, c.golden...)
		}
		m := renderOwnersRelease(t, root, site, c.chart, repo)
		for _, w := range want {
			if !strings.Contains(m, w) {
				t.Errorf("%s: the real %s chart rendered with its HelmRelease values lacks %q", site, c.chart, w)
			}
		}
	}
	siteFile := filepath.Join(root, "clusters", site, "site.yaml")
	b, err := os.ReadFile(siteFile)
	if err != nil {
		t.Fatal(err)
	}
	found := diskRE.FindStringSubmatch(string(b))
	if found == nil {
		if defaultCorpus(t) {
			t.Fatalf("%s: no eks.volumeId in the site's jupyterhub-home-nfs release values:\n%s", site, b)
		}
		t.Logf("%s: no home disk (volumeId) in its jupyterhub-home-nfs values", site)
		return false
	}
	disk := "volumeHandle: " + found[2]
	// Import carried the cloud's enabled: true from the cluster file's
	// provider, as 2i2c's basehub does (values.jsonnet): the disk reaches
	// the chart's PersistentVolume as imported, with no edit.
	if !strings.Contains(string(b), found[1]+"enabled: true\n") {
		t.Errorf("%s: import did not carry enabled: true beside the home disk's volumeId (2i2c's basehub derives it from the cluster's provider):\n%s", site, b)
	}
	m := renderOwnersRelease(t, root, site, chartrepotest.HomeNFS, repo)
	want := []string{"# core/PersistentVolume _/jupyterhub-home-nfs-home-nfs\n", found[2]}
	if defaultCorpus(t) {
		want = append(want, "driver: ebs.csi.aws.com", disk)
	}
	for _, w := range want {
		if !strings.Contains(m, w) {
			t.Errorf("%s: the real jupyterhub-home-nfs chart rendered with its HelmRelease values lacks %q", site, w)
		}
	}
	return true
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
