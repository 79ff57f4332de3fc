package workspace

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubfleet/hubfleet/internal/site"
)

// TestMissingVersionFix pins the fix of a chart version the repository
// lacks: a version to set, within the chart's constraint, prereleases only
// where the fleet opts in.
func TestMissingVersionFix(t *testing.T) {
	t.Parallel()
	const field = "spec.charts.jupyterhub.version"
	const tail = "; `hubfleet upgrade` moves only a pin the repository has"
	available := []string{"5.0.0-beta.1", "4.5.0", "4.4.0", "3.2.1"}
	tests := []struct {
		name string
		src  site.ChartSource
		want string
	}{
		{"no constraint", site.ChartSource{}, "set " + field + " to a version the repository has, e.g. 4.5.0, the newest" + tail},
		{"within the constraint", site.ChartSource{Constraint: "<4.5.0"}, "set " + field + ` to a version the repository has, e.g. 4.4.0, the newest within its constraint "<4.5.0"` + tail},
		{"prereleases allowed", site.ChartSource{Prereleases: true}, "set " + field + " to a version the repository has, e.g. 5.0.0-beta.1, the newest" + tail},
		{"none within the constraint", site.ChartSource{Constraint: ">=6.0.0"}, "set " + field + ` to a version the repository has (none of them is within its constraint ">=6.0.0": widen it too)` + tail},
		{"an invalid constraint", site.ChartSource{Constraint: "not a range"}, "set " + field + " to a version the repository has"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, missingVersionFix(field, tt.src, available)); diff != "" {
				t.Errorf("fix (-want +got):\n%s", diff)
			}
		})
	}
}
