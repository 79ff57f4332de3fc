package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hubfleet/hubfleet/internal/fleet"
	"github.com/hubfleet/hubfleet/internal/flux"
	"github.com/hubfleet/hubfleet/internal/importer"
	"github.com/hubfleet/hubfleet/internal/site"
)

// ownerChartOptions are import's flags for the owner route: keep the
// operator's own umbrella chart instead of translating onto the upstream
// charts.
type ownerChartOptions struct {
	route   string
	name    string
	declare bool
	repo    string
	version string
	jhub    string
}

func addOwnerChartFlags(cmd *cobra.Command, o *ownerChartOptions) {
	cmd.Flags().StringVar(&o.route, "route", importer.RouteUpstream, "for values written for an operator's own chart: upstream (translate onto the upstream charts) or owner (keep the owners' chart, spec.chart.umbrella)")
	cmd.Flags().StringVar(&o.name, "owner-chart", "", "with --route owner: the owners' chart, as the fleet names it under spec.charts.umbrellas (default: the cluster file's helm_chart)")
	cmd.Flags().BoolVar(&o.declare, "declare-owner-chart", false, "with --route owner and --write: add the owners' chart to the fleet file when it is not declared there")
	cmd.Flags().StringVar(&o.repo, "owner-chart-repository", "", "with --declare-owner-chart: the Helm repository that serves the owners' chart")
	cmd.Flags().StringVar(&o.version, "owner-chart-version", "", "with --declare-owner-chart: the owners' chart version")
	cmd.Flags().StringVar(&o.jhub, "owner-chart-jupyterhub-version", "", "with --declare-owner-chart: the z2jh chart version the owners' chart vendors")
}

// ownerChartOf sets the import options of the owner route: the chart's
// name and, when the fleet file declares it, its declaration (whose key
// paths import splits the values at). It returns the declaration, or nil
// when the fleet has none yet.
func ownerChartOf(root string, o *ownerChartOptions, io *importer.Options) (*site.UmbrellaChart, error) {
	if io.Route != importer.RouteOwner {
		for _, f := range []struct {
			flag string
			set  bool
		}{{"--owner-chart", o.name != ""}, {"--owner-chart-repository", o.repo != ""}, {"--owner-chart-version", o.version != ""}, {"--owner-chart-jupyterhub-version", o.jhub != ""}} {
			if f.set {
				return nil, fmt.Errorf("%s is for --route owner: add --route owner, or leave it out", f.flag)
			}
		}
		return nil, nil
	}
	if o.name == "" {
		return nil, fmt.Errorf("--route owner: name the owners' chart with --owner-chart (the fleet's spec.charts.umbrellas key, e.g. daskhub), or give --cluster-file, whose helm_chart names it")
	}
	io.OwnerChart = o.name
	f, err := readFleetFile(root)
	if err != nil || f == nil {
		return nil, err
	}
	u, ok := f.Spec.Charts.Umbrellas[o.name]
	if !ok {
		return nil, nil
	}
	if o.declare {
		return nil, fmt.Errorf("--declare-owner-chart: %s declares spec.charts.umbrellas.%s already: leave the flag out", fleet.FleetFile, o.name)
	}
	io.Owner = &u
	return &u, nil
}

// readFleetFile decodes the fleet file, or returns nil when there is none.
func readFleetFile(root string) (*site.Fleet, error) {
	b, err := os.ReadFile(filepath.Join(root, fleet.FleetFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	f, err := site.DecodeFleet(fleet.FleetFile, b)
	if f == nil {
		return nil, err
	}
	return f, nil // the fleet's own problems are validate's to report
}

// declareOwnerChart adds the owners' chart to the fleet file
// (--declare-owner-chart), or prints the block to add.
func declareOwnerChart(root string, o *importOptions, proposed *site.UmbrellaChart, s streams) error {
	if proposed == nil {
		return nil
	}
	u := *proposed
	u.Chart, u.Repository, u.Version, u.JupyterHubVersion = o.owner.name, o.owner.repo, o.owner.version, o.owner.jhub
	if !o.owner.declare {
		fmt.Fprintf(s.err, "the fleet file declares no chart %q: add this under spec.charts in %s (or run again with --declare-owner-chart --owner-chart-repository URL --owner-chart-version V --owner-chart-jupyterhub-version V):\n  umbrellas:\n%s",
			o.owner.name, fleet.FleetFile, fleet.UmbrellaDeclaration(o.owner.name, u, 4))
		return nil
	}
	var missing []string
	for _, f := range []struct{ flag, v string }{{"--owner-chart-repository", u.Repository}, {"--owner-chart-version", u.Version}, {"--owner-chart-jupyterhub-version", u.JupyterHubVersion}} {
		if f.v == "" {
			missing = append(missing, f.flag)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("--declare-owner-chart: give %s (import cannot read them from the values)", strings.Join(missing, ", "))
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return err
	}
	// Nothing is written when the site cannot be.
	if _, err := os.Stat(filepath.Join(abs, fleet.SitePath(o.site))); err == nil {
		return fmt.Errorf("%s already exists: import never overwrites a site (remove it first, or import under another --site)", fleet.SitePath(o.site))
	}
	path := filepath.Join(abs, fleet.FleetFile)
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	out, err := fleet.AddUmbrella(data, o.owner.name, u)
	if err != nil {
		return err
	}
	if err := flux.WriteFile(abs, fleet.FleetFile, out); err != nil {
		return err
	}
	fmt.Fprintf(s.out, "added spec.charts.umbrellas.%s to %s\n", o.owner.name, fleet.FleetFile)
	return nil
}
