package testcluster_test

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubfleet/hubfleet/internal/fleettest"
	"github.com/hubfleet/hubfleet/internal/testcluster"
)

// TestFluxAPIModulesMatchControllers fails when the Flux API modules the
// main go.mod requires drift from the controllers the harness runs: the
// HelmRelease, GitRepository and Kustomization types hubfleet renders and
// reads must be those of the controllers that reconcile them. For
// helm-controller it also reads the source archive the harness builds
// (../shared/src, or $HUBFLEET_HELM_CONTROLLER_SRC as tools/build.sh):
// that source must be the release FluxHelmVersion names, and the
// fluxcd/pkg/apis modules its api module requires must be the ones go.mod
// requires.
func TestFluxAPIModulesMatchControllers(t *testing.T) {
	root := fleettest.Root(t)
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	mainReq, err := requires(gomod)
	if err != nil {
		t.Fatalf("go.mod: %v", err)
	}

	want := map[string]string{
		"github.com/fluxcd/helm-controller/api":      testcluster.FluxHelmVersion,
		"github.com/fluxcd/source-controller/api":    testcluster.FluxSourceAPIVersion,
		"github.com/fluxcd/kustomize-controller/api": testcluster.FluxKustomizeAPIVersion,
	}

	archive := os.Getenv("HUBFLEET_HELM_CONTROLLER_SRC")
	if archive == "" {
		archive = filepath.Join(root, "..", "shared", "src", "helm-controller-"+testcluster.FluxHelmVersion+".tar.gz")
	}
	src, err := filesInArchive(archive, "go.mod", "api/go.mod")
	if err != nil {
		t.Fatalf("helm-controller source (see ../shared/REAL.md): %v", err)
	}
	ctrlReq, err := requires(src["go.mod"])
	if err != nil {
		t.Fatalf("%s go.mod: %v", archive, err)
	}
	if v := ctrlReq["github.com/fluxcd/helm-controller/api"]; v != testcluster.FluxHelmVersion {
		t.Errorf("%s is helm-controller with api %q, but testcluster.FluxHelmVersion is %s", archive, v, testcluster.FluxHelmVersion)
	}
	apiReq, err := requires(src["api/go.mod"])
	if err != nil {
		t.Fatalf("%s api/go.mod: %v", archive, err)
	}
	for mod, v := range apiReq {
		if strings.HasPrefix(mod, "github.com/fluxcd/pkg/apis/") {
			want[mod] = v
		}
	}
	if len(want) < 4 {
		t.Fatalf("helm-controller's api/go.mod requires no github.com/fluxcd/pkg/apis module: %v", apiReq)
	}

	got := map[string]string{}
	for mod := range want {
		got[mod] = mainReq[mod]
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("go.mod's Flux API modules differ from the controllers the harness runs (-controllers +go.mod); "+
			"fix with `go get <module>@<version>` or change the versions in internal/testcluster/options.go and tools/build.sh together:\n%s", diff)
	}
}

// requires returns the module versions a go.mod requires, from its
// require lines and blocks.
func requires(gomod []byte) (map[string]string, error) {
	out := map[string]string{}
	inBlock := false
	sc := bufio.NewScanner(bytes.NewReader(gomod))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if i := strings.Index(line, "//"); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		switch {
		case line == "":
			continue
		case inBlock && line == ")":
			inBlock = false
			continue
		case line == "require (":
			inBlock = true
			continue
		case strings.HasPrefix(line, "require "):
			line = strings.TrimSpace(strings.TrimPrefix(line, "require"))
		case !inBlock:
			continue
		}
		f := strings.Fields(line)
		if len(f) != 2 {
			return nil, fmt.Errorf("line %d: want `module version`, got %q", n, line)
		}
		out[f[0]] = f[1]
	}
	if len(out) == 0 {
		return nil, errors.New("no require directive")
	}
	return out, sc.Err()
}

// filesInArchive returns the named files of a source archive whose
// entries sit under one top directory (as GitHub's archives do), keyed by
// their path below it.
func filesInArchive(archive string, names ...string) (map[string][]byte, error) {
	f, err := os.Open(archive)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", archive, err)
	}
	wanted := map[string]bool{}
	for _, n := range names {
		wanted[n] = true
	}
	out := map[string][]byte{}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", archive, err)
		}
		_, rel, ok := strings.Cut(h.Name, "/")
		if !ok || !wanted[rel] {
			continue
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", archive, h.Name, err)
		}
		out[rel] = b
	}
	for _, n := range names {
		if out[n] == nil {
			return nil, fmt.Errorf("%s holds no %s", archive, n)
		}
	}
	return out, nil
}
