package actionmode_test

import (
	"path/filepath"
	"testing"

	"github.com/hubfleet/hubfleet/internal/gittest"
	"github.com/hubfleet/hubfleet/internal/golden"
)

func TestGoldenPlanComment(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.pullRequest("pangeo/pangeo-notebook:2025.1.10")
	f.replace(f.work, "bases/daskhub/fleet.yaml", "chart: jupyterhub\n      version: 4.4.0", "chart: jupyterhub\n      version: 4.5.0")
	f.render(f.work)
	gittest.Run(t, f.work, "commit", "--quiet", "-am", "Upgrade jupyterhub to 4.5.0")
	if res := f.run("plan", "pull_request", nil, nil); res.err != nil {
		t.Fatalf("plan: %v", res.err)
	}
	golden.Assert(t, filepath.Join("testdata", "plan-comment.golden.md"), f.srv.Comments(7)[0].Body)
}
