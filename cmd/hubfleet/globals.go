package main

import (
	"context"
	"os"

	"github.com/spf13/cobra"

	"github.com/hubfleet/hubfleet/internal/fleet"
	"github.com/hubfleet/hubfleet/internal/output"
	"github.com/hubfleet/hubfleet/internal/progress"
)

// addGlobalFlags declares the flags every command shares, besides --root.
func addGlobalFlags(cmd *cobra.Command, g *globalOptions) {
	cmd.PersistentFlags().BoolVar(&g.noColor, "no-color", false, "no colour in the output (also: NO_COLOR=1); colour is used on a terminal only")
}

// prepare runs before every command: it finds --root and puts the
// progress line into the command's context.
func prepare(cmd *cobra.Command, g *globalOptions, s streams) {
	findRoot(cmd, g)
	cmd.SetContext(withProgress(cmd.Context(), s))
}

// findRoot sets --root, when not given, to the nearest directory above
// the working directory that holds bases/daskhub/fleet.yaml. Without one
// the root stays "." and the command's own error says what is missing.
func findRoot(cmd *cobra.Command, g *globalOptions) {
	if f := cmd.Flags().Lookup("root"); f != nil && f.Changed {
		return
	}
	if root, err := fleet.FindRoot("."); err == nil {
		g.root = root
	}
}

// style colours text for stream w by the output convention.
func (g *globalOptions) style(w any) output.Style {
	ww, _ := w.(interface{ Write([]byte) (int, error) })
	if ww == nil {
		return output.Style{}
	}
	return output.NewStyle(ww, g.noColor, os.Getenv)
}

// withProgress returns ctx with a progress line on s.err when it is a
// terminal. A stream that has its own progress options (a test's fake
// terminal) gets those.
func withProgress(ctx context.Context, s streams) context.Context {
	if !output.IsTerminal(s.err) {
		return ctx
	}
	opts := progress.DefaultOptions()
	if p, ok := s.err.(interface{ ProgressOptions() progress.Options }); ok {
		opts = p.ProgressOptions()
	}
	return progress.WithReporter(ctx, progress.New(s.err, opts))
}

// outputFlag declares -o/--output with the given formats, text the default,
// and its shell completion.
func outputFlag(cmd *cobra.Command, p *string, formats []output.Format) {
	cmd.Flags().StringVarP(p, "output", "o", string(output.Text), output.Names(formats))
	_ = cmd.RegisterFlagCompletionFunc("output", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		var names []string
		for _, f := range formats {
			names = append(names, string(f))
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	})
}
