package fleet

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubfleet/hubfleet/internal/site"
)

// TestAddUmbrellaTouchesOnlyItsLines adds an umbrella declaration to the
// example fleet file (no umbrellas yet) and then a second one (beside the
// first): every other line stays, and the file reads back with both.
func TestAddUmbrellaTouchesOnlyItsLines(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", FleetFile))
	if err != nil {
		t.Fatal(err)
	}
	daskhub := site.UmbrellaChart{Repository: "https://charts.example.org", Chart: "daskhub", Version: "0.1.0", JupyterHubVersion: "4.4.0",
		JupyterHubPath: []string{"basehub", "jupyterhub"}, DaskGatewayPath: []string{"basehub", "dask-gateway"}, SiblingsPath: []string{"basehub"}}
	basehub := site.UmbrellaChart{Repository: "https://charts.example.org", Chart: "basehub", Version: "0.1.0", JupyterHubVersion: "4.4.0",
		JupyterHubPath: []string{"jupyterhub"}, DaskGatewayPath: []string{"dask-gateway"}}
	once, err := AddUmbrella(data, "daskhub", daskhub)
	if err != nil {
		t.Fatal(err)
	}
	twice, err := AddUmbrella(once, "basehub", basehub)
	if err != nil {
		t.Fatal(err)
	}
	// Only added lines: the original's lines are all there, in order.
	var kept []string
	orig := strings.Split(string(data), "\n")
	i := 0
	for _, l := range strings.Split(string(twice), "\n") {
		if i < len(orig) && l == orig[i] {
			kept = append(kept, l)
			i++
		}
	}
	if diff := cmp.Diff(orig, kept); diff != "" {
		t.Errorf("lines of the fleet file changed (-before +after):\n%s\n%s", diff, twice)
	}
	f, err := site.DecodeFleet(FleetFile, twice)
	if err != nil {
		t.Fatalf("%v\n%s", err, twice)
	}
	if err := site.ValidateFleet(f); err != nil {
		t.Errorf("the fleet with both declarations is invalid: %v", err)
	}
	if diff := cmp.Diff(map[string]site.UmbrellaChart{"daskhub": daskhub, "basehub": normal(basehub)}, f.Spec.Charts.Umbrellas); diff != "" {
		t.Errorf("declarations read back (-want +got):\n%s", diff)
	}
	if _, err := AddUmbrella(twice, "basehub", basehub); err == nil || !strings.Contains(err.Error(), "declared already") {
		t.Errorf("adding a declared chart again: %v, want an error", err)
	}
	if _, err := AddUmbrella(data, "x", site.UmbrellaChart{Chart: "x", JupyterHubPath: []string{"jupyterhub"}}); err == nil || !strings.Contains(err.Error(), "repository") {
		t.Errorf("a declaration without its source: %v, want an error naming what is missing", err)
	}
	if testing.Verbose() {
		t.Logf("%s", twice)
	}
}
