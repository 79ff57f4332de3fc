package main

import (
	"context"
	"errors"
	"os"
	"path"
	"path/filepath"
	"slices"

	"github.com/hubfleet/hubfleet/internal/fleet"
	"github.com/hubfleet/hubfleet/internal/gitrepo"
	"github.com/hubfleet/hubfleet/internal/secretscan"
)

// maskPlan masks, in a plan printed in any format, every plain-text secret
// the guard finds in the fleet's files that differ between base and the
// work tree, at base and in the work tree: a secret an earlier, unguarded
// commit put into the base shows in the plan's diff as a removed line, and
// line-oriented masking cannot see it there once the diff is a JSON string
// or the value sits a line below its name (an env list entry). The free-text
// masking (secretscan.RedactText) then runs over the rest.
func maskPlan(ctx context.Context, repo *gitrepo.Repo, base, text string) (string, error) {
	dirs := []string{fleet.ClustersDir, fleet.OverlaysDir, path.Dir(path.Dir(fleet.FleetFile))}
	var changed []string
	for _, list := range []func() ([]string, error){
		func() ([]string, error) { return repo.ChangedFiles(ctx, dirs...) },
		func() ([]string, error) { return repo.DiffFiles(ctx, base, "HEAD", dirs...) },
		func() ([]string, error) { return repo.DiffFiles(ctx, "HEAD", base, dirs...) },
	} {
		files, err := list()
		if err != nil {
			return "", err
		}
		changed = append(changed, files...)
	}
	slices.Sort(changed)
	changed = slices.Compact(changed)
	var findings []secretscan.Finding
	for _, f := range changed {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		var versions [][]byte
		if data, err := repo.Show(ctx, base, f); err == nil {
			versions = append(versions, data)
		}
		if data, err := os.ReadFile(filepath.Join(repo.Dir(), filepath.FromSlash(f))); err == nil {
			versions = append(versions, data)
		} else if !errors.Is(err, os.ErrNotExist) {
			return "", err
		}
		for _, data := range versions {
			// A file the guard cannot parse is masked by the free-text
			// pass only.
			fs, _ := scanData(f, data)
			findings = append(findings, fs...)
		}
	}
	return secretscan.RedactText(secretscan.Redact(text, findings)), nil
}
