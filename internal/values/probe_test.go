package values

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubfleet/hubfleet/internal/site"
	"github.com/hubfleet/hubfleet/internal/valuetree"
)

// A site with spec.probe gets the probe service's role in the hub's
// values, and its token through valuesFrom; a site without gets neither.
func TestProbeRoleIsRendered(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"egi-dev", "egi-cesnet"} { // umbrella, composed
		s, f := load(t, name)
		if got := valuetree.Get(Releases(s, f)[0].Values, "jupyterhub.hub.loadRoles"); got != nil && name == "egi-dev" {
			t.Errorf("%s without spec.probe renders loadRoles %v", name, got)
		}
		s.Spec.Probe = &site.Probe{}
		if s.Spec.Secrets.Values == nil {
			s.Spec.Secrets.Values = map[string]site.SecretValue{}
		}
		s.Spec.Secrets.Values[site.DefaultProbeTokenKey] = site.SecretValue{TargetPath: site.ProbeTokenPath}
		rel := Releases(s, f)[0]
		path, tokenPath := "jupyterhub.hub.loadRoles.hubfleet-probe", site.ProbeTokenPath
		if rel.Name == ReleaseJupyterHub {
			path, tokenPath = "hub.loadRoles.hubfleet-probe", "hub.services.hubfleet-probe.apiToken"
		}
		p, _ := site.ProbeOf(s)
		if diff := cmp.Diff(site.ProbeRole(p), valuetree.Get(rel.Values, path)); diff != "" {
			t.Errorf("%s: %s (-want +got):\n%s", name, path, diff)
		}
		found := false
		for _, vf := range rel.ValuesFrom {
			found = found || vf.Key == site.DefaultProbeTokenKey && vf.TargetPath == tokenPath && vf.SecretName == SecretsName
		}
		if !found {
			t.Errorf("%s: the probe token does not reach %s through valuesFrom: %+v", name, tokenPath, rel.ValuesFrom)
		}
	}
}
