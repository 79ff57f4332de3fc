package main

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/hubfleet/hubfleet/internal/gitrepo"
	"github.com/hubfleet/hubfleet/internal/output"
	"github.com/hubfleet/hubfleet/internal/plan"
	"github.com/hubfleet/hubfleet/internal/rollback"
)

type rollbackOptions struct {
	site, commit string
	apply        bool
	charts       bool
	output       string
}

func newRollbackCmd(g *globalOptions, s streams) *cobra.Command {
	o := &rollbackOptions{}
	cmd := &cobra.Command{
		Use:   "rollback",
		Short: "Show (or commit locally) the git revert of a site's last overlay change",
		Long: `Rollback undoes a change the way hubfleet does everywhere: a real 'git revert'
of the last commit that changed the site's overlay (--site), or of a given
commit (--commit). Flux applies the revert as a forward 'helm upgrade' to the
old chart and values, not a Helm rollback.

It prints what comes back, as a plan from now to after the revert, with the
one-way doors crossed back over (a JupyterHub downgrade on a migrated hub
database), the files restored, later changes that stay, and the other sites
the reverted commit reaches.

By default nothing changes: the revert is made in a scratch work tree. With
--apply the revert is committed on the current branch. Nothing is ever pushed:
push it yourself, or run the rollback workflow ('hubfleet action rollback').`,
		Example: `  hubfleet rollback --site egi-pangeo
  hubfleet rollback --commit 1a2b3c4 --apply && git push`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f, err := output.ParseFormat(o.output, output.Machine)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			root, err := filepath.Abs(g.root)
			if err != nil {
				return err
			}
			// The revert is the operator's commit: their identity and
			// signing configuration, not the bot's.
			gopts := gitrepo.DefaultOptions()
			gopts.AsUser = true
			repo, err := gitrepo.Open(ctx, root, gopts)
			if err != nil {
				return err
			}
			req := rollback.Request{Site: o.site, Commit: o.commit, InPlace: o.apply, Compare: plan.DefaultCompareOptions()}
			req.Compare.Charts = o.charts
			res, err := rollback.Run(ctx, repo, req)
			var invalid *rollback.InvalidError
			if errors.As(err, &invalid) {
				return problems("%s\n%d problem(s) found", invalid.Problems.Error(), len(invalid.Problems))
			}
			if err != nil {
				return err
			}
			out := newRollbackResult(res, o.apply)
			for _, w := range out.warnings {
				fmt.Fprintf(s.err, "warning: %s\n", w)
			}
			return output.Print(s.out, f, out, g.style(s.out))
		},
	}
	cmd.Flags().StringVar(&o.site, "site", "", "revert the last commit that changed this site's overlay")
	cmd.Flags().StringVar(&o.commit, "commit", "", "revert this commit")
	cmd.Flags().BoolVar(&o.apply, "apply", false, "commit the revert on the current branch (never pushed)")
	cmd.Flags().BoolVar(&o.charts, "charts", true, "render the charts to plan the revert (false: the overlay diff only, no network)")
	outputFlag(cmd, &o.output, output.Machine)
	cmd.MarkFlagsMutuallyExclusive("site", "commit")
	cmd.MarkFlagsOneRequired("site", "commit")
	return cmd
}
