package actionmode_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubfleet/hubfleet/internal/gittest"
	"github.com/hubfleet/hubfleet/internal/plan"
	"github.com/hubfleet/hubfleet/internal/report"
)

// event writes a pull_request event payload with the given body and labels
// and returns its path.
func (f *fixture) event(body string, labels ...string) string {
	f.t.Helper()
	var ls []string
	for _, l := range labels {
		ls = append(ls, fmt.Sprintf(`{"name":%q}`, l))
	}
	p := filepath.Join(f.t.TempDir(), "event.json")
	payload := fmt.Sprintf(`{"action":"synchronize","number":7,"pull_request":{"number":7,"body":%q,"labels":[%s],"base":{"ref":"main"}}}`, body, strings.Join(ls, ","))
	if err := os.WriteFile(p, []byte(payload), 0o644); err != nil {
		f.t.Fatal(err)
	}
	return p
}

// TestPlanOfASiteRemoval: a pull request that removes a site shows what
// Flux prunes, and fails until the pull request confirms the removal.
func TestPlanOfASiteRemoval(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	gittest.Run(t, f.work, "switch", "--quiet", "-C", "remove-egi-dev", "origin/main")
	if err := os.RemoveAll(filepath.Join(f.work, "clusters/egi-dev")); err != nil {
		t.Fatal(err)
	}
	f.render(f.work)
	gittest.Run(t, f.work, "add", "-A")
	gittest.Run(t, f.work, "commit", "--quiet", "-m", "Remove egi-dev")

	for _, tt := range []struct {
		name     string
		event    string
		wantExit int
	}{
		{name: "unconfirmed", event: f.event("Retire the dev hub."), wantExit: 1},
		{name: "confirmed by a line in the description", event: f.event("Retire the dev hub.\n\nhubfleet: remove egi-dev\n"), wantExit: 0},
		{name: "confirmed by the label", event: f.event("Retire the dev hub.", "hubfleet/remove-site"), wantExit: 0},
	} {
		res := f.run("plan", "pull_request", map[string]string{"GITHUB_EVENT_PATH": tt.event}, nil)
		if res.exit != tt.wantExit {
			t.Errorf("%s: exit %d (%v), want %d", tt.name, res.exit, res.err, tt.wantExit)
		}
		if res.outputs["changed"] != "true" {
			t.Errorf("%s: changed = %q, want true", tt.name, res.outputs["changed"])
		}
		body := f.srv.Comments(7)[0].Body
		row := "| `egi-dev` | removed | ✅ |"
		if tt.wantExit == 1 {
			row = "| `egi-dev` | problem (removed) | ❌ removal not confirmed |"
		}
		for _, s := range []string{row, "**site-removal**", "site egi-dev is removed: Flux prunes what its overlay applied, uninstalls daskhub and deletes namespace daskhub with everything in it, including the PersistentVolumeClaims with user data: hub-db-dir (the hub database), claim-<user>"} {
			if !strings.Contains(body, strings.ReplaceAll(s, "<user>", "&lt;user>")) {
				t.Errorf("%s: comment lacks %q:\n%s", tt.name, s, body)
			}
		}
		if !strings.Contains(res.summary, "site egi-dev is removed") {
			t.Errorf("%s: job summary lacks the removal", tt.name)
		}
		a := res.annotated(report.LevelError, "clusters/egi-dev/site.yaml", "hubfleet: one-way door")
		if (a != nil) != (tt.wantExit == 1) {
			t.Errorf("%s: error annotation on the removal = %+v", tt.name, a)
		}
		if a != nil && !strings.Contains(a.Message, "hubfleet: remove egi-dev") {
			t.Errorf("%s: the annotation does not say how to confirm: %s", tt.name, a.Message)
		}
		if tt.wantExit == 1 && (res.outputs["failed-sites"] != "egi-dev" || !strings.Contains(res.err.Error(), "site removal not confirmed: egi-dev")) {
			t.Errorf("%s: failed-sites %q, err %v", tt.name, res.outputs["failed-sites"], res.err)
		}
	}
}

// TestPlanCommentOf60Sites: a plan of 60 new sites stays within GitHub's
// comment limit and names every one of them.
func TestPlanCommentOf60Sites(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	gittest.Run(t, f.work, "switch", "--quiet", "-C", "sixty", "origin/main")
	tmpl := f.read(f.work, "clusters/egi-dev/site.yaml")
	var names []string
	for i := range 60 {
		n := fmt.Sprintf("hub-%02d", i)
		names = append(names, n)
		s := strings.Replace(tmpl, "name: egi-dev", "name: "+n, 1)
		s = strings.Replace(s, "host: pangeo-dev.vm.fedcloud.eu", "host: "+n+".vm.fedcloud.eu", 1)
		f.write(f.work, "clusters/"+n+"/site.yaml", s)
	}
	f.render(f.work)
	gittest.Run(t, f.work, "add", "-A")
	gittest.Run(t, f.work, "commit", "--quiet", "-m", "Sixty hubs")

	res := f.run("plan", "pull_request", nil, nil)
	if res.err != nil {
		t.Fatalf("plan: %v", res.err)
	}
	body := f.srv.Comments(7)[0].Body
	if len(body) >= plan.CommentLimit {
		t.Errorf("comment is %d bytes, GitHub's limit is %d", len(body), plan.CommentLimit)
	}
	for _, n := range names {
		if !strings.Contains(body, "| `"+n+"` | added |") || !strings.Contains(body, "<summary><code>"+n+"</code>: added</summary>") {
			t.Errorf("the comment does not name %s", n)
		}
	}
	if !strings.Contains(body, "more line(s) of this diff") || strings.Contains(res.summary, "more line(s) of this diff") {
		t.Errorf("diffs: shortened in the comment %v, in the summary %v", strings.Contains(body, "more line(s) of this diff"), strings.Contains(res.summary, "more line(s) of this diff"))
	}
	t.Logf("60-site comment: %d bytes; full plan %d bytes", len(body), len(res.summary))
}
