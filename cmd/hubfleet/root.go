package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/hubfleet/hubfleet/internal/buildinfo"
)

// Exit codes, mapped in one place.
const (
	exitOK       = 0
	exitProblems = 1 // differences, drift or failed checks found
	exitError    = 2 // the command could not do its job
)

// errProblems reports that the command worked and found problems (stale
// files, invalid sites, failing checks): exit code 1.
type errProblems struct{ msg string }

func (e *errProblems) Error() string { return e.msg }

// problems returns an error that maps to exit code 1.
func problems(format string, args ...any) error {
	return &errProblems{msg: fmt.Sprintf(format, args...)}
}

// streams are the command's standard streams.
type streams struct {
	in       io.Reader
	out, err io.Writer
}

// run executes hubfleet with args and returns the exit code.
func run(ctx context.Context, args []string, in io.Reader, stdout, stderr io.Writer) int {
	cmd := newRootCmd(streams{in: in, out: stdout, err: stderr})
	cmd.SetArgs(args)
	err := executeInterruptible(ctx, cmd)
	if err == nil {
		return exitOK
	}
	var p *errProblems
	if errors.As(err, &p) {
		if p.msg != "" {
			fmt.Fprintln(stderr, p.msg)
		}
		return exitProblems
	}
	fmt.Fprintln(stderr, "error:", err)
	return exitError
}

// globalOptions are flags shared by every command.
type globalOptions struct {
	root    string
	noColor bool
}

func newRootCmd(s streams) *cobra.Command {
	g := &globalOptions{}
	cmd := &cobra.Command{
		Use:   "hubfleet",
		Short: "Run a fleet of DaskHub deployments by GitOps with Flux",
		Long: `hubfleet keeps a fleet of DaskHub (JupyterHub + Dask Gateway) sites in one git
repository. Each site is one file, clusters/<site>/site.yaml; fleet-wide defaults
live in bases/daskhub/fleet.yaml. 'hubfleet render' turns them into the Flux
objects committed under overlays/<site>/, which Flux on each cluster applies.

Exit codes: 0 ok, 1 differences or problems found, 2 error.`,
		Example: `  hubfleet init my-fleet && cd my-fleet && hubfleet site new my-site
  hubfleet render && hubfleet plan`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	cmd.Version, cmd.PersistentPreRun = buildinfo.Read().Version, func(cmd *cobra.Command, _ []string) { prepare(cmd, g, s) }
	cmd.SetVersionTemplate(versionText(buildinfo.Read()))
	cmd.SetIn(s.in)
	cmd.SetOut(s.out)
	cmd.SetErr(s.err)
	cmd.PersistentFlags().StringVar(&g.root, "root", ".", "root of the fleet repository (default: the nearest directory above holding bases/daskhub/fleet.yaml)")
	addGlobalFlags(cmd, g)
	cmd.AddCommand(
		newRenderCmd(g, s),
		newValidateCmd(g, s),
		newSecretCmd(g, s),
		newImportCmd(g, s),
		newVerifyCmd(g, s),
		newPlanCmd(g, s),
		newUpgradeCmd(g, s),
		newRollbackCmd(g, s),
		newActionCmd(g, s),
		newVersionCmd(s),
		newInitCmd(g, s),
		newSiteCmd(g, s),
		newCheckSecretsCmd(g, s),
		newCacheCmd(s),
		newCompletionCmd(cmd),
	)
	addCompletions(cmd, g)
	return cmd
}
