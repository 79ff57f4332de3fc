package actionmode_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubfleet/hubfleet/internal/gittest"
)

func TestRenderCommitsStaleOverlaysAndWinsARace(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	// Someone merged a site change without rendering.
	f.replace(f.work, "clusters/egi-dev/site.yaml", "startTimeout: 600", "startTimeout: 900")
	gittest.Run(t, f.work, "commit", "--quiet", "-am", "Give egi-dev more start time")
	gittest.Run(t, f.work, "push", "--quiet", "origin", "main")
	// A concurrent push lands before the render pushes.
	other := f.clone()
	f.write(other, "README.md", "fleet\n")
	gittest.Run(t, other, "add", ".")
	gittest.Run(t, other, "commit", "--quiet", "-m", "Add a README")
	gittest.Run(t, other, "push", "--quiet", "origin", "main")

	res := f.run("render", "push", nil, nil)
	if res.err != nil {
		t.Fatalf("render: %v\n%s", res.err, res.log)
	}
	head := gittest.Run(t, f.remote, "rev-parse", "main")
	want := map[string]string{"changed": "true", "sites": "egi-dev", "commit": head}
	if diff := cmp.Diff(want, res.outputs); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}
	log := gittest.Run(t, f.remote, "log", "--format=%an|%s", "-3", "main")
	wantLog := "hubfleet[bot]|Render overlays of egi-dev\nAlice|Add a README\nAlice|Give egi-dev more start time"
	if diff := cmp.Diff(wantLog, log); diff != "" {
		t.Errorf("remote history (-want +got):\n%s", diff)
	}
	if files := gittest.Run(t, f.remote, "show", "--name-only", "--format=", "main"); files != "overlays/egi-dev/helmrelease-daskhub.yaml" {
		t.Errorf("bot commit touched %q", files)
	}
	if !strings.Contains(res.summary, "re-rendered 1 file(s) of egi-dev") {
		t.Errorf("summary:\n%s", res.summary)
	}
	if len(f.srv.Requests()) != 0 {
		t.Errorf("render called the GitHub API: %v", f.srv.Calls())
	}

	// Rendering again finds nothing to do.
	res = f.run("render", "push", nil, nil)
	if res.err != nil || res.outputs["changed"] != "false" {
		t.Fatalf("second render: %v, outputs %v", res.err, res.outputs)
	}
	if got := gittest.Run(t, f.remote, "rev-parse", "main"); got != head {
		t.Errorf("second render moved main to %s", got)
	}
}

func TestRenderRefusesAnInvalidFleet(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.replace(f.work, "clusters/egi-dev/site.yaml", "host: pangeo-dev.vm.fedcloud.eu", "host: hub")
	gittest.Run(t, f.work, "commit", "--quiet", "-am", "Break egi-dev")
	gittest.Run(t, f.work, "push", "--quiet", "origin", "main")
	before := gittest.Run(t, f.remote, "rev-parse", "main")
	res := f.run("render", "push", nil, nil)
	if res.exit != 1 {
		t.Fatalf("render exit = %d (%v), want 1", res.exit, res.err)
	}
	if len(res.annotations) == 0 || res.annotations[0].File != "clusters/egi-dev/site.yaml" || res.annotations[0].Line != 17 {
		t.Errorf("annotations = %+v", res.annotations)
	}
	if got := gittest.Run(t, f.remote, "rev-parse", "main"); got != before {
		t.Errorf("render pushed despite problems")
	}
}
