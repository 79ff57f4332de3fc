package actionmode

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hubfleet/hubfleet/internal/gitrepo"
)

// GitPlanner plans at the level of the committed Flux objects: for each
// site, the diff of overlays/<site>/ between the merge base with the base
// branch and the work tree, the HelmRelease chart versions before and
// after, and the one-way doors between them. The chart-level plan (the
// rendered chart objects) replaces it when wired in.
type GitPlanner struct {
	Git gitrepo.Options
}

// Plan implements Planner.
func (p GitPlanner) Plan(ctx context.Context, root, baseRef string, sites []string) ([]SitePlan, error) {
	repo, err := gitrepo.Open(ctx, root, p.Git)
	if err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	base, err := resolveBase(ctx, repo, baseRef)
	if err != nil {
		return nil, fmt.Errorf("plan: %w", err)
	}
	var plans []SitePlan
	var errs []error
	for _, s := range sites {
		sp, err := planSite(ctx, repo, base, s)
		if err != nil {
			errs = append(errs, fmt.Errorf("site %s: %w", s, err))
			continue
		}
		plans = append(plans, sp)
	}
	return plans, errors.Join(errs...)
}

// resolveBase finds the base branch locally or as a remote-tracking branch.
func resolveBase(ctx context.Context, repo *gitrepo.Repo, ref string) (string, error) {
	var errs []error
	for _, cand := range []string{"origin/" + ref, ref} {
		id, err := repo.RevParse(ctx, cand)
		if err == nil {
			return id, nil
		}
		errs = append(errs, err)
	}
	return "", fmt.Errorf("base %s not found (check out with fetch-depth: 0): %w", ref, errors.Join(errs...))
}

func planSite(ctx context.Context, repo *gitrepo.Repo, base, name string) (SitePlan, error) {
	dir := path.Join("overlays", name) + "/"
	sp := SitePlan{Site: name}
	beforeFiles, err := repo.ListFiles(ctx, base, dir)
	if err != nil {
		return sp, err
	}
	before := map[string][]byte{}
	for _, f := range beforeFiles {
		b, err := repo.Show(ctx, base, f)
		if err != nil {
			return sp, err
		}
		before[f] = b
	}
	after, err := readTree(filepath.Join(repo.Dir(), filepath.FromSlash(dir)), dir)
	if err != nil {
		return sp, err
	}
	diff, err := repo.Diff(ctx, base, "", dir)
	if err != nil {
		return sp, err
	}
	switch {
	case len(before) == 0 && len(after) == 0:
		sp.Change, sp.Summary = ChangeUnchanged, "no overlay yet"
	case len(before) == 0:
		sp.Change = ChangeAdded
	case len(after) == 0:
		sp.Change = ChangeRemoved
	case strings.TrimSpace(diff) == "":
		sp.Change = ChangeUnchanged
	default:
		sp.Change = ChangeChanged
	}
	vb, va := chartVersions(before), chartVersions(after)
	var parts []string
	for _, c := range unionKeys(vb, va) {
		switch {
		case vb[c] == va[c]:
		case vb[c] == "":
			parts = append(parts, fmt.Sprintf("%s %s", c, va[c]))
		case va[c] == "":
			parts = append(parts, fmt.Sprintf("%s %s removed", c, vb[c]))
		default:
			parts = append(parts, fmt.Sprintf("%s %s → %s", c, vb[c], va[c]))
		}
	}
	if sp.Change != ChangeUnchanged {
		files := changedFiles(diff)
		if len(parts) == 0 {
			parts = append(parts, fmt.Sprintf("%d file(s)", len(files)))
		}
		sp.Summary = strings.Join(parts, ", ")
		sp.OneWayDoors = OneWayDoors(vb, va)
		sp.Details = fence("diff", diff)
	}
	return sp, nil
}

// readTree reads every file under dir (on disk) keyed by rel-prefixed
// slash path.
func readTree(dir, rel string) (map[string][]byte, error) {
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return filepath.SkipDir
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		r, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		out[path.Join(rel, filepath.ToSlash(r))] = b
		return nil
	})
	if errors.Is(err, os.ErrNotExist) {
		return out, nil
	}
	return out, err
}

func unionKeys(a, b map[string]string) []string {
	m := map[string]bool{}
	for k := range a {
		m[k] = true
	}
	for k := range b {
		m[k] = true
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func changedFiles(diff string) []string {
	var files []string
	for _, l := range strings.Split(diff, "\n") {
		if rest, ok := strings.CutPrefix(l, "diff --git a/"); ok {
			if i := strings.Index(rest, " b/"); i >= 0 {
				files = append(files, rest[:i])
			}
		}
	}
	return files
}
