package workspace

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hubfleet/hubfleet/internal/chart"
	"github.com/hubfleet/hubfleet/internal/filesecrets"
	"github.com/hubfleet/hubfleet/internal/fleet"
	"github.com/hubfleet/hubfleet/internal/flux"
	"github.com/hubfleet/hubfleet/internal/overlay"
	"github.com/hubfleet/hubfleet/internal/site"
	"github.com/hubfleet/hubfleet/internal/valuesschema"
	"github.com/hubfleet/hubfleet/internal/writeset"
)

// Options say how much Load checks.
type Options struct {
	// Values checks every site's values (keys and types), and the fleet's
	// common values, against the charts' schemas, from the chart cache
	// only (no network).
	Values bool
	// ChartCache is the chart cache directory; empty means the user's.
	ChartCache string
	// Render renders every valid site as `hubfleet render` would, and
	// reports what it would refuse (a SOPS file or key the site needs and
	// does not have) and every rendered object over 1 MiB: validate and
	// render give one verdict. Commands that fix those (secret set) do
	// not set it.
	Render bool
	// RenderSites limits Render to these sites; empty is every site.
	RenderSites []string
}

// ForRender are the options of `hubfleet render`, `hubfleet validate` and
// the Action's render mode alike: the values against the cached chart
// schemas, and what the render would refuse.
// sites, when given, limits the render check to them (render --site).
func ForRender(chartCache string, sites ...string) Options {
	return Options{Values: true, Render: true, RenderSites: sites, ChartCache: chartCache}
}

// Workspace is a fleet repository's work tree, loaded.
type Workspace struct {
	// Root is the work tree's absolute path.
	Root string
	// Fleet is the loaded fleet; it may hold invalid sites (see Problems),
	// and is nil when not even the fleet file loads.
	Fleet *fleet.Fleet
	// Problems are every error and warning, in file and line order.
	Problems site.ErrorList

	// fsys is the tree as loaded: the disk, the previewed edits, and
	// overlays/ as read once (see tree).
	fsys fs.FS
	// disk is the tree but overlays/; overlays are the overlay files by
	// site, read once, and links the symbolic links under overlays/.
	disk     fs.FS
	overlays overlay.Tree
	links    []string
}

// Load loads the fleet at root. Problems in the files are in Problems, not
// the error: err is set only when loading could not run.
func Load(ctx context.Context, root string, opts Options) (*Workspace, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	w := &Workspace{Root: abs, disk: os.DirFS(abs)}
	if w.overlays, w.links, err = overlay.OnDisk(abs); err != nil {
		return nil, err
	}
	if err := w.load(ctx, opts); err != nil {
		return nil, err
	}
	return w, nil
}

// Preview is the workspace of the tree once edits (files a command is
// about to write: upgrade's edited fleet file) are written, loaded with
// opts; nothing is written, and nothing is read again but the fleet's
// site and fleet files.
func (w *Workspace) Preview(ctx context.Context, edits []flux.Change, opts Options) (*Workspace, error) {
	p := &Workspace{Root: w.Root, disk: writeset.Preview(w.disk, edits), overlays: w.Overlays(), links: w.links}
	for _, e := range edits {
		if n := overlay.SiteOf(e.Path); n != "" && strings.HasPrefix(e.Path, fleet.OverlaysDir+"/") {
			if p.overlays[n] == nil {
				p.overlays[n] = overlay.Files{}
			}
			if e.New == nil {
				delete(p.overlays[n], e.Path)
			} else {
				p.overlays[n][e.Path] = e.New
			}
		}
	}
	if err := p.load(ctx, opts); err != nil {
		return nil, err
	}
	return p, nil
}

// load loads the fleet from the tree w holds, and checks it.
func (w *Workspace) load(ctx context.Context, opts Options) error {
	w.fsys = tree{disk: w.disk, overlays: overlayTree(w.overlays, w.links)}
	fl, err := fleet.LoadContext(ctx, w.fsys)
	var list site.ErrorList
	if err != nil && !errors.As(err, &list) {
		return err
	}
	w.Fleet, w.Problems = fl, list
	w.Problems = append(w.Problems, filesecrets.Problems(ctx, w.fsys)...) // the secret guard on the fleet's other files
	if fl == nil {
		return nil
	}
	w.Problems = append(w.Problems, fl.Warnings...)
	w.Problems = append(w.Problems, sharedNamespaces(fl)...)
	if opts.Values && fl.Config != nil && len(fl.Sites) > 0 {
		ro := chart.DefaultResolverOptions()
		ro.CacheDir, ro.Offline = opts.ChartCache, true
		res, err := chart.NewResolver(ro)
		if err != nil {
			return err
		}
		for _, st := range fl.Sites {
			more, err := valuesschema.CheckSite(ctx, st, fl.Config, valuesschema.Options{Resolver: res})
			if err != nil {
				return err
			}
			w.Problems = append(w.Problems, more...)
		}
		more, err := valuesschema.CheckFleet(ctx, fl.Config, fl.Sites, valuesschema.Options{Resolver: res})
		if err != nil {
			return err
		}
		w.Problems = append(w.Problems, more...)
		if more, err = ChartVersions(ctx, fl, res); err != nil {
			return err
		}
		w.Problems = append(w.Problems, more...)
		if opts.Render {
			if more, err = w.largeObjects(ctx, opts.RenderSites); err != nil {
				return err
			}
			w.Problems = append(w.Problems, more...)
		}
	}
	w.Problems.Sort()
	return nil
}

// largeObjects renders the valid sites and reports each rendered file
// over overlay.MaxObjectBytes at its site file, naming the field that
// makes it large.
func (w *Workspace) largeObjects(ctx context.Context, only []string) (site.ErrorList, error) {
	for _, n := range only {
		if w.Fleet.Site(n) == nil {
			return nil, nil // render names the unknown site
		}
	}
	files, _, err := w.Render(ctx, only)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		// What render would refuse (a missing SOPS file, a key it does
		// not hold) is a problem validate reports too, the user's to fix.
		return renderProblems(err), nil
	}
	var out site.ErrorList
	for p, msg := range overlay.TooLarge(files) {
		name := overlay.SiteOf(p)
		s := w.Fleet.Site(name)
		if s == nil {
			continue
		}
		field, _ := overlay.LargestField(files[p])
		if i := strings.Index(field, "spec.values."); i == 0 {
			field = "spec.values." + strings.TrimPrefix(field, "spec.values.")
		}
		out = append(out, &site.FieldError{File: s.File, Line: site.LineOf(s.Lines, field), Field: field, Kind: site.KindSize,
			Msg: "renders too large an object: " + msg})
	}
	out.Sort()
	return out, ctx.Err()
}

// renderProblems turns the render's refusals ("<file>: <what>: run
// '<command>'", one a line) into problems at their files.
func renderProblems(err error) site.ErrorList {
	var out site.ErrorList
	for _, line := range strings.Split(strings.TrimPrefix(err.Error(), "render: "), "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		file, msg, ok := strings.Cut(line, ": ")
		if !ok || !strings.HasSuffix(file, ".yaml") {
			file, msg = fleet.FleetFile, line
		}
		fe := &site.FieldError{File: file, Kind: KindRenderRefused, Msg: msg}
		if i := strings.Index(msg, ": run '"); i >= 0 {
			fe.Msg, fe.Fix = msg[:i], "run "+strings.TrimSuffix(msg[i+len(": run "):], ".")
		}
		out = append(out, fe)
	}
	return out
}

// Errors are the problems that fail validation.
func (w *Workspace) Errors() site.ErrorList { return w.Problems.Errors() }

// Warnings are the problems that do not.
func (w *Workspace) Warnings() site.ErrorList { return w.Problems.Warnings() }

// Names are every site's name, sorted.
func (w *Workspace) Names() []string {
	if w.Fleet == nil {
		return nil
	}
	out := make([]string, 0, len(w.Fleet.Sites))
	for _, s := range w.Fleet.Sites {
		out = append(out, s.Metadata.Name)
	}
	return out
}

// Invalid are the sites with an error; "" stands for fleet-wide errors.
func (w *Workspace) Invalid() map[string]bool {
	out := map[string]bool{}
	for _, e := range w.Errors() {
		out[overlay.SiteOf(e.File)] = true
	}
	return out
}

// Select checks that every named site exists and returns the names: all
// sites when none are named.
func (w *Workspace) Select(names []string) ([]string, error) {
	all := w.Names()
	if len(names) == 0 {
		return all, nil
	}
	var errs []error
	for _, n := range names {
		if !slices.Contains(all, n) {
			errs = append(errs, fmt.Errorf("no site named %q (the sites are %s)", n, strings.Join(all, ", ")))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return names, nil
}

// Render renders the valid sites among only (every valid site when only
// is empty) and returns the files rendered and the changes from the files
// on disk. It writes nothing.
func (w *Workspace) Render(ctx context.Context, only []string) (files flux.Files, changes []flux.Change, err error) {
	if w.Fleet == nil || w.Fleet.Config == nil {
		return nil, nil, nil
	}
	invalid := w.Invalid()
	delete(invalid, "") // fleet-wide problems fail the command, not the render
	sel := only
	if len(invalid) > 0 {
		if len(sel) == 0 {
			sel = w.Names()
		}
		sel = slices.DeleteFunc(slices.Clone(sel), func(n string) bool { return invalid[n] })
		if len(sel) == 0 {
			return nil, nil, nil
		}
	}
	if files, err = flux.RenderContext(ctx, w.fsys, w.Fleet, sel); err != nil {
		return nil, nil, fmt.Errorf("render: %w", err)
	}
	if changes, err = flux.ChangesContext(ctx, w.fsys, w.Fleet, files, sel); err != nil {
		return nil, nil, fmt.Errorf("render: %w", err)
	}
	return files, changes, nil
}

// StaleFile is a rendered file that differs from a fresh render.
type StaleFile struct {
	Site string
	Path string
	// Diff is the unified diff from the file on disk to the fresh render.
	Diff string
	// Old is the file on disk (nil when missing), New the fresh render
	// (nil when the file goes).
	Old, New []byte
}

// Stale are the files of the valid sites among only that differ from a
// fresh render.
func (w *Workspace) Stale(ctx context.Context, only []string) ([]StaleFile, error) {
	_, changes, err := w.Render(ctx, only)
	if err != nil {
		return nil, err
	}
	var out []StaleFile
	for _, c := range changes {
		out = append(out, StaleFile{Site: overlay.SiteOf(c.Path), Path: c.Path, Diff: flux.Diff([]flux.Change{c}), Old: c.Old, New: c.New})
	}
	return out, nil
}
