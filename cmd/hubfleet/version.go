package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hubfleet/hubfleet/internal/buildinfo"
	"github.com/hubfleet/hubfleet/internal/catalog"
	"github.com/hubfleet/hubfleet/internal/output"
)

// versionDoc is the output of hubfleet version (schema: version.json).
type versionDoc struct {
	output.Header
	buildinfo.Info
	// Charts are the chart versions the catalog knows facts about.
	Charts []catalog.ChartVersions `json:"charts"`
}

func newVersionDoc(bi buildinfo.Info) versionDoc {
	return versionDoc{Header: output.NewHeader("version"), Info: bi, Charts: catalog.Known()}
}

// WriteText writes the version for people.
func (d versionDoc) WriteText(w io.Writer, _ output.Style) error {
	d.text(w)
	return nil
}

func (d versionDoc) text(w io.Writer) {
	fmt.Fprintf(w, "hubfleet %s\n", d.Version)
	fmt.Fprintf(w, "module:  %s\n", d.Module)
	commit := d.Commit
	switch {
	case commit == "":
		commit = "unknown (not built from a git checkout)"
	case d.Modified:
		commit += " (with uncommitted changes)"
	}
	fmt.Fprintf(w, "commit:  %s\n", commit)
	fmt.Fprintf(w, "go:      %s\n", d.GoVersion)
	fmt.Fprintln(w, "charts the catalog knows:")
	for _, c := range d.Charts {
		fmt.Fprintf(w, "  %-13s %s\n", c.Chart, strings.Join(c.Versions, ", "))
	}
}

func versionText(bi buildinfo.Info) string {
	var b strings.Builder
	newVersionDoc(bi).text(&b)
	return b.String()
}

func newVersionCmd(s streams) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Show hubfleet's version, commit, Go version and the chart versions it knows",
		Long: `Version prints the module version, the commit and the Go version this binary was
built with (from the build information Go stamps into it), and the chart
versions hubfleet's catalog has facts about. A release binary (from the
project's releases, or the GitHub Action on a release ref) reports its tag
and commit; a binary from 'go install ...@vX.Y.Z' knows its release but no
commit; one built from a git checkout knows its commit and reports the
version "(devel)".`,
		Example: `  hubfleet version
  hubfleet --version
  hubfleet version -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f, err := output.ParseFormat(format, output.Machine)
			if err != nil {
				return err
			}
			return output.Print(s.out, f, newVersionDoc(buildinfo.Read()), output.Style{})
		},
	}
	outputFlag(cmd, &format, output.Machine)
	return cmd
}
