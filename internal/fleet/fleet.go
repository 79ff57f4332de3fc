package fleet

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hubfleet/hubfleet/internal/site"
)

// Layout of a fleet repository, relative to its root.
const (
	FleetFile   = "bases/daskhub/fleet.yaml"
	ClustersDir = "clusters"
	OverlaysDir = "overlays"
	SiteFile    = "site.yaml"
)

// SitePath is the site file of the named site.
func SitePath(name string) string { return path.Join(ClustersDir, name, SiteFile) }

// OverlayDir is the generated overlay directory of the named site.
func OverlayDir(name string) string { return path.Join(OverlaysDir, name) }

// Fleet is a loaded fleet repository, made only by Load: the fleet file's
// policy (Config, the model of bases/daskhub/fleet.yaml, a site.Fleet) and
// every site. Commands get one through internal/workspace, loaded once.
type Fleet struct {
	// Config is bases/daskhub/fleet.yaml as decoded.
	Config *site.Fleet
	// Sites are sorted by name.
	Sites []*site.Site
	// Warnings are problems that do not fail validation (for example an
	// image tagged latest), in file and line order.
	Warnings site.ErrorList
}

// Site returns the named site, or nil.
func (f *Fleet) Site(name string) *site.Site {
	for _, s := range f.Sites {
		if s.Metadata.Name == name {
			return s
		}
	}
	return nil
}

// Load reads the fleet from fsys (usually os.DirFS(root)) and validates
// it. A returned site.ErrorList holds every problem in every file.
func Load(fsys fs.FS) (*Fleet, error) {
	return LoadContext(context.Background(), fsys)
}

// LoadContext is Load that stops when ctx is done; it then returns
// ctx.Err().
func LoadContext(ctx context.Context, fsys fs.FS) (*Fleet, error) {
	var errs site.ErrorList
	add := func(err error) {
		var list site.ErrorList
		if errors.As(err, &list) {
			errs = append(errs, list...)
			return
		}
		var fe *site.FieldError
		if errors.As(err, &fe) {
			errs = append(errs, fe)
			return
		}
		errs = append(errs, &site.FieldError{Msg: err.Error()})
	}

	f := &Fleet{}
	data, err := readLimited(fsys, FleetFile)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%s not found: is this a hubfleet repository? (run hubfleet from the repository root or pass --root)", FleetFile)
	case err != nil:
		return nil, fmt.Errorf("reading %s: %w", FleetFile, err)
	}
	if err := refuseSymlinks(fsys); err != nil {
		add(err)
	}
	var derr error
	if f.Config, derr = site.DecodeFleetContext(ctx, FleetFile, data); derr != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, ctxErr
		}
		add(derr)
	}
	if f.Config != nil {
		if err := site.ValidateFleet(f.Config); err != nil {
			add(err)
		}
		if derr != nil {
			f.Config = nil // sites are checked against a fleet that decoded
		}
	}

	dirs, err := fs.ReadDir(fsys, ClustersDir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("reading %s: %w", ClustersDir, err)
	}
	for _, d := range dirs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if !d.IsDir() {
			continue
		}
		file := SitePath(d.Name())
		data, err := readLimited(fsys, file)
		if errors.Is(err, fs.ErrNotExist) {
			continue // a cluster directory without a site (e.g. flux-system only)
		}
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", file, err)
		}
		s, err := site.DecodeSiteContext(ctx, file, data)
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, ctxErr
		}
		if err != nil {
			add(err)
		}
		if s == nil {
			continue // nothing to validate: empty, not UTF-8, not YAML
		}
		if s.Metadata.Name != d.Name() && s.Metadata.Name != "" {
			errs = append(errs, &site.FieldError{File: file, Line: s.Lines["metadata.name"], Field: "metadata.name", Kind: site.KindName,
				Msg: fmt.Sprintf("site %q lives in directory clusters/%s", s.Metadata.Name, d.Name()),
				Fix: fmt.Sprintf("rename the directory to clusters/%s or set metadata.name: %s", s.Metadata.Name, d.Name())})
		}
		if f.Config != nil {
			problems := site.Check(s, f.Config)
			errs = append(errs, problems.Errors()...)
			f.Warnings = append(f.Warnings, problems.Warnings()...)
		}
		f.Sites = append(f.Sites, s)
	}
	sort.Slice(f.Sites, func(i, j int) bool { return f.Sites[i].Metadata.Name < f.Sites[j].Metadata.Name })
	errs = append(errs, crossSite(f.Sites)...)
	f.Warnings.Sort()
	if err := errs.Err(); err != nil {
		return f, err
	}
	return f, nil
}

// LoadDir loads the fleet rooted at dir.
func LoadDir(dir string) (*Fleet, error) {
	return LoadDirContext(context.Background(), dir)
}

// LoadDirContext is LoadDir that stops when ctx is done.
func LoadDirContext(ctx context.Context, dir string) (*Fleet, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	return LoadContext(ctx, os.DirFS(abs))
}

// crossSite checks the rules that span sites.
func crossSite(sites []*site.Site) site.ErrorList {
	var errs site.ErrorList
	names := map[string]*site.Site{}
	hosts := map[string][]*site.Site{}
	for _, s := range sites {
		if n := s.Metadata.Name; n != "" {
			if other, dup := names[n]; dup {
				errs = append(errs, &site.FieldError{File: s.File, Line: s.Lines["metadata.name"], Field: "metadata.name", Kind: site.KindDuplicateSite,
					Msg: fmt.Sprintf("site name %q is also used by %s", n, other.File),
					Fix: "give every site a unique name"})
			}
			names[n] = s
		}
		if h := s.Spec.Host; h != "" {
			// Sites may share a host when their baseURL differs (several
			// hubs behind one ingress), but not when either serves the
			// host's certificate itself: autohttps owns the host's DNS
			// record and its Let's Encrypt account.
			for _, other := range hosts[h] {
				same := hostPath(other) == hostPath(s)
				if !same && other.Spec.TLS.Mode != site.TLSAutoHTTPS && s.Spec.TLS.Mode != site.TLSAutoHTTPS {
					continue
				}
				msg := fmt.Sprintf("host %q is also served by site %s (%s)", h, other.Metadata.Name, other.File)
				fix := "give each site its own DNS name, or its own spec.baseURL on the shared host"
				if !same {
					msg = fmt.Sprintf("host %q is also served by site %s (%s), and one of the two uses spec.tls.mode autohttps", h, other.Metadata.Name, other.File)
					fix = "sites that share a host use an ingress (spec.tls.mode cert-manager or secret), each with its own spec.baseURL; autohttps serves one hub per host"
				}
				errs = append(errs, &site.FieldError{File: s.File, Line: s.Lines["spec.host"], Field: "spec.host", Kind: site.KindDuplicateHost, Msg: msg, Fix: fix})
				break
			}
			hosts[h] = append(hosts[h], s)
		}
	}
	return errs
}

// hostPath is the part of the host's URL space a site serves: its
// baseURL without the trailing slash ("" for the root).
func hostPath(s *site.Site) string {
	return strings.TrimSuffix(s.Spec.BaseURL, "/")
}
