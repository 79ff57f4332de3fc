package main

import (
	"cmp"
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hubfleet/hubfleet/internal/flux"
	"github.com/hubfleet/hubfleet/internal/output"
	"github.com/hubfleet/hubfleet/internal/workspace"
	"github.com/hubfleet/hubfleet/internal/writeset"
)

type renderOptions struct {
	sites      []string
	check      bool
	chartCache string
	output     string
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
	outputFlag(cmd, &o.output, output.Machine)
	return cmd
}

func runRender(g *globalOptions, o *renderOptions, s streams) error {
	return runRenderContext(context.Background(), g, o, s)
}

func runRenderContext(ctx context.Context, g *globalOptions, o *renderOptions, s streams) error {
	f, err := output.ParseFormat(cmp.Or(o.output, string(output.Text)), output.Machine)
	if err != nil {
		return err
	}
	// The render and its decision are the flow's, the Action's too: this
	// prints them and writes the files.
	rr, err := workspace.RunRender(ctx, workspace.RenderRequest{Root: g.root, Sites: o.sites, ChartCache: o.chartCache, Check: o.check})
	if err != nil {
		return err
	}
	if len(rr.Warnings) > 0 {
		fmt.Fprintln(s.err, rr.Warnings.Error())
	}
	if errs := rr.Problems; len(errs) > 0 {
		return problems("%s\n%d problem(s) found", errs.Error(), len(errs))
	}
	for _, m := range rr.Facts {
		fmt.Fprintf(s.err, "warning: %s\n", m)
	}
	res := renderResult{Header: output.NewHeader("render"), Check: o.check, Sites: rr.Sites, Files: len(rr.Files), Changes: []renderedFile{}}
	for _, c := range rr.Changes {
		verb := "updated"
		switch {
		case c.Old == nil:
			verb = "created"
		case c.New == nil:
			verb = "removed"
		}
		res.Changes = append(res.Changes, renderedFile{Path: c.Path, Change: verb})
	}
	if o.check && len(rr.Changes) > 0 {
		res.Diff = flux.Diff(rr.Changes)
	}
	if !o.check {
		if err := writeset.ApplyContext(ctx, rr.Workspace.Root, rr.Changes); err != nil {
			return err
		}
	}
	if err := output.Print(s.out, f, res, g.style(s.out)); err != nil {
		return err
	}
	if len(rr.Reasons) > 0 {
		return problems("%s", strings.Join(rr.Reasons, "; "))
	}
	return nil
}
