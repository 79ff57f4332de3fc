package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
	helmchart "helm.sh/helm/v3/pkg/chart"

	"github.com/hubfleet/hubfleet/internal/chart"
	"github.com/hubfleet/hubfleet/internal/chart/chartrepotest"
	"github.com/hubfleet/hubfleet/internal/gittest"
	"github.com/hubfleet/hubfleet/internal/valuetree"
)

// ownersCharts builds, from the real charts, 2i2c's two charts nested as
// their Chart.yaml files nest them (chartrepotest.Basehub with its
// siblings: z2jh 4.4.0, dask-gateway 2026.3.0, the real
// jupyterhub-home-nfs and binderhub-service at the versions basehub pins,
// a stand-in jupyterhub-groups-exporter, each sibling with its
// <name>.enabled condition, and a stand-in for basehub's own nfs:
// template); daskhub vendors all of basehub under basehub:.
func ownersCharts(t *testing.T, version string) (basehub, daskhub *helmchart.Chart) {
	t.Helper()
	basehub, err := chartrepotest.Basehub(chartrepotest.UmbrellaOptions{Version: version, Siblings: true})
	if err != nil {
		t.Fatal(err)
	}
	return basehub, chartrepotest.Daskhub(basehub)
}

// TestImportRealHubsOnTheOwnersChart imports every real hub with --route
// owner: each keeps the chart its owners run it on (the cluster file's
// helm_chart, built from the real charts by ownersCharts and served on
// loopback). The first import of each chart declares it in the fleet file
// (--declare-owner-chart); later ones find it there. Then validate,
// render and plan exit 0, and the rendered HelmReleases, rendered through
// the Helm SDK with the owners' chart, reach its objects: the ingress on
// the hub's domain, the NFS volume of the chart's own template, the
// real sibling subcharts (jupyterhub-home-nfs, binderhub-service) with the
// values the operator wrote, the gateway.
func TestImportRealHubsOnTheOwnersChart(t *testing.T) {
	if testing.Short() {
		t.Skip("imports and plans every real hub")
	}
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	root, url := fleetOnRealCharts(t)
	srv := chartrepotest.Start(t)
	basehub, daskhub := ownersCharts(t, "0.1.0")
	srv.AddChart(t, basehub)
	srv.AddChart(t, daskhub)
	cache := t.TempDir()
	fillRealChartCache(t, url, cache)
	if r := hubfleet(t, "", "render", "--root", root, "--chart-cache", cache); r.code != exitOK {
		t.Fatalf("render the fleet on the real charts: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	gittest.Run(t, root, "init", "-q", "-b", "main")
	gittest.Run(t, root, "add", "-A")
	gittest.Run(t, root, "commit", "-q", "-m", "fleet")

	// Without --declare-owner-chart, import says what to add (leap prod in
	// the default corpus, else the first hub on daskhub, else the first).
	hubs := realHubs(t)
	first := hubs[0]
	for _, h := range hubs {
		if (defaultCorpus(t) && h.Site == "leap-prod") || (!defaultCorpus(t) && h.Chart == "daskhub") {
			first = h
			break
		}
	}
	r := hubfleet(t, "", "import", "--root", root, "--chart-cache", cache, "--cluster-file", first.ClusterFile, "--hub", first.Hub, "--site", first.Site,
		"--tls-mode", "cert-manager", "--cluster-issuer", "letsencrypt-prod", "--client-id", "imported-client", "--route", "owner")
	want := []string{
		`the fleet file declares no chart "` + first.Chart + `": add this under spec.charts in bases/daskhub/fleet.yaml`,
		"route owner: this site keeps the owners' chart " + first.Chart,
	}
	if first.Chart == "daskhub" {
		want = append(want, "      jupyterhubPath: [basehub, jupyterhub]\n      daskGatewayPath: [basehub, dask-gateway]\n      siblingsPath: [basehub]\n")
	}
	for _, w := range want {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("import --route owner on a fleet without the chart: output lacks %q:\n%s", w, r.stderr)
		}
	}
	if !strings.Contains(r.stdout, "umbrella: "+first.Chart) {
		t.Errorf("the printed site does not run the owners' chart:\n%s", r.stdout)
	}
	// The flags of the owner route are refused on the upstream route.
	if r := hubfleet(t, "", "import", "--root", root, "--cluster-file", first.ClusterFile, "--hub", first.Hub, "--site", "x", "--owner-chart-version", "1.0.0"); r.code != exitError || !strings.Contains(r.stderr, "--owner-chart-version is for --route owner") {
		t.Errorf("--owner-chart-version without --route owner: exit %d\n%s", r.code, r.stderr)
	}

	exampleSites, err := filepath.Glob(filepath.Join(root, "clusters", "*", "site.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	declared := map[string]bool{}
	charts := map[string]bool{}
	var names, onDaskhub, onBasehub []string
	for _, h := range hubs {
		name := h.Site
		charts[h.Chart] = true
		args := []string{"import", "--root", root, "--chart-cache", cache, "--cluster-file", h.ClusterFile, "--hub", h.Hub, "--site", name,
			"--tls-mode", "cert-manager", "--cluster-issuer", "letsencrypt-prod", "--client-id", "imported-client",
			"--age-recipient", "age19yjrrnrlvaylhkrxyewmespaj9mnzlk9ukux8zn9hlkwasjsmu9sje8d6l", "--route", "owner"}
		var declare []string
		if !declared[h.Chart] {
			declare = []string{"--declare-owner-chart", "--owner-chart-repository", srv.URL, "--owner-chart-version", "0.1.0", "--owner-chart-jupyterhub-version", "4.4.0"}
		}
		r, _ := importRealHub(t, h.ClusterFile, h.Hub, name, args, declare...)
		if !strings.Contains(r.stdout, "wrote clusters/"+name+"/site.yaml") {
			t.Errorf("import %s: exit %d, no site written\n%s%s", name, r.code, r.stdout, r.stderr)
			continue
		}
		if !declared[h.Chart] && !strings.Contains(r.stdout, "added spec.charts.umbrellas."+h.Chart+" to bases/daskhub/fleet.yaml") {
			t.Errorf("import %s: the fleet file was not given the chart %s:\n%s%s", name, h.Chart, r.stdout, r.stderr)
		}
		declared[h.Chart] = true
		names = append(names, name)
		switch h.Chart {
		case "daskhub":
			onDaskhub = append(onDaskhub, name)
		case "basehub":
			onBasehub = append(onBasehub, name)
		}
	}
	if len(declared) != len(charts) || (defaultCorpus(t) && len(declared) != 2) {
		t.Errorf("owners' charts declared: %v, want every chart the cluster files name: %v", declared, charts)
	}
	// Every hub is valid, those whose only admins are the staff basehub
	// adds from custom.2i2c included: the owners' chart keeps adding them
	// but hubfleet cannot see them; the names given with --admin, as
	// import asked (importRealHub), let validate see who may log in.
	r = hubfleet(t, "", "validate", "--root", root, "--chart-cache", cache)
	var invalid []string
	for _, n := range names {
		for _, line := range strings.Split(r.stderr, "\n") {
			if strings.HasPrefix(line, "clusters/"+n+"/") && !strings.Contains(line, ": warning: ") && !strings.Contains(line, "run 'hubfleet secret set --site "+n+"'") {
				invalid = append(invalid, n)
				break
			}
		}
	}
	if len(invalid) > 0 {
		t.Errorf("invalid sites %v, want none\n%s", invalid, r.stderr)
	}
	setRealSecrets(t, root, names)
	for _, args := range [][]string{{"validate"}, {"render"}, {"render", "--check"}} {
		if r := hubfleet(t, "", append(args, "--root", root, "--chart-cache", cache)...); r.code != exitOK {
			t.Fatalf("%v: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
		}
	}
	gittest.Run(t, root, "add", "-A")
	gittest.Run(t, root, "commit", "-q", "-m", "imported hubs on the owners' charts")
	r = hubfleet(t, "", "plan", "--root", root, "--base", "HEAD~1")
	if r.code != exitOK {
		t.Fatalf("plan: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if strings.Contains(r.stdout, "chart objects not planned") {
		t.Errorf("plan did not render the owners' charts:\n%s", r.stdout)
	}
	if len(names) != len(hubs) || (defaultCorpus(t) && len(names) != 17) {
		t.Errorf("%d real hubs imported, want every hub of the cluster files: %d", len(names), len(hubs))
	}
	for _, n := range names {
		if !strings.Contains(r.stdout, n) {
			t.Errorf("the plan does not mention %s", n)
		}
	}
	if testing.Verbose() {
		t.Logf("plan:\n%s", r.stdout)
	}

	// A new version of the owners' chart, pinned in the fleet file (by hand
	// here; upgrade's own test is TestUpgradeMovesAnOperatorUmbrellaChart),
	// shows in the plan.
	basehub2, daskhub2 := ownersCharts(t, "0.2.0")
	srv.AddChart(t, basehub2)
	srv.AddChart(t, daskhub2)
	fleetFile := filepath.Join(root, "bases/daskhub/fleet.yaml")
	fb, err := os.ReadFile(fleetFile)
	if err != nil {
		t.Fatal(err)
	}
	bumped := strings.Replace(string(fb), "chart: daskhub\n        version: 0.1.0", "chart: daskhub\n        version: 0.2.0", 1)
	if bumped == string(fb) {
		t.Fatalf("no daskhub umbrella pin to move in the fleet file:\n%s", fb)
	}
	writeFile(t, fleetFile, []byte(bumped))
	if r := hubfleet(t, "", "render", "--root", root, "--chart-cache", cache); r.code != exitOK {
		t.Fatalf("render after the umbrella's new version: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	gittest.Run(t, root, "add", "-A")
	gittest.Run(t, root, "commit", "-q", "-m", "owners' daskhub 0.2.0")
	r = hubfleet(t, "", "plan", "--root", root, "--base", "HEAD~1")
	if r.code != exitOK {
		t.Fatalf("plan of the umbrella's new version: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if testing.Verbose() {
		t.Logf("plan of the new version:\n%s", r.stdout)
	}
	// Exactly the sites on daskhub change, each with both charts' versions.
	want = []string{fmt.Sprintf("%d of %d sites change", len(onDaskhub), len(exampleSites)+len(names))}
	if defaultCorpus(t) {
		want = append(want, "7 of 22 sites change")
	}
	for _, n := range onDaskhub {
		want = append(want, "~ site "+n+": changed\n  chart basehub 0.1.0 -> 0.2.0\n  chart daskhub 0.1.0 -> 0.2.0\n")
	}
	for _, w := range want {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("the plan of the owners' daskhub 0.2.0 lacks %q", w)
		}
	}
	for _, n := range onBasehub {
		if strings.Contains(r.stdout, "site "+n+":") {
			t.Errorf("a site on the owners' basehub (%s) changes with daskhub's version:\n%s", n, r.stdout)
		}
	}

	// The HelmReleases reach the owners' chart objects (Helm SDK): each
	// hub's ingress on its cluster file's domain; in the default corpus,
	// aimatx prod's and leap prod's objects as their files say.
	for _, h := range hubs {
		if m := renderOwnersRelease(t, root, h.Site, h.Chart, srv.URL); !strings.Contains(m, `host: "`+h.Domain+`"`) {
			t.Errorf("%s: the owners' chart %s rendered with its HelmRelease values has no ingress on %s", h.Site, h.Chart, h.Domain)
		}
	}
	if !defaultCorpus(t) {
		return
	}
	for _, c := range []struct {
		site, chart string
		want        []string
	}{
		{"aimatx-2i2c-hub-prod", "basehub", []string{
			`host: "aimatx.2i2c.cloud"`,                                              // the ingress, on the cluster file's domain
			"server: 10.100.221.238",                                                 // basehub's own nfs template, on the values' nfs block
			"# apps/Deployment _/home-nfs\n",                                         // the real jupyterhub-home-nfs subchart (basehub enables it)
			"name: traefik-basehub-dask-gateway",                                     // the gateway subchart, at dask-gateway:
			"PathPrefix(`/services/dask-gateway`)",                                   // behind the hub's service prefix hubfleet sets
			"# apps/Deployment _/binderhub\n",                                        // the real binderhub-service, enabled as written
			"image_prefix: quay.io/imagebuilding-non-gcp-hubs/aimatx-2i2c-hub-prod-", // with the hub's values
		}},
		{"leap-prod", "daskhub", []string{
			`host: "leap.2i2c.cloud"`,
			"name: traefik-daskhub-dask-gateway", // basehub.dask-gateway, two levels down
			"# apps/Deployment _/home-nfs\n",     // basehub.jupyterhub-home-nfs, the real chart
			"hard_quota: 100",                    // with the hub's quota
			"# apps/Deployment _/binderhub\n",
		}},
	} {
		m := renderOwnersRelease(t, root, c.site, c.chart, srv.URL)
		for _, w := range c.want {
			if !strings.Contains(m, w) {
				t.Errorf("%s: the owners' chart rendered with its HelmRelease values lacks %q", c.site, w)
			}
		}
	}
}

// renderOwnersRelease renders the owners' chart with the site's rendered
// HelmRelease values (valuesFrom as placeholders) through the Helm SDK.
func renderOwnersRelease(t *testing.T, root, name, chartName, repo string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "overlays", name, "helmrelease-"+chartName+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var hr struct {
		Spec struct {
			ReleaseName string `yaml:"releaseName"`
			Chart       struct {
				Spec struct {
					Chart   string `yaml:"chart"`
					Version string `yaml:"version"`
				} `yaml:"spec"`
			} `yaml:"chart"`
			Values     map[string]any `yaml:"values"`
			ValuesFrom []struct {
				TargetPath string `yaml:"targetPath"`
			} `yaml:"valuesFrom"`
		} `yaml:"spec"`
		Metadata struct {
			Name      string `yaml:"name"`
			Namespace string `yaml:"namespace"`
		} `yaml:"metadata"`
	}
	if err := yaml.Unmarshal(b, &hr); err != nil {
		t.Fatal(err)
	}
	if hr.Spec.Chart.Spec.Chart != chartName {
		t.Fatalf("%s: the HelmRelease runs chart %q, not the owners' %s:\n%s", name, hr.Spec.Chart.Spec.Chart, chartName, b)
	}
	for _, vf := range hr.Spec.ValuesFrom {
		if vf.TargetPath != "" {
			valuetree.Set(hr.Spec.Values, vf.TargetPath, "placeholder")
		}
	}
	ro := chart.DefaultResolverOptions()
	ro.CacheDir = t.TempDir()
	res, err := chart.NewResolver(ro)
	if err != nil {
		t.Fatal(err)
	}
	c, err := res.Resolve(context.Background(), chart.Ref{RepoURL: repo, Name: chartName, Version: hr.Spec.Chart.Spec.Version})
	if err != nil {
		t.Fatal(err)
	}
	opts := chart.DefaultRenderOptions()
	opts.CacheDir, opts.Workers, opts.KubeVersion = "", 1, "1.31.0"
	rd, err := chart.NewRenderer(opts)
	if err != nil {
		t.Fatal(err)
	}
	release := hr.Spec.ReleaseName
	if release == "" {
		release = hr.Metadata.Name
	}
	out := rd.Render(context.Background(), chart.Request{Site: name, Chart: c, ReleaseName: release, Namespace: hr.Metadata.Namespace, Values: hr.Spec.Values})
	if !out.OK() {
		t.Fatalf("%s: the owners' chart does not render its HelmRelease values: %v", name, out.Problems)
	}
	return out.Manifest()
}

// TestImportOwnerRouteRefusesWhatItCannotDo checks the owner route's
// refusals: each names what to do instead, and nothing is written.
func TestImportOwnerRouteRefusesWhatItCannotDo(t *testing.T) {
	t.Parallel()
	root := fleetCopy(t)
	dir := t.TempDir()
	z2jh := filepath.Join(dir, "z2jh.yaml")
	writeFile(t, z2jh, []byte("hub:\n  config:\n    JupyterHub: {authenticator_class: dummy}\nproxy:\n  https: {enabled: true, hosts: [hub.example.org]}\n"))
	base := filepath.Join(dir, "base.yaml")
	writeFile(t, base, []byte("jupyterhub:\n  hub:\n    config:\n      JupyterHub: {authenticator_class: dummy}\n  ingress: {enabled: true, hosts: [hub.example.org]}\nnfs:\n  enabled: true\n  pv: {serverIP: 10.0.0.1, baseShareName: /homes}\n"))
	before := snapshot(t, root)
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"no owners' chart to keep", []string{"-f", z2jh, "--route", "owner", "--owner-chart", "basehub"}, "written for the upstream chart itself: there is no owners' chart to keep"},
		{"no chart named", []string{"-f", base, "--route", "owner"}, "--route owner: name the owners' chart with --owner-chart"},
		{"unknown route", []string{"-f", base, "--route", "mine"}, `--route "mine": use upstream`},
		{"declare without write", []string{"-f", base, "--route", "owner", "--owner-chart", "basehub", "--declare-owner-chart"}, "--declare-owner-chart changes the fleet file (bases/daskhub/fleet.yaml): add --write"},
		{"declare without the source", []string{"-f", base, "--route", "owner", "--owner-chart", "basehub", "--declare-owner-chart", "--write", "--owner-chart-version", "0.1.0"},
			"--declare-owner-chart: give --owner-chart-repository, --owner-chart-jupyterhub-version"},
		{"owner flags on the upstream route", []string{"-f", base, "--owner-chart", "basehub"}, "--owner-chart is for --route owner"},
	} {
		r := hubfleet(t, "", append([]string{"import", "--root", root, "--site", "owner", "--tls-mode", "cert-manager", "--cluster-issuer", "letsencrypt-prod"}, tt.args...)...)
		if r.code == exitOK || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%s: exit %d, want a refusal saying %q\n%s", tt.name, r.code, tt.want, r.stderr)
		}
	}
	if after := snapshot(t, root); after != before {
		t.Errorf("a refused import changed the fleet:\n%s", after)
	}
	// The base layout keeps basehub's own nfs: block as the chart's value.
	r := hubfleet(t, "", "import", "--root", root, "--site", "owner", "--tls-mode", "cert-manager", "--cluster-issuer", "letsencrypt-prod",
		"-f", base, "--route", "owner", "--owner-chart", "basehub")
	for _, want := range []string{"umbrella: basehub", "umbrellaValues:", "serverIP: 10.0.0.1"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the owner-route site lacks %q:\n%s%s", want, r.stdout, r.stderr)
		}
	}
	if strings.Contains(r.stdout, "storage:") {
		t.Errorf("the owner route typed basehub's nfs block as hubfleet's NFS homes:\n%s", r.stdout)
	}
}
