package actionmode

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/hubfleet/hubfleet/internal/fleet"
	"github.com/hubfleet/hubfleet/internal/flux"
	"github.com/hubfleet/hubfleet/internal/overlay"
	"github.com/hubfleet/hubfleet/internal/site"
)

// FleetRenderer is the render pipeline: fleet.LoadDir validates,
// flux.Render renders, flux.Changes compares with the files on disk,
// flux.Apply writes. Sites with problems are left out of the render (their
// problems fail the check instead).
type FleetRenderer struct{}

// Check loads and validates the fleet, renders it in memory and compares
// the result with the files on disk. It writes nothing.
func (FleetRenderer) Check(_ context.Context, root string) (*RenderCheck, error) {
	fl, changes, check, err := renderFleet(root)
	if err != nil || fl == nil {
		return check, err
	}
	check.Fleet = fl
	for _, c := range changes {
		check.Stale = append(check.Stale, StaleFile{Site: overlay.SiteOf(c.Path), Path: c.Path, Diff: flux.Diff([]flux.Change{c})})
	}
	return check, nil
}

// Write renders the fleet and writes the files that changed, returning
// their paths relative to root. It refuses to write when the fleet has
// problems.
func (FleetRenderer) Write(_ context.Context, root string) ([]string, error) {
	fl, changes, check, err := renderFleet(root)
	if err != nil {
		return nil, err
	}
	if fl == nil || len(check.Problems) > 0 {
		return nil, fmt.Errorf("render: the fleet has %d problem(s)", len(check.Problems))
	}
	if err := flux.Apply(root, changes); err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	paths := make([]string, len(changes))
	for i, c := range changes {
		paths[i] = c.Path
	}
	return paths, nil
}

// renderFleet loads the fleet and computes the changes a render would make
// for its valid sites. fl is nil when nothing can be rendered.
func renderFleet(root string) (*fleet.Fleet, []flux.Change, *RenderCheck, error) {
	check := &RenderCheck{}
	fl, err := fleet.LoadDir(root)
	var list site.ErrorList
	if err != nil && !errors.As(err, &list) {
		return nil, nil, nil, err
	}
	invalid := map[string]bool{}
	for _, fe := range list {
		p := Problem{Site: overlay.SiteOf(fe.File), File: fe.File, Line: fe.Line, Field: fe.Field, Message: fe.Msg, Fix: fe.Fix}
		check.Problems = append(check.Problems, p)
		if p.Site != "" {
			invalid[p.Site] = true
		}
	}
	if fl == nil {
		return nil, nil, check, nil
	}
	for _, s := range fl.Sites {
		check.Sites = append(check.Sites, s.Metadata.Name)
	}
	if fl.Config == nil {
		return nil, nil, check, nil
	}
	var only []string
	if len(invalid) > 0 {
		for _, s := range check.Sites {
			if !invalid[s] {
				only = append(only, s)
			}
		}
		if len(only) == 0 {
			return nil, nil, check, nil
		}
	}
	fsys := os.DirFS(root)
	files, err := flux.Render(fsys, fl, only)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("render: %w", err)
	}
	changes, err := flux.Changes(fsys, fl, files, only)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("render: %w", err)
	}
	return fl, changes, check, nil
}
