package main

import (
	"fmt"
	"io"

	"github.com/hubfleet/hubfleet/internal/fleet"
	"github.com/hubfleet/hubfleet/internal/workspace"
)

// printFactWarnings prints, for the given sites (all when none), every
// chart fact the values had to assume (workspace.FactWarnings).
func printFactWarnings(w io.Writer, fl *fleet.Fleet, only []string) {
	for _, m := range workspace.FactWarnings(fl, only) {
		fmt.Fprintf(w, "warning: %s\n", m)
	}
}
