package plan_test

import (
	"testing"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"

	"github.com/hubfleet/hubfleet/internal/plan"
	"github.com/hubfleet/hubfleet/internal/site"
)

// TestHubVolumes: the volumes with user data a removal prunes are found in
// the values of the daskhub and jupyterhub charts and of an operator's
// umbrella chart, where the fleet declares it passes values to z2jh.
func TestHubVolumes(t *testing.T) {
	t.Parallel()
	cfg := &site.Fleet{}
	cfg.Spec.Charts.Umbrellas = map[string]site.UmbrellaChart{"2i2c": {Chart: "basehub", JupyterHubPath: []string{"basehub", "jupyterhub"}}}
	tests := []struct {
		name, chart, values string
		cfg                 *site.Fleet
		wantDB, wantHomes   string
	}{
		{name: "jupyterhub", chart: "jupyterhub", values: `{}`, wantDB: "hub-db-dir (the hub database)", wantHomes: "claim-<user> (every user's home directory, created by the spawner)"},
		{name: "daskhub, a database elsewhere", chart: "daskhub", values: `{"jupyterhub":{"hub":{"db":{"type":"postgres"}}}}`, wantHomes: "claim-<user> (every user's home directory, created by the spawner)"},
		{name: "an umbrella the fleet declares", chart: "basehub", cfg: cfg,
			values: `{"basehub":{"jupyterhub":{"singleuser":{"storage":{"type":"static","static":{"pvcName":"home-nfs"}}}}}}`,
			wantDB: "hub-db-dir (the hub database)", wantHomes: "home-nfs (the users' shared home directories)"},
		{name: "an umbrella the fleet no longer declares", chart: "basehub",
			values:    `{"basehub":{"jupyterhub":{"hub":{"db":{"type":"sqlite-memory"}}}}}`,
			wantHomes: "claim-<user> (every user's home directory, created by the spawner)"},
		{name: "another chart", chart: "grafana", values: `{"persistence":{"enabled":true}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			hr := &helmv2.HelmRelease{Spec: helmv2.HelmReleaseSpec{
				Chart:  &helmv2.HelmChartTemplate{Spec: helmv2.HelmChartTemplateSpec{Chart: tt.chart}},
				Values: &apiextensionsv1.JSON{Raw: []byte(tt.values)},
			}}
			db, homes := plan.HubVolumes(hr, tt.cfg)
			if db != tt.wantDB || homes != tt.wantHomes {
				t.Errorf("hubVolumes = %q, %q; want %q, %q", db, homes, tt.wantDB, tt.wantHomes)
			}
		})
	}
}
