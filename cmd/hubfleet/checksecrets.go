package main

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/hubfleet/hubfleet/internal/fleet"
	"github.com/hubfleet/hubfleet/internal/output"
	"github.com/hubfleet/hubfleet/internal/secretscan"
	"github.com/hubfleet/hubfleet/internal/site"
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
			var findings []secretscan.Finding
			var errs []error
			for _, p := range paths {
				err := filepath.WalkDir(p, func(file string, d fs.DirEntry, err error) error {
					if err != nil {
						return err
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
	if bytes.IndexByte(data, 0) >= 0 {
		return nil, nil // binary
	}
	switch filepath.Ext(file) {
	case ".yaml", ".yml":
		// A site file is scanned as validate scans it: its free-form
		// values with every rule, its typed fields (whose names are
		// hubfleet's, such as spec.secrets.values) by value.
		if bytes.Contains(data, []byte("kind: "+site.KindSite)) {
			if st, err := site.DecodeSite(file, data); err == nil && st.Kind == site.KindSite {
				return site.SiteFindings(st), nil
			}
		}
		return secretscan.YAML(file, data, notSecretMarks(data))
	}
	return secretscan.Text(file, data), nil
}

// notSecretMarks reads the marks of a site file (spec.secrets.notSecret)
// or of a rendered HelmRelease (the hubfleet.dev/not-secret annotation).
func notSecretMarks(data []byte) func(string) bool {
	var marks []string
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc struct {
			Kind     string `yaml:"kind"`
			Metadata struct {
				Annotations map[string]string `yaml:"annotations"`
			} `yaml:"metadata"`
			Spec struct {
				Secrets struct {
					NotSecret []site.NotSecret `yaml:"notSecret"`
				} `yaml:"secrets"`
			} `yaml:"spec"`
		}
		if err := dec.Decode(&doc); err != nil {
			break
		}
		for _, m := range doc.Spec.Secrets.NotSecret {
			marks = append(marks, m.Path)
		}
		marks = append(marks, site.ParseNotSecretAnnotation(doc.Metadata.Annotations[site.NotSecretAnnotation])...)
	}
	return func(p string) bool {
		for _, m := range marks {
			if p == m || strings.HasPrefix(p, m+".") || strings.HasPrefix(p, m+"[") {
				return true
			}
		}
		return false
	}
}

// fixFor says how to keep a finding out of git.
func fixFor(f secretscan.Finding) string {
	parts := strings.Split(filepath.ToSlash(f.File), "/")
	n := len(parts)
	if n >= 3 && parts[n-1] == fleet.SiteFile && parts[n-3] == fleet.ClustersDir {
		return site.SecretFix(f.Path, f.Key, parts[n-2])
	}
	if secretscan.IsSOPSFile(f.File) {
		return "encrypt the file again: hubfleet secret set writes it encrypted"
	}
	if n >= 2 && parts[n-2] != "" && strings.Contains(filepath.ToSlash(f.File), fleet.OverlaysDir+"/") {
		return "fix the site file and run hubfleet render: overlays are generated"
	}
	return "remove it, and keep it in a SOPS-encrypted Secret (hubfleet secret set) or a secret store"
}
