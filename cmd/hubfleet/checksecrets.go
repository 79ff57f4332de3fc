package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/hubfleet/hubfleet/internal/filesecrets"
	"github.com/hubfleet/hubfleet/internal/fleet"
	"github.com/hubfleet/hubfleet/internal/output"
	"github.com/hubfleet/hubfleet/internal/secretscan"
)

func newCheckSecretsCmd(g *globalOptions, s streams) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "check-secrets [PATH...]",
		Short: "Find plain-text secrets in files before they are committed",
		Long: `Check-secrets scans files for plain-text secrets with the same guard validate
and render use: secret-named keys and environment variables, ENC[...] values
outside *.sops.yaml files, unencrypted values inside them, known token formats,
secrets assigned in code and long random strings. YAML files are scanned value
by value; other text files line by line. Values marked in a site's
spec.secrets.notSecret (and on its HelmReleases) pass.

Without paths it scans the fleet: bases/, clusters/ and overlays/ under --root.
It prints where each finding is and never the value. Exit code 1 when
anything is found, so it fits CI and a pre-commit hook.`,
		Example: `  hubfleet check-secrets
  hubfleet check-secrets clusters/egi-pangeo values.yaml
  git diff --cached --name-only --diff-filter=ACM | xargs hubfleet check-secrets`,
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := output.ParseFormat(format, output.Machine)
			if err != nil {
				return err
			}
			paths := args
			if len(paths) == 0 {
				for _, d := range []string{"bases", fleet.ClustersDir, fleet.OverlaysDir} {
					p := filepath.Join(g.root, d)
					if _, err := os.Stat(p); err == nil {
						paths = append(paths, p)
					}
				}
			}
			ctx := cmd.Context()
			var findings []secretscan.Finding
			var errs []error
			for _, p := range paths {
				err := filepath.WalkDir(p, func(file string, d fs.DirEntry, err error) error {
					if err != nil {
						return err
					}
					if err := ctx.Err(); err != nil {
						return err // SIGINT/SIGTERM: stop between files
					}
					if d.IsDir() {
						if d.Name() == ".git" {
							return filepath.SkipDir
						}
						return nil
					}
					f, err := scanFile(file)
					if err != nil {
						errs = append(errs, err)
					}
					findings = append(findings, f...)
					return nil
				})
				if err := ctx.Err(); err != nil {
					return err
				}
				if err != nil {
					errs = append(errs, err)
				}
			}
			res := secretsResult{Header: output.NewHeader("check-secrets"), Findings: []secretFinding{}, incomplete: len(errs) > 0}
			for _, fd := range findings {
				res.Findings = append(res.Findings, secretFinding{Finding: fd, Fix: fixFor(fd)})
			}
			if err := output.Print(s.out, f, res, g.style(s.out)); err != nil {
				return err
			}
			if err := errors.Join(errs...); err != nil {
				return err
			}
			if len(findings) > 0 {
				return problems("%d plain-text secret(s) found", len(findings))
			}
			return nil
		},
	}
	outputFlag(cmd, &format, output.Machine)
	return cmd
}

// scanFile scans one file: YAML value by value, other text line by line.
func scanFile(file string) ([]secretscan.Finding, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	return filesecrets.Scan(file, data)
}

// fixFor says how to keep a finding out of git.
func fixFor(f secretscan.Finding) string { return filesecrets.Fix(f) }
