package workspace_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubfleet/hubfleet/internal/fleettest"
	"github.com/hubfleet/hubfleet/internal/overlay"
	"github.com/hubfleet/hubfleet/internal/workspace"
)

func TestLoadSelectsAndRendersTheValidSites(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		edit        func(root string)
		wantInvalid []string
		wantStale   []string
		selectErr   string
	}{
		{name: "the example fleet", selectErr: `no site named "nope"`},
		{
			name: "an invalid site and a stale one",
			edit: func(root string) {
				replace(t, filepath.Join(root, "clusters/egi-dev/site.yaml"), "host: ", "host: 'not a host' #")
				replace(t, filepath.Join(root, "clusters/egi-pangeo/site.yaml"), "limit: 4G", "limit: 6G")
			},
			wantInvalid: []string{"egi-dev"},
			wantStale:   []string{"egi-pangeo"},
			selectErr:   `no site named "nope"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			fleettest.CopyExample(t, root)
			if tt.edit != nil {
				tt.edit(root)
			}
			ws, err := workspace.Load(context.Background(), root, workspace.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var invalid []string
			for n := range ws.Invalid() {
				invalid = append(invalid, n)
			}
			if diff := cmp.Diff(tt.wantInvalid, invalid); diff != "" {
				t.Errorf("invalid sites (-want +got):\n%s\n%v", diff, ws.Errors())
			}
			stale, err := ws.Stale(t.Context(), nil)
			if err != nil {
				t.Fatal(err)
			}
			var staleSites []string
			for _, s := range stale {
				if len(staleSites) == 0 || staleSites[len(staleSites)-1] != s.Site {
					staleSites = append(staleSites, s.Site)
				}
			}
			if diff := cmp.Diff(tt.wantStale, staleSites); diff != "" {
				t.Errorf("stale sites (-want +got):\n%s", diff)
			}
			_, changes, err := ws.Render(t.Context(), nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range changes {
				if s := overlay.SiteOf(c.Path); ws.Invalid()[s] {
					t.Errorf("rendered %s of invalid site %s", c.Path, s)
				}
			}
			if got, err := ws.Select([]string{"egi-pangeo"}); err != nil || len(got) != 1 {
				t.Errorf("Select(egi-pangeo) = %v, %v", got, err)
			}
			if _, err := ws.Select([]string{"egi-pangeo", "nope"}); err == nil || !strings.Contains(err.Error(), tt.selectErr) {
				t.Errorf("Select(nope) err = %v, want %q", err, tt.selectErr)
			}
		})
	}
}

func replace(t *testing.T, path, old, new string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s lacks %q", path, old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}
