package chart

import (
	"context"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	helmchart "helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	helmengine "helm.sh/helm/v3/pkg/engine"
	"sigs.k8s.io/yaml"

	"github.com/hubfleet/hubfleet/internal/chart/engine"
	plainengine "github.com/hubfleet/hubfleet/internal/chart/helmengine"
	"github.com/hubfleet/hubfleet/internal/fleettest"
)

// realChart is one of the real chart archives in ../shared/charts.
type realChart struct {
	file  string
	chart *helmchart.Chart
	// jupyterhub and gateway say where the z2jh and dask-gateway values
	// go: "" for the chart's root, else the umbrella's key.
	jupyterhub, gateway *string
}

// sharedChartsDir is ../shared/charts from the repository root.
func sharedChartsDir(t testing.TB) string {
	return filepath.Join(fleettest.Root(t), "..", "shared", "charts")
}

func strp(s string) *string { return &s }

// loadRealCharts loads every real chart, directly from the archives.
func loadRealCharts(t testing.TB) []realChart {
	t.Helper()
	dir := sharedChartsDir(t)
	files, err := filepath.Glob(filepath.Join(dir, "*.tgz"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no real charts in %s (see ../shared/REAL.md): %v", dir, err)
	}
	var out []realChart
	for _, f := range files {
		hc, err := loader.Load(f)
		if err != nil {
			t.Fatalf("load %s: %v", f, err)
		}
		rc := realChart{file: filepath.Base(f), chart: hc}
		switch hc.Name() {
		case "jupyterhub":
			rc.jupyterhub = strp("")
		case "dask-gateway":
			rc.gateway = strp("")
		case "daskhub":
			rc.jupyterhub, rc.gateway = strp("jupyterhub"), strp("dask-gateway")
		default:
			t.Fatalf("unexpected real chart %s", hc.Name())
		}
		out = append(out, rc)
	}
	if len(out) != 5 {
		t.Fatalf("want the 5 real charts of ../shared/REAL.md, found %d", len(out))
	}
	return out
}

// exampleRelease is one HelmRelease of the example fleet's committed
// overlays: the chart and the values helm-controller would pass.
type exampleRelease struct {
	site, release, namespace, chart string
	values                          map[string]any
}

func exampleReleases(t testing.TB) []exampleRelease {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(fleettest.Root(t), "overlays", "*", "helmrelease-*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no example HelmReleases: %v", err)
	}
	var out []exampleRelease
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var hr struct {
			Metadata struct {
				Namespace string `json:"namespace"`
			} `json:"metadata"`
			Spec struct {
				ReleaseName string `json:"releaseName"`
				Chart       struct {
					Spec struct {
						Chart string `json:"chart"`
					} `json:"spec"`
				} `json:"chart"`
				Values     map[string]any `json:"values"`
				ValuesFrom []struct {
					TargetPath string `json:"targetPath"`
				} `json:"valuesFrom"`
			} `json:"spec"`
		}
		if err := yaml.Unmarshal(b, &hr); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		vals := hr.Spec.Values
		if vals == nil {
			vals = map[string]any{}
		}
		for _, vf := range hr.Spec.ValuesFrom {
			if vf.TargetPath != "" {
				setPath(vals, strings.Split(vf.TargetPath, "."), "placeholder-from-secret")
			}
		}
		out = append(out, exampleRelease{
			site:      filepath.Base(filepath.Dir(f)),
			release:   hr.Spec.ReleaseName,
			namespace: hr.Metadata.Namespace,
			chart:     hr.Spec.Chart.Spec.Chart,
			values:    vals,
		})
	}
	return out
}

func setPath(m map[string]any, path []string, v any) {
	for _, k := range path[:len(path)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	m[path[len(path)-1]] = v
}

// merge merges src into dst (maps recursively, anything else replaced).
func merge(dst, src map[string]any) {
	for k, v := range src {
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				merge(dm, sm)
				continue
			}
		}
		dst[k] = v
	}
}

func mustYAML(t testing.TB, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := yaml.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("%v in\n%s", err, s)
	}
	return m
}

// jupyterhubFragments are z2jh values (relative to the jupyterhub chart)
// that exercise what sites vary and what the engine must reproduce:
// `tpl` (hub.args, hub.command, with local defines, a parse error and a
// failing call), `required` failures (autohttps without a contact email,
// manual HTTPS without a certificate), `fail` (extraEnv of the wrong
// type, extraFiles without mountPath, the deprecated auth section in
// NOTES.txt), values that templates mutate (traefik extraStaticConfig)
// and `lookup` (every render without pinned secrets calls it).
var jupyterhubFragments = []string{
	`{ingress: {enabled: true, ingressClassName: nginx, hosts: [hub.example.org], tls: [{hosts: [hub.example.org], secretName: hub-tls}]}, proxy: {service: {type: ClusterIP}}}`,
	`{proxy: {https: {enabled: true, type: letsencrypt, hosts: [hub.example.org], letsencrypt: {contactEmail: ops@example.org}}}}`,
	`{proxy: {https: {enabled: true, type: letsencrypt, hosts: [hub.example.org]}}}`,
	`{proxy: {https: {enabled: true, type: manual, hosts: [hub.example.org]}}}`,
	`{proxy: {https: {enabled: true, type: manual, manual: {cert: CERT, key: KEY}, hosts: [hub.example.org]}}}`,
	`{proxy: {traefik: {extraStaticConfig: {log: {level: DEBUG}}}, https: {enabled: true, type: letsencrypt, hosts: [a.example.org], letsencrypt: {contactEmail: a@example.org}}}}`,
	`{hub: {extraEnv: {BROKEN: [1, 2]}}}`,
	`{hub: {extraEnv: {A: "1", B: {valueFrom: {secretKeyRef: {name: s, key: k}}}}}}`,
	`{hub: {extraFiles: {cfg: {data: {a: 1}}}}}`,
	`{hub: {extraFiles: {cfg: {mountPath: /etc/x.yaml, data: {a: 1, b: [x, y]}}}}}`,
	`{auth: {type: github}}`,
	`{hub: {args: [jupyterhub, --config, /usr/local/etc/jupyterhub/jupyterhub_config.py, "--base-url={{ .Values.hub.baseUrl }}", "{{ define \"local\" }}L-{{ .Release.Name }}{{ end }}{{ include \"local\" . }}/{{ include \"jupyterhub.hub.fullname\" . }}"]}}`,
	`{hub: {command: ["{{ .Values.hub.baseUrl"]}}`,
	`{hub: {command: ["{{ fail \"refused by tpl\" }}"]}}`,
	`{hub: {command: ["{{ .Values.nothing.here }}", "{{ tpl \"{{ .Release.Namespace }}\" . }}"]}}`,
	`{hub: {baseUrl: /jupyter/, config: {JupyterHub: {authenticator_class: generic-oauth, admin_access: true}, GenericOAuthenticator: {client_id: c, oauth_callback_url: "https://x/hub/oauth_callback", scope: [openid, email]}}}}`,
	`{hub: {extraConfig: {00-a: "c.JupyterHub.log_level = 'DEBUG'", 10-b: "print('b')"}, networkPolicy: {egress: [{to: [{ipBlock: {cidr: 10.0.0.0/8}}]}]}}}`,
	`{singleuser: {profileList: [{display_name: small, default: true, kubespawner_override: {cpu_limit: 1}}, {display_name: large, kubespawner_override: {cpu_limit: 4, mem_limit: 8G}}], extraEnv: {X: "1"}, memory: {limit: 4G, guarantee: 1G}, cpu: {limit: 2, guarantee: 0.5}}}`,
	`{singleuser: {storage: {type: none}, image: {name: pangeo/pangeo-notebook, tag: "2024.01.15"}, defaultUrl: /lab}}`,
	`{singleuser: {storage: {dynamic: {storageClass: fast}, capacity: 20Gi, extraVolumes: [{name: shm, emptyDir: {medium: Memory}}], extraVolumeMounts: [{name: shm, mountPath: /dev/shm}]}}}`,
	`{scheduling: {userScheduler: {enabled: false}, podPriority: {enabled: true}, userPlaceholder: {replicas: 3}}}`,
	`{prePuller: {hook: {enabled: false}, continuous: {enabled: false}}, cull: {enabled: true, timeout: 7200, every: 300}}`,
	`{rbac: {create: false}, debug: {enabled: true}, fullnameOverride: hubx, nameOverride: nm}`,
	`{hub: {existingSecret: external-hub-secret, db: {type: sqlite-pvc, pvc: {storage: 5Gi}}}}`,
	`{proxy: {service: {type: NodePort, nodePorts: {http: 30080}}, chp: {resources: {requests: {cpu: 100m}}}}}`,
	`{unknownTopLevel: {x: 1}, hub: {image: {tag: null}}}`,
}

// gatewayFragments are dask-gateway values.
var gatewayFragments = []string{
	`{gateway: {auth: {type: simple, simple: {password: pw}}}}`,
	`{gateway: {auth: {type: jupyterhub, jupyterhub: {apiToken: tok, apiUrl: "http://hub:8081/hub/api"}}}}`,
	`{traefik: {service: {type: LoadBalancer}, dashboard: true}}`,
	`{gateway: {backend: {worker: {cores: {request: 1, limit: 2}, memory: {request: 2G, limit: 4G}}}, extraConfig: {limits: "c.ClusterConfig.cluster_max_cores = 8"}}}`,
	`{gateway: {extraConfig: "c.Backend.x = 1", prefix: /services/dask-gateway}}`,
	`{controller: {enabled: false}, rbac: {enabled: false}}`,
	`{fullnameOverride: gw, gateway: {loglevel: DEBUG}}`,
}

// pinnedJupyterhub fixes the secrets z2jh mints at random, so that two
// renders of the same values are byte-identical.
const pinnedJupyterhub = `{hub: {config: {ConfigurableHTTPProxy: {auth_token: pinned-proxy-token}, JupyterHub: {cookie_secret: 00ff}, CryptKeeper: {keys: [abcd]}}, services: {dask-gateway: {apiToken: pinned-gateway-token}}}}`

func scoped(t testing.TB, key *string, frag string) map[string]any {
	m := mustYAML(t, frag)
	if *key == "" {
		return m
	}
	return map[string]any{*key: m}
}

// randomValues returns a values file for rc made of 1-4 fragments.
func randomValues(t testing.TB, rng *rand.Rand, rc realChart) map[string]any {
	vals := map[string]any{}
	for range 1 + rng.IntN(4) {
		if rc.jupyterhub != nil && (rc.gateway == nil || rng.IntN(3) > 0) {
			merge(vals, scoped(t, rc.jupyterhub, jupyterhubFragments[rng.IntN(len(jupyterhubFragments))]))
		} else {
			merge(vals, scoped(t, rc.gateway, gatewayFragments[rng.IntN(len(gatewayFragments))]))
		}
	}
	return vals
}

// compareCase is one render of a real chart through both engines.
type compareCase struct {
	name               string
	chart              realChart
	release, namespace string
	values             map[string]any
}

// helmRender renders like renderChart: dependencies processed on a
// clone, render values built, then the given engine.
func renderWith(t testing.TB, c compareCase, render func(*helmchart.Chart, chartutil.Values) (map[string]string, error)) (map[string]string, error) {
	t.Helper()
	// Each side gets its own copy of the values: templates may mutate them.
	b, err := yaml.Marshal(c.values)
	if err != nil {
		t.Fatal(err)
	}
	var vals map[string]any
	if err := yaml.Unmarshal(b, &vals); err != nil {
		t.Fatal(err)
	}
	if vals == nil {
		vals = map[string]any{}
	}
	hc := clone(c.chart.chart)
	if err := chartutil.ProcessDependenciesWithMerge(hc, vals); err != nil {
		t.Fatal(err)
	}
	caps := chartutil.DefaultCapabilities.Copy()
	kv, _ := chartutil.ParseKubeVersion("1.31.0")
	caps.KubeVersion = *kv
	caps.APIVersions = append(caps.APIVersions, "traefik.io/v1alpha1")
	top, err := chartutil.ToRenderValuesWithSchemaValidation(hc, vals,
		chartutil.ReleaseOptions{Name: c.release, Namespace: c.namespace, Revision: 1, IsInstall: true}, caps, true)
	if err != nil {
		t.Fatal(err)
	}
	return render(hc, top)
}

// TestParsedEngineMatchesHelm renders the real charts in ../shared/charts
// through Helm's engine and through the parse-once engine and requires
// byte-identical output (every template, NOTES.txt included) and
// identical error messages, for every example site's values on every
// version of its chart and for a seeded random set of value files, in
// the default, strict and lint modes. The parsed engines are shared by
// the parallel subtests, as a Renderer shares them between sites.
func TestParsedEngineMatchesHelm(t *testing.T) {
	charts := loadRealCharts(t)
	examples := exampleReleases(t)
	if len(examples) < 5 {
		t.Fatalf("want the example fleet's HelmReleases, found %d", len(examples))
	}
	seed := uint64(14)
	if s := os.Getenv("HUBFLEET_ENGINE_SEED"); s != "" {
		fmt.Sscan(s, &seed)
	}
	rng := rand.New(rand.NewPCG(seed, 0))
	var cases []compareCase
	for _, rc := range charts {
		for _, ex := range examples {
			if ex.chart == rc.chart.Name() {
				cases = append(cases, compareCase{name: rc.file + "/" + ex.site, chart: rc, release: ex.release, namespace: ex.namespace, values: ex.values})
			}
		}
		n := 12
		if testing.Short() {
			n = 3
		}
		releases := []string{"daskhub", "jhub", "dask-gateway", rc.chart.Name()}
		for i := range n {
			cases = append(cases, compareCase{
				name:  fmt.Sprintf("%s/random-%d", rc.file, i),
				chart: rc, release: releases[rng.IntN(len(releases))], namespace: fmt.Sprintf("ns-%d", i),
				values: randomValues(t, rng, rc),
			})
		}
	}
	// Pin z2jh's random secrets in every case so the outputs can be
	// compared byte for byte (the unpinned path, which calls lookup, is
	// compared after normalisation in TestPlainAndParsedRenderersAgree).
	for _, c := range cases {
		if c.chart.jupyterhub != nil {
			merge(c.values, scoped(t, c.chart.jupyterhub, pinnedJupyterhub))
		}
	}

	log.SetOutput(io.Discard) // LintMode logs what it lets through.
	t.Cleanup(func() { log.SetOutput(os.Stderr) })
	modes := []struct {
		name  string
		helm  helmengine.Engine
		mine  *engine.Engine
		every int
	}{
		{"default", helmengine.Engine{}, &engine.Engine{}, 1},
		{"strict", helmengine.Engine{Strict: true}, &engine.Engine{Strict: true}, 3},
		{"lint", helmengine.Engine{LintMode: true}, &engine.Engine{LintMode: true}, 3},
	}
	outcomes := map[string]int{}
	var errs []string
	var mu = make(chan struct{}, 1)
	t.Run("cases", func(t *testing.T) {
		for i, c := range cases {
			for _, m := range modes {
				if i%m.every != 0 {
					continue
				}
				t.Run(m.name+"/"+c.name, func(t *testing.T) {
					t.Parallel()
					want, wantErr := renderWith(t, c, m.helm.Render)
					again, _ := renderWith(t, c, m.helm.Render)
					if diff := cmp.Diff(want, again); diff != "" {
						t.Fatalf("Helm's engine is not deterministic for these values (pin what the chart generates):\n%s", diff)
					}
					got, gotErr := renderWith(t, c, func(hc *helmchart.Chart, top chartutil.Values) (map[string]string, error) {
						return m.mine.Render(c.chart.file, hc, top)
					})
					if diff := cmp.Diff(errString(wantErr), errString(gotErr)); diff != "" {
						t.Errorf("error differs (-helm +parsed):\n%s", diff)
					}
					if diff := cmp.Diff(want, got); diff != "" {
						t.Errorf("output differs (-helm +parsed):\n%s", diff)
					}
					mu <- struct{}{}
					if wantErr != nil {
						outcomes[m.name+" error: "+firstWords(wantErr.Error())]++
						errs = append(errs, wantErr.Error())
					} else {
						outcomes[m.name+" ok"]++
					}
					<-mu
				})
			}
		}
	})
	// The cases must reach what they claim to: tpl, required and fail
	// errors, and successful renders.
	var seen []string
	for k, n := range outcomes {
		seen = append(seen, fmt.Sprintf("%s (%d)", k, n))
	}
	sort.Strings(seen)
	t.Logf("outcomes:\n%s", strings.Join(seen, "\n"))
	all := strings.Join(append(seen, errs...), "\n")
	for _, want := range []string{"default ok", "lint ok", "execution error at", "is a required field", "Required configuration missing", "had an unexpected type", "must contain the field 'mountPath'", "cannot parse template", "error during tpl function execution"} {
		if !strings.Contains(all, want) {
			t.Errorf("no case reached %q; change the seed or the fragments", want)
		}
	}
	// Every set was parsed once, however many sites rendered it.
	for _, m := range modes {
		for _, rc := range charts {
			hc := clone(rc.chart)
			if err := chartutil.ProcessDependenciesWithMerge(hc, map[string]any{}); err != nil {
				t.Fatal(err)
			}
			top, err := chartutil.ToRenderValues(hc, map[string]any{}, chartutil.ReleaseOptions{Name: "x"}, chartutil.DefaultCapabilities)
			if err != nil {
				t.Fatal(err)
			}
			if n := m.mine.Parses(rc.file, hc, top); n != 1 {
				t.Errorf("%s %s parsed %d times, want once", m.name, rc.file, n)
			}
		}
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// firstWords keeps an error's kind and the start of its message.
func firstWords(s string) string {
	if i := strings.Index(s, "): "); i >= 0 {
		s = s[:strings.Index(s, "(")] + s[i+3:]
	}
	if len(s) > 90 {
		s = s[:90]
	}
	return strings.ReplaceAll(s, "\n", " ")
}

// TestPlainAndParsedRenderersAgree renders every example site's releases
// with a Renderer on each engine, with z2jh's secrets generated at random
// (through lookup, empty in a client-only render) as in production, and
// requires the same normalised objects and problems.
func TestPlainAndParsedRenderersAgree(t *testing.T) {
	charts := loadRealCharts(t)
	byName := map[string]*Chart{}
	for _, rc := range charts {
		c, err := LoadArchive(filepath.Join(sharedChartsDir(t), rc.file))
		if err != nil {
			t.Fatal(err)
		}
		byName[rc.file] = c
	}
	renderer := func(plain bool) *Renderer {
		opts := DefaultRenderOptions()
		opts.CacheDir = ""
		opts.APIVersions = []string{"traefik.io/v1alpha1"}
		if plain {
			opts.PlainEngine = plainengine.Render
		}
		r, err := NewRenderer(opts)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	plain, parsed := renderer(true), renderer(false)
	var reqs []Request
	for _, ex := range exampleReleases(t) {
		for file, c := range byName {
			if c.Info.Name != ex.chart {
				continue
			}
			reqs = append(reqs, Request{Site: ex.site + "/" + file, Chart: c, ReleaseName: ex.release, Namespace: ex.namespace, Values: ex.values})
		}
	}
	ctx := context.Background()
	want := plain.RenderAll(ctx, reqs, nil)
	got := parsed.RenderAll(ctx, reqs, nil)
	for i := range reqs {
		if diff := cmp.Diff(want[i].Problems, got[i].Problems); diff != "" {
			t.Errorf("%s: problems differ (-plain +parsed):\n%s", reqs[i].Site, diff)
		}
		if diff := cmp.Diff(want[i].Manifest(), got[i].Manifest()); diff != "" {
			t.Errorf("%s: objects differ (-plain +parsed):\n%s", reqs[i].Site, diff)
		}
		if len(want[i].Objects) == 0 {
			t.Errorf("%s: no objects rendered: %v", reqs[i].Site, want[i].Problems)
		}
	}
}
