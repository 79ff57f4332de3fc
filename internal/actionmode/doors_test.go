package actionmode_test

import (
	"strings"
	"testing"

	"github.com/hubfleet/hubfleet/internal/actionmode"
)

func TestOneWayDoors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		before, after map[string]string
		want          []string // substrings, one per door, in order
	}{
		{name: "no change", before: map[string]string{"daskhub": "2024.1.1"}, after: map[string]string{"daskhub": "2024.1.1"}},
		{name: "same JupyterHub through a new umbrella", before: map[string]string{"daskhub": "2024.1.0"}, after: map[string]string{"daskhub": "2024.1.1"}},
		{
			name:   "umbrella to composed: JupyterHub 4 to 5, CRDs, Kubernetes minimum",
			before: map[string]string{"daskhub": "2024.1.1"},
			after:  map[string]string{"jupyterhub": "4.4.0", "dask-gateway": "2025.4.0"},
			want: []string{
				"JupyterHub 4.0.2 → 5.5.0 (jupyterhub chart 3.2.1 → 4.4.0): the hub database is migrated",
				"dask-gateway CRDs change (v1alpha1 → v1alpha1-2025.4",
				"needs Kubernetes >= 1.30.0 (was >= 1.23.0)",
			},
		},
		{
			name:   "going back over a migration",
			before: map[string]string{"jupyterhub": "4.4.0"},
			after:  map[string]string{"jupyterhub": "3.2.1"},
			want:   []string{"JupyterHub 5.5.0 → 4.0.2 (jupyterhub chart 4.4.0 → 3.2.1) goes back over a database migration"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := actionmode.OneWayDoors(tt.before, tt.after)
			if len(got) != len(tt.want) {
				t.Fatalf("doors = %q, want %d", got, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("door %d = %q, want it to contain %q", i, got[i], w)
				}
			}
		})
	}
}
