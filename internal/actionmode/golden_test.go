package actionmode_test

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hubfleet/hubfleet/internal/chart/chartrepotest"
	"github.com/hubfleet/hubfleet/internal/gittest"
	"github.com/hubfleet/hubfleet/internal/golden"
)

// TestGoldenPlanComment is the pull request comment the Action writes, made
// by the plan mode as it runs in production: the chart plan (plan.Run),
// with the charts from a loopback repository. jupyterhub 4.5.0 is a test
// chart that ships JupyterHub 5.6.0 (the real charts have no such pair).
func TestGoldenPlanComment(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	charts := f.chartRepo([]string{"4.4.0"}, chartrepotest.Chart{Dir: chartrepotest.Dir("jupyterhub"), Version: "4.5.0", AppVersion: "5.6.0"})
	f.pullRequest("pangeo/pangeo-notebook:2025.1.10")
	f.replace(f.work, "bases/daskhub/fleet.yaml", "chart: jupyterhub\n      version: 4.4.0", "chart: jupyterhub\n      version: 4.5.0")
	f.render(f.work)
	gittest.Run(t, f.work, "commit", "--quiet", "-am", "Upgrade jupyterhub to 4.5.0")
	if res := f.run("plan", "pull_request", map[string]string{"HUBFLEET_PLAN_CHARTS": "true"}, nil); res.err != nil {
		t.Fatalf("plan: %v\n%s", res.err, res.log)
	}
	body := f.srv.Comments(7)[0].Body
	// The base commit's id and the chart repository's port change on
	// every run.
	base := gittest.Run(t, f.work, "rev-parse", "origin/main")
	body = strings.ReplaceAll(body, base[:12], "<base>")
	body = strings.ReplaceAll(body, charts.URL, "http://charts.test")
	body = regexp.MustCompile(`127-0-0-1-[0-9]+`).ReplaceAllString(body, "charts-test")
	golden.Assert(t, filepath.Join("testdata", "plan-comment.golden.md"), body)
}
