package workspace

import (
	"slices"

	"github.com/hubfleet/hubfleet/internal/fleet"
	"github.com/hubfleet/hubfleet/internal/values"
)

// FactWarnings are, for the given sites of fl (all when none), every chart
// fact the values had to assume (values.FactWarnings): the warnings
// `hubfleet render` and the Action's render mode both give.
func FactWarnings(fl *fleet.Fleet, only []string) []string {
	if fl == nil || fl.Config == nil {
		return nil
	}
	var out []string
	for _, s := range fl.Sites {
		if len(only) > 0 && !slices.Contains(only, s.Metadata.Name) {
			continue
		}
		out = append(out, values.FactWarnings(s, fl.Config)...)
	}
	return out
}
