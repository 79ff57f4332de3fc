package actionmode_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubfleet/hubfleet/internal/actionmode"
	"github.com/hubfleet/hubfleet/internal/github"
	"github.com/hubfleet/hubfleet/internal/gittest"
	"github.com/hubfleet/hubfleet/internal/report"
)

var allSites = "egi-cesnet\negi-dev\negi-pangeo\nheliocloud-aws\npangeo-azure"

// pullRequest makes the work tree a pull request branch changing egi-dev's
// notebook image, rendered and committed.
func (f *fixture) pullRequest(image string) {
	f.t.Helper()
	gittest.Run(f.t, f.work, "switch", "--quiet", "-C", "update-egi-dev", "origin/main")
	f.replace(f.work, "clusters/egi-dev/site.yaml", "image: pangeo/pangeo-notebook:2024.11.11", "image: "+image)
	f.render(f.work)
	gittest.Run(f.t, f.work, "add", ".")
	gittest.Run(f.t, f.work, "commit", "--quiet", "-m", "Update egi-dev's image to "+image)
}

func TestPlanKeepsOneCommentAcrossPushes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)

	f.pullRequest("pangeo/pangeo-notebook:2025.1.10")
	res := f.run("plan", "pull_request", nil, nil)
	if res.err != nil {
		t.Fatalf("plan: %v\n%s", res.err, res.log)
	}
	want := map[string]string{"sites": allSites, "failed-sites": "", "changed": "true", "problems": "0", "unverified-sites": "", "plan-file": "",
		"comment-url": "https://github.com/fleet/hubs/pull/7#issuecomment-1001"}
	if diff := cmp.Diff(want, res.outputs); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"GET repos/fleet/hubs/issues/7/comments", "POST repos/fleet/hubs/issues/7/comments"}, f.srv.Calls()); diff != "" {
		t.Errorf("API calls (-want +got):\n%s", diff)
	}
	comments := f.srv.Comments(7)
	if len(comments) != 1 {
		t.Fatalf("comments = %d, want 1", len(comments))
	}
	body := comments[0].Body
	for _, s := range []string{
		github.PlanMarker,
		"| `egi-dev` | changed | ✅ | - | 1 |",
		"4 unchanged: egi-cesnet, egi-pangeo, heliocloud-aws, pangeo-azure",
		"<details><summary><code>egi-dev</code>: changed</summary>",
		"+          tag: 2025.1.10",
	} {
		if !strings.Contains(body, s) {
			t.Errorf("comment lacks %q:\n%s", s, body)
		}
	}
	if !strings.Contains(res.summary, "## hubfleet plan") || !strings.Contains(res.summary, "2025.1.10") {
		t.Errorf("job summary lacks the plan:\n%s", res.summary)
	}
	if len(res.annotations) != 0 {
		t.Errorf("annotations on a clean plan: %+v", res.annotations)
	}

	// A second push updates the same comment.
	f.pullRequest("pangeo/pangeo-notebook:2025.2.1")
	res = f.run("plan", "pull_request", nil, nil)
	if res.err != nil {
		t.Fatalf("second plan: %v", res.err)
	}
	comments = f.srv.Comments(7)
	if len(comments) != 1 {
		t.Fatalf("comments after the second push = %d, want 1 (updated, not duplicated)", len(comments))
	}
	if !strings.Contains(comments[0].Body, "2025.2.1") || strings.Contains(comments[0].Body, "2025.1.10") {
		t.Errorf("comment not updated to the second push")
	}
	calls := f.srv.Calls()
	if diff := cmp.Diff([]string{"GET repos/fleet/hubs/issues/7/comments", "PATCH repos/fleet/hubs/issues/comments/1001"}, calls[2:]); diff != "" {
		t.Errorf("second run API calls (-want +got):\n%s", diff)
	}
}

func TestPlanFailsOnInvalidAndStaleSites(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	gittest.Run(t, f.work, "switch", "--quiet", "-C", "broken", "origin/main")
	f.replace(f.work, "clusters/egi-dev/site.yaml", "host: pangeo-dev.vm.fedcloud.eu", "host: hub")
	// A hand edit of a generated file.
	f.replace(f.work, "overlays/egi-pangeo/helmrelease-daskhub.yaml", "timeout: 15m", "timeout: 5m")
	gittest.Run(t, f.work, "commit", "--quiet", "-am", "Break things")

	res := f.run("plan", "pull_request", nil, nil)
	var fe *actionmode.FailedError
	if !errors.As(res.err, &fe) || res.exit != 1 {
		t.Fatalf("plan err = %v (exit %d), want a failed check (exit 1)", res.err, res.exit)
	}
	if got := res.outputs["failed-sites"]; got != "egi-dev\negi-pangeo" {
		t.Errorf("failed-sites = %q", got)
	}
	invalid := res.annotated(report.LevelError, "clusters/egi-dev/site.yaml", "hubfleet: invalid site")
	if invalid == nil {
		t.Fatalf("no invalid-site annotation on clusters/egi-dev/site.yaml: %+v", res.annotations)
	}
	if invalid.Line != 17 || !strings.Contains(invalid.Message, "spec.host") {
		t.Errorf("invalid-site annotation = %+v, want line 17 (host:) naming spec.host", invalid)
	}
	if res.annotated(report.LevelError, "overlays/egi-pangeo/helmrelease-daskhub.yaml", "hubfleet: stale overlay") == nil {
		t.Errorf("no stale-overlay annotation: %+v", res.annotations)
	}
	if len(f.srv.Comments(7)) != 1 {
		t.Errorf("a failing plan must still comment")
	}
	body := f.srv.Comments(7)[0].Body
	for _, s := range []string{"| `egi-dev` | problem (unchanged) | ❌ 1 problem(s) |", "| `egi-pangeo` | problem (changed) | ❌ stale overlays |", "-  timeout: 5m0s", "+  timeout: 15m0s", ":x: invalid: clusters/egi-dev/site.yaml:17: spec.host"} {
		if !strings.Contains(body, s) {
			t.Errorf("comment lacks %q", s)
		}
	}
}

// TestPlanCommentShortensDiffs: a comment over the limit keeps every site
// and shortens the diffs; the job summary and the plan file (the
// artifact) hold all of it.
func TestPlanCommentShortensDiffs(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.pullRequest("pangeo/pangeo-notebook:2025.1.10")
	f.replace(f.work, "bases/daskhub/fleet.yaml", "timeout: 15m", "timeout: 20m")
	f.render(f.work)
	gittest.Run(t, f.work, "commit", "--quiet", "-am", "Longer timeout everywhere")

	planFile := filepath.Join(t.TempDir(), "plan.md")
	res := f.run("plan", "pull_request", map[string]string{"HUBFLEET_PLAN_FILE": planFile}, func(o *actionmode.Options) { o.CommentLimit = 4000 })
	if res.err != nil {
		t.Fatalf("plan: %v", res.err)
	}
	body := f.srv.Comments(7)[0].Body
	if len(body) > 4000 {
		t.Errorf("comment is %d bytes, limit 4000", len(body))
	}
	for _, s := range []string{"## hubfleet plan", "more line(s) of this diff: see the full plan, https://github.com/fleet/hubs/actions/runs/4242#artifacts"} {
		if !strings.Contains(body, s) {
			t.Errorf("comment lacks %q:\n%s", s, body)
		}
	}
	full, err := os.ReadFile(planFile)
	if err != nil {
		t.Fatal(err)
	}
	if res.outputs["plan-file"] != planFile {
		t.Errorf("plan-file output = %q", res.outputs["plan-file"])
	}
	for _, s := range strings.Split(allSites, "\n") {
		row := "| `" + s + "` | changed |"
		if !strings.Contains(body, row) || !strings.Contains(body, "<summary><code>"+s+"</code>: changed</summary>") {
			t.Errorf("comment lacks site %s", s)
		}
		if !strings.Contains(res.summary, "<summary><code>"+s+"</code>: changed</summary>") || !strings.Contains(string(full), "<summary><code>"+s+"</code>: changed</summary>") {
			t.Errorf("job summary or plan file lacks the details of %s", s)
		}
	}
	if strings.Contains(res.summary, "more line(s) of this diff") {
		t.Errorf("the job summary is shortened")
	}
}

func TestPlanWithoutCommentAccessStillReports(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.pullRequest("pangeo/pangeo-notebook:2025.1.10")
	// A fork's read-only token: GitHub answers 403 on the create.
	f.srv.Inject(githubtestForbidden())
	res := f.run("plan", "pull_request", nil, nil)
	if res.err != nil {
		t.Fatalf("plan: %v", res.err)
	}
	if a := res.annotated(report.LevelWarning, "", "hubfleet: no plan comment"); a == nil || !strings.Contains(a.Message, "HTTP 403") {
		t.Errorf("no warning about the missing comment: %+v", res.annotations)
	}
	if !strings.Contains(res.summary, "## hubfleet plan") {
		t.Errorf("no job summary")
	}
}
