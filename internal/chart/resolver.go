package chart

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/Masterminds/semver/v3"
	"helm.sh/helm/v3/pkg/chart/loader"

	"github.com/hubfleet/hubfleet/internal/progress"
)

// Ref names a chart in an HTTP(S) Helm repository.
type Ref struct {
	// RepoURL is the repository URL (the HelmRepository spec.url).
	RepoURL string `json:"repoURL"`
	// Name is the chart name.
	Name string `json:"name"`
	// Version is an exact version or a Masterminds semver constraint
	// (as in HelmRelease spec.chart.spec.version); empty means the newest
	// stable version.
	Version string `json:"version,omitempty"`
}

func (r Ref) String() string {
	v := r.Version
	if v == "" {
		v = "*"
	}
	return fmt.Sprintf("%s/%s@%s", strings.TrimSuffix(redact(r.RepoURL), "/"), r.Name, v)
}

// ResolverOptions configures a Resolver.
type ResolverOptions struct {
	// CacheDir holds downloaded indexes and chart archives
	// (content-addressed by sha256).
	CacheDir string
	// Offline never contacts repositories: only the cache is used.
	Offline bool
	// IncludePrereleases lets a constraint match prerelease versions.
	// Constraints that name a prerelease match prereleases regardless.
	IncludePrereleases bool
	// Timeout bounds each HTTP request.
	Timeout time.Duration
	// CAFile, when set, is a PEM bundle to trust for HTTPS repositories,
	// in addition to the system's roots (a private CA, or a TLS-inspecting
	// proxy's).
	CAFile string
}

// DefaultCacheDir is os.UserCacheDir()/hubfleet/charts (or a directory
// under os.TempDir() when there is no user cache directory).
func DefaultCacheDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	return filepath.Join(dir, "hubfleet", "charts")
}

// DefaultResolverOptions returns the defaults: the user cache directory,
// online, stable versions only, 30 s per request.
func DefaultResolverOptions() ResolverOptions {
	return ResolverOptions{CacheDir: DefaultCacheDir(), Timeout: 30 * time.Second}
}

// Resolver resolves chart references to loaded charts. It is safe for
// concurrent use; each index and each chart is read once.
type Resolver struct {
	opts  ResolverOptions
	fetch *fetcher

	mu      sync.Mutex
	indexes map[string]*onceIndex
	charts  map[string]*onceChart
}

type onceIndex struct {
	once      sync.Once
	index     *indexFile
	fromCache bool
	fetchErr  error
	err       error
}

type onceChart struct {
	once  sync.Once
	chart *Chart
	err   error
}

// NewResolver returns a Resolver.
func NewResolver(opts ResolverOptions) (*Resolver, error) {
	if opts.CacheDir == "" {
		opts.CacheDir = DefaultCacheDir()
	}
	if opts.Timeout == 0 {
		opts.Timeout = DefaultResolverOptions().Timeout
	}
	for _, d := range []string{indexDir(opts.CacheDir), archiveDir(opts.CacheDir)} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("create chart cache: %w", err)
		}
	}
	f, err := newFetcher(opts)
	if err != nil {
		return nil, err
	}
	return &Resolver{
		opts:    opts,
		fetch:   f,
		indexes: map[string]*onceIndex{},
		charts:  map[string]*onceChart{},
	}, nil
}

func indexDir(cache string) string   { return filepath.Join(cache, "index") }
func archiveDir(cache string) string { return filepath.Join(cache, "sha256") }

func hashString(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// Resolve picks the version of ref, fetches (or reads from the cache) and
// verifies its archive and returns the loaded chart. Errors are
// *UnavailableError, *NotFoundError, *NoVersionError or
// *DigestMismatchError when the caller can act on them.
func (r *Resolver) Resolve(ctx context.Context, ref Ref) (*Chart, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ref.RepoURL = strings.TrimSuffix(ref.RepoURL, "/")
	defer progress.Start(ctx, "fetching chart %s from %s", ref.Name, ref.RepoURL)()
	idx, err := r.index(ctx, ref)
	if err != nil {
		return nil, err
	}
	cv, err := r.pick(ref, idx.index)
	if err != nil {
		return nil, err
	}
	return r.chart(ctx, ref, cv, idx)
}

func (r *Resolver) index(ctx context.Context, ref Ref) (*onceIndex, error) {
	r.mu.Lock()
	oi, ok := r.indexes[ref.RepoURL]
	if !ok {
		oi = &onceIndex{}
		r.indexes[ref.RepoURL] = oi
	}
	r.mu.Unlock()
	// The index is shared by every caller: one caller's cancellation must
	// not fail the others (the Timeout bounds the download).
	oi.once.Do(func() { r.loadIndex(context.WithoutCancel(ctx), ref, oi) })
	if oi.err != nil {
		return nil, oi.err
	}
	return oi, nil
}

// loadIndex downloads the repository index into the cache, falling back
// to the cached copy when the repository is unreachable. An index that
// does not parse is not cached.
func (r *Resolver) loadIndex(ctx context.Context, ref Ref, oi *onceIndex) {
	cached := filepath.Join(indexDir(r.opts.CacheDir), hashString(ref.RepoURL)+".yaml")
	if r.opts.Offline {
		oi.fetchErr = errors.New("offline mode")
	} else {
		oi.fetchErr = r.downloadIndex(ctx, ref.RepoURL, cached)
	}
	data, err := os.ReadFile(cached)
	if err != nil {
		if oi.fetchErr == nil {
			oi.err = fmt.Errorf("read index of %s: %w", redact(ref.RepoURL), err)
			return
		}
		oi.err = &UnavailableError{Ref: ref, Err: oi.fetchErr}
		return
	}
	idx, err := parseIndex(data)
	if err != nil {
		if oi.fetchErr == nil {
			oi.err = fmt.Errorf("read index of %s: %w", redact(ref.RepoURL), err)
			return
		}
		oi.err = &UnavailableError{Ref: ref, Err: oi.fetchErr}
		return
	}
	oi.index = idx
	oi.fromCache = oi.fetchErr != nil
}

func (r *Resolver) downloadIndex(ctx context.Context, repoURL, dest string) error {
	if _, err := url.Parse(repoURL); err != nil {
		return fmt.Errorf("invalid repository URL %q: %w", redact(repoURL), err)
	}
	u, err := resolveReferenceURL(repoURL, "index.yaml")
	if err != nil {
		return fmt.Errorf("repository %s: %w", redact(repoURL), err)
	}
	data, err := r.fetch.get(ctx, u, repoURL)
	if err != nil {
		return fmt.Errorf("download index of %s: %w", redact(repoURL), err)
	}
	if _, err := parseIndex(data); err != nil {
		return fmt.Errorf("index of %s: %w", redact(repoURL), err)
	}
	if err := writeAtomic(dest, data); err != nil {
		return fmt.Errorf("cache index of %s: %w", redact(repoURL), err)
	}
	return nil
}

func (r *Resolver) pick(ref Ref, idx *indexFile) (*chartVersion, error) {
	versions, ok := idx.Entries[ref.Name]
	if !ok || len(versions) == 0 {
		return nil, &NotFoundError{Ref: ref}
	}
	available := make([]string, 0, len(versions))
	for _, cv := range versions {
		available = append(available, cv.Version)
	}
	for _, cv := range versions {
		if ref.Version != "" && cv.Version == ref.Version {
			return cv, nil
		}
	}
	c := ref.Version
	if c == "" {
		c = "*"
	}
	constraint, err := semver.NewConstraint(c)
	if err != nil {
		return nil, &NoVersionError{Ref: ref, Available: available, Err: err}
	}
	constraint.IncludePrerelease = r.opts.IncludePrereleases
	var best *chartVersion
	var bestV *semver.Version
	for _, cv := range versions {
		v, err := semver.NewVersion(cv.Version)
		if err != nil || !constraint.Check(v) {
			continue
		}
		if bestV == nil || v.GreaterThan(bestV) {
			best, bestV = cv, v
		}
	}
	if best == nil {
		return nil, &NoVersionError{Ref: ref, Available: available}
	}
	return best, nil
}

func (r *Resolver) chart(ctx context.Context, ref Ref, cv *chartVersion, idx *onceIndex) (*Chart, error) {
	key := ref.RepoURL + "\x00" + cv.Name + "\x00" + cv.Version
	r.mu.Lock()
	oc, ok := r.charts[key]
	if !ok {
		oc = &onceChart{}
		r.charts[key] = oc
	}
	r.mu.Unlock()
	oc.once.Do(func() { oc.chart, oc.err = r.loadChart(context.WithoutCancel(ctx), ref, cv, idx) })
	return oc.chart, oc.err
}

func (r *Resolver) loadChart(ctx context.Context, ref Ref, cv *chartVersion, idx *onceIndex) (*Chart, error) {
	want := strings.TrimPrefix(cv.Digest, "sha256:")
	var data []byte
	fromCache := false
	if want != "" {
		b, err := os.ReadFile(filepath.Join(archiveDir(r.opts.CacheDir), want+".tgz"))
		if err == nil && sha256Hex(b) == want {
			data, fromCache = b, true
		}
	}
	if data == nil {
		if len(cv.URLs) == 0 {
			return nil, fmt.Errorf("chart %s %s: index lists no download URL", ref.Name, cv.Version)
		}
		if idx.fromCache {
			return nil, &UnavailableError{Ref: ref, Err: fmt.Errorf("version %s is not in the cache: %w", cv.Version, idx.fetchErr)}
		}
		u, err := resolveReferenceURL(ref.RepoURL, cv.URLs[0])
		if err != nil {
			return nil, fmt.Errorf("chart %s %s: %w", ref.Name, cv.Version, err)
		}
		buf, err := r.fetch.get(ctx, u, ref.RepoURL)
		if err != nil {
			return nil, &UnavailableError{Ref: ref, Err: fmt.Errorf("download %s: %w", redact(u), err)}
		}
		data = buf
		u = redact(u)
		got := sha256Hex(data)
		if want != "" && got != want {
			return nil, &DigestMismatchError{Ref: ref, Version: cv.Version, URL: u, Want: want, Got: got}
		}
		if want == "" {
			want = got
		}
		if err := writeAtomic(filepath.Join(archiveDir(r.opts.CacheDir), want+".tgz"), data); err != nil {
			return nil, fmt.Errorf("cache chart %s %s: %w", ref.Name, cv.Version, err)
		}
	}
	hc, err := loader.LoadArchive(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("load chart %s %s: %w", ref.Name, cv.Version, err)
	}
	c := newChart(ref, hc, want)
	c.Verified = cv.Digest != ""
	c.FromCache = fromCache
	return c, nil
}

// LoadArchive loads a chart archive from disk (for charts that do not come
// from a repository, such as the benchmark's).
func LoadArchive(path string) (*Chart, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read chart: %w", err)
	}
	hc, err := loader.LoadArchive(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("load chart %s: %w", path, err)
	}
	return newChart(Ref{RepoURL: "file://" + filepath.Dir(path), Name: hc.Name(), Version: hc.Metadata.Version}, hc, sha256Hex(data)), nil
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func writeAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-")
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		os.Remove(f.Name())
		return err
	}
	return os.Rename(f.Name(), path)
}
