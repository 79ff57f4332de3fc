package testcluster_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestVerifiedAbove feeds the real loop's "verify passes only on the new
// revision" step (awaitVerifiedAbove over checkVerifiedAbove) the verify
// runs it must refuse, and one it must accept: the step can fail, and does
// when verify never passes. No cluster is needed.
func TestVerifiedAbove(t *testing.T) {
	t.Parallel()
	releases := []string{"jupyterhub", "dask-gateway"}
	from := map[string]int64{"jupyterhub": 2, "dask-gateway": 2}
	res := func(name, status string) verifyResult {
		return verifyResult{Site: "pangeo-azure", Check: "helmrelease/" + name, Status: status, Detail: "HelmRelease daskhub/" + name + " " + status}
	}
	run := func(status string, rev int64) verifyRun {
		return verifyRun{
			results:   map[string]verifyResult{"helmrelease/jupyterhub": res("jupyterhub", status), "helmrelease/dask-gateway": res("dask-gateway", status)},
			revisions: map[string]int64{"jupyterhub": rev, "dask-gateway": rev},
		}
	}
	tests := []struct {
		name     string
		releases []string
		from     map[string]int64
		runs     []verifyRun // the last one repeats
		obsErr   error       // observe fails with it, every time
		wantErr  string      // "" = accepted
		wantRuns int         // 0 = any
		stale    bool        // the error is a *stalePassError
	}{
		{
			name:    "verify never passes",
			runs:    []verifyRun{run("fail", 2), run("fail", 3)},
			wantErr: "verify did not pass every release on a new revision",
		},
		{
			name:     "empty results",
			runs:     []verifyRun{{results: map[string]verifyResult{}, revisions: map[string]int64{"jupyterhub": 3, "dask-gateway": 3}}},
			wantErr:  "no result for HelmRelease jupyterhub",
			wantRuns: 1,
		},
		{
			name: "a release without a result",
			runs: []verifyRun{{
				results:   map[string]verifyResult{"helmrelease/jupyterhub": res("jupyterhub", "pass")},
				revisions: map[string]int64{"jupyterhub": 3, "dask-gateway": 3},
			}},
			wantErr:  "no result for HelmRelease dask-gateway",
			wantRuns: 1,
		},
		{
			name:     "a pass on the stale revision, right after the revert was applied",
			runs:     []verifyRun{run("pass", 2), run("pass", 3)},
			wantErr:  "passed HelmRelease jupyterhub at the stale Helm revision 2",
			wantRuns: 1,
			stale:    true,
		},
		{
			name:     "a pass on the stale revision after failures",
			runs:     []verifyRun{run("fail", 2), run("pass", 1), run("pass", 3)},
			wantErr:  "at the stale Helm revision 1",
			wantRuns: 2,
			stale:    true,
		},
		{
			name:    "a pass on the new revision for one release and on the stale one for the other",
			runs:    []verifyRun{{results: run("pass", 0).results, revisions: map[string]int64{"jupyterhub": 3, "dask-gateway": 2}}},
			wantErr: "dask-gateway at the stale Helm revision 2",
			stale:   true,
		},
		{
			name:    "verify cannot run",
			runs:    []verifyRun{run("pass", 3)},
			obsErr:  errors.New("the API server is gone"),
			wantErr: "the API server is gone",
		},
		{
			name:     "no releases",
			releases: []string{},
			runs:     []verifyRun{run("pass", 3)},
			wantErr:  "would prove nothing",
		},
		{
			name:    "no revision before the rollback",
			from:    map[string]int64{"jupyterhub": 2},
			runs:    []verifyRun{run("pass", 3)},
			wantErr: "no Helm revision recorded for HelmRelease dask-gateway",
		},
		{
			name:     "fails on the stale revision, then passes on the new one",
			runs:     []verifyRun{run("fail", 2), run("fail", 3), run("pass", 3)},
			wantRuns: 3,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rel, fr := releases, from
			if tt.releases != nil {
				rel = tt.releases
			}
			if tt.from != nil {
				fr = tt.from
			}
			i := 0
			observe := func(context.Context) (verifyRun, error) {
				r := tt.runs[min(i, len(tt.runs)-1)]
				i++
				return r, tt.obsErr
			}
			runs, err := awaitVerifiedAbove(t.Context(), 200*time.Millisecond, 10*time.Millisecond, rel, fr, observe)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("awaitVerifiedAbove = %v, want it to accept the runs", err)
			case tt.wantErr != "" && err == nil:
				t.Fatalf("awaitVerifiedAbove accepted the runs, want an error naming %q", tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Errorf("awaitVerifiedAbove = %v, want an error naming %q", err, tt.wantErr)
			}
			var stale *stalePassError
			if errors.As(err, &stale) != tt.stale {
				t.Errorf("awaitVerifiedAbove = %v: a stale pass %v, want %v", err, !tt.stale, tt.stale)
			}
			if tt.wantRuns != 0 && runs != tt.wantRuns {
				t.Errorf("awaitVerifiedAbove made %d verify runs, want %d", runs, tt.wantRuns)
			}
		})
	}
}
