package importer

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hubfleet/hubfleet/internal/chart"
	"github.com/hubfleet/hubfleet/internal/chart/chartrepotest"
	"github.com/hubfleet/hubfleet/internal/site"
	"github.com/hubfleet/hubfleet/internal/values"
)

// normalisations are the z2jh objects an import may change on purpose,
// with why. Anything else that differs between `helm template` of the
// original values and of the HelmRelease values fails the test.
var normalisations = []struct {
	id, why string
}{
	{"networking.k8s.io/Ingress _/jupyterhub", "owned host and TLS: hubfleet writes the ingress from spec.host and spec.tls"},
	{"core/Service _/proxy-public", "owned TLS wiring: ClusterIP behind the ingress"},
	{"core/Secret _/hub", "dask-gateway wiring: hubfleet registers the dask-gateway service, whose token the chart generates; and, where profiles are offered only to groups, hubfleet's profile filter (hub.extraConfig.zz-hubfleet-profile-groups; data stripped; the configuration in it is checked leaf by leaf by the corpus leaf test)"},
	{"networking.k8s.io/NetworkPolicy _/hub", "dask-gateway wiring: the gateway's pods may reach the hub API"},
	{"networking.k8s.io/NetworkPolicy _/singleuser", "dask-gateway wiring: user pods may reach the gateway's proxy"},
	{"apps/DaemonSet _/hook-image-puller", "hubfleet turns the pre-puller hook off (Flux upgrades time out on it)"},
	{"batch/Job _/hook-image-awaiter", "hubfleet turns the pre-puller hook off"},
	{"core/ServiceAccount _/hook-image-awaiter", "hubfleet turns the pre-puller hook off"},
	{"rbac.authorization.k8s.io/Role _/hook-image-awaiter", "hubfleet turns the pre-puller hook off"},
	{"rbac.authorization.k8s.io/RoleBinding _/hook-image-awaiter", "hubfleet turns the pre-puller hook off"},
	{"core/ServiceAccount _/hook-image-puller", "hubfleet turns the pre-puller hook off"},
}

// TestCorpusZ2JHObjectsMatchAfterImport renders the real z2jh 4.4.0 chart
// (Helm SDK, as `helm template` does) with each hub's original z2jh values
// and with the jupyterhub HelmRelease values hubfleet renders from the
// imported site (the client secret's valuesFrom as a placeholder), and
// compares the objects. The hub Secret's data is stripped in both (z2jh
// mints tokens there); the hub's configuration is compared leaf by leaf by
// TestCorpusEveryLeafLandsOnceAndKeptLeavesReachTheRelease instead.
func TestCorpusZ2JHObjectsMatchAfterImport(t *testing.T) {
	if testing.Short() {
		t.Skip("renders z2jh twice per real hub")
	}
	t.Parallel()
	srv := chartrepotest.StartReal(t, "jupyterhub-4.4.0.tgz")
	ro := chart.DefaultResolverOptions()
	ro.CacheDir = t.TempDir()
	res, err := chart.NewResolver(ro)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	jh, err := res.Resolve(ctx, chart.Ref{RepoURL: srv.URL, Name: "jupyterhub", Version: "4.4.0"})
	if err != nil {
		t.Fatal(err)
	}
	opts := chart.DefaultRenderOptions()
	opts.CacheDir, opts.Workers, opts.KubeVersion = "", 1, "1.31.0"
	r, err := chart.NewRenderer(opts)
	if err != nil {
		t.Fatal(err)
	}
	f := corpusFleet(t)
	var table []string
	for _, h := range corpusHubs(t) {
		t.Run(h.Name, func(t *testing.T) {
			merged, s, rep := importCorpusHub(t, h)
			tree, _, _, err := canonical(deepCopy(merged).(map[string]any), rep.Layout)
			if err != nil {
				t.Fatal(err)
			}
			before, _ := tree["jupyterhub"].(map[string]any)
			var after map[string]any
			for _, rel := range values.Releases(s, f) {
				if rel.Name == values.ReleaseJupyterHub {
					after = deepCopy(rel.Values).(map[string]any)
					for _, vf := range rel.ValuesFrom {
						setPath(after, strings.Split(vf.TargetPath, "."), "placeholder-from-"+vf.SecretName)
					}
				}
			}
			ns := site.NamespaceOf(s, f)
			render := func(v map[string]any) map[string]string {
				res := r.Render(ctx, chart.Request{Site: h.Name, Chart: jh, ReleaseName: values.ReleaseJupyterHub, Namespace: ns, Values: v})
				if !res.OK() {
					t.Fatalf("render: %v", res.Problems)
				}
				out := map[string]string{}
				for _, o := range res.Objects {
					out[strings.Replace(o.ID(), " "+ns+"/", " _/", 1)] = o.YAML
				}
				return out
			}
			a, b := render(before), render(after)
			var ids []string
			for id := range a {
				ids = append(ids, id)
			}
			for id := range b {
				if _, ok := a[id]; !ok {
					ids = append(ids, id)
				}
			}
			slices.Sort(ids)
			var diffs []string
			for _, id := range ids {
				if a[id] == b[id] {
					continue
				}
				what := "changed"
				switch {
				case a[id] == "":
					what = "added"
				case b[id] == "":
					what = "removed"
				}
				i := slices.IndexFunc(normalisations, func(n struct{ id, why string }) bool { return n.id == id })
				if i < 0 {
					t.Errorf("%s %s: not a listed normalisation\n--- original values:\n%s\n--- HelmRelease values:\n%s", id, what, a[id], b[id])
					diffs = append(diffs, id+" "+what+" (NOT LISTED)")
					continue
				}
				diffs = append(diffs, fmt.Sprintf("%s %s (%s)", id, what, normalisations[i].why))
			}
			table = append(table, fmt.Sprintf("%s: %d objects, %d differ\n    %s", h.Name, len(a), len(diffs), strings.Join(diffs, "\n    ")))
		})
	}
	t.Cleanup(func() {
		t.Logf("z2jh 4.4.0 objects, original values against HelmRelease values:\n%s", strings.Join(table, "\n"))
	})
}
