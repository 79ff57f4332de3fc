package site

import (
	"strings"
	"testing"
)

// TestUmbrellaValuesStayOffTheHubPaths checks spec.chart.umbrellaValues:
// refused on a site that runs no umbrella chart, refused at the paths the
// umbrella passes to jupyterhub and to a running dask-gateway (their
// values are spec.values, where owned keys are checked), accepted beside
// them and at the gateway's path when the site runs no gateway.
func TestUmbrellaValuesStayOffTheHubPaths(t *testing.T) {
	t.Parallel()
	f := testFleet(t)
	f.Spec.Charts.Umbrellas = map[string]UmbrellaChart{"daskhub2i2c": {Repository: "https://charts.example.org", Chart: "daskhub", Version: "0.1.0", JupyterHubVersion: "4.4.0",
		JupyterHubPath: []string{"basehub", "jupyterhub"}, DaskGatewayPath: []string{"basehub", "dask-gateway"}, SiblingsPath: []string{"basehub"}}}
	sb := readTestdata(t, "testdata/valid/pangeo-azure.yaml")
	off := false
	for _, tc := range []struct {
		name     string
		umbrella string
		gateway  *bool
		values   map[string]any
		want     string // "" valid
	}{
		{"beside the hub", "daskhub2i2c", nil, map[string]any{"basehub": map[string]any{"nfs": map[string]any{"enabled": true}}}, ""},
		{"on jupyterhub's path", "daskhub2i2c", nil, map[string]any{"basehub": map[string]any{"jupyterhub": map[string]any{"hub": map[string]any{}}}}, "spec.chart.umbrellaValues.basehub.jupyterhub: the umbrella daskhub2i2c passes basehub.jupyterhub to its subchart"},
		{"on a running gateway's path", "daskhub2i2c", nil, map[string]any{"basehub": map[string]any{"dask-gateway": map[string]any{"enabled": true}}}, "move these values to spec.values.dask-gateway"},
		{"on the path of a gateway that does not run", "daskhub2i2c", &off, map[string]any{"basehub": map[string]any{"dask-gateway": map[string]any{"enabled": false}}}, ""},
		{"without an umbrella", "", nil, map[string]any{"basehub": map[string]any{}}, "umbrellaValues are values of an operator's umbrella chart, and the site runs none"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := DecodeSite("clusters/pangeo-azure/site.yaml", sb)
			if err != nil {
				t.Fatal(err)
			}
			s.Spec.Chart = ChartSelection{Umbrella: tc.umbrella, UmbrellaValues: tc.values}
			s.Spec.DaskGateway.Enabled = tc.gateway
			var got string
			for _, e := range Check(s, f).Errors() {
				if strings.Contains(e.Field, "umbrellaValues") {
					got += e.Error() + "\n"
				}
			}
			if tc.want == "" && got != "" || tc.want != "" && !strings.Contains(got, tc.want) {
				t.Errorf("umbrellaValues errors:\n%s\nwant %q", got, tc.want)
			}
		})
	}
}
