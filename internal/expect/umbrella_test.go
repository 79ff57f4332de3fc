package expect_test

import (
	"testing"

	"github.com/hubfleet/hubfleet/internal/expect"
	"github.com/hubfleet/hubfleet/internal/site"
)

// TestUmbrellaReleaseIsChecked: the release of an operator's umbrella
// chart (named for the chart) gets the hub's expectations, whatever its
// name; the chart's own values decide whether it runs dask-gateway, so a
// site without one does not forbid it; another release gets none.
func TestUmbrellaReleaseIsChecked(t *testing.T) {
	t.Parallel()
	f := &site.Fleet{}
	f.Spec.Charts.Umbrellas = map[string]site.UmbrellaChart{"2i2c": {Chart: "basehub", JupyterHubPath: []string{"basehub", "jupyterhub"}}}
	s := &site.Site{}
	s.Metadata.Name = "hub"
	s.Spec.Host = "hub.example.org"
	s.Spec.Chart.Umbrella = "2i2c"
	e := expect.For(s, f, "basehub")
	if e.ProxyServiceType == "" || e.IngressHost != "hub.example.org" || e.NoDaskGateway {
		t.Errorf("umbrella release expectations = %+v, want the hub's, without forbidding dask-gateway", e)
	}
	if e := expect.For(s, f, "grafana"); e.ProxyServiceType != "" || e.IngressHost != "" {
		t.Errorf("another release's expectations = %+v, want none", e)
	}
}
