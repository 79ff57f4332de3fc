package valuesschema_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/hubfleet/hubfleet/internal/site"
	"github.com/hubfleet/hubfleet/internal/valuesschema"
)

// TestUmbrellaSiteJupyterHubValuesMeetTheVendoredSchema checks an
// operator umbrella site's spec.values.jupyterhub against the schema of
// the z2jh version the umbrella vendors (jupyterhubVersion, from the
// fleet's jupyterhub chart source) when the umbrella itself is not in the
// cache: a typo is an error; a version not in the cache is skipped without
// a warning. With the umbrella cached (plan fetches it), its vendored
// subcharts' schemas are used: TestUmbrellaSiteVerify in
// internal/testcluster runs that through validate and render.
func TestUmbrellaSiteJupyterHubValuesMeetTheVendoredSchema(t *testing.T) {
	t.Parallel()
	c := newCorpus(t)
	data, err := os.ReadFile(siteDir + "testdata/valid/pangeo-azure.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		version string
		want    string
	}{
		{"4.4.0", `spec.values.jupyterhub.singelser: jupyterhub 4.4.0 does not accept the key "singelser"`},
		{"9.9.9", ""},
	} {
		s, err := site.DecodeSite("clusters/pangeo-azure/site.yaml", data)
		if err != nil {
			t.Fatal(err)
		}
		f := *c.fleet
		f.Spec.Charts.Umbrellas = map[string]site.UmbrellaChart{"daskhub": {Repository: "https://charts.example.org", Chart: "daskhub", Version: "0.1.0",
			JupyterHubVersion: tt.version, JupyterHubPath: []string{"basehub", "jupyterhub"}}}
		s.Spec.Chart = site.ChartSelection{Umbrella: "daskhub"}
		s.Spec.Values = map[string]any{"jupyterhub": map[string]any{"singelser": map[string]any{}}, "elsewhere": map[string]any{"free": true}}
		errs, err := valuesschema.CheckSite(context.Background(), s, &f, valuesschema.Options{Resolver: c.resolver})
		if err != nil {
			t.Fatal(err)
		}
		got := errs.Error()
		if errs == nil {
			got = ""
		}
		if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
			t.Errorf("z2jh %s: problems %q, want %q", tt.version, got, tt.want)
		}
	}
}
