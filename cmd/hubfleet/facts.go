package main

import (
	"fmt"
	"io"
	"slices"

	"github.com/hubfleet/hubfleet/internal/fleet"
	"github.com/hubfleet/hubfleet/internal/values"
)

// printFactWarnings prints, for the given sites (all when none), every
// chart fact the values had to assume (values.FactWarnings).
func printFactWarnings(w io.Writer, fl *fleet.Fleet, only []string) {
	for _, s := range fl.Sites {
		if len(only) > 0 && !slices.Contains(only, s.Metadata.Name) {
			continue
		}
		for _, m := range values.FactWarnings(s, fl.Config) {
			fmt.Fprintf(w, "warning: %s\n", m)
		}
	}
}
