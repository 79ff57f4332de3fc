package filesecrets

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path"
	"path/filepath"
	"slices"

	"gopkg.in/yaml.v3"

	"github.com/hubfleet/hubfleet/internal/fleet"
	"github.com/hubfleet/hubfleet/internal/gitrepo"
	"github.com/hubfleet/hubfleet/internal/secretscan"
	"github.com/hubfleet/hubfleet/internal/site"
)

// Scan scans the content of a file named name (its extension decides how):
// a site or fleet file exactly as validate scans it (site.ScanFile), other
// YAML value by value, keys and comments included, other text line by
// line. Binary content is skipped.
func Scan(name string, data []byte) ([]secretscan.Finding, error) {
	if bytes.IndexByte(data, 0) >= 0 {
		return nil, nil
	}
	switch filepath.Ext(name) {
	case ".yaml", ".yml":
		if fs, ok, err := site.ScanFile(name, data); ok {
			return fs, err
		}
		fs, err := secretscan.YAML(name, data, notSecretMarks(data))
		if err != nil {
			// A file YAML cannot read is still scanned, as text.
			return append(fs, secretscan.Text(name, data)...), err
		}
		return fs, nil
	}
	return secretscan.Text(name, data), nil
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
	// A mark covers exactly the field it names.
	return func(p string) bool { return slices.Contains(marks, p) }
}

// Changed scans every fleet file (clusters/, overlays/, bases/) that
// differs between base and the work tree of repo, in both versions: a
// secret that an earlier, unguarded commit put into base shows in a diff
// against it as a removed line. A file the guard cannot parse contributes
// nothing; free-text masking (secretscan.RedactText) still applies to it.
func Changed(ctx context.Context, repo *gitrepo.Repo, base string) ([]secretscan.Finding, error) {
	dirs := []string{fleet.ClustersDir, fleet.OverlaysDir, path.Dir(path.Dir(fleet.FleetFile))}
	var changed []string
	for _, list := range []func() ([]string, error){
		func() ([]string, error) { return repo.ChangedFiles(ctx, dirs...) },
		func() ([]string, error) { return repo.DiffFiles(ctx, base, "HEAD", dirs...) },
		func() ([]string, error) { return repo.DiffFiles(ctx, "HEAD", base, dirs...) },
	} {
		files, err := list()
		if err != nil {
			return nil, err
		}
		changed = append(changed, files...)
	}
	slices.Sort(changed)
	changed = slices.Compact(changed)
	var findings []secretscan.Finding
	for _, f := range changed {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var versions [][]byte
		if data, err := repo.Show(ctx, base, f); err == nil {
			versions = append(versions, data)
		}
		if data, err := os.ReadFile(filepath.Join(repo.Dir(), filepath.FromSlash(f))); err == nil {
			versions = append(versions, data)
		} else if !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
		for _, data := range versions {
			fs, _ := Scan(f, data)
			findings = append(findings, fs...)
		}
	}
	return findings, nil
}
