package main

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubfleet/hubfleet/internal/flowtest"
	"github.com/hubfleet/hubfleet/internal/gittest"
)

// TestRollbackInATerminal rolls back, with `hubfleet rollback --site`, a
// commit that moved three sites: the revert is the operator's commit
// (their git identity, not the Action's bot), and the plan of it names
// the chart change of every site it rolls back, not only the one asked
// for.
func TestRollbackInATerminal(t *testing.T) {
	t.Parallel()
	r := flowtest.New(t)
	r.Replace(r.Work, "bases/daskhub/fleet.yaml", "chart: jupyterhub\n      version: 4.4.0", "chart: jupyterhub\n      version: 4.5.0")
	r.Commit("Upgrade jupyterhub to 4.5.0")
	dir := r.Clone()
	gittest.Run(t, dir, "config", "user.name", "Olga Operator")
	gittest.Run(t, dir, "config", "user.email", "olga@example.org")

	res := hubfleet(t, "", "rollback", "--root", dir, "--site", "egi-cesnet", "--charts=false", "--apply", "-o", "json")
	if res.code != exitOK {
		t.Fatalf("rollback: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	if got := gittest.Run(t, dir, "log", "-1", "--format=%an <%ae> | %cn <%ce>"); got != "Olga Operator <olga@example.org> | Olga Operator <olga@example.org>" {
		t.Errorf("the revert is by %q, want the operator's identity", got)
	}
	var out struct {
		Sites []struct {
			Site   string   `json:"site"`
			Charts []string `json:"charts"`
		} `json:"sites"`
		Others []string `json:"others"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &out); err != nil {
		t.Fatalf("rollback -o json: %v\n%s", err, res.stdout)
	}
	got := map[string][]string{}
	for _, s := range out.Sites {
		got[s.Site] = s.Charts
	}
	want := map[string][]string{}
	for _, s := range []string{"egi-cesnet", "heliocloud-aws", "pangeo-azure"} {
		want[s] = []string{"jupyterhub 4.5.0 -> 4.4.0, a downgrade"}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the chart changes the revert makes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"heliocloud-aws", "pangeo-azure"}, out.Others); diff != "" {
		t.Errorf("others (-want +got):\n%s", diff)
	}
}
