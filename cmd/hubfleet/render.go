package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/hubfleet/hubfleet/internal/fleet"
	"github.com/hubfleet/hubfleet/internal/flux"
	"github.com/hubfleet/hubfleet/internal/workspace"
	"github.com/hubfleet/hubfleet/internal/writeset"
)

type renderOptions struct {
	sites      []string
	check      bool
	chartCache string
}

func newRenderCmd(g *globalOptions, s streams) *cobra.Command {
	o := &renderOptions{}
	cmd := &cobra.Command{
		Use:   "render",
		Short: "Render every site (or --site X) into overlays/<site>/",
		Long: `Render validates the fleet and writes, for each site, the Flux objects under
overlays/<site>/ (Namespace, HelmRepository, HelmRelease, kustomization.yaml)
and the Flux entry point clusters/<site>/hubfleet.yaml. The output is a pure
function of the repository: rendering twice gives byte-identical files.

SOPS-encrypted secrets in an overlay (*.sops.yaml, written by 'hubfleet secret
set') are kept as they are. Overlays of sites that no longer exist are removed
so Flux prunes them.

With --check nothing is written: the differences are printed as a unified diff
and the exit code is 1 when committed files are stale, 0 when they are current.`,
		Example: `  hubfleet render
  hubfleet render --site egi-pangeo
  hubfleet render --check`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runRenderContext(cmd.Context(), g, o, s)
		},
	}
	cmd.Flags().StringSliceVar(&o.sites, "site", nil, "render only these sites (repeatable)")
	cmd.Flags().BoolVar(&o.check, "check", false, "write nothing; print a diff and exit 1 if files are stale")
	addChartCacheFlag(cmd, &o.chartCache)
	return cmd
}

func runRender(g *globalOptions, o *renderOptions, s streams) error {
	return runRenderContext(context.Background(), g, o, s)
}

func runRenderContext(ctx context.Context, g *globalOptions, o *renderOptions, s streams) error {
	ws, err := loadWorkspace(ctx, g.root, workspace.Options{Values: true, ChartCache: o.chartCache}, s.err)
	if err != nil {
		return err
	}
	if _, err := ws.Select(o.sites); err != nil {
		return err
	}
	fl := ws.Fleet
	printFactWarnings(s.err, fl, o.sites)
	files, changes, err := ws.Render(o.sites)
	if err != nil {
		return err
	}
	if o.check {
		if len(changes) == 0 {
			fmt.Fprintf(s.out, "%d file(s) of %d site(s) are up to date\n", len(files), countSites(fl, o.sites))
			return nil
		}
		fmt.Fprint(s.out, flux.Diff(changes))
		return problems("%d rendered file(s) are stale: run 'hubfleet render' and commit the result", len(changes))
	}
	if err := writeset.Apply(ws.Root, changes); err != nil {
		return err
	}
	for _, c := range changes {
		verb := "updated"
		switch {
		case c.Old == nil:
			verb = "created"
		case c.New == nil:
			verb = "removed"
		}
		fmt.Fprintf(s.out, "%s %s\n", verb, c.Path)
	}
	fmt.Fprintf(s.out, "rendered %d site(s): %d file(s) changed\n", countSites(fl, o.sites), len(changes))
	return nil
}

func countSites(fl *fleet.Fleet, only []string) int {
	if len(only) > 0 {
		return len(only)
	}
	return len(fl.Sites)
}
