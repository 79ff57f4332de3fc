package upgrade_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hubfleet/hubfleet/internal/chart"
	"github.com/hubfleet/hubfleet/internal/flowtest"
	"github.com/hubfleet/hubfleet/internal/flux"
	"github.com/hubfleet/hubfleet/internal/gitrepo"
	"github.com/hubfleet/hubfleet/internal/gittest"
	"github.com/hubfleet/hubfleet/internal/plan"
	"github.com/hubfleet/hubfleet/internal/upgrade"
	"github.com/hubfleet/hubfleet/internal/workspace"
	"github.com/hubfleet/hubfleet/internal/writeset"
)

// TestUpgradeFailingAtEachStepChangesNothing fails the upgrade at each of
// its steps (reading the chart repository, planning against the base
// branch, writing the files) and checks that the work tree is exactly as
// before: git status is clean.
func TestUpgradeFailingAtEachStepChangesNothing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		prepare func(f *flowtest.Repo)
		opts    upgrade.Request
		write   func(root string, changes []flux.Change) error
		wantErr string
	}{
		{
			name: "the chart repository has no such chart",
			prepare: func(f *flowtest.Repo) {
				f.Replace(f.Work, "bases/daskhub/fleet.yaml", "chart: jupyterhub", "chart: jupyterhub-gone")
				f.Git("commit", "--quiet", "-am", "A chart the repository lacks")
			},
			opts:    upgrade.Request{MaxWave: -1, BaseRef: "main"},
			wantErr: "jupyterhub-gone",
		},
		{
			name:    "the base branch does not exist",
			opts:    upgrade.Request{MaxWave: -1, BaseRef: "no-such-branch"},
			wantErr: "no-such-branch",
		},
		{
			name: "the third file cannot be written",
			opts: upgrade.Request{MaxWave: -1, BaseRef: "main"},
			write: func(root string, changes []flux.Change) error {
				n := 0
				return writeset.ApplyWith(root, changes, func(c flux.Change) error {
					if n++; n == 3 {
						return errors.New("no space left on device")
					}
					return flux.Apply(root, []flux.Change{c})
				})
			},
			wantErr: "no space left on device",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := flowtest.New(t)
			f.Replace(f.Work, "bases/daskhub/fleet.yaml", "rollout:\n    waves: true", "rollout:\n    waves: false")
			f.ServeCharts([]string{"4.4.0", "4.5.0"})
			if tt.prepare != nil {
				tt.prepare(f)
			}
			head := f.Git("rev-parse", "HEAD")
			cache := t.TempDir()
			ro := chart.ResolverOptions{CacheDir: filepath.Join(cache, "charts"), Timeout: 10 * time.Second}
			git := gitrepo.DefaultOptions()
			git.Env = gittest.Isolated
			u := upgrade.Upgrader{Resolver: ro, Compare: plan.CompareOptions{Charts: true, Resolver: ro, Render: chart.RenderOptions{CacheDir: filepath.Join(cache, "renders")}}, BaseRef: "main", Git: git}
			if tt.write != nil {
				u = upgrade.WithWrite(u, tt.write)
			}
			ws, err := workspace.Load(context.Background(), f.Work, workspace.Options{})
			if err != nil {
				t.Fatal(err)
			}
			req := tt.opts
			req.Workspace = ws
			_, err = u.Run(context.Background(), req)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want one naming %q", err, tt.wantErr)
			}
			if st := f.Git("status", "--porcelain", "--untracked-files=all"); st != "" {
				t.Errorf("the failed upgrade left the work tree changed:\n%s", st)
			}
			if got := f.Git("rev-parse", "HEAD"); got != head {
				t.Errorf("HEAD moved")
			}
		})
	}
}
