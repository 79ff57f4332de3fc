package importer

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/hubfleet/hubfleet/internal/site"
	"github.com/hubfleet/hubfleet/internal/values"
)

// RealConfigsEnv names the directory of the real hub configurations when
// they are not at ../shared/real-configs beside the project.
const RealConfigsEnv = "HUBFLEET_REAL_CONFIGS"

// realConfigsDir is ../shared/real-configs beside the project root.
func realConfigsDir() string {
	if d := os.Getenv(RealConfigsEnv); d != "" {
		return d
	}
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "real-configs"))
}

// corpusHub is one hub of the real configurations, with its files in its
// owners' order.
type corpusHub struct {
	Name    string
	Cluster string
	Hub     string
	File    string
}

// corpusHubs lists every hub of every cluster file in the corpus.
func corpusHubs(t testing.TB) []corpusHub {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(realConfigsDir(), "*", "clusters", "*", "cluster.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no real configurations under %s (set %s): %v", realConfigsDir(), RealConfigsEnv, err)
	}
	var out []corpusHub
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var cf struct {
			Hubs []struct {
				Name string `yaml:"name"`
			} `yaml:"hubs"`
		}
		if err := yaml.Unmarshal(b, &cf); err != nil {
			t.Fatal(err)
		}
		cluster := filepath.Base(filepath.Dir(f))
		for _, h := range cf.Hubs {
			name := cluster + "-" + h.Name
			if len(name) > 40 {
				name = name[:40]
			}
			out = append(out, corpusHub{Name: strings.Trim(name, "-"), Cluster: cluster, Hub: h.Name, File: f})
		}
	}
	return out
}

// corpusFleet is the example fleet, composed, with pins for the corpus's
// sibling charts.
func corpusFleet(t testing.TB) *site.Fleet {
	t.Helper()
	f := fleetConfig(t.(*testing.T))
	f.Spec.DefaultMode = site.ModeComposed
	f.Spec.Charts.Siblings = site.SiblingCharts{}
	for _, c := range []string{"jupyterhub-home-nfs", "binderhub-service", "jupyterhub-groups-exporter"} {
		f.Spec.Charts.Siblings[c] = site.ChartSource{Repository: "https://2i2c.org/" + c, Chart: c, Version: "1.0.0"}
	}
	return f
}

// importCorpusHub imports one hub as `hubfleet import --cluster-file`
// does, and decodes the written site file back.
func importCorpusHub(t *testing.T, h corpusHub) (merged map[string]any, s *site.Site, rep Report) {
	t.Helper()
	return importCorpusHubOn(t, h, nil)
}

// ownerCharts declares 2i2c's own charts as the fleet of an owner-route
// import does: basehub passes jupyterhub: and dask-gateway: and holds its
// siblings at the top (its Chart.yaml, clusters/2i2c-aws-us/chart.yaml);
// daskhub nests all of basehub under basehub:.
var ownerCharts = map[string]site.UmbrellaChart{
	"basehub": {Repository: "https://2i2c.org/charts", Chart: "basehub", Version: "0.1.0", JupyterHubVersion: "4.4.0",
		JupyterHubPath: []string{"jupyterhub"}, DaskGatewayPath: []string{"dask-gateway"}, SiblingsPath: []string{}},
	"daskhub": {Repository: "https://2i2c.org/charts", Chart: "daskhub", Version: "0.1.0", JupyterHubVersion: "4.4.0",
		JupyterHubPath: []string{"basehub", "jupyterhub"}, DaskGatewayPath: []string{"basehub", "dask-gateway"}, SiblingsPath: []string{"basehub"}},
}

// importCorpusHubOn imports one hub; with owners it keeps the owners'
// chart (route owner) as the fleet declares it.
func importCorpusHubOn(t *testing.T, h corpusHub, owners map[string]site.UmbrellaChart) (merged map[string]any, s *site.Site, rep Report) {
	t.Helper()
	cf, err := ReadClusterFile(h.File, h.Hub)
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
	merged, err = Merge(files, cf.Files)
	if err != nil {
		t.Fatal(err)
	}
	o := Options{Name: h.Name, Domain: cf.Domain, Namespace: cf.Name,
		TLSMode: site.TLSCertManager, ClusterIssuer: "letsencrypt-prod", ClientID: "imported-client", AgeRecipient: testRecipient}
	if owners != nil {
		u := owners[cf.Chart]
		o.Route, o.OwnerChart, o.Owner = RouteOwner, cf.Chart, &u
	}
	s, rep, err = Import(files, cf.Files, o)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	// As an operator would: when import asks for basehub's staff admins
	// (--admin), import again with stand-ins for them.
	if slices.ContainsFunc(rep.Asks, func(a string) bool { return strings.Contains(a, AdminFlag+" NAME") }) {
		o.Admins = stagingStaff
		if s, rep, err = Import(files, cf.Files, o); err != nil {
			t.Fatalf("import %s %s: %v", AdminFlag, strings.Join(stagingStaff, " "), err)
		}
	}
	out, err := Encode(s, h.File)
	if err != nil {
		t.Fatal(err)
	}
	back, err := site.DecodeSite("clusters/"+h.Name+"/site.yaml", out)
	if err != nil {
		t.Fatalf("the imported site does not decode: %v\n%s", err, out)
	}
	return merged, back, rep
}

// stagingStaff stands for 2i2c's staff list (staff_github_ids,
// staff_cilogon_ids, ... in basehub's own values.yaml), which is not in
// the corpus: the operator gives the real names with --admin. These are
// clearly fake.
var stagingStaff = []string{"fake-2i2c-staff-a", "fake-2i2c-staff-b"}

// releaseValues finds where a kept leaf went: [jupyterhub|dask-gateway,
// ...] in those releases, [releases, NAME, ...] in a sibling's.
func releaseValues(rels []values.Release, to Path) (any, bool) {
	name, rest := to[0], to[1:]
	if name == "releases" {
		name, rest = to[1], to[2:]
	}
	for _, r := range rels {
		if r.Name == name {
			return getPath(r.Values, rest)
		}
	}
	return nil, false
}

// TestCorpusEveryLeafLandsOnceAndKeptLeavesReachTheRelease checks, for
// every hub of the real configurations, that each input leaf is in
// exactly one place of the report (typed, migrated, kept, secret or
// dropped with a reason), that a kept leaf is in the HelmRelease values
// hubfleet renders, unchanged, and that access never widens: the
// authenticator reads the same access settings before and after.
func TestCorpusEveryLeafLandsOnceAndKeptLeavesReachTheRelease(t *testing.T) {
	t.Parallel()
	testCorpusLeaves(t, nil)
}

// TestCorpusOwnerRouteEveryLeafLandsOnceAtItsOwnPath is the same check on
// the owner route: each hub keeps the owners' chart it was written for
// (the cluster file's helm_chart, declared as in ownerCharts), every kept
// leaf reaches that chart's HelmRelease values at the very path the
// operator wrote it, and access never widens.
func TestCorpusOwnerRouteEveryLeafLandsOnceAtItsOwnPath(t *testing.T) {
	t.Parallel()
	testCorpusLeaves(t, ownerCharts)
}

func testCorpusLeaves(t *testing.T, owners map[string]site.UmbrellaChart) {
	f := corpusFleet(t)
	if owners != nil {
		f.Spec.Charts.Umbrellas = owners
	}
	var table []string
	for _, h := range corpusHubs(t) {
		t.Run(h.Name, func(t *testing.T) {
			merged, s, rep := importCorpusHubOn(t, h, owners)
			if owners != nil && (s.Spec.Chart.Umbrella == "" || rep.Owner == nil) {
				t.Fatalf("route owner: the site runs no umbrella chart (spec.chart %+v)", s.Spec.Chart)
			}
			leafActions := []Action{Typed, Migrated, Kept, Secret, Dropped}
			silent, twice := 0, 0
			for _, l := range Leaves(merged) {
				var hits []Item
				for _, it := range rep.Items {
					if slices.Contains(leafActions, it.Action) && l.Path.under(it.Keys) {
						hits = append(hits, it)
					}
				}
				switch {
				case len(hits) == 0:
					silent++
					t.Errorf("leaf %s is in no line of the report (dropped silently)", l.Path)
				case len(hits) > 1:
					twice++
					var where []string
					for _, h := range hits {
						where = append(where, string(h.Action)+" "+h.Path)
					}
					t.Errorf("leaf %s is in %d lines of the report: %s", l.Path, len(hits), strings.Join(where, "; "))
				}
				for _, h := range hits {
					if h.Action == Dropped && strings.TrimSpace(h.Note) == "" {
						t.Errorf("leaf %s is dropped without a reason", l.Path)
					}
				}
			}
			if errs := site.Check(s, f).Errors(); len(errs) > 0 {
				t.Logf("validate (not this test's check):\n%v", errs.Err())
			}
			rels := values.Releases(s, f)
			missing := 0
			for _, it := range rep.Items {
				if it.Action != Kept {
					continue
				}
				want, _ := getPath(merged, it.Keys)
				got, ok := releaseValues(rels, it.To)
				if !ok || !sameJSON(t, want, got) {
					missing++
					t.Errorf("%s is reported kept (at %s) but the HelmRelease values hold %#v there, not %#v", it.Path, it.To, got, want)
				}
			}
			// Access: the authenticator's view of the original z2jh
			// values against the rendered jupyterhub release's.
			var before, after map[string]any
			if owners != nil {
				jh := Path(rep.Owner.JupyterHubPath)
				b, _ := getPath(merged, jh)
				a, _ := releaseValues(rels, append(Path{rep.Owner.Chart}, jh...))
				before, _ = b.(map[string]any)
				after, _ = a.(map[string]any)
			} else {
				tree, _, _, err := canonical(deepCopy(merged).(map[string]any), rep.Layout)
				if err != nil {
					t.Fatal(err)
				}
				before, _ = tree["jupyterhub"].(map[string]any)
				for _, r := range rels {
					if r.Name == values.ReleaseJupyterHub {
						after = r.Values
					}
				}
			}
			// Profiles: typed or passed through, the jupyterhub release
			// gets the very list the operator wrote.
			profiles := "-"
			if in, ok := getPath(before, dotted("singleuser.profileList")); ok {
				out, _ := getPath(after, dotted("singleuser.profileList"))
				if !sameJSON(t, in, out) {
					t.Errorf("singleuser.profileList changed on the way:\nbefore %v\nafter  %v", in, out)
				}
				profiles = "kept"
				if n := len(s.Spec.Singleuser.Profiles); n > 0 {
					profiles = fmt.Sprintf("typed (%d)", n)
				}
				for _, it := range rep.Items {
					if it.Action == Note && strings.HasPrefix(it.Note, "singleuser.profileList passes through") {
						t.Logf("%s", it.Note)
					}
				}
			}
			wa, ga := Access(before), Access(after)
			// basehub's staff admins: the operator gave stagingStaff for
			// basehub's list (--admin). Before, basehub made them admins
			// beside the hub's own; after, they are in spec.auth.admins,
			// and on the owner route basehub still adds its list too. The
			// report says they are operator-supplied.
			if staff := basehubAdmins(before, stagingStaff); staff != nil {
				wa["admin_users"] = canonText(anyList(staff))
				if owners != nil {
					ga["admin_users"] = canonText(anyList(basehubAdmins(after, stagingStaff)))
				}
				supplied := 0
				for _, it := range rep.Items {
					if it.Action == Supplied && it.Path == "spec.auth.admins" && strings.Contains(it.Note, strings.Join(stagingStaff, ", ")+": given with --admin, operator-supplied") {
						supplied++
					}
				}
				if supplied != 1 {
					t.Errorf("basehub's staff admins given with --admin: %d supplied items name them, want 1:\n%s", supplied, rep)
				}
			}
			widened := 0
			for _, k := range append([]string{"authenticator_class"}, AccessKeys...) {
				if wa[k] != ga[k] {
					widened++
					t.Errorf("access setting %s changed: before %q, after %q", k, wa[k], ga[k])
				}
			}
			// What import carried of basehub's GitHub defaults reaches
			// the jupyterhub release as written into spec.values.
			for _, it := range rep.Items {
				if it.Action != Derived || it.To == nil {
					continue
				}
				want, _ := getPath(s.Spec.Values, it.To)
				got, ok := getPath(after, it.To[1:])
				if !ok || !sameJSON(t, want, got) {
					t.Errorf("%s is reported derived but the jupyterhub release holds %#v there, not %#v", it.Path, got, want)
				}
			}
			c := rep.Counts()
			table = append(table, fmt.Sprintf("| %s | %s | %d | %d | %d | %d | %d | %d | %d | %d | %d | %d | %s |", h.Name, rep.Layout.Flag(), len(Leaves(merged)),
				c[Typed], c[Migrated], c[Kept], c[Secret], c[Dropped], c[Derived], c[Supplied], silent+twice+missing, widened, profiles))
		})
	}
	t.Cleanup(func() {
		t.Logf("per hub: leaves in, typed, migrated, kept, secret, dropped with a reason, derived (basehub's GitHub defaults carried), supplied (basehub's staff admins given with --admin: stand-in names), leaves lost or misplaced, access settings changed, profile list typed or kept (the rendered list equals the input either way)\n| hub | layout | leaves | typed | migrated | kept | secret | dropped | derived | supplied | lost | access changed | profileList |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n%s", strings.Join(table, "\n"))
	})
}

// sameJSON compares values as the HelmRelease carries them (JSON).
func sameJSON(t *testing.T, a, b any) bool {
	t.Helper()
	ja, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	jb, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return string(ja) == string(jb)
}

func anyList(l []string) []any {
	out := make([]any, len(l))
	for i, s := range l {
		out[i] = s
	}
	return out
}

// basehubAdmins is basehub's admin_users for z2jh values whose chart is
// basehub (its hub.extraConfig): with the staff admins on, the staff list
// (staff, the names that stand for it) followed by the hub's own
// hub.config.Authenticator.admin_users; nil when they are off, or when a
// more specific section's admin_users wins over Authenticator's.
func basehubAdmins(jh map[string]any, staff []string) []string {
	if on, _ := staffAdminsIn(jh); !on || StaffAdminsShadowedBy(jh) != "" {
		return nil
	}
	out := slices.Clone(staff)
	own, _ := getPath(jh, Path{"hub", "config", "Authenticator", "admin_users"})
	return append(out, stringList(own)...)
}
