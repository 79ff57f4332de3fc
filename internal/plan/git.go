package plan

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/hubfleet/hubfleet/internal/fleet"
	"github.com/hubfleet/hubfleet/internal/gitrepo"
	"github.com/hubfleet/hubfleet/internal/overlay"
)

// GitOptions say what Make compares.
type GitOptions struct {
	CompareOptions
	// Base is the ref compared with, resolved like git does (a local ref
	// first, then origin/<Base>); empty means origin/main, else main.
	Base string
	// Sites limits the plan; empty plans every site with an overlay at
	// Base or in the head.
	Sites []string
	// Head holds the head side's overlays of the sites it names, in
	// memory: what a command is about to write. The other sites are read
	// from the work tree.
	Head Sides
}

// Make plans the change from the base commit to the work tree of repo:
// the committed overlays at Base against the overlays on disk (or
// opts.Head).
func Make(ctx context.Context, repo *gitrepo.Repo, opts GitOptions) (*Plan, error) {
	ref := opts.Base
	if ref == "" {
		ref = repo.DefaultBase(ctx)
	}
	base, err := repo.Resolve(ctx, ref)
	if err != nil {
		return nil, fmt.Errorf("plan: base: %w", err)
	}
	sites := opts.Sites
	if len(sites) == 0 {
		at, err := overlay.SitesAt(ctx, repo, base)
		if err != nil {
			return nil, fmt.Errorf("plan: %w", err)
		}
		onDisk, err := overlay.SitesOnDisk(repo.Dir())
		if err != nil {
			return nil, fmt.Errorf("plan: %w", err)
		}
		set := map[string]bool{}
		for _, s := range append(append(at, onDisk...), slices.Collect(maps.Keys(opts.Head))...) {
			set[s] = true
		}
		sites = slices.Sorted(maps.Keys(set))
	}
	bs, hs := Sides{}, Sides{}
	_, ferr := os.Stat(filepath.Join(repo.Dir(), filepath.FromSlash(fleet.FleetFile)))
	isFleet := ferr == nil
	for _, s := range sites {
		if bs[s], err = overlay.FromGit(ctx, repo, base, s); err != nil {
			return nil, fmt.Errorf("plan: site %s at %s: %w", s, ref, err)
		}
		if files, ok := opts.Head[s]; ok {
			hs[s] = files
			continue
		}
		if isFleet && !siteFileExists(repo.Dir(), s) {
			// The site file is gone: the site is removed, whichever of
			// its files goes first. An overlay left on disk (emptied by
			// render, or not rendered yet) and clusters/<site>/'s
			// Kustomization only carry the removal to the cluster.
			continue
		}
		if hs[s], err = overlay.FromDisk(repo.Dir(), s); err != nil {
			return nil, fmt.Errorf("plan: site %s: %w", s, err)
		}
	}
	p, err := Compare(ctx, bs, hs, sites, opts.CompareOptions)
	if p != nil {
		p.Base = base
	}
	return p, err
}

// siteFileExists reports whether clusters/<site>/site.yaml is in the work
// tree at root.
func siteFileExists(root, site string) bool {
	_, err := os.Stat(filepath.Join(root, filepath.FromSlash(fleet.SitePath(site))))
	return !errors.Is(err, fs.ErrNotExist)
}
