package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/hubfleet/hubfleet/internal/chart"
	"github.com/hubfleet/hubfleet/internal/fleet"
	"github.com/hubfleet/hubfleet/internal/output"
	"github.com/hubfleet/hubfleet/internal/site"
	"github.com/hubfleet/hubfleet/internal/valuesschema"
	"github.com/hubfleet/hubfleet/internal/workspace"
)

type validateOptions struct {
	output     string
	chartCache string
}

func newValidateCmd(g *globalOptions, s streams) *cobra.Command {
	o := &validateOptions{}
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Validate the fleet file and every site file",
		Long: `Validate reads bases/daskhub/fleet.yaml and every clusters/<site>/site.yaml and
reports every problem in every file at once, each with its file, line, field
and fix. A field that fails to decode is reported and only the checks that need
it are skipped.

Each site's spec.values keys are checked against the values.schema.json of the
charts the site runs, read from the local chart cache (the one 'hubfleet plan'
fills). Validate never uses the network: a chart missing from the cache is a
warning, not an error.

Warnings (for example an image tagged latest) are printed but do not fail
validation. Site files larger than 32 MiB are refused. Symbolic links under
clusters/ and overlays/ are errors.

With -o json the result is one JSON object on stdout (schema version 1):
  {"version": 1, "valid": false, "sites": 5, "errors": 1, "warnings": 0,
   "problems": [{"file": "...", "line": 28, "field": "spec.host",
                 "kind": "host", "severity": "error",
                 "message": "...", "fix": "..."}]}

Exit codes: 0 valid (warnings allowed), 1 problems found, 2 validation could
not run (no fleet here, an unreadable file, interrupted).`,
		Example: `  hubfleet validate
  hubfleet validate -o json | jq '.problems[] | select(.severity == "error")'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runValidate(cmd.Context(), g, o, s)
		},
	}
	outputFlag(cmd, &o.output, output.Machine)
	addChartCacheFlag(cmd, &o.chartCache)
	return cmd
}

func addChartCacheFlag(cmd *cobra.Command, dst *string) {
	cmd.Flags().StringVar(dst, "chart-cache", chart.DefaultCacheDir(), "chart cache to read values schemas from (never fetched here)")
}

// ValidateReportVersion is the version of the `validate -o json` schema.
// It changes only when a field is removed or changes meaning.
const ValidateReportVersion = 1

// validateReport is the `validate -o json` output.
type validateReport struct {
	output.Header
	Version  int            `json:"version"`
	Valid    bool           `json:"valid"`
	Sites    int            `json:"sites"`
	Errors   int            `json:"errors"`
	Warnings int            `json:"warnings"`
	Problems []reportedItem `json:"problems"`
}

type reportedItem struct {
	File     string `json:"file"`
	Line     int    `json:"line,omitempty"`
	Field    string `json:"field,omitempty"`
	Kind     string `json:"kind"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
	Fix      string `json:"fix,omitempty"`
}

func runValidate(ctx context.Context, g *globalOptions, o *validateOptions, s streams) error {
	f, err := output.ParseFormat(o.output, output.Machine)
	if err != nil {
		return err
	}
	ws, err := workspace.Load(ctx, g.root, workspace.ForRender(o.chartCache))
	if err != nil {
		return err
	}
	fl, all := ws.Fleet, ws.Problems
	errs, warns := all.Errors(), all.Warnings()
	rep := validateReport{Header: output.NewHeader("validate"), Version: ValidateReportVersion, Valid: len(errs) == 0, Errors: len(errs), Warnings: len(warns), Problems: []reportedItem{}}
	if fl != nil {
		rep.Sites = len(fl.Sites)
	}
	if f != output.Text {
		for _, e := range all {
			sev := "error"
			if e.Severity == site.SeverityWarning {
				sev = "warning"
			}
			rep.Problems = append(rep.Problems, reportedItem{File: e.File, Line: e.Line, Field: e.Field, Kind: string(e.Kind), Severity: sev, Message: e.Msg, Fix: e.Fix})
		}
		if err := output.Print(s.out, f, rep, output.Style{}); err != nil {
			return err
		}
		if len(errs) > 0 {
			return problems("")
		}
		return nil
	}
	if len(warns) > 0 {
		fmt.Fprintln(s.err, warns.Error())
	}
	if len(errs) > 0 {
		return problems("%s\n%d problem(s) found", errs.Error(), len(errs))
	}
	printFactWarnings(s.err, fl, nil)
	return output.Print(s.out, f, rep, g.style(s.out))
}

// checkImported checks an imported site's values keys against the chart
// schemas, as validate does, so a typo in the values file is reported at
// import time. Outside a fleet (no fleet file) there is nothing to check
// against and it returns nothing.
func checkImported(ctx context.Context, root, chartCache, rel string, data []byte) (site.ErrorList, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	fb, err := os.ReadFile(filepath.Join(abs, fleet.FleetFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	f, err := site.DecodeFleetContext(ctx, fleet.FleetFile, fb)
	if err != nil || f == nil {
		return nil, nil // validate reports the fleet file's own problems
	}
	st, err := site.DecodeSiteContext(ctx, rel, data)
	if st == nil {
		return nil, err
	}
	opts := chart.DefaultResolverOptions()
	opts.CacheDir, opts.Offline = chartCache, true
	res, err := chart.NewResolver(opts)
	if err != nil {
		return nil, err
	}
	return valuesschema.CheckSite(ctx, st, f, valuesschema.Options{Resolver: res})
}
