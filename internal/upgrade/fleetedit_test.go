package upgrade

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fleetText is a fleet file's charts with comments where an edit must not
// disturb them.
const fleetText = `apiVersion: hubfleet.dev/v1alpha1
kind: Fleet
spec:
  charts:
    # the umbrella
    daskhub:
      repository: https://helm.dask.org
      chart: daskhub
      version: 2024.1.1 # pinned by hubfleet upgrade
      constraint: ">=2024.1.0"
    jupyterhub:
      repository: https://hub.jupyter.org/helm-chart/
      chart: jupyterhub
      version: "4.4.0"
      constraint: ">=4.0.0 <5.0.0"
      canary:
        # wave 0 first
        version: 4.5.0
        maxWave: 0
      # after the canary
      prereleases: false
    daskGateway:
      repository: https://helm.dask.org
      chart: dask-gateway
      version: 2026.3.0
      canary: {version: 2026.4.0, maxWave: 1}
    umbrellas:
      basehub:
        repository: https://charts.example.org
        chart: basehub
        version: 0.1.0 # the operator's chart
        jupyterhubVersion: "4.4.0"
        jupyterhubPath: [jupyterhub]
      pangeo:
        repository: https://charts.example.org
        chart: pangeo-deploy
        version: 1.0.0
        jupyterhubVersion: 3.2.1
        canary: {version: 1.1.0, maxWave: 0, jupyterhubVersion: 4.4.0}
        jupyterhubPath: [pangeo, jupyterhub]
  rollout:
    waves: true
`

func TestEditFleet(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		edits   []chartEdit
		replace [][2]string // old, new in fleetText: the expected result
		wantErr string
	}{
		{
			name:    "umbrella pin and the jupyterhub version it vendors",
			edits:   []chartEdit{{key: "umbrellas.basehub", pin: "0.2.0", vendored: "4.5.0"}},
			replace: [][2]string{{"version: 0.1.0 # the operator's", "version: 0.2.0 # the operator's"}, {`jupyterhubVersion: "4.4.0"`, `jupyterhubVersion: "4.5.0"`}},
		},
		{
			name:  "stage an umbrella canary with the jupyterhub version it vendors",
			edits: []chartEdit{{key: "umbrellas.basehub", canary: "0.2.0", maxWave: 1, canaryVendored: "4.5.0"}},
			replace: [][2]string{{"# the operator's chart\n",
				"# the operator's chart\n        canary:\n          version: 0.2.0\n          maxWave: 1\n          jupyterhubVersion: 4.5.0\n"}},
		},
		{
			name:    "move a flow umbrella canary and what it vendors, the version growing longer",
			edits:   []chartEdit{{key: "umbrellas.pangeo", canary: "1.10.0", maxWave: 0, moveCanary: true, canaryVendored: "4.4.10"}},
			replace: [][2]string{{"{version: 1.1.0, maxWave: 0, jupyterhubVersion: 4.4.0}", "{version: 1.10.0, maxWave: 0, jupyterhubVersion: 4.4.10}"}},
		},
		{
			name:    "move a flow umbrella canary that vendors the same jupyterhub",
			edits:   []chartEdit{{key: "umbrellas.pangeo", canary: "1.2.0", moveCanary: true, canaryVendored: "4.4.0"}},
			replace: [][2]string{{"{version: 1.1.0,", "{version: 1.2.0,"}},
		},
		{
			name:  "promote an umbrella canary: pin and jupyterhubVersion move, the canary goes",
			edits: []chartEdit{{key: "umbrellas.pangeo", pin: "1.1.0", vendored: "4.4.0", dropCanary: true}},
			replace: [][2]string{{"version: 1.0.0\n        jupyterhubVersion: 3.2.1\n        canary: {version: 1.1.0, maxWave: 0, jupyterhubVersion: 4.4.0}\n",
				"version: 1.1.0\n        jupyterhubVersion: 4.4.0\n"}},
		},
		{
			name:    "a second umbrella canary",
			edits:   []chartEdit{{key: "umbrellas.pangeo", canary: "1.2.0", canaryVendored: "4.4.0"}},
			wantErr: "spec.charts.umbrellas.pangeo already has a canary",
		},
		{
			name:    "no umbrella canary to move",
			edits:   []chartEdit{{key: "umbrellas.basehub", canary: "0.2.0", moveCanary: true, canaryVendored: "4.4.0"}},
			wantErr: "no spec.charts.umbrellas.basehub.canary.version",
		},
		{
			name:    "pin",
			edits:   []chartEdit{{key: "daskhub", pin: "2024.1.2"}},
			replace: [][2]string{{"version: 2024.1.1 # pinned", "version: 2024.1.2 # pinned"}},
		},
		{
			name:  "add canary after the pin",
			edits: []chartEdit{{key: "daskhub", canary: "2024.1.2", maxWave: 2}},
			replace: [][2]string{{"# pinned by hubfleet upgrade\n",
				"# pinned by hubfleet upgrade\n      canary:\n        version: 2024.1.2\n        maxWave: 2\n"}},
		},
		{
			name:    "move a block canary",
			edits:   []chartEdit{{key: "jupyterhub", canary: "4.6.0", maxWave: 0, moveCanary: true}},
			replace: [][2]string{{"version: 4.5.0", "version: 4.6.0"}},
		},
		{
			name:    "move a flow canary",
			edits:   []chartEdit{{key: "daskGateway", canary: "2026.5.0", maxWave: 1, moveCanary: true}},
			replace: [][2]string{{"{version: 2026.4.0,", "{version: 2026.5.0,"}},
		},
		{
			name:  "promote a block canary: quoted pin, comments around it kept",
			edits: []chartEdit{{key: "jupyterhub", pin: "4.5.0", dropCanary: true}},
			replace: [][2]string{{`version: "4.4.0"`, `version: "4.5.0"`},
				{"      canary:\n        # wave 0 first\n        version: 4.5.0\n        maxWave: 0\n", ""}},
		},
		{
			name:    "promote a flow canary, and pin another chart",
			edits:   []chartEdit{{key: "daskGateway", pin: "2026.4.0", dropCanary: true}, {key: "daskhub", pin: "2024.1.2"}},
			replace: [][2]string{{"version: 2026.3.0\n      canary: {version: 2026.4.0, maxWave: 1}\n", "version: 2026.4.0\n"}, {"2024.1.1 #", "2024.1.2 #"}},
		},
		{
			name:    "a second canary",
			edits:   []chartEdit{{key: "jupyterhub", canary: "4.6.0"}},
			wantErr: "spec.charts.jupyterhub already has a canary",
		},
		{
			name:    "no canary to move",
			edits:   []chartEdit{{key: "daskhub", canary: "2024.1.2", moveCanary: true}},
			wantErr: "no spec.charts.daskhub.canary.version",
		},
		{
			name:    "no canary to drop",
			edits:   []chartEdit{{key: "daskhub", pin: "2024.1.2", dropCanary: true}},
			wantErr: "no spec.charts.daskhub.canary to remove",
		},
		{
			name:    "no such chart",
			edits:   []chartEdit{{key: "other", pin: "1.0.0"}},
			wantErr: "no spec.charts.other.version",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := editFleet("fleet.yaml", []byte(fleetText), tc.edits)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := fleetText
			for _, r := range tc.replace {
				if !strings.Contains(want, r[0]) {
					t.Fatalf("fleetText lacks %q", r[0])
				}
				want = strings.Replace(want, r[0], r[1], 1)
			}
			if diff := cmp.Diff(want, string(got)); diff != "" {
				t.Errorf("fleet file (-want +got):\n%s", diff)
			}
		})
	}
}
