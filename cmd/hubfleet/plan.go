package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hubfleet/hubfleet/internal/gitrepo"
	"github.com/hubfleet/hubfleet/internal/output"
	"github.com/hubfleet/hubfleet/internal/plan"
	"github.com/hubfleet/hubfleet/internal/workspace"
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
			ws, err := loadWorkspace(ctx, g.root, workspace.Options{}, nil)
			if err != nil {
				return err
			}
			if _, err := ws.Select(o.sites); err != nil {
				return err
			}
			repo, err := gitrepo.Open(ctx, ws.Root, gitrepo.DefaultOptions())
			if err != nil {
				return err
			}
			res, err := plan.Run(ctx, repo, planRequest(ws, o))
			if err != nil {
				return err
			}
			if n := len(res.StaleFiles); n > 0 {
				fmt.Fprintf(s.err, "warning: %d rendered file(s) are stale; the plan shows the overlays on disk: run 'hubfleet render' first\n", n)
			}
			if res.Incomplete != nil {
				fmt.Fprintf(s.err, "warning: the plan is incomplete:\n%v\n", res.Incomplete)
			}
			p := res.Plan
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
			if err := output.Print(&out, first, planResult{Header: output.NewHeader("plan"), Plan: p, report: res.Report}, output.Style{}); err != nil {
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
			if len(res.Reasons) > 0 {
				return problems("%s", strings.Join(res.Reasons, "; "))
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

// planRequest maps the flags onto the plan flow's request: a terminal's
// plan reports stale overlays and site removals without failing on them.
func planRequest(ws *workspace.Workspace, o *planOptions) plan.Request {
	req := plan.Request{Workspace: ws, GitOptions: plan.GitOptions{CompareOptions: plan.DefaultCompareOptions(), Base: o.base, Sites: o.sites}}
	req.Charts = o.charts
	return req
}
