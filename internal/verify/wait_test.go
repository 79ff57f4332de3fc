package verify

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestWait(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		// failures is how many /hub/health requests of site "alpha" fail.
		failures   int
		timeout    time.Duration
		wantStatus Status
		// wantHits is how often each site's /hub/health was asked.
		wantHits map[string]int
	}{
		{name: "healthy at once", failures: 0, timeout: time.Minute, wantStatus: Pass,
			wantHits: map[string]int{"alpha": 1, "beta": 1}},
		{name: "recovers on the fourth round", failures: 3, timeout: 5 * time.Minute, wantStatus: Pass,
			wantHits: map[string]int{"alpha": 4, "beta": 1}},
		// Rounds at 0s, 15s, 30s and 45s; a fifth at 60s would pass the deadline.
		{name: "never recovers", failures: 1000, timeout: time.Minute, wantStatus: Fail,
			wantHits: map[string]int{"alpha": 4, "beta": 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			alpha, beta := egiSite("alpha"), egiSite("beta")
			w.addSite(alpha, "203.0.113.10")
			w.addSite(beta, "203.0.113.10")
			w.hub(alpha.Host, func(h *hubState) { h.healthFailures = tc.failures })
			opts := w.options()
			opts.WaitInterval = 15 * time.Second
			v := New(opts)
			defer v.Close()
			rs := v.Wait(context.Background(), []Target{alpha, beta}, tc.timeout)
			if got := Worst(rs); got != tc.wantStatus {
				t.Errorf("Worst = %s, want %s: %s", got, tc.wantStatus, StatusDescription(rs))
			}
			got := map[string]int{}
			for name, s := range map[string]Target{"alpha": alpha, "beta": beta} {
				w.hub(s.Host, func(h *hubState) { got[name] = h.healthHits })
			}
			if diff := cmp.Diff(tc.wantHits, got); diff != "" {
				t.Errorf("health requests per site (-want +got):\n%s", diff)
			}
			if sites := len(groupBySite(rs)); sites != 2 {
				t.Errorf("results for %d sites, want 2", sites)
			}
		})
	}
}
