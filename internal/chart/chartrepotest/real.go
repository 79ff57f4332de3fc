package chartrepotest

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	helmchart "helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
)

// RealChartsEnv names the environment variable that overrides where the
// real chart packages are read from.
const RealChartsEnv = "HUBFLEET_REAL_CHARTS"

// The real chart packages (see ../shared/REAL.md beside the project root).
const (
	JupyterHub321     = "jupyterhub-3.2.1.tgz"
	JupyterHub440     = "jupyterhub-4.4.0.tgz"
	DaskGateway202410 = "dask-gateway-2024.1.0.tgz"
	DaskGateway202630 = "dask-gateway-2026.3.0.tgz"
	DaskHub202411     = "daskhub-2024.1.1.tgz"
)

// RealCharts lists every real chart package.
var RealCharts = []string{JupyterHub321, JupyterHub440, DaskGateway202410, DaskGateway202630, DaskHub202411}

// RealChartsDir is the directory holding the real packaged charts and
// their SHA256SUMS: $HUBFLEET_REAL_CHARTS, else ../shared/charts beside
// the project root.
func RealChartsDir() string {
	if d := os.Getenv(RealChartsEnv); d != "" {
		return d
	}
	_, file, _, _ := runtime.Caller(0)
	// internal/chart/chartrepotest -> project root -> ../shared/charts
	root := filepath.Join(filepath.Dir(file), "..", "..", "..")
	return filepath.Clean(filepath.Join(root, "..", "shared", "charts"))
}

var (
	sumsOnce sync.Once
	sums     map[string]string
	sumsErr  error
)

// realChartPath returns the path of a real chart package after checking
// its digest against SHA256SUMS, so a test never runs on a changed file.
func realChartPath(name string) (string, error) {
	dir := RealChartsDir()
	sumsOnce.Do(func() { sums, sumsErr = readSums(filepath.Join(dir, "SHA256SUMS")) })
	if sumsErr != nil {
		return "", fmt.Errorf("real charts (set %s to their directory): %w", RealChartsEnv, sumsErr)
	}
	want, ok := sums[name]
	if !ok {
		return "", fmt.Errorf("%s is not listed in %s", name, filepath.Join(dir, "SHA256SUMS"))
	}
	p := filepath.Join(dir, name)
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("read %s: %w", p, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		return "", fmt.Errorf("%s: sha256 %s, SHA256SUMS says %s", p, got, want)
	}
	return p, nil
}

func readSums(p string) (map[string]string, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 2 {
			out[strings.TrimPrefix(fields[1], "*")] = fields[0]
		}
	}
	return out, sc.Err()
}

// StartReal starts a repository on 127.0.0.1 serving the named real chart
// packages (all of RealCharts when none are named), copied unchanged into
// a temporary directory and indexed with Helm's repo code. A missing or
// altered package fails the test.
func StartReal(t testing.TB, names ...string) *Server {
	t.Helper()
	s := start(t, startOptions{}, nil)
	s.AddReal(t, names...)
	return s
}

// AddReal copies more real chart packages into the repository and
// rewrites index.yaml.
func (s *Server) AddReal(t testing.TB, names ...string) {
	t.Helper()
	if len(names) == 0 {
		names = RealCharts
	}
	for _, n := range names {
		src, err := realChartPath(n)
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(s.Dir, n), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := WriteIndex(s.Dir, s.URL); err != nil {
		t.Fatalf("index %s: %v", s.Dir, err)
	}
}

// LoadReal loads a real chart package (digest-checked).
func LoadReal(name string) (*helmchart.Chart, error) {
	p, err := realChartPath(name)
	if err != nil {
		return nil, err
	}
	return loader.Load(p)
}

// AddChart saves a loaded chart (for example a real chart changed on
// purpose by the test) into the repository and rewrites index.yaml.
func (s *Server) AddChart(t testing.TB, c *helmchart.Chart) {
	t.Helper()
	if _, err := chartutil.Save(c, s.Dir); err != nil {
		t.Fatalf("save chart %s: %v", c.Name(), err)
	}
	if err := WriteIndex(s.Dir, s.URL); err != nil {
		t.Fatalf("index %s: %v", s.Dir, err)
	}
}
