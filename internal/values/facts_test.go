package values

import (
	"strings"
	"testing"

	"github.com/hubfleet/hubfleet/internal/site"
)

// TestFactWarningsPointAtTheFleetFile: a chart version hubfleet has no
// facts about is named with the fix an operator can make, declaring its
// facts in the fleet file (spec.chartFacts), never hubfleet's source.
func TestFactWarningsPointAtTheFleetFile(t *testing.T) {
	t.Parallel()
	s, f := load(t, "pangeo-azure")
	f.Spec.Charts.Umbrellas = map[string]site.UmbrellaChart{"basehub": {Repository: "https://charts.example.org", Chart: "basehub", Version: "0.1.0",
		JupyterHubVersion: "4.3.99", JupyterHubPath: []string{"jupyterhub"}}}
	s.Spec.Chart = site.ChartSelection{Umbrella: "basehub"}
	w := FactWarnings(s, f)
	if len(w) == 0 {
		t.Fatal("no warning for a jupyterhub chart version hubfleet has no facts about")
	}
	found := false
	for _, m := range w {
		found = found || strings.Contains(m, "jupyterhub chart 4.3.99") && strings.Contains(m, "declare its facts in bases/daskhub/fleet.yaml under spec.chartFacts.jupyterhub")
		if strings.Contains(m, "internal/catalog") {
			t.Errorf("the warning sends the operator into hubfleet's source: %s", m)
		}
	}
	if !found {
		t.Errorf("no warning names jupyterhub chart 4.3.99 with the fleet file's spec.chartFacts.jupyterhub:\n%s", strings.Join(w, "\n"))
	}
}
