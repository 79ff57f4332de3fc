package main

import (
	"context"
	"fmt"
	"io"

	"github.com/hubfleet/hubfleet/internal/fleet"
	"github.com/hubfleet/hubfleet/internal/workspace"
)

// loadWorkspace is the one loader of the commands: it loads the fleet at
// root once (with opts.Values, every site's values keys against the cached
// chart schemas), writes its warnings to warn (when not nil), and turns
// its errors into an exit-1 error that lists every one of them.
func loadWorkspace(ctx context.Context, root string, opts workspace.Options, warn io.Writer) (*workspace.Workspace, error) {
	ws, err := workspace.Load(ctx, root, opts)
	if err != nil {
		return nil, err
	}
	if w := ws.Warnings(); len(w) > 0 && warn != nil {
		fmt.Fprintln(warn, w.Error())
	}
	if errs := ws.Errors(); len(errs) > 0 {
		return nil, problems("%s\n%d problem(s) found", errs.Error(), len(errs))
	}
	return ws, nil
}

// loadFleet is loadWorkspace without the values check, for the commands
// that need only the loaded fleet.
func loadFleet(root string) (*fleet.Fleet, error) {
	ws, err := loadWorkspace(context.Background(), root, workspace.Options{}, nil)
	if err != nil {
		return nil, err
	}
	return ws.Fleet, nil
}

// loadFleetChecked is loadWorkspace with the values check, warnings on
// stderr.
func loadFleetChecked(ctx context.Context, root, chartCache string, s streams) (*fleet.Fleet, error) {
	ws, err := loadWorkspace(ctx, root, workspace.Options{Values: true, ChartCache: chartCache}, s.err)
	if err != nil {
		return nil, err
	}
	return ws.Fleet, nil
}
