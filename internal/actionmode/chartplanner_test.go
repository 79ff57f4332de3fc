package actionmode_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubfleet/hubfleet/internal/actionmode"
	"github.com/hubfleet/hubfleet/internal/chart"
	"github.com/hubfleet/hubfleet/internal/plan"
)

func TestSitePlansFrom(t *testing.T) {
	t.Parallel()
	p := &plan.Plan{Sites: []plan.SiteChange{
		{Site: "a", Status: plan.Unchanged},
		{Site: "b", Status: plan.Changed,
			Files:       []plan.Diff{{Name: "overlays/b/hr.yaml", Change: plan.DiffModified, Unified: "-v: 1\n+v: 2\n"}},
			Objects:     []plan.Diff{{Name: "apps/v1/Deployment/hub", Change: plan.DiffModified, Unified: "-image: a\n+image: b"}},
			Charts:      []plan.ChartChange{{Chart: "jupyterhub", FromVersion: "3.2.1", ToVersion: "4.0.0"}},
			OneWayDoors: []plan.OneWayDoor{{Kind: plan.DoorHubDatabase, Detail: "JupyterHub 4.0.2 → 5.2.1"}},
			Problems:    []chart.Problem{{Kind: chart.ProblemSchema, Path: "jupyterhub.hub.foo", Message: "unknown key"}},
		},
	}}
	got, err := actionmode.ChartPlanner{Build: func(context.Context, string, string, []string) (*plan.Plan, error) { return p, nil }}.
		Plan(context.Background(), "", "main", []string{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("plans = %+v", got)
	}
	if diff := cmp.Diff(actionmode.SitePlan{Site: "a", Change: actionmode.ChangeUnchanged}, got[0]); diff != "" {
		t.Errorf("unchanged site (-want +got):\n%s", diff)
	}
	b := got[1]
	if b.Change != actionmode.ChangeChanged || b.Summary != "jupyterhub 3.2.1 → 4.0.0, 1 file(s), 1 chart object(s), 1 chart problem(s)" {
		t.Errorf("summary = %s %q", b.Change, b.Summary)
	}
	if diff := cmp.Diff([]string{"hub-database-migration: JupyterHub 4.0.2 → 5.2.1"}, b.OneWayDoors); diff != "" {
		t.Errorf("doors (-want +got):\n%s", diff)
	}
	for _, s := range []string{"schema: jupyterhub.hub.foo: unknown key", "**Overlay files**", "+v: 2\n", "**Rendered chart objects**", "+image: b\n```"} {
		if !strings.Contains(b.Details, s) {
			t.Errorf("details lack %q:\n%s", s, b.Details)
		}
	}
}
