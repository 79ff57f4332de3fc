package main

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hubfleet/hubfleet/internal/buildinfo"
	"github.com/hubfleet/hubfleet/internal/output"
	"github.com/hubfleet/hubfleet/internal/scaffold"
)

type initOptions struct {
	name          string
	force         bool
	overwrite     bool
	ageRecipients []string
	actionRepo    string
	actionRef     string
	actionVersion string
	output        string
}

// initDoc is the output of hubfleet init (schema: init.json).
type initDoc struct {
	output.Header
	Dir      string   `json:"dir"`
	Action   string   `json:"action"`
	Written  []string `json:"written"`
	Skipped  []string `json:"skipped"`
	Warnings []string `json:"warnings"`
	// cd is the directory to change to next, when not the current one.
	cd string
}

func (d initDoc) WriteText(w io.Writer, st output.Style) error {
	var b strings.Builder
	for _, p := range d.Written {
		fmt.Fprintf(&b, "%s %s\n", st.Good("created"), p)
	}
	for _, p := range d.Skipped {
		fmt.Fprintf(&b, "%s %s (exists)\n", st.Warn("kept"), p)
	}
	fmt.Fprintf(&b, "\nA new fleet in %s; its workflows use %s.\nNext:\n", d.Dir, d.Action)
	if d.cd != "" {
		fmt.Fprintf(&b, "  cd %s\n", d.cd)
	}
	fmt.Fprintln(&b, "  hubfleet site new NAME     # add a site (asks for what it needs)")
	fmt.Fprintln(&b, "  hubfleet validate")
	_, err := io.WriteString(w, b.String())
	return err
}

func newInitCmd(g *globalOptions, s streams) *cobra.Command {
	o := &initOptions{}
	cmd := &cobra.Command{
		Use:   "init [DIR]",
		Short: "Start a new fleet repository",
		Long: `Init writes a new fleet repository into DIR (default: the current directory):

  bases/daskhub/fleet.yaml   the fleet's defaults, with the newest chart
                             versions hubfleet knows pinned
  clusters/                  empty: add sites with 'hubfleet site new'
  .github/workflows/         plan, render, upgrade, rollback and verify,
                             using the hubfleet action pinned to the commit
                             of the release that runs init
  README.md, .sops.yaml, .gitignore

The result passes 'hubfleet validate' and 'hubfleet render --check'.

The action pin: a release (go install .../cmd/hubfleet@vX.Y.Z) pins the
commit of tag vX.Y.Z, found with 'git ls-remote' (without network: the tag,
with a warning). A development build pins the commit it was built from (which
must be pushed), and a build that knows no commit (go run) pins main, with a
warning. --action-ref overrides all of this.

DIR must be empty (a .git directory is fine) unless --force; existing files
are then kept unless --overwrite. Nothing is committed or pushed.`,
		Example: `  mkdir my-fleet && cd my-fleet && git init && hubfleet init
  hubfleet init my-fleet --age-recipient age1...   # the operators' public key
  hubfleet init . --force                           # add the missing files to an existing repository`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := "."
			if len(args) == 1 {
				dir = args[0]
			}
			f, err := output.ParseFormat(o.output, output.Machine)
			if err != nil {
				return err
			}
			return runInit(cmd, g, dir, o, f, s)
		},
	}
	cmd.Flags().StringVar(&o.name, "name", "", "the fleet's name (default: DIR's base name)")
	cmd.Flags().BoolVar(&o.force, "force", false, "write into a non-empty DIR (existing files are kept)")
	cmd.Flags().BoolVar(&o.overwrite, "overwrite", false, "with --force: replace existing files of the same name")
	cmd.Flags().StringSliceVar(&o.ageRecipients, "age-recipient", nil, "an operator's public age key (repeatable); operators can decrypt every site's secrets")
	cmd.Flags().StringVar(&o.actionRepo, "action-repo", scaffold.DefaultActionRepo, "the GitHub repository of the hubfleet action")
	cmd.Flags().StringVar(&o.actionRef, "action-ref", "", "pin the action to this commit SHA (or tag) instead of the one this binary was built from")
	cmd.Flags().StringVar(&o.actionVersion, "action-version", "", "the release to pin (default: this binary's version)")
	outputFlag(cmd, &o.output, output.Machine)
	return cmd
}

func runInit(cmd *cobra.Command, g *globalOptions, dir string, o *initOptions, f output.Format, s streams) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if !o.force {
		if err := scaffold.CheckEmpty(abs); err != nil {
			return err
		}
	}
	name := o.name
	if name == "" {
		name = scaffold.FleetName(filepath.Base(abs))
	}
	bi := buildinfo.Read()
	action, warnings := scaffold.ResolveAction(cmd.Context(), bi, scaffold.ResolveOptions{
		Repo: o.actionRepo, Ref: o.actionRef, Version: o.actionVersion,
	})
	files, err := scaffold.Fleet(scaffold.FleetOptions{
		Name: name, Action: action, Version: bi.Version, AgeRecipients: o.ageRecipients,
	})
	if err != nil {
		return err
	}
	written, skipped, err := scaffold.Write(abs, files, o.overwrite)
	if err != nil {
		return err
	}
	doc := initDoc{Header: output.NewHeader("init"), Dir: abs, Action: action.Uses(),
		Written: nonNil(written), Skipped: nonNil(skipped), Warnings: nonNil(warnings)}
	for _, w := range warnings {
		fmt.Fprintln(s.err, "warning:", w)
	}
	if dir != "." {
		doc.cd = dir
	}
	return output.Print(s.out, f, doc, g.style(s.out))
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}
