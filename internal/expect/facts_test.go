package expect_test

import (
	"strings"
	"testing"

	"github.com/hubfleet/hubfleet/internal/chart"
	"github.com/hubfleet/hubfleet/internal/chart/chartrepotest"
	"github.com/hubfleet/hubfleet/internal/fleet"
	"github.com/hubfleet/hubfleet/internal/fleettest"
	"github.com/hubfleet/hubfleet/internal/values"
	"github.com/hubfleet/hubfleet/internal/valuetree"
)

// TestUnknownUmbrellaIsWarnedAndCaught: a daskhub release hubfleet does
// not know, vendoring jupyterhub 4.4.0 (OAuthenticator 17). No real daskhub
// does (2024.1.1 is the last release), so the test builds one from the real
// daskhub 2024.1.1 with its jupyterhub 3.2.1 replaced by the real 4.4.0.
// The values fall back on the catalog's newest daskhub (jupyterhub 3.2.1,
// OAuthenticator 16's claim_groups_key): render must warn, and the render
// of the real chart must fail the values-facts check.
func TestUnknownUmbrellaIsWarnedAndCaught(t *testing.T) {
	t.Parallel()
	rs := newRealRenderer(t)
	hub, err := chartrepotest.LoadReal(chartrepotest.JupyterHub440)
	if err != nil {
		t.Fatal(err)
	}
	umbrella, err := chartrepotest.LoadReal(chartrepotest.DaskHub202411)
	if err != nil {
		t.Fatal(err)
	}
	deps := umbrella.Dependencies()
	for i, d := range deps {
		if d.Name() == "jupyterhub" {
			deps[i] = hub
		}
	}
	umbrella.SetDependencies(deps...)
	for _, d := range umbrella.Metadata.Dependencies {
		if d.Name == "jupyterhub" {
			d.Version = hub.Metadata.Version
		}
	}
	umbrella.Metadata.Version = "2024.2.0"
	rs.srv.AddChart(t, umbrella)

	fl, err := fleet.LoadDir(fleettest.Root(t))
	if err != nil {
		t.Fatal(err)
	}
	fl.Config.Spec.Charts.DaskHub.Version = "2024.2.0"
	s := fl.Site("egi-pangeo")

	warnings := values.FactWarnings(s, fl.Config)
	if len(warnings) != 1 || !strings.Contains(warnings[0], "daskhub chart 2024.2.0 is not in hubfleet's chart catalog: the values assume it vendors jupyterhub 3.2.1") {
		t.Errorf("warnings = %q, want one naming daskhub 2024.2.0 and the assumed jupyterhub 3.2.1", warnings)
	}
	hubValues := valuetree.Sub(values.Releases(s, fl.Config)[0].Values, "jupyterhub")
	if !strings.Contains(strings.Join(keys(hubValues, "hub.config.GenericOAuthenticator"), ","), "claim_groups_key") {
		t.Fatalf("the fallback no longer writes OAuthenticator 16 keys; rewrite this test")
	}
	var facts *chart.Check
	for _, res := range rs.render(t, s, fl.Config) {
		for _, c := range res.Checks {
			if c.Name == chart.CheckValuesFacts {
				facts = &c
			}
		}
	}
	want := "the values are written for jupyterhub chart 3.2.1, but chart daskhub 2024.2.0 renders jupyterhub 4.4.0 (JupyterHub 5.5.0)"
	if facts == nil || facts.Status != chart.CheckFail || !strings.HasPrefix(facts.Detail, want) {
		t.Errorf("values-facts check = %+v, want a failure starting %q", facts, want)
	}

	// The example fleet's own pins are all known: no warning.
	fl, err = fleet.LoadDir(fleettest.Root(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range fl.Sites {
		if w := values.FactWarnings(s, fl.Config); len(w) > 0 {
			t.Errorf("%s: %q", s.Metadata.Name, w)
		}
	}
}

func keys(m map[string]any, path string) []string {
	for _, k := range strings.Split(path, ".") {
		m, _ = m[k].(map[string]any)
	}
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
