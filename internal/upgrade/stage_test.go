package upgrade

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubfleet/hubfleet/internal/github"
	"github.com/hubfleet/hubfleet/internal/site"
)

// statuses is a StatusReader with fixed commit statuses.
type statuses map[string]github.State

func (s statuses) LatestStatuses(context.Context, string) (map[string]github.State, error) {
	return s, nil
}

// TestStageUmbrellaCanary: an operator's umbrella chart rolls out by the
// one rule of the fleet's other charts (gate.stage): with waves and a
// later-wave site on it, the new version is staged as its canary with the
// jupyterhub version it vendors; the canary is promoted (pin and
// jupyterhubVersion) once the sites of its waves verified (and their spawn
// probe, where the fleet asks for it), moved while unverified, or held.
func TestStageUmbrellaCanary(t *testing.T) {
	t.Parallel()
	onBasehub := func(name string, wave int) *site.Site {
		s := &site.Site{Metadata: site.ObjectMeta{Name: name}}
		s.Spec.Wave, s.Spec.Chart.Umbrella = wave, "basehub"
		return s
	}
	daskhub := func(name string, wave int) *site.Site {
		s := &site.Site{Metadata: site.ObjectMeta{Name: name}}
		s.Spec.Wave = wave
		return s
	}
	pin := site.ChartSource{Repository: "https://charts.example.org", Chart: "basehub", Version: "0.1.0"}
	staged := pin
	staged.Canary = &site.Canary{Version: "0.2.0", MaxWave: 0}
	umbrella := func(src site.ChartSource, newest, vendored string) candidate {
		c := candidate{key: "umbrellas.basehub", src: src, newest: newest, umbrella: true, vendored: vendored}
		if src.Canary != nil {
			c.canaryVendored = "4.5.0"
		}
		return c
	}
	both := []*site.Site{onBasehub("egi-dev", 0), onBasehub("egi-pangeo", 1), daskhub("aws-hub", 2)}
	ok := statuses{StatusContext("egi-dev"): github.StateSuccess}
	tests := []struct {
		name       string
		sites      []*site.Site
		waves      bool
		spawnCheck bool
		statuses   StatusReader
		c          candidate
		want       *chartEdit
		wantStage  Stage
		deferred   []string
		wantErr    string
	}{
		{
			name: "no waves: the pin and jupyterhubVersion move", sites: both,
			c:    umbrella(pin, "0.2.0", "4.5.0"),
			want: &chartEdit{key: "umbrellas.basehub", pin: "0.2.0", vendored: "4.5.0"}, wantStage: StagePin,
		},
		{
			name: "waves, every site on it in wave 0: the pin moves", sites: []*site.Site{onBasehub("egi-dev", 0), daskhub("egi-pangeo", 1)}, waves: true,
			c:    umbrella(pin, "0.2.0", "4.5.0"),
			want: &chartEdit{key: "umbrellas.basehub", pin: "0.2.0", vendored: "4.5.0"}, wantStage: StagePin,
		},
		{
			name: "waves, a wave-1 site on it: staged as a canary with what it vendors", sites: both, waves: true,
			c:    umbrella(pin, "0.2.0", "4.5.0"),
			want: &chartEdit{key: "umbrellas.basehub", canary: "0.2.0", maxWave: 0, canaryVendored: "4.5.0"}, wantStage: StageCanary,
			deferred: []string{"aws-hub", "egi-pangeo"},
		},
		{
			name: "no site of wave 0 on it: the canary goes to wave 1", sites: []*site.Site{daskhub("egi-dev", 0), onBasehub("egi-pangeo", 1), onBasehub("aws-hub", 2)}, waves: true,
			c:    umbrella(pin, "0.2.0", "4.4.0"),
			want: &chartEdit{key: "umbrellas.basehub", canary: "0.2.0", maxWave: 1, canaryVendored: "4.4.0"}, wantStage: StageCanary,
			deferred: []string{"aws-hub"},
		},
		{
			name: "canary verified: promoted, with its jupyterhubVersion", sites: both, waves: true, statuses: ok,
			c:    umbrella(staged, "0.2.0", "4.5.0"),
			want: &chartEdit{key: "umbrellas.basehub", pin: "0.2.0", vendored: "4.5.0", dropCanary: true}, wantStage: StagePromote,
		},
		{
			name: "canary verified, the spawn probe not yet: held", sites: both, waves: true, spawnCheck: true, statuses: ok,
			c: umbrella(staged, "0.2.0", "4.5.0"),
		},
		{
			name: "canary and spawn probe verified: promoted", sites: both, waves: true, spawnCheck: true,
			statuses: statuses{StatusContext("egi-dev"): github.StateSuccess, SpawnStatusContext("egi-dev"): github.StateSuccess},
			c:        umbrella(staged, "0.2.0", "4.5.0"),
			want:     &chartEdit{key: "umbrellas.basehub", pin: "0.2.0", vendored: "4.5.0", dropCanary: true}, wantStage: StagePromote,
		},
		{
			name: "canary failed, a newer version: the canary moves, with what the newer vendors", sites: both, waves: true,
			statuses: statuses{StatusContext("egi-dev"): github.StateFailure},
			c:        umbrella(staged, "0.3.0", "4.4.0"),
			want:     &chartEdit{key: "umbrellas.basehub", canary: "0.3.0", maxWave: 0, moveCanary: true, canaryVendored: "4.4.0"}, wantStage: StageCanary,
			deferred: []string{"aws-hub", "egi-pangeo"},
		},
		{
			name: "canary not verified, nothing newer: held", sites: both, waves: true, statuses: statuses{},
			c: umbrella(staged, "0.2.0", "4.5.0"),
		},
		{
			name: "canary staged, no statuses to read (a terminal)", sites: both, waves: true,
			c:       umbrella(staged, "0.2.0", "4.5.0"),
			wantErr: "promote it: set spec.charts.umbrellas.basehub.version to 0.2.0 and its jupyterhubVersion to 4.5.0",
		},
		{
			name: "the fleet's jupyterhub chart: a canary without a jupyterhubVersion", sites: []*site.Site{daskhub("egi-dev", 0), daskhub("egi-pangeo", 1)}, waves: true,
			c:    candidate{key: "daskhub", src: site.ChartSource{Repository: "https://helm.dask.org", Chart: "daskhub", Version: "2024.1.1"}, newest: "2024.1.2"},
			want: &chartEdit{key: "daskhub", canary: "2024.1.2"}, wantStage: StageCanary,
			deferred: []string{"egi-pangeo"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := &site.Fleet{}
			f.Spec.Rollout = site.Rollout{Waves: tt.waves, SpawnCheck: tt.spawnCheck}
			f.Spec.Charts.Umbrellas = map[string]site.UmbrellaChart{"basehub": {Repository: pin.Repository, Chart: "basehub", Version: "0.1.0", JupyterHubVersion: "4.4.0", JupyterHubPath: []string{"jupyterhub"}}}
			g := &gate{opts: Request{MaxWave: -1, Statuses: tt.statuses}, fleet: f, sites: tt.sites}
			res, deferred := &Result{}, map[string]bool{}
			got, err := g.stage(context.Background(), tt.c, tt.waves, res, deferred)
			if tt.wantErr != "" {
				var cu *CanaryUnverifiableError
				if err == nil || !errors.As(err, &cu) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want a CanaryUnverifiableError saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(chartEdit{})); diff != "" {
				t.Errorf("edit (-want +got):\n%s", diff)
			}
			var stage Stage
			if len(res.Versions) == 1 {
				stage = res.Versions[0].Stage
			}
			if stage != tt.wantStage || len(res.Versions) > 1 {
				t.Errorf("versions = %+v, want one of stage %q", res.Versions, tt.wantStage)
			}
			if diff := cmp.Diff(tt.deferred, slices.Sorted(maps.Keys(deferred))); diff != "" {
				t.Errorf("deferred (-want +got):\n%s", diff)
			}
			if tt.c.src.Canary != nil && (len(res.Canaries) != 1 || res.Canaries[0].Chart != "basehub" || !slices.Equal(res.Canaries[0].Running, []string{"egi-dev"})) {
				t.Errorf("canaries = %+v, want basehub's, run by egi-dev", res.Canaries)
			}
		})
	}
}
