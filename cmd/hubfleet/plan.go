package main

import (
	"fmt"
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
	strict bool
	// confirm are the site removals confirmed, as a pull request does.
	confirm []string
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

Every site of the base and the work tree is listed once, with its verdict:
added, changed, unchanged, removed, problem (invalid, a chart version the
repository does not have, a chart that would not install) or unverified (its
chart repository could not be read and the chart is not cached: its overlay
diff is shown, with the reason). A site whose clusters/<site>/site.yaml is
gone is removed, whatever is left of its overlay: Flux prunes its namespace.
Invalid sites are listed as problems; the other sites are still planned.

Unchanged sites take one line. Charts are fetched from their repositories once
and kept in a local cache, so a second run works offline. With --charts=false
the plan is the overlay diff only.

Secret values are masked by structure in every format: the values at secret
paths and the payload of SOPS files ("[redacted]"; "[redacted, changed]" where
the value changes), never the key or the line around them.

Exit codes: 0 the plan was made (whether or not sites change), 1 a problem was
found (an invalid site, a chart that would not install as planned; with
--strict, an unverified site), 2 error.`,
		Example: `  hubfleet plan
  hubfleet plan --base HEAD~1 --site egi-pangeo
  hubfleet plan --charts=false          # the overlay diff only, no network
  hubfleet plan --confirm-removal egi-dev   # a removal is a problem until confirmed
  hubfleet plan --strict                # an unreachable chart repository fails the plan
  hubfleet plan -o markdown > plan.md`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			f, err := output.ParseFormat(o.output, planFormats)
			if err != nil {
				return err
			}
			// Invalid sites are planned as problems, next to the valid
			// ones, as the Action does; only a fleet that does not load
			// stops the plan.
			ws, err := workspace.Load(ctx, g.root, workspace.Options{})
			if err != nil {
				return err
			}
			if ws.Fleet == nil {
				errs := ws.Errors()
				return problems("%s\n%d problem(s) found", errs.Error(), len(errs))
			}
			if _, err := ws.Select(o.sites); err != nil {
				return err
			}
			repo, err := gitrepo.Open(ctx, ws.Root, gitrepo.DefaultOptions())
			if err != nil {
				if errs := ws.Errors(); len(errs) > 0 {
					// Nothing to plan against; the problems are still the
					// user's to fix.
					return problems("%s\n%d problem(s) found (and no plan: %v)", errs.Error(), len(errs), err)
				}
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
				fmt.Fprintf(s.err, "warning: the plan is incomplete:\n%s\n", res.Incomplete)
			}
			p := res.Plan
			for _, w := range p.Warnings {
				fmt.Fprintf(s.err, "warning: %s\n", w)
			}
			// The result is masked already, by the flow: print it.
			if err := output.Print(s.out, f, planResult{Header: output.NewHeader("plan"), Plan: p, report: res.Report}, output.Style{}); err != nil {
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
	cmd.Flags().StringSliceVar(&o.confirm, "confirm-removal", nil, "confirm removing this site (repeatable), as the pull request's line \"hubfleet: remove <site>\" does; an unconfirmed removal is a problem")
	cmd.Flags().BoolVar(&o.strict, "strict", false, "fail (exit 1) when a site is unverified: its chart repository could not be read and the chart is not cached")
	cmd.Flags().BoolVar(&o.charts, "charts", true, "render the charts and diff their objects (false: the overlay diff only, no network)")
	return cmd
}

// planFormats are plan's output formats.
var planFormats = []output.Format{output.Text, output.Markdown, output.JSON, output.YAML}

// planRequest maps the flags onto the plan flow's request: a terminal's
// plan reports stale overlays and site removals without failing on them.
func planRequest(ws *workspace.Workspace, o *planOptions) plan.Request {
	req := plan.Request{Workspace: ws, CompareOptions: plan.DefaultCompareOptions(), Base: o.base, Sites: o.sites}
	req.Charts = o.charts
	req.Strict = o.strict
	// The same gate as the pull request check: a removal is confirmed or
	// it is a problem.
	var body strings.Builder
	for _, n := range o.confirm {
		body.WriteString("hubfleet: remove " + n + "\n")
	}
	req.Confirm = &plan.Confirmation{Body: body.String()}
	return req
}
