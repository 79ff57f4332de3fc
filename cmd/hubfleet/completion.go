package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hubfleet/hubfleet/internal/fleet"
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

// completeCharts completes the chart keys of bases/daskhub/fleet.yaml.
func completeCharts(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return []string{"daskhub", "jupyterhub", "dask-gateway"}, cobra.ShellCompDirectiveNoFileComp
}

// addCompletions registers completions on the commands others own: site
// names on every --site flag, chart names on --chart, formats on -o. It
// walks the finished tree so those files need no edit.
func addCompletions(root *cobra.Command, g *globalOptions) {
	root.InitDefaultCompletionCmd()
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Example == "" {
			c.Example = examples[c.CommandPath()]
		}
		if f := c.Flags().Lookup("site"); f != nil {
			if _, ok := c.GetFlagCompletionFunc("site"); !ok {
				_ = c.RegisterFlagCompletionFunc("site", completeSites(g))
			}
		}
		if f := c.Flags().Lookup("chart"); f != nil {
			if _, ok := c.GetFlagCompletionFunc("chart"); !ok {
				_ = c.RegisterFlagCompletionFunc("chart", completeCharts)
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

// examples are the help examples of commands whose files do not set one
// (the commands others own, and cobra's completion commands).
var examples = map[string]string{
	"hubfleet":                       "  hubfleet init my-fleet && cd my-fleet && hubfleet site new my-site\n  hubfleet render && hubfleet plan",
	"hubfleet validate":              "  hubfleet validate\n  cd clusters && hubfleet validate   # --root is found by walking up",
	"hubfleet secret":                "  hubfleet secret keygen --site egi-pangeo\n  printf '%s' \"$CLIENT_SECRET\" | hubfleet secret set --site egi-pangeo",
	"hubfleet action":                "  hubfleet action plan   # in a terminal: plain text, nothing pushed or commented",
	"hubfleet completion":            "  hubfleet completion bash > /etc/bash_completion.d/hubfleet",
	"hubfleet completion bash":       "  source <(hubfleet completion bash)",
	"hubfleet completion zsh":        "  hubfleet completion zsh > \"${fpath[1]}/_hubfleet\"",
	"hubfleet completion fish":       "  hubfleet completion fish > ~/.config/fish/completions/hubfleet.fish",
	"hubfleet completion powershell": "  hubfleet completion powershell | Out-String | Invoke-Expression",
}
