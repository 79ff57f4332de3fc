package overlay

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	"sigs.k8s.io/yaml"

	"github.com/hubfleet/hubfleet/internal/chart"
	"github.com/hubfleet/hubfleet/internal/fleet"
	"github.com/hubfleet/hubfleet/internal/gitrepo"
	"github.com/hubfleet/hubfleet/internal/valuetree"
)

// Files are a site's overlay files by slash path from the repository root
// (overlays/<site>/...).
type Files map[string][]byte

// Site is one site's overlay, decoded.
type Site struct {
	Name  string
	Files Files
	// Releases are the HelmReleases, sorted by name.
	Releases []*helmv2.HelmRelease
	// Repositories are the HelmRepositories by name.
	Repositories map[string]*sourcev1.HelmRepository
	// Namespaces are the names of the Namespace objects, sorted.
	Namespaces []string
}

// Decode reads a site's overlay files. Kinds it does not need (the
// kustomization, SOPS secrets) are skipped; a HelmRelease or
// HelmRepository that does not decode is an error naming the file.
func Decode(name string, files Files) (*Site, error) {
	s := &Site{Name: name, Files: files, Repositories: map[string]*sourcev1.HelmRepository{}}
	var errs []error
	for _, p := range slices.Sorted(maps.Keys(files)) {
		for i, doc := range splitDocs(files[p]) {
			var head struct {
				Kind     string `json:"kind"`
				Metadata struct {
					Name string `json:"name"`
				} `json:"metadata"`
			}
			if err := yaml.Unmarshal(doc, &head); err != nil {
				if strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml") {
					errs = append(errs, fmt.Errorf("%s (document %d): %w", p, i+1, err))
				}
				continue
			}
			switch head.Kind {
			case helmv2.HelmReleaseKind:
				var hr helmv2.HelmRelease
				if err := yaml.Unmarshal(doc, &hr); err != nil {
					errs = append(errs, fmt.Errorf("%s: HelmRelease: %w", p, err))
					continue
				}
				s.Releases = append(s.Releases, &hr)
			case sourcev1.HelmRepositoryKind:
				var repo sourcev1.HelmRepository
				if err := yaml.Unmarshal(doc, &repo); err != nil {
					errs = append(errs, fmt.Errorf("%s: HelmRepository: %w", p, err))
					continue
				}
				s.Repositories[repo.Name] = &repo
			case "Namespace":
				s.Namespaces = append(s.Namespaces, head.Metadata.Name)
			}
		}
	}
	slices.SortFunc(s.Releases, func(a, b *helmv2.HelmRelease) int { return strings.Compare(a.Name, b.Name) })
	slices.Sort(s.Namespaces)
	return s, errors.Join(errs...)
}

func splitDocs(data []byte) [][]byte {
	var out [][]byte
	for _, d := range strings.Split("\n"+string(data), "\n---") {
		if strings.TrimSpace(d) != "" {
			out = append(out, []byte(d))
		}
	}
	return out
}

// ChartVersions are the chart name and version of every HelmRelease.
func (s *Site) ChartVersions() map[string]string {
	out := map[string]string{}
	for _, hr := range s.Releases {
		if c := hr.Spec.Chart; c != nil && c.Spec.Chart != "" {
			out[c.Spec.Chart] = c.Spec.Version
		}
	}
	return out
}

// ChartRef is where a HelmRelease's chart comes from.
func (s *Site) ChartRef(hr *helmv2.HelmRelease) (chart.Ref, error) {
	if hr.Spec.Chart == nil {
		return chart.Ref{}, fmt.Errorf("HelmRelease %s: no spec.chart", hr.Name)
	}
	cs := hr.Spec.Chart.Spec
	repo, ok := s.Repositories[cs.SourceRef.Name]
	if !ok {
		return chart.Ref{}, fmt.Errorf("HelmRelease %s: HelmRepository %s is not in the overlay", hr.Name, cs.SourceRef.Name)
	}
	return chart.Ref{RepoURL: repo.Spec.URL, Name: cs.Chart, Version: cs.Version}, nil
}

// Values are a HelmRelease's inline values, with each valuesFrom target
// path set to a placeholder naming its source, as helm-controller would
// merge them (the secret's value is never read).
func Values(hr *helmv2.HelmRelease) (map[string]any, error) {
	values := map[string]any{}
	if hr.Spec.Values != nil && len(hr.Spec.Values.Raw) > 0 {
		if err := yaml.Unmarshal(hr.Spec.Values.Raw, &values); err != nil {
			return nil, fmt.Errorf("HelmRelease %s: values: %w", hr.Name, err)
		}
	}
	for _, vf := range hr.Spec.ValuesFrom {
		if vf.TargetPath != "" {
			valuetree.Set(values, vf.TargetPath, fmt.Sprintf("<%s %s/%s>", vf.Kind, vf.Name, vf.ValuesKey))
		}
	}
	return values, nil
}

// ReleaseName and Namespace are where Helm installs the release.
func ReleaseName(hr *helmv2.HelmRelease) string {
	if hr.Spec.ReleaseName != "" {
		return hr.Spec.ReleaseName
	}
	return hr.Name
}

// Namespace is the release's target namespace.
func Namespace(hr *helmv2.HelmRelease) string {
	if hr.Spec.TargetNamespace != "" {
		return hr.Spec.TargetNamespace
	}
	return hr.Namespace
}

// Request turns a HelmRelease into a chart render request, resolving the
// chart through get.
func (s *Site) Request(ctx context.Context, hr *helmv2.HelmRelease, get func(context.Context, chart.Ref) (*chart.Chart, error)) (*chart.Request, error) {
	ref, err := s.ChartRef(hr)
	if err != nil {
		return nil, err
	}
	ch, err := get(ctx, ref)
	if err != nil {
		return nil, fmt.Errorf("HelmRelease %s: %w", hr.Name, err)
	}
	values, err := Values(hr)
	if err != nil {
		return nil, err
	}
	return &chart.Request{Site: s.Name, Chart: ch, ReleaseName: ReleaseName(hr), Namespace: Namespace(hr), Values: values}, nil
}

// Dir is a site's overlay directory, with a trailing slash.
func Dir(site string) string { return fleet.OverlayDir(site) + "/" }

// reads counts the overlay reads of the process (ReadCount).
var reads atomic.Int64

// ReadCount is how many times this process read overlays: one read is
// OnDisk (every site's overlay in the work tree) or AtCommit (the
// overlays at one commit). A command reads each side once; tests hold it
// to that.
func ReadCount() int64 { return reads.Load() }

// Tree is every site's overlay files on one side, by site name: a site
// with an overlay directory and no files has an empty entry.
type Tree map[string]Files

// OnDisk reads overlays/ of the work tree at root, once: every site's
// files, and the symbolic links found (not followed: the fleet loader
// reports them). No overlays/ is an empty tree.
func OnDisk(root string) (Tree, []string, error) {
	reads.Add(1)
	top := filepath.Join(root, fleet.OverlaysDir)
	out := Tree{}
	var links []string
	err := filepath.WalkDir(top, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		r, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		r = filepath.ToSlash(r)
		site := SiteOf(r)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			links = append(links, r)
			return nil
		case d.IsDir():
			if filepath.Dir(p) == top {
				out[d.Name()] = Files{}
			}
			return nil
		case site == "" || !d.Type().IsRegular():
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out[site][r] = b
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return Tree{}, nil, nil
	}
	return out, links, err
}

// AtCommit reads the overlays at a commit, once: of the sites named in
// only, or of every site with an overlay directory there when only is
// empty.
func AtCommit(ctx context.Context, repo *gitrepo.Repo, ref string, only []string) (Tree, error) {
	reads.Add(1)
	files, err := repo.ListFiles(ctx, ref, fleet.OverlaysDir+"/")
	if err != nil {
		return nil, err
	}
	out := Tree{}
	for _, f := range files {
		site := SiteOf(f)
		if site == "" || len(only) > 0 && !slices.Contains(only, site) {
			continue
		}
		if out[site] == nil {
			out[site] = Files{}
		}
		if out[site][f], err = repo.Show(ctx, ref, f); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// SiteOf is the site a repository path belongs to (clusters/<site>/...,
// overlays/<site>/...), or "".
func SiteOf(p string) string {
	parts := strings.Split(path.Clean(filepath.ToSlash(p)), "/")
	if len(parts) >= 3 && (parts[0] == fleet.ClustersDir || parts[0] == fleet.OverlaysDir) {
		return parts[1]
	}
	return ""
}

// MaxObjectBytes is the most a rendered object may hold: the Kubernetes
// API server refuses a request body over 1.5 MiB and etcd a value over
// 1.5 MiB by default; Helm keeps a release in a Secret of 1 MiB at most.
// Past 1 MiB, Flux would fail on the object later, on the cluster.
const MaxObjectBytes = 1 << 20

// LargestField is the path (a.b[0].c) of the largest scalar value of a
// YAML file, and its size in bytes: what makes a large object large.
func LargestField(data []byte) (field string, size int) {
	var walk func(p string, v any)
	walk = func(p string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for _, k := range slices.Sorted(maps.Keys(x)) {
				cp := k
				if p != "" {
					cp = p + "." + k
				}
				walk(cp, x[k])
			}
		case []any:
			for i, e := range x {
				walk(fmt.Sprintf("%s[%d]", p, i), e)
			}
		default:
			if n := len(fmt.Sprint(x)); n > size {
				field, size = p, n
			}
		}
	}
	for _, doc := range splitDocs(data) {
		var v any
		if yaml.Unmarshal(doc, &v) == nil {
			walk("", v)
		}
	}
	return field, size
}

// TooLarge says, for each file over MaxObjectBytes, what makes it large,
// by path.
func TooLarge(files map[string][]byte) map[string]string {
	out := map[string]string{}
	for _, p := range slices.Sorted(maps.Keys(files)) {
		if len(files[p]) <= MaxObjectBytes {
			continue
		}
		field, size := LargestField(files[p])
		out[p] = fmt.Sprintf("%s is %.1f MiB, over the 1 MiB a Kubernetes object may hold: its field %s alone is %.1f MiB (fix: move that value out of the site's values, e.g. into a ConfigMap or an image)",
			p, float64(len(files[p]))/(1<<20), field, float64(size)/(1<<20))
	}
	return out
}
