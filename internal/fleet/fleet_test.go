package fleet

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/hubfleet/hubfleet/internal/site"
)

const fleetFile = `apiVersion: hubfleet.dev/v1alpha1
kind: Fleet
metadata:
  name: t
spec:
  charts:
    daskhub: {repository: https://helm.dask.org, chart: daskhub, version: 2024.1.1}
    jupyterhub: {repository: https://hub.jupyter.org/helm-chart/, chart: jupyterhub, version: 4.4.0}
    daskGateway: {repository: https://helm.dask.org, chart: dask-gateway, version: 2026.3.0}
`

func siteFile(name, host string) string {
	return `apiVersion: hubfleet.dev/v1alpha1
kind: Site
metadata:
  name: ` + name + `
  annotations:
    config.kubernetes.io/local-config: "true"
spec:
  host: ` + host + `
  tls: {mode: secret, secretName: hub-tls}
  auth: {provider: native}
`
}

// withBaseURL serves the site under a path prefix of its host.
func withBaseURL(f, baseURL string) string {
	return strings.Replace(f, "  tls:", "  baseURL: "+baseURL+"\n  tls:", 1)
}

func TestLoadReportsCrossSiteProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		files map[string]string
		want  []site.Kind
	}{
		{
			name: "valid",
			files: map[string]string{
				"clusters/a/site.yaml": siteFile("a", "a.example.org"),
				"clusters/b/site.yaml": siteFile("b", "b.example.org"),
			},
		},
		{
			name: "two sites on one host",
			files: map[string]string{
				"clusters/a/site.yaml": siteFile("a", "hub.example.org"),
				"clusters/b/site.yaml": siteFile("b", "hub.example.org"),
			},
			want: []site.Kind{site.KindDuplicateHost},
		},
		{
			name: "two hubs on one host under their own baseURL",
			files: map[string]string{
				"clusters/a/site.yaml": withBaseURL(siteFile("a", "hub.example.org"), "/a/"),
				"clusters/b/site.yaml": withBaseURL(siteFile("b", "hub.example.org"), "/b/"),
			},
		},
		{
			name: "two hubs on one host under the same baseURL",
			files: map[string]string{
				"clusters/a/site.yaml": withBaseURL(siteFile("a", "hub.example.org"), "/a/"),
				"clusters/b/site.yaml": withBaseURL(siteFile("b", "hub.example.org"), "/a/"),
			},
			want: []site.Kind{site.KindDuplicateHost},
		},
		{
			name: "autohttps serves one hub per host, whatever the baseURL",
			files: map[string]string{
				"clusters/a/site.yaml": withBaseURL(siteFile("a", "hub.example.org"), "/a/"),
				"clusters/b/site.yaml": strings.Replace(withBaseURL(siteFile("b", "hub.example.org"), "/b/"),
					"tls: {mode: secret, secretName: hub-tls}", "tls: {mode: autohttps, contactEmail: ops@example.org}", 1),
			},
			want: []site.Kind{site.KindDuplicateHost},
		},
		{
			name: "duplicate names and a misplaced site",
			files: map[string]string{
				"clusters/a/site.yaml": siteFile("a", "a.example.org"),
				"clusters/b/site.yaml": siteFile("a", "b.example.org"),
			},
			want: []site.Kind{site.KindName, site.KindDuplicateSite},
		},
		{
			name: "errors in several files are all reported",
			files: map[string]string{
				"clusters/a/site.yaml": siteFile("a", "A!"),
				"clusters/b/site.yaml": strings.Replace(siteFile("b", "b.example.org"), "auth:", "auht:", 1),
			},
			// The unknown field does not stop validation: the missing
			// auth.provider it leaves behind is reported too.
			want: []site.Kind{site.KindHost, site.KindRequired, site.KindUnknownField},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fsys := fstest.MapFS{FleetFile: {Data: []byte(fleetFile)}}
			for p, d := range tt.files {
				fsys[p] = &fstest.MapFile{Data: []byte(d)}
			}
			_, err := Load(fsys)
			var got []site.Kind
			var list site.ErrorList
			if errors.As(err, &list) {
				for _, e := range list {
					got = append(got, e.Kind)
				}
			} else if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("kinds (-want +got):\n%s\n%v", diff, err)
			}
		})
	}
}

func TestLoadWithoutFleetFileSaysWhatToDo(t *testing.T) {
	t.Parallel()
	_, err := Load(fstest.MapFS{})
	if err == nil || !strings.Contains(err.Error(), "is this a hubfleet repository") {
		t.Fatalf("Load of an empty tree: %v", err)
	}
}
