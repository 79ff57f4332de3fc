package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestUnknownChartVersionIsAWarning: render and validate name each chart
// fact the values had to assume, instead of falling back silently.
func TestUnknownChartVersionIsAWarning(t *testing.T) {
	root := fleetCopy(t)
	editFile(t, filepath.Join(root, "bases/daskhub/fleet.yaml"), "version: 2024.1.1", "version: 2024.2.0")
	want := "warning: site egi-pangeo: daskhub chart 2024.2.0 is not in hubfleet's chart catalog: the values assume it vendors jupyterhub 3.2.1"
	for _, args := range [][]string{{"validate"}, {"render"}} {
		r := hubfleet(t, "", append(args, "--root", root)...)
		if r.code != exitOK || !strings.Contains(r.stderr, want) {
			t.Errorf("%s: exit %d, stderr lacks %q:\n%s", args[0], r.code, want, r.stderr)
		}
	}
}
