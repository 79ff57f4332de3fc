package chart_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hubfleet/hubfleet/internal/chart"
	"github.com/hubfleet/hubfleet/internal/chart/chartrepotest"
)

// jupyterhub is the synthetic jupyterhub test chart at any version: the
// resolver tests need many versions and prereleases of one chart, a shape
// the five real packages lack. What the charts render is tested on the
// real ones (render_test.go).
func jupyterhub(version, appVersion string) chartrepotest.Chart {
	return chartrepotest.Chart{Dir: chartrepotest.Dir("jupyterhub"), Version: version, AppVersion: appVersion}
}

func newResolver(t *testing.T, cache string, mod func(*chart.ResolverOptions)) *chart.Resolver {
	t.Helper()
	opts := chart.DefaultResolverOptions()
	opts.CacheDir = cache
	if mod != nil {
		mod(&opts)
	}
	r, err := chart.NewResolver(opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestResolveVersions(t *testing.T) {
	t.Parallel()
	srv := chartrepotest.Start(t,
		jupyterhub("3.2.1", "4.0.2"),
		jupyterhub("4.0.0", "5.2.1"),
		jupyterhub("4.1.0", "5.3.0"),
		jupyterhub("4.2.0-beta.1", "5.4.0b1"),
	)
	tests := []struct {
		name        string
		version     string
		prereleases bool
		want        string
		wantApp     string
	}{
		{name: "empty means newest stable", version: "", want: "4.1.0", wantApp: "5.3.0"},
		{name: "exact pin", version: "4.0.0", want: "4.0.0", wantApp: "5.2.1"},
		{name: "constraint skips prerelease", version: ">=4.0.0 <5.0.0", want: "4.1.0", wantApp: "5.3.0"},
		{name: "tilde constraint", version: "~3.2", want: "3.2.1", wantApp: "4.0.2"},
		{name: "prereleases when asked", version: ">=4.0.0", prereleases: true, want: "4.2.0-beta.1", wantApp: "5.4.0b1"},
		{name: "exact prerelease pin", version: "4.2.0-beta.1", want: "4.2.0-beta.1", wantApp: "5.4.0b1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newResolver(t, t.TempDir(), func(o *chart.ResolverOptions) { o.IncludePrereleases = tt.prereleases })
			c, err := r.Resolve(context.Background(), chart.Ref{RepoURL: srv.URL, Name: "jupyterhub", Version: tt.version})
			if err != nil {
				t.Fatal(err)
			}
			got := []string{c.Info.Version, c.Info.AppVersion}
			if diff := cmp.Diff([]string{tt.want, tt.wantApp}, got); diff != "" {
				t.Errorf("resolved version (-want +got):\n%s", diff)
			}
			if !c.Verified {
				t.Error("digest not verified against the index")
			}
		})
	}
}

func TestResolveErrors(t *testing.T) {
	t.Parallel()
	srv := chartrepotest.Start(t, jupyterhub("4.0.0", ""), jupyterhub("4.1.0-rc.1", ""))
	tests := []struct {
		name  string
		ref   chart.Ref
		check func(t *testing.T, err error)
	}{
		{
			name: "unknown chart",
			ref:  chart.Ref{RepoURL: srv.URL, Name: "nope"},
			check: func(t *testing.T, err error) {
				var nf *chart.NotFoundError
				if !errors.As(err, &nf) {
					t.Fatalf("want *NotFoundError, got %T %v", err, err)
				}
			},
		},
		{
			name: "no matching version lists available ones",
			ref:  chart.Ref{RepoURL: srv.URL, Name: "jupyterhub", Version: ">=5"},
			check: func(t *testing.T, err error) {
				var nv *chart.NoVersionError
				if !errors.As(err, &nv) {
					t.Fatalf("want *NoVersionError, got %T %v", err, err)
				}
				if diff := cmp.Diff([]string{"4.1.0-rc.1", "4.0.0"}, nv.Available); diff != "" {
					t.Errorf("available (-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "only a prerelease matches",
			ref:  chart.Ref{RepoURL: srv.URL, Name: "jupyterhub", Version: ">4.0.0"},
			check: func(t *testing.T, err error) {
				var nv *chart.NoVersionError
				if !errors.As(err, &nv) {
					t.Fatalf("want *NoVersionError, got %T %v", err, err)
				}
			},
		},
		{
			name: "invalid constraint",
			ref:  chart.Ref{RepoURL: srv.URL, Name: "jupyterhub", Version: "not a version"},
			check: func(t *testing.T, err error) {
				var nv *chart.NoVersionError
				if !errors.As(err, &nv) || nv.Err == nil {
					t.Fatalf("want *NoVersionError with Err, got %T %v", err, err)
				}
			},
		},
		{
			name: "unreachable and not cached",
			ref:  chart.Ref{RepoURL: "http://127.0.0.1:1", Name: "jupyterhub"},
			check: func(t *testing.T, err error) {
				var ue *chart.UnavailableError
				if !errors.As(err, &ue) {
					t.Fatalf("want *UnavailableError, got %T %v", err, err)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newResolver(t, t.TempDir(), nil)
			_, err := r.Resolve(context.Background(), tt.ref)
			if err == nil {
				t.Fatal("want an error")
			}
			tt.check(t, err)
		})
	}
}

func TestResolveOfflineFromCache(t *testing.T) {
	t.Parallel()
	srv := chartrepotest.Start(t, jupyterhub("4.0.0", ""))
	cache := t.TempDir()
	ref := chart.Ref{RepoURL: srv.URL, Name: "jupyterhub", Version: "4.x"}
	first, err := newResolver(t, cache, nil).Resolve(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	if first.FromCache {
		t.Error("first resolve came from an empty cache")
	}
	srv.Close()

	for _, offline := range []bool{false, true} {
		second, err := newResolver(t, cache, func(o *chart.ResolverOptions) { o.Offline = offline }).Resolve(context.Background(), ref)
		if err != nil {
			t.Fatalf("offline=%v: second run with the repository down: %v", offline, err)
		}
		if !second.FromCache || second.Info.Digest != first.Info.Digest {
			t.Errorf("offline=%v: second run: fromCache=%v digest=%s, want cached digest %s", offline, second.FromCache, second.Info.Digest, first.Info.Digest)
		}
	}

	// A version that was never downloaded is not in the cache.
	_, err = newResolver(t, cache, nil).Resolve(context.Background(), chart.Ref{RepoURL: srv.URL, Name: "dask-gateway"})
	var nf *chart.NotFoundError
	if !errors.As(err, &nf) {
		t.Errorf("unknown chart from cached index: want *NotFoundError, got %T %v", err, err)
	}
}

func TestResolveDigestMismatch(t *testing.T) {
	t.Parallel()
	srv := chartrepotest.Start(t, jupyterhub("4.0.0", ""))
	// Replace the archive with another chart's: the index digest no
	// longer matches.
	other, err := chartrepotest.Package(chartrepotest.Chart{Dir: chartrepotest.Dir("dask-gateway")}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(other)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(srv.Dir, "jupyterhub-4.0.0.tgz"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	_, err = newResolver(t, cache, nil).Resolve(context.Background(), chart.Ref{RepoURL: srv.URL, Name: "jupyterhub", Version: "4.0.0"})
	var dm *chart.DigestMismatchError
	if !errors.As(err, &dm) {
		t.Fatalf("want *DigestMismatchError, got %T %v", err, err)
	}
	if dm.Want == dm.Got {
		t.Errorf("mismatch with equal digests: %v", dm)
	}
	archives, _ := filepath.Glob(filepath.Join(cache, "sha256", "*.tgz"))
	if len(archives) != 0 {
		t.Errorf("a mismatching archive was cached: %v", archives)
	}
}

func TestResolveLoadsOnce(t *testing.T) {
	t.Parallel()
	srv := chartrepotest.Start(t, jupyterhub("4.0.0", ""))
	r := newResolver(t, t.TempDir(), nil)
	ref := chart.Ref{RepoURL: srv.URL, Name: "jupyterhub", Version: "4.0.0"}
	results := make(chan *chart.Chart, 8)
	for range 8 {
		go func() {
			c, err := r.Resolve(context.Background(), ref)
			if err != nil {
				t.Error(err)
			}
			results <- c
		}()
	}
	first := <-results
	for range 7 {
		if c := <-results; c != first {
			t.Error("the chart was loaded more than once")
		}
	}
	if n := srv.Requests("/index.yaml"); n != 1 {
		t.Errorf("index.yaml fetched %d times, want 1", n)
	}
	if n := srv.Requests("/jupyterhub-4.0.0.tgz"); n != 1 {
		t.Errorf("archive fetched %d times, want 1", n)
	}
}

func TestResolveHTTPS(t *testing.T) {
	t.Parallel()
	srv := chartrepotest.StartTLS(t, jupyterhub("4.0.0", ""))
	ref := chart.Ref{RepoURL: srv.URL, Name: "jupyterhub", Version: "4.0.0"}
	tests := []struct {
		name    string
		caFile  string
		wantErr bool
	}{
		{name: "trusted test CA", caFile: srv.CAFile},
		{name: "untrusted certificate", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newResolver(t, t.TempDir(), func(o *chart.ResolverOptions) { o.CAFile = tt.caFile })
			c, err := r.Resolve(context.Background(), ref)
			if tt.wantErr {
				var ue *chart.UnavailableError
				if !errors.As(err, &ue) {
					t.Fatalf("want *UnavailableError for an untrusted certificate, got %T %v", err, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !c.Verified || c.Info.Version != "4.0.0" {
				t.Errorf("resolved %s verified=%v", c.Info.Version, c.Verified)
			}
		})
	}
}
