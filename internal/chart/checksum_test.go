package chart

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hubfleet/hubfleet/internal/chart/chartrepotest"
)

func TestWithoutChecksumsRewritesOnlyChecksumLines(t *testing.T) {
	t.Parallel()
	hc, err := chartrepotest.LoadReal(chartrepotest.DaskHub202411)
	if err != nil {
		t.Fatal(err)
	}
	fast := withoutChecksums(hc)
	var rewritten []string
	for i, d := range hc.Dependencies() {
		fd := fast.Dependencies()[i]
		for j, f := range d.Templates {
			ff := fd.Templates[j]
			if string(f.Data) == string(ff.Data) {
				continue
			}
			rewritten = append(rewritten, d.Name()+"/"+f.Name)
			ol, nl := strings.Split(string(f.Data), "\n"), strings.Split(string(ff.Data), "\n")
			for k := range ol {
				if ol[k] != nl[k] && !strings.Contains(nl[k], "checksum/") {
					t.Errorf("%s line %d: non-checksum line changed: %q -> %q", f.Name, k+1, ol[k], nl[k])
				}
			}
		}
	}
	slices.Sort(rewritten)
	want := []string{
		"dask-gateway/templates/controller/deployment.yaml",
		"dask-gateway/templates/gateway/deployment.yaml",
		"jupyterhub/templates/hub/deployment.yaml",
		"jupyterhub/templates/proxy/deployment.yaml",
		"jupyterhub/templates/scheduling/user-scheduler/deployment.yaml",
	}
	if diff := cmp.Diff(want, rewritten); diff != "" {
		t.Errorf("rewritten templates (-want +got):\n%s", diff)
	}
	// The original chart is untouched.
	if hc.Dependencies()[1].Templates[0] == nil {
		t.Fatal("original chart lost a template")
	}
}
