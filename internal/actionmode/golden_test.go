package actionmode_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/<name>, rewriting it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", p, diff)
	}
}

func TestGoldenPlanComment(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.pullRequest("pangeo/pangeo-notebook:2025.1.10")
	f.replace(f.work, "bases/daskhub/fleet.yaml", "chart: jupyterhub\n      version: 4.4.0", "chart: jupyterhub\n      version: 4.5.0")
	f.render(f.work)
	git(t, f.work, "commit", "--quiet", "-am", "Upgrade jupyterhub to 4.5.0")
	if res := f.run("plan", "pull_request", nil, nil); res.err != nil {
		t.Fatalf("plan: %v", res.err)
	}
	golden(t, "plan-comment.golden.md", f.srv.Comments(7)[0].Body)
}
