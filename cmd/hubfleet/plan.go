package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/hubfleet/hubfleet/internal/fleet"
	"github.com/hubfleet/hubfleet/internal/flux"
	"github.com/hubfleet/hubfleet/internal/gitrepo"
	"github.com/hubfleet/hubfleet/internal/output"
	"github.com/hubfleet/hubfleet/internal/plan"
)

type planOptions struct {
	base   string
	sites  []string
	output string
	charts bool
}

func newPlanCmd(g *globalOptions, s streams) *cobra.Command {
	o := &planOptions{}
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Show what each site's change does against a git ref",
		Long: `Plan compares each site's committed overlay in the work tree with the same site
at --base, resolved like git does (a local ref or revision such as HEAD~1
first, then origin/<base>; default origin/main, else main). For every site
that changes it shows:

  - the diff of its HelmRelease(s) and other overlay files;
  - the diff of the objects its chart renders, through the Helm SDK with the
    site's values and Kubernetes version (the hub Secret's data and checksum/*
    annotations, which z2jh mints anew on every render, are stripped; objects
    whose only change is a chart-version label are counted in one line);
  - chart and app version changes, with the one-way doors called out: a
    JupyterHub version change migrates the hub database and a revert will not
    undo it (a downgrade is named as one); CRD changes; a higher Kubernetes
    minimum; a removed site, with the namespace and volumes Flux prunes;
  - problems: values the chart's schema rejects, template errors, failed
    checks of the rendered objects (proxy-public type, ingress host and TLS,
    the dask-gateway route).

Unchanged sites take one line. Charts are fetched from their repositories once
and kept in a local cache, so a second run works offline. With --charts=false,
or when a chart is neither reachable nor cached (with a warning), the plan is
the overlay diff only.

Exit codes: 0 the plan was made (whether or not sites change), 1 a problem was
found (a chart would not install as planned), 2 error.`,
		Example: `  hubfleet plan
  hubfleet plan --base HEAD~1 --site egi-pangeo
  hubfleet plan --charts=false          # the overlay diff only, no network
  hubfleet plan -o markdown > plan.md`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			f, err := output.ParseFormat(o.output, planFormats)
			if err != nil {
				return err
			}
			abs, err := filepath.Abs(g.root)
			if err != nil {
				return err
			}
			fl, err := loadFleet(g.root)
			if err != nil {
				return err
			}
			if stale, err := staleFiles(abs, fl); err != nil {
				return err
			} else if stale > 0 {
				fmt.Fprintf(s.err, "warning: %d rendered file(s) are stale; the plan shows the overlays on disk: run 'hubfleet render' first\n", stale)
			}
			repo, err := gitrepo.Open(ctx, abs, gitrepo.DefaultOptions())
			if err != nil {
				return err
			}
			p, err := plan.Make(ctx, repo, planGitOptions(fl, o))
			if p == nil {
				return err
			}
			if err != nil {
				fmt.Fprintf(s.err, "warning: the plan is incomplete:\n%v\n", err)
			}
			for _, w := range p.Warnings {
				fmt.Fprintf(s.err, "warning: %s\n", w)
			}
			// A secret committed before the guard existed still shows in a
			// diff against it: mask what the secret guard finds.
			// YAML is made from the masked JSON, so a mask stays a string.
			var out bytes.Buffer
			first := f
			if f == output.YAML {
				first = output.JSON
			}
			if err := output.Print(&out, first, planResult{Header: output.NewHeader("plan"), Plan: p}, output.Style{}); err != nil {
				return err
			}
			masked, err := maskPlan(ctx, repo, p.Base, out.String())
			if err != nil {
				return err
			}
			if f == output.YAML {
				err = output.WriteYAML(s.out, json.RawMessage(masked))
			} else {
				_, err = io.WriteString(s.out, masked)
			}
			if err != nil {
				return err
			}
			if n := p.Problems(); n > 0 {
				return problems("%d problem(s): a chart would not install as planned", n)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&o.base, "base", "", "git ref to compare with, resolved like git (default origin/main, else main)")
	cmd.Flags().StringSliceVar(&o.sites, "site", nil, "plan only these sites (repeatable)")
	outputFlag(cmd, &o.output, planFormats)
	cmd.Flags().BoolVar(&o.charts, "charts", true, "render the charts and diff their objects (false: the overlay diff only, no network)")
	return cmd
}

// planFormats are plan's output formats.
var planFormats = []output.Format{output.Text, output.Markdown, output.JSON, output.YAML}

// planGitOptions maps the flags onto the plan's options.
func planGitOptions(fl *fleet.Fleet, o *planOptions) plan.GitOptions {
	opts := plan.GitOptions{CompareOptions: plan.DefaultCompareOptions(), Base: o.base, Sites: o.sites}
	opts.Charts = o.charts
	opts.Fleet = fl
	return opts
}

// staleFiles counts the rendered files that differ from a fresh render.
func staleFiles(root string, fl *fleet.Fleet) (int, error) {
	fsys := os.DirFS(root)
	files, err := flux.Render(fsys, fl, nil)
	if err != nil {
		return 0, err
	}
	changes, err := flux.Changes(fsys, fl, files, nil)
	return len(changes), err
}
