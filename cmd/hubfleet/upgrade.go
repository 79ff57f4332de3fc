package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hubfleet/hubfleet/internal/plan"
	"github.com/hubfleet/hubfleet/internal/upgrade"
)

type upgradeOptions struct {
	wave int
	base string
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
('hubfleet action upgrade') does.`,
		Example: `  hubfleet upgrade && hubfleet plan
  hubfleet upgrade --wave 1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			abs, err := filepath.Abs(g.root)
			if err != nil {
				return err
			}
			fl, err := loadFleet(g.root)
			if err != nil {
				return err
			}
			res, err := upgrade.Default().Run(cmd.Context(),
				upgrade.Request{Root: abs, Fleet: fl, MaxWave: o.wave, BaseRef: o.base})
			if err != nil {
				return err
			}
			if len(res.Versions) == 0 {
				fmt.Fprintln(s.out, "no newer chart version within the fleet's constraints: nothing changed")
				return nil
			}
			for _, v := range res.Versions {
				line := fmt.Sprintf("%s %s -> %s", v.Chart, v.From, v.To)
				switch v.Stage {
				case upgrade.StageCanary:
					line += fmt.Sprintf(" (canary for waves up to %d: %s)", v.MaxWave, strings.Join(v.Running, ", "))
				case upgrade.StagePromote:
					line += " (canary promoted to every wave)"
				}
				fmt.Fprintln(s.out, line)
			}
			for _, d := range res.OneWayDoors {
				fmt.Fprintln(s.out, "ONE-WAY DOOR:", d)
			}
			if len(res.Deferred) > 0 {
				fmt.Fprintf(s.out, "later waves, after the first verify: %s\n", strings.Join(res.Deferred, ", "))
			}
			for _, sc := range res.Plan.Sites {
				fmt.Fprintf(s.out, "  %s: %s\n", sc.Site, plan.SiteLine(sc))
			}
			fmt.Fprintf(s.out, "wrote %d file(s); review with 'hubfleet plan', then commit\n", len(res.Written))
			return nil
		},
	}
	cmd.Flags().IntVar(&o.wave, "wave", -1, "stage new versions as canaries for the waves up to N (default: the fleet's rollout policy)")
	cmd.Flags().StringVar(&o.base, "base", "main", "the branch the upgrade is planned against")
	return cmd
}
