package main

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/hubfleet/hubfleet/internal/output"
	"github.com/hubfleet/hubfleet/internal/upgrade"
	"github.com/hubfleet/hubfleet/internal/workspace"
)

type upgradeOptions struct {
	wave   int
	base   string
	charts []string
	output string
	// allowUnknown proposes versions the chart catalog lacks.
	allowUnknown bool
}

func newUpgradeCmd(g *globalOptions, s streams) *cobra.Command {
	o := &upgradeOptions{}
	cmd := &cobra.Command{
		Use:   "upgrade",
		Short: "Move the fleet's chart pins to the newest versions its policy allows",
		Long: `Upgrade asks each chart repository in bases/daskhub/fleet.yaml for the newest
version within the chart's constraint (prereleases only where the fleet allows
them), writes it into the fleet file in place (comments kept) and re-renders
every site. It prints the version changes and the one-way doors they cross.
It commits nothing: review with 'hubfleet plan', then commit.

With spec.rollout.waves (or --wave N) a new version is first staged as the
chart's canary for the first waves that run it; promoting a verified canary
reads the sites' verify statuses on GitHub, which is what the upgrade workflow
('hubfleet action upgrade') does.

A pinned version (or staged canary) its chart repository lacks fails upgrade
as it fails validate, render and plan: the same problem, naming the versions
the repository has and one to set, and nothing is written. Upgrade moves
only a pin Flux can fetch; it does not skip past one it cannot.

A version hubfleet's chart catalog has no facts about (what a daskhub release
vendors, the OAuthenticator a jupyterhub chart ships) is not proposed: it is
named, with how to declare its facts in bases/daskhub/fleet.yaml
(spec.chartFacts), or taken anyway with --allow-unknown.

An operator's own umbrella chart (spec.charts.umbrellas.<name>) is upgraded
like the others, within its constraint, together with the jupyterhub version
it vendors (jupyterhubVersion, read from the new version's subcharts; one
without known facts is skipped and named, as above). With waves, where a
site of a later wave runs it (spec.chart.umbrella), the new version is staged
as its canary (spec.charts.umbrellas.<name>.canary: version, maxWave and the
jupyterhubVersion it vendors) and promoted as the other charts' canaries are;
where every site that runs it is in the waves being upgraded, its pin moves.`,
		Example: `  hubfleet upgrade && hubfleet plan
  hubfleet upgrade --chart jupyterhub
  hubfleet upgrade --wave 1
  hubfleet upgrade --chart jupyterhub --allow-unknown
  hubfleet upgrade --chart basehub --wave 1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f, err := output.ParseFormat(o.output, output.Machine)
			if err != nil {
				return err
			}
			ws, err := loadWorkspace(cmd.Context(), g.root, workspace.Options{}, nil)
			if err != nil {
				return err
			}
			if err := checkChartNames(g.root, o.charts); err != nil {
				return err
			}
			res, err := upgrade.Default().Run(cmd.Context(),
				upgrade.Request{Workspace: ws, MaxWave: o.wave, BaseRef: o.base, Charts: o.charts, AllowUnknown: o.allowUnknown})
			var cu *upgrade.CanaryUnverifiableError
			var pe *upgrade.ProblemsError
			if errors.As(err, &pe) {
				// The fleet's problem, as validate reports it.
				return problems("%s", pe.Error())
			}
			if errors.As(err, &cu) {
				// Not a tool failure: the way on is the user's to take.
				return problems("%s", cu.Error())
			}
			if err != nil {
				return err
			}
			return output.Print(s.out, f, newUpgradeResult(res), g.style(s.out))
		},
	}
	cmd.Flags().IntVar(&o.wave, "wave", -1, "stage new versions as canaries for the waves up to N (default: the fleet's rollout policy)")
	cmd.Flags().StringVar(&o.base, "base", "main", "the branch the upgrade is planned against")
	cmd.Flags().BoolVar(&o.allowUnknown, "allow-unknown", false, "propose chart versions hubfleet's chart catalog has no facts about (by default they are skipped and named; declare their facts under spec.chartFacts instead)")
	outputFlag(cmd, &o.output, output.Machine)
	cmd.Flags().StringSliceVar(&o.charts, "chart", nil, "upgrade only these charts (repeatable; the chart names bases/daskhub/fleet.yaml pins, operator umbrella charts included)")
	return cmd
}
