package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hubfleet/hubfleet/internal/actionmode"
	"github.com/hubfleet/hubfleet/internal/fleet"
	"github.com/hubfleet/hubfleet/internal/flux"
	"github.com/hubfleet/hubfleet/internal/gitrepo"
	"github.com/hubfleet/hubfleet/internal/plan"
	"github.com/hubfleet/hubfleet/internal/secretscan"
)

type planOptions struct {
	base   string
	sites  []string
	output string
}

func newPlanCmd(g *globalOptions, s streams) *cobra.Command {
	o := &planOptions{}
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Show what each site's change does against a git ref",
		Long: `Plan compares each site's committed overlay in the work tree with the same site
at --base (default origin/main, else main). For every site that changes it
shows:

  - the diff of its HelmRelease(s) and other overlay files;
  - the diff of the objects its chart renders, through the Helm SDK with the
    site's values and Kubernetes version (the hub Secret's data and checksum/*
    annotations, which z2jh mints anew on every render, are stripped);
  - chart and app version changes, with the one-way doors called out: a
    JupyterHub version change migrates the hub database and a revert will not
    undo it; CRD changes; a higher Kubernetes minimum.

Unchanged sites take one line. Charts are fetched from their repositories once
and kept in a local cache, so a second run works offline.

Exit code 1 when a site changes (like a diff), 0 when none does.`,
		Example: `  hubfleet plan
  hubfleet plan --base v1.2.0 --site egi-pangeo
  hubfleet plan -o markdown > plan.md`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
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
				fmt.Fprintf(s.err, "warning: %d rendered file(s) are stale; the plan shows the committed overlays: run 'hubfleet render' first\n", stale)
			}
			repo, err := gitrepo.Open(ctx, abs, gitrepo.DefaultOptions())
			if err != nil {
				return err
			}
			base := o.base
			if base == "" {
				base = "main"
				if _, err := repo.RevParse(ctx, "origin/main"); err == nil {
					base = "origin/main"
				}
			}
			sites := o.sites
			if len(sites) == 0 {
				if sites, err = planSites(ctx, repo, abs, base); err != nil {
					return err
				}
			}
			p, err := actionmode.DefaultOverlayPlanner().BuildPlan(ctx, abs, base, sites)
			if p == nil {
				return err
			}
			if err != nil {
				fmt.Fprintf(s.err, "warning: the plan is incomplete:\n%v\n", err)
			}
			// A secret committed before the guard existed still shows in a
			// diff against it: mask what the secret guard finds.
			var out bytes.Buffer
			switch o.output {
			case "text":
				err = plan.WriteText(&out, p)
			case "markdown":
				err = plan.WriteMarkdown(&out, p, plan.DefaultMarkdownOptions())
			case "json":
				err = plan.WriteJSON(&out, p)
			default:
				return fmt.Errorf("--output %q: use text, markdown or json", o.output)
			}
			if err != nil {
				return err
			}
			if _, err := io.WriteString(s.out, secretscan.RedactText(out.String())); err != nil {
				return err
			}
			for _, sc := range p.Sites {
				if sc.Status != plan.Unchanged {
					return problems("")
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&o.base, "base", "", "git ref to compare with (default origin/main, else main)")
	cmd.Flags().StringSliceVar(&o.sites, "site", nil, "plan only these sites (repeatable)")
	cmd.Flags().StringVarP(&o.output, "output", "o", "text", "text, markdown or json")
	return cmd
}

// planSites are the sites with an overlay in the work tree or at base.
func planSites(ctx context.Context, repo *gitrepo.Repo, root, base string) ([]string, error) {
	var out []string
	entries, err := os.ReadDir(filepath.Join(root, fleet.OverlaysDir))
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	files, err := repo.ListFiles(ctx, base, fleet.OverlaysDir+"/")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		parts := strings.Split(f, "/")
		if len(parts) >= 3 && !slices.Contains(out, parts[1]) {
			out = append(out, parts[1])
		}
	}
	slices.Sort(out)
	return out, nil
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
