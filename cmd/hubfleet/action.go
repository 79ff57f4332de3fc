package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hubfleet/hubfleet/internal/actionmode"
	"github.com/hubfleet/hubfleet/internal/targets"
	"github.com/hubfleet/hubfleet/internal/upgrade"
	"github.com/hubfleet/hubfleet/internal/verify"
)

// actionDeps are the fleet pieces the action modes call; nil ones make
// their mode fail with a clear error until they are wired.
type actionDeps struct {
	upgrader actionmode.Upgrader
	verifier actionmode.Verifier
}

func defaultActionDeps() actionDeps {
	// The verify mode decides as `hubfleet verify` does with its default
	// flags: the same resolver probe (--dns-probe).
	vopts := verify.DefaultOptions()
	vopts.ResolverProbe = verify.DefaultResolverProbe
	return actionDeps{
		upgrader: upgrade.Default(),
		verifier: targets.Verifier{Options: vopts},
	}
}

func newActionCmd(g *globalOptions, s streams) *cobra.Command {
	deps := defaultActionDeps()
	publish := false
	cmd := &cobra.Command{
		Use:   "action <" + strings.Join(actionmode.Modes, "|") + ">",
		Short: "Run a GitHub Action mode (what action/action.yml runs)",
		Long: `Action runs one mode of the hubfleet GitHub Action. It reads its inputs from
HUBFLEET_* variables (mapped from the action's inputs by action/action.yml) and
the GITHUB_* variables the runner sets, and reports with log groups per site,
annotations at file and line, a job summary and step outputs. Outside GitHub
Actions it prints the same to the terminal: log lines, annotations as
file:line, outputs as "output name=value", and the job summary as the Markdown the
runner would show.

  plan      validate, render and plan; keep one plan comment on the pull request
  render    commit re-rendered overlays when they are stale (rebase and retry)
  upgrade   bump chart pins within policy and open or update one pull request
  rollback  git revert the last overlay change of HUBFLEET_SITE (or HUBFLEET_COMMIT)
  verify    verify the sites and set one commit status per site

On a GitHub Actions runner (GITHUB_ACTIONS=true) the modes push, open pull
requests, comment and set statuses. Anywhere else they only say what they
would do, and change nothing outside a scratch work tree, unless --publish is
given.

A plan fails (exit 1) on invalid sites, stale overlays, chart problems, and a
site removal the pull request does not confirm: label it hubfleet/remove-site,
or add the line "hubfleet: remove <site>" to its description.

Exit codes: 0 ok, 1 a check failed, 2 error.`,
		Example: `  HUBFLEET_SITE=egi-dev hubfleet action rollback            # what a rollback would do
  HUBFLEET_SITE=egi-dev hubfleet action rollback --publish  # push it and open the pull request`,
		Args:      cobra.ExactArgs(1),
		ValidArgs: actionmode.Modes,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts := actionmode.DefaultOptions()
			opts.Root = g.root
			opts.Getenv = os.Getenv
			opts.Stdout = s.out
			opts.Publish = publish
			opts.Upgrader = deps.upgrader
			v, err := actionVerifier(os.Getenv, deps.verifier)
			if err != nil {
				return err
			}
			opts.Verifier = v
			err = actionmode.Run(cmd.Context(), args[0], opts)
			if actionmode.ExitCode(err) == 1 {
				return problems("%s", err)
			}
			if err != nil {
				return fmt.Errorf("action %s: %w", args[0], err)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&publish, "publish", false, "outside GitHub Actions, push, open pull requests, comment and set statuses")
	return cmd
}
