package site

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// umbrellaFleet is testdata/fleet.yaml with an operator's umbrella chart
// declared after the daskGateway pin, its canary block given.
func umbrellaFleet(t *testing.T, canary string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/fleet.yaml")
	if err != nil {
		t.Fatal(err)
	}
	block := `    umbrellas:
      basehub:
        repository: https://charts.example.org
        chart: basehub
        version: 0.2.0
        constraint: "<1.0.0"
        jupyterhubVersion: 3.2.1
        jupyterhubPath: [basehub, jupyterhub]
` + canary + `  helmRelease:
`
	out := strings.Replace(string(b), "  helmRelease:\n", block, 1)
	if out == string(b) {
		t.Fatal("testdata/fleet.yaml has no helmRelease block to insert before")
	}
	return []byte(out)
}

// TestUmbrellaCanaryValidation: an umbrella chart's canary gets the checks
// of the fleet's other charts' canaries (one rule, validateChart: an exact
// version above the pin, inside the constraint, maxWave not negative),
// and needs the jupyterhub version it vendors; every problem at once, at
// the fleet file's line, with the fix.
func TestUmbrellaCanaryValidation(t *testing.T) {
	t.Parallel()
	const file = "bases/daskhub/fleet.yaml"
	for _, tc := range []struct {
		name   string
		canary string
		want   []string // "" valid
	}{
		{"valid", "        canary:\n          version: 0.3.0\n          maxWave: 1\n          jupyterhubVersion: 4.4.0\n", nil},
		{"flow style, same vendored jupyterhub", "        canary: {version: 0.2.1, jupyterhubVersion: 3.2.1}\n", nil},
		{"equals the pin", "        canary:\n          version: 0.2.0\n          jupyterhubVersion: 4.4.0\n", []string{
			file + ":40: spec.charts.umbrellas.basehub.canary: the canary version equals the pin (fix: remove the canary block: every wave already runs this version)"}},
		{"older than the pin", "        canary:\n          version: 0.1.0\n          jupyterhubVersion: 3.2.1\n", []string{
			file + ":41: spec.charts.umbrellas.basehub.canary.version: canary version 0.1.0 is older than the pin 0.2.0 (fix: a canary stages an upgrade: pick a version above the pin 0.2.0, or remove the canary block)"}},
		{"outside the constraint, negative wave, no jupyterhubVersion", "        canary:\n          version: 1.0.0\n          maxWave: -1\n", []string{
			file + ":40: spec.charts.umbrellas.basehub.canary.jupyterhubVersion: an umbrella chart's canary needs the jupyterhubVersion it vendors: it decides the values its sites get (fix: write the z2jh version that version 1.0.0 vendors (its Chart.yaml dependencies), e.g. 4.4.0)",
			file + ":41: spec.charts.umbrellas.basehub.canary.version: canary version 1.0.0 is outside the constraint \"<1.0.0\" (fix: pick a canary inside the constraint or widen the constraint)",
			file + ":42: spec.charts.umbrellas.basehub.canary.maxWave: maxWave must not be negative (fix: use 0 or more)"}},
		{"not exact versions", "        canary:\n          version: \"0.3\"\n          jupyterhubVersion: 4.x\n", []string{
			file + ":41: spec.charts.umbrellas.basehub.canary.version: \"0.3\" is not an exact semantic version (fix: write the exact version the first waves should run)",
			file + ":42: spec.charts.umbrellas.basehub.canary.jupyterhubVersion: \"4.x\" is not an exact semantic version (fix: write the exact z2jh version the chart vendors, e.g. 4.4.0)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, err := DecodeFleet(file, umbrellaFleet(t, tc.canary))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			if err := ValidateFleet(f); err != nil {
				got = strings.Split(err.Error(), "\n")
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

// TestUmbrellaCanaryForWave: the sites of a canary's waves run the canary
// version of their umbrella chart and the jupyterhub version it vendors
// (Fleet.ChartsFor, UmbrellaOf, JupyterHubChart); later waves, and every
// wave without a canary, run the pin.
func TestUmbrellaCanaryForWave(t *testing.T) {
	t.Parallel()
	f, err := DecodeFleet("bases/daskhub/fleet.yaml", umbrellaFleet(t, "        canary: {version: 0.3.0, maxWave: 1, jupyterhubVersion: 4.4.0}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := ValidateFleet(f); err != nil {
		t.Fatal(err)
	}
	noCanary, err := DecodeFleet("bases/daskhub/fleet.yaml", umbrellaFleet(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	type got struct{ Version, JupyterHub, Rendered string }
	for _, tc := range []struct {
		name  string
		fleet *Fleet
		wave  int
		want  got
	}{
		{"wave 0 runs the canary", f, 0, got{"0.3.0", "4.4.0", "4.4.0"}},
		{"its last wave runs the canary", f, 1, got{"0.3.0", "4.4.0", "4.4.0"}},
		{"a later wave runs the pin", f, 2, got{"0.2.0", "3.2.1", "3.2.1"}},
		{"no canary: the pin", noCanary, 0, got{"0.2.0", "3.2.1", "3.2.1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := &Site{}
			s.Spec.Wave, s.Spec.Chart.Umbrella = tc.wave, "basehub"
			u := tc.fleet.ChartsFor(tc.wave).Umbrellas["basehub"]
			if u.Canary != nil {
				t.Errorf("ChartsFor(%d) keeps the canary block: %+v", tc.wave, u.Canary)
			}
			of := UmbrellaOf(s, tc.fleet)
			if of == nil {
				t.Fatal("UmbrellaOf = nil")
			}
			if diff := cmp.Diff(u, *of); diff != "" {
				t.Errorf("UmbrellaOf differs from ChartsFor (-charts +umbrellaOf):\n%s", diff)
			}
			g := got{u.Version, u.JupyterHubVersion, JupyterHubChart(s, tc.fleet).Version}
			if diff := cmp.Diff(tc.want, g); diff != "" {
				t.Errorf("wave %d runs (-want +got):\n%s", tc.wave, diff)
			}
		})
	}
	// The fleet's own file is untouched by ChartsFor.
	if c := f.Spec.Charts.Umbrellas["basehub"].Canary; c == nil || c.Version != "0.3.0" {
		t.Errorf("the fleet's canary changed: %+v", c)
	}
}
