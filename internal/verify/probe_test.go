package verify

import (
	"strings"
	"testing"
)

// spawnFix reads KubeSpawner's and JupyterHub's spawn messages (which the
// local-process spawner of the tests cannot produce) for the usual causes.
func TestSpawnFixNamesTheCause(t *testing.T) {
	t.Parallel()
	r := &probeRun{s: &siteRun{t: Target{Namespace: "daskhub"}}, p: &Probe{User: "hubfleet-probe", Image: "pangeo/pangeo-notebook:2026.01.15"}}
	tests := []struct{ msg, want string }{
		{"2026-01-20T10:00:03Z [Normal] Pulling image \"pangeo/pangeo-notebook:2026.01.15\"",
			"image pangeo/pangeo-notebook:2026.01.15 was not pulled: check the tag exists"},
		{"[Warning] Failed to pull image: rpc error: code = NotFound desc = manifest unknown; ErrImagePull",
			"image pangeo/pangeo-notebook:2026.01.15 was not pulled"},
		{"[Warning] MountVolume.SetUp failed for volume \"home\" : mount failed: exit status 32",
			"the home volume could not be mounted: kubectl -n daskhub describe pod jupyter-hubfleet-probe and kubectl -n daskhub get pvc claim-hubfleet-probe"},
		{"[Warning] 0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available (FailedScheduling)",
			"no node can run the server"},
		{"Spawn failed: Server at http://10.0.0.5:8888/user/hubfleet-probe/ didn't respond in 30 seconds",
			"the server did not start in time"},
		{"Spawner failed to start [status=1]. The logs for hubfleet-probe may contain details.",
			"the server's command fails to start: read its log (kubectl -n daskhub logs jupyter-hubfleet-probe)"},
		{"Spawn failed: 'gpu' is not a valid profile slug", "the profile's override is wrong"},
		{"something else", "read the hub's log (kubectl -n daskhub logs deploy/hub)"},
	}
	for _, tc := range tests {
		if got := spawnFix(tc.msg, r); !strings.Contains(got, tc.want) {
			t.Errorf("spawnFix(%q) = %q, want it to contain %q", tc.msg, got, tc.want)
		}
	}
}

func TestSpawnSummary(t *testing.T) {
	t.Parallel()
	if _, _, found := SpawnSummary([]Result{{Check: CheckHubHealth, Status: Pass}}); found {
		t.Error("a site without probe results has a spawn summary")
	}
	line, ok, found := SpawnSummary([]Result{{Check: CheckSpawn, Status: Unknown, Detail: "not probed: the site configures no probe"}})
	if !found || ok || line != "unknown spawn: not probed: the site configures no probe" {
		t.Errorf("unconfigured: %q %v %v", line, ok, found)
	}
	line, ok, _ = SpawnSummary([]Result{{Check: CheckSpawnServer, Status: Pass}, {Check: CheckSpawnStop, Status: Pass}})
	if ok || line != "spawn probe incomplete" {
		t.Errorf("no dask stage: %q %v", line, ok)
	}
}
