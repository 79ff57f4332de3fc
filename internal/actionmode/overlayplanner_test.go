package actionmode_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hubfleet/hubfleet/internal/actionmode"
	"github.com/hubfleet/hubfleet/internal/chart"
	"github.com/hubfleet/hubfleet/internal/gittest"
)

func TestPlanWithRenderedChartObjects(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.chartRepo([]string{"4.4.0", "4.5.0"})
	f.pullRequest("pangeo/pangeo-notebook:2025.1.10")
	// And a chart bump for the composed sites.
	f.replace(f.work, "bases/daskhub/fleet.yaml", "chart: jupyterhub\n      version: 4.4.0", "chart: jupyterhub\n      version: 4.5.0")
	f.render(f.work)
	gittest.Run(t, f.work, "commit", "--quiet", "-am", "Upgrade jupyterhub to 4.5.0")

	cache := t.TempDir()
	res := f.run("plan", "pull_request", nil, func(o *actionmode.Options) {
		ro := chart.ResolverOptions{CacheDir: cache + "/charts", Timeout: 10 * time.Second}
		rend := chart.DefaultRenderOptions()
		rend.CacheDir = cache + "/renders"
		rend.Workers = 2
		o.Planner = actionmode.OverlayPlanner{Resolver: ro, Render: rend, Git: o.Git}
	})
	if res.err != nil {
		t.Fatalf("plan: %v\n%s", res.err, res.log)
	}
	if len(res.annotations) != 0 {
		t.Errorf("annotations: %+v", res.annotations)
	}
	body := f.srv.Comments(7)[0].Body
	for _, s := range []string{
		"| `egi-dev` | ✅ | ✅ up to date | changed: ",
		"| `heliocloud-aws` | ✅ | ✅ up to date | changed: jupyterhub 4.4.0 → 4.5.0, 1 file(s), 29 chart object(s) |",
		"| `egi-pangeo` | ✅ | ✅ up to date | unchanged |",
		"**Rendered chart objects**",
		"2025.1.10",
	} {
		if !strings.Contains(body, s) {
			t.Errorf("comment lacks %q:\n%s", s, body)
		}
	}
}
