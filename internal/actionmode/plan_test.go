package actionmode_test

import (
	"errors"
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
	want := map[string]string{"sites": allSites, "failed-sites": "", "changed": "true",
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
		"| `egi-dev` | ✅ | ✅ up to date | changed: 1 file(s) |",
		"| `egi-cesnet` | ✅ | ✅ up to date | unchanged |",
		"<details><summary><code>egi-dev</code></summary>",
		"+          tag: 2025.1.10",
	} {
		if !strings.Contains(body, s) {
			t.Errorf("comment lacks %q:\n%s", s, body)
		}
	}
	if !strings.Contains(res.summary, "### hubfleet plan") || !strings.Contains(res.summary, "2025.1.10") {
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
	for _, s := range []string{"| `egi-dev` | ❌ 1 problem(s) |", "❌ 1 stale file(s)", "-  timeout: 5m0s", "+  timeout: 15m0s"} {
		if !strings.Contains(body, s) {
			t.Errorf("comment lacks %q", s)
		}
	}
}

func TestPlanCommentOverflowGoesToJobSummary(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.pullRequest("pangeo/pangeo-notebook:2025.1.10")
	// Change every site's overlay so each has a detail section.
	for _, s := range strings.Split(allSites, "\n") {
		f.replace(f.work, "clusters/"+s+"/site.yaml", "wave:", "# touched\n  wave:")
	}
	f.replace(f.work, "bases/daskhub/fleet.yaml", "timeout: 15m", "timeout: 20m")
	f.render(f.work)
	gittest.Run(t, f.work, "commit", "--quiet", "-am", "Longer timeout everywhere")

	res := f.run("plan", "pull_request", nil, func(o *actionmode.Options) { o.CommentLimit = 4000 })
	if res.err != nil {
		t.Fatalf("plan: %v", res.err)
	}
	body := f.srv.Comments(7)[0].Body
	if len(body) > 4000 {
		t.Errorf("comment is %d bytes, limit 4000", len(body))
	}
	for _, s := range []string{"### hubfleet plan", "| `pangeo-azure` |", "did not fit", "[job summary](https://github.com/fleet/hubs/actions/runs/4242)"} {
		if !strings.Contains(body, s) {
			t.Errorf("comment lacks %q", s)
		}
	}
	for _, s := range strings.Split(allSites, "\n") {
		if !strings.Contains(res.summary, "<summary><code>"+s+"</code></summary>") {
			t.Errorf("job summary lacks the details of %s", s)
		}
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
	if !strings.Contains(res.summary, "### hubfleet plan") {
		t.Errorf("no job summary")
	}
}
