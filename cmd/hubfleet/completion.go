package main

import (
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hubfleet/hubfleet/internal/fleet"
	"github.com/hubfleet/hubfleet/internal/site"
)

// completeSites completes site names: the directories under clusters/
// that hold a site file.
func completeSites(g *globalOptions) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(cmd *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
		findRoot(cmd, g)
		dirs, err := os.ReadDir(filepath.Join(g.root, fleet.ClustersDir))
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var names []string
		for _, d := range dirs {
			if !strings.HasPrefix(d.Name(), prefix) {
				continue
			}
			if _, err := os.Stat(filepath.Join(g.root, filepath.FromSlash(fleet.SitePath(d.Name())))); err == nil {
				names = append(names, d.Name())
			}
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	}
}

// completeCharts completes the chart names the fleet pins in
// bases/daskhub/fleet.yaml (its charts' chart: fields).
func completeCharts(g *globalOptions) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(cmd *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
		findRoot(cmd, g)
		var names []string
		for _, n := range fleetCharts(g.root) {
			if strings.HasPrefix(n, prefix) {
				names = append(names, n)
			}
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	}
}

// checkChartNames checks --chart names against the charts the fleet pins.
func checkChartNames(root string, names []string) error {
	known := fleetCharts(root)
	for _, n := range names {
		if !slices.Contains(known, n) {
			return fmt.Errorf("--chart %q: %s pins %s", n, fleet.FleetFile, strings.Join(known, ", "))
		}
	}
	return nil
}

// fleetCharts are the names of the charts the fleet file at root pins;
// none when it cannot be read.
func fleetCharts(root string) []string {
	data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(fleet.FleetFile)))
	if err != nil {
		return nil
	}
	f, err := site.DecodeFleet(fleet.FleetFile, data)
	if f == nil || err != nil {
		return nil
	}
	c := f.Spec.Charts
	var names []string
	srcs := []site.ChartSource{c.DaskHub, c.JupyterHub, c.DaskGateway}
	for _, n := range slices.Sorted(maps.Keys(c.Umbrellas)) {
		srcs = append(srcs, c.Umbrellas[n].Source())
	}
	for _, src := range srcs {
		if src.Chart != "" && src.Version != "" && !slices.Contains(names, src.Chart) {
			names = append(names, src.Chart)
		}
	}
	return names
}

// addCompletions registers completions on the commands others own: site
// names on every --site flag, chart names on --chart, formats on -o. It
// walks the finished tree so those files need no edit.
func addCompletions(root *cobra.Command, g *globalOptions) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if f := c.Flags().Lookup("site"); f != nil {
			if _, ok := c.GetFlagCompletionFunc("site"); !ok {
				_ = c.RegisterFlagCompletionFunc("site", completeSites(g))
			}
		}
		if f := c.Flags().Lookup("chart"); f != nil {
			if _, ok := c.GetFlagCompletionFunc("chart"); !ok {
				_ = c.RegisterFlagCompletionFunc("chart", completeCharts(g))
			}
		}
		if f := c.Flags().Lookup("output"); f != nil {
			if _, ok := c.GetFlagCompletionFunc("output"); !ok {
				_ = c.RegisterFlagCompletionFunc("output", formatsFromUsage(f.Usage))
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// formatsFromUsage completes -o from the formats its usage text names.
func formatsFromUsage(usage string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	known := map[string]bool{"text": true, "json": true, "yaml": true, "markdown": true, "table": true}
	var names []string
	for _, w := range strings.FieldsFunc(usage, func(r rune) bool { return r < 'a' || r > 'z' }) {
		if known[w] && !slices.Contains(names, w) {
			names = append(names, w)
		}
	}
	return cobra.FixedCompletions(names, cobra.ShellCompDirectiveNoFileComp)
}

// newCompletionCmd builds 'completion SHELL', which writes the shell's
// completion script for root (in place of cobra's default command, so each
// shell's help has its example).
func newCompletionCmd(root *cobra.Command) *cobra.Command {
	root.CompletionOptions.DisableDefaultCmd = true
	cmd := &cobra.Command{
		Use:   "completion",
		Short: "Write the completion script of a shell",
		Long: `Completion writes the script that makes a shell complete hubfleet's commands,
flags, site names (--site), chart names (--chart) and output formats (-o).`,
		Example: "  hubfleet completion bash > /etc/bash_completion.d/hubfleet",
		Args:    cobra.NoArgs,
	}
	var noDesc bool
	cmd.PersistentFlags().BoolVar(&noDesc, "no-descriptions", false, "complete without descriptions")
	shell := func(name, example string, write func(w io.Writer) error) *cobra.Command {
		return &cobra.Command{
			Use:     name,
			Short:   "Write the completion script of " + name,
			Example: example,
			Args:    cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				return write(cmd.OutOrStdout())
			},
		}
	}
	cmd.AddCommand(
		shell("bash", "  source <(hubfleet completion bash)", func(w io.Writer) error {
			return root.GenBashCompletionV2(w, !noDesc)
		}),
		shell("zsh", "  hubfleet completion zsh > \"${fpath[1]}/_hubfleet\"", func(w io.Writer) error {
			if noDesc {
				return root.GenZshCompletionNoDesc(w)
			}
			return root.GenZshCompletion(w)
		}),
		shell("fish", "  hubfleet completion fish > ~/.config/fish/completions/hubfleet.fish", func(w io.Writer) error {
			return root.GenFishCompletion(w, !noDesc)
		}),
		shell("powershell", "  hubfleet completion powershell | Out-String | Invoke-Expression", func(w io.Writer) error {
			if noDesc {
				return root.GenPowerShellCompletion(w)
			}
			return root.GenPowerShellCompletionWithDesc(w)
		}),
	)
	return cmd
}
