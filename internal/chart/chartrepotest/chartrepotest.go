package chartrepotest

import (
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	helmchart "helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/repo"
)

// Chart describes one chart to package: a chart directory plus optional
// overrides applied to the loaded chart before it is packaged.
type Chart struct {
	// Dir is the chart directory.
	Dir string
	// Version, AppVersion and KubeVersion override Chart.yaml when set.
	Version     string
	AppVersion  string
	KubeVersion string
	// Subcharts overrides fields of vendored file:// dependencies, by name.
	Subcharts map[string]Chart
	// Mutate, when set, changes the loaded chart before packaging
	// (for example to alter a CRD).
	Mutate func(*helmchart.Chart)
}

// Server is a chart repository on 127.0.0.1 serving the files in Dir.
type Server struct {
	// URL is the repository URL (no trailing slash).
	URL string
	// Dir holds index.yaml and the packaged charts; tests may edit it.
	Dir string
	// CAFile is a PEM file with the server's certificate (StartTLS only),
	// for clients that must trust it.
	CAFile string

	mu  sync.Mutex
	srv *httptest.Server
	// Requests counts requests by path.
	requests map[string]int
}

// ChartsDir returns the absolute path of the test charts
// (jupyterhub, dask-gateway, daskhub).
func ChartsDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "testdata", "charts")
}

// Dir returns the absolute path of the named test chart.
func Dir(name string) string { return filepath.Join(ChartsDir(), name) }

// Serve packages the chart directories as they are, serves them with an
// index.yaml and returns the repository URL. The server stops when the
// test ends.
func Serve(t testing.TB, dirs ...string) string {
	t.Helper()
	charts := make([]Chart, len(dirs))
	for i, d := range dirs {
		charts[i] = Chart{Dir: d}
	}
	return Start(t, charts...).URL
}

// Start starts a repository serving the given charts over HTTP.
func Start(t testing.TB, charts ...Chart) *Server {
	t.Helper()
	return start(t, startOptions{}, charts)
}

// StartTLS starts a repository serving the given charts over HTTPS with a
// certificate for 127.0.0.1 from httptest's test CA; CAFile holds it.
func StartTLS(t testing.TB, charts ...Chart) *Server {
	t.Helper()
	return start(t, startOptions{tls: true}, charts)
}

// StartPrivate starts a repository over HTTPS that answers 401 to every
// request without the given basic-auth credentials, as a private
// repository (ChartMuseum, Artifactory, GitLab) does. Its URL carries no
// credentials.
func StartPrivate(t testing.TB, user, password string, charts ...Chart) *Server {
	t.Helper()
	return start(t, startOptions{tls: true, user: user, password: password}, charts)
}

type startOptions struct {
	tls            bool
	user, password string
}

func start(t testing.TB, o startOptions, charts []Chart) *Server {
	t.Helper()
	s := &Server{Dir: t.TempDir(), requests: map[string]int{}}
	files := http.FileServer(http.Dir(s.Dir))
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests[r.URL.Path]++
		s.mu.Unlock()
		if o.user != "" {
			if u, p, ok := r.BasicAuth(); !ok || u != o.user || p != o.password {
				w.Header().Set("WWW-Authenticate", `Basic realm="charts"`)
				http.Error(w, "unauthorized", http.StatusUnauthorized)
				return
			}
		}
		files.ServeHTTP(w, r)
	})
	if o.tls {
		s.srv = httptest.NewTLSServer(handler)
		ca := filepath.Join(t.TempDir(), "ca.pem")
		pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.srv.Certificate().Raw})
		if err := os.WriteFile(ca, pemBytes, 0o644); err != nil {
			t.Fatalf("write CA file: %v", err)
		}
		s.CAFile = ca
	} else {
		s.srv = httptest.NewServer(handler)
	}
	t.Cleanup(s.srv.Close)
	s.URL = s.srv.URL
	s.Add(t, charts...)
	return s
}

// Add packages more charts into the repository and rewrites index.yaml.
func (s *Server) Add(t testing.TB, charts ...Chart) {
	t.Helper()
	for _, c := range charts {
		if _, err := Package(c, s.Dir); err != nil {
			t.Fatalf("package %s: %v", c.Dir, err)
		}
	}
	if err := WriteIndex(s.Dir, s.URL); err != nil {
		t.Fatalf("index %s: %v", s.Dir, err)
	}
}

// Close stops the server: the repository becomes unreachable.
func (s *Server) Close() { s.srv.Close() }

// Requests returns how many requests the server got for path.
func (s *Server) Requests(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[path]
}

// Load loads a chart directory with its overrides applied and its file://
// dependencies vendored.
func Load(c Chart) (*helmchart.Chart, error) {
	ch, err := loader.LoadDir(c.Dir)
	if err != nil {
		return nil, fmt.Errorf("load chart %s: %w", c.Dir, err)
	}
	if c.Version != "" {
		ch.Metadata.Version = c.Version
	}
	if c.AppVersion != "" {
		ch.Metadata.AppVersion = c.AppVersion
	}
	if c.KubeVersion != "" {
		ch.Metadata.KubeVersion = c.KubeVersion
	}
	for _, dep := range ch.Metadata.Dependencies {
		rel, ok := strings.CutPrefix(dep.Repository, "file://")
		if !ok {
			continue
		}
		// The version the parent declares, as a packaged umbrella vendors
		// it (the real daskhub 2024.1.1 vendors jupyterhub 3.2.1).
		sub := Chart{Dir: filepath.Join(c.Dir, rel), Version: dep.Version}
		if o, ok := c.Subcharts[dep.Name]; ok {
			o.Dir = sub.Dir
			sub = o
		}
		subChart, err := Load(sub)
		if err != nil {
			return nil, fmt.Errorf("vendor dependency %s of %s: %w", dep.Name, ch.Name(), err)
		}
		dep.Version = subChart.Metadata.Version
		ch.AddDependency(subChart)
	}
	if c.Mutate != nil {
		c.Mutate(ch)
	}
	return ch, nil
}

// Package writes the chart archive <name>-<version>.tgz into outDir and
// returns its path.
func Package(c Chart, outDir string) (string, error) {
	ch, err := Load(c)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return "", fmt.Errorf("create %s: %w", outDir, err)
	}
	path, err := chartutil.Save(ch, outDir)
	if err != nil {
		return "", fmt.Errorf("save chart %s: %w", ch.Name(), err)
	}
	return path, nil
}

// WriteIndex writes dir/index.yaml for the archives in dir, with digests,
// using Helm's repo code.
func WriteIndex(dir, baseURL string) error {
	idx, err := repo.IndexDirectory(dir, baseURL)
	if err != nil {
		return fmt.Errorf("index %s: %w", dir, err)
	}
	idx.SortEntries()
	if err := idx.WriteFile(filepath.Join(dir, "index.yaml"), 0o644); err != nil {
		return fmt.Errorf("write index: %w", err)
	}
	return nil
}
