package valuesschema_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubfleet/hubfleet/internal/chart"
	"github.com/hubfleet/hubfleet/internal/chart/chartrepotest"
	"github.com/hubfleet/hubfleet/internal/golden"
	"github.com/hubfleet/hubfleet/internal/site"
	"github.com/hubfleet/hubfleet/internal/valuesschema"
)

// The corpus of package site (../site/testdata) is checked here, the way
// `hubfleet validate` does: decoding, every semantic check and the
// chart-schema check of spec.values against the real charts of
// ../shared/charts. It lives in this package so that package site's own
// tests (and its fuzz target) stay free of Helm.

// siteDir is package site's directory; file names in messages and goldens
// are relative to it.
const siteDir = "../site/"

// corpus checks site files.
type corpus struct {
	fleet *site.Fleet
	// noClusterKey is the fleet without its clusterAgeRecipient, for the
	// files that test a SOPS site without an age key (sops-*.yaml).
	noClusterKey *site.Fleet
	resolver     *chart.Resolver
}

func newCorpus(t *testing.T) *corpus {
	t.Helper()
	data, err := os.ReadFile(siteDir + "testdata/fleet.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f, err := site.DecodeFleet("testdata/fleet.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	if err := site.ValidateFleet(f); err != nil {
		t.Fatalf("the test fleet must be valid: %v", err)
	}
	// Serve the real charts on loopback and point the fleet at them.
	url := chartrepotest.StartReal(t).URL
	for _, c := range []*site.ChartSource{&f.Spec.Charts.DaskHub, &f.Spec.Charts.JupyterHub, &f.Spec.Charts.DaskGateway} {
		c.Repository = url
	}
	opts := chart.DefaultResolverOptions()
	opts.CacheDir = t.TempDir()
	res, err := chart.NewResolver(opts)
	if err != nil {
		t.Fatal(err)
	}
	nk := *f
	nk.Spec.Secrets.ClusterAgeRecipient = ""
	return &corpus{fleet: f, noClusterKey: &nk, resolver: res}
}

// check returns every problem of one file, errors and warnings.
func (c *corpus) check(t *testing.T, file string) site.ErrorList {
	t.Helper()
	data, err := os.ReadFile(siteDir + file)
	if err != nil {
		t.Fatal(err)
	}
	f := c.fleet
	if strings.HasPrefix(filepath.Base(file), "sops-") {
		f = c.noClusterKey
	}
	s, err := site.DecodeSite(file, data)
	var list site.ErrorList
	if err != nil && !errors.As(err, &list) {
		t.Fatalf("%s: error is %T, want ErrorList: %v", file, err, err)
	}
	if s != nil {
		list = append(list, site.Check(s, f)...)
		more, err := valuesschema.CheckSite(context.Background(), s, f, valuesschema.Options{Resolver: c.resolver})
		if err != nil {
			t.Fatal(err)
		}
		list = append(list, more...)
	}
	list.Sort()
	return list
}

func TestCorpus(t *testing.T) {
	c := newCorpus(t)

	t.Run("malformed files report every error with file, line, field and fix", func(t *testing.T) {
		files, err := glob("testdata/invalid/*.yaml")
		if err != nil {
			t.Fatal(err)
		}
		if len(files) < 120 {
			t.Fatalf("found %d malformed site files, want at least 120", len(files))
		}
		kinds := map[site.Kind]bool{}
		for _, file := range files {
			list := c.check(t, file)
			if len(list) == 0 {
				t.Errorf("%s: no error reported", file)
				continue
			}
			for _, e := range list {
				kinds[e.Kind] = true
				if e.File != file || e.Msg == "" || e.Fix == "" {
					t.Errorf("%s: error lacks file, message or fix: %#v", file, e)
				}
				if e.Line == 0 && e.Kind != site.KindRequired && e.Kind != site.KindHeader {
					t.Errorf("%s: error has no line: %v", file, e)
				}
			}
			golden.Assert(t, siteDir+strings.TrimSuffix(file, ".yaml")+".golden", list.Error()+"\n")
		}
		// The fleet-file corpus adds the kinds only a fleet file has.
		fleetFiles, _ := glob("testdata/invalid-fleet/*.yaml")
		for _, file := range fleetFiles {
			data, err := os.ReadFile(siteDir + file)
			if err != nil {
				t.Fatal(err)
			}
			fl, err := site.DecodeFleet(file, data)
			if err == nil {
				err = site.ValidateFleet(fl)
			}
			var list site.ErrorList
			if errors.As(err, &list) {
				for _, e := range list {
					kinds[e.Kind] = true
				}
			}
		}
		t.Logf("%d malformed site files and %d fleet files, %d error kinds", len(files), len(fleetFiles), len(kinds))
		if len(kinds) < 35 {
			t.Errorf("malformed files cover %d error kinds, want at least 35: %v", len(kinds), kinds)
		}
	})

	t.Run("fleet values are checked against every chart a site runs", func(t *testing.T) {
		// A daskhub-mode and a composed site: the fleet's values reach
		// the daskhub chart and the jupyterhub and dask-gateway charts.
		var sites []*site.Site
		for _, file := range []string{"testdata/valid/egi-pangeo.yaml", "testdata/valid/pangeo-azure.yaml"} {
			data, err := os.ReadFile(siteDir + file)
			if err != nil {
				t.Fatal(err)
			}
			s, err := site.DecodeSite(file, data)
			if err != nil {
				t.Fatal(err)
			}
			sites = append(sites, s)
		}
		if site.ModeOf(sites[0], c.fleet) == site.ModeOf(sites[1], c.fleet) {
			t.Fatal("the two sites run the same charts: the check below covers one chart set only")
		}
		if list, err := valuesschema.CheckFleet(context.Background(), c.fleet, sites, valuesschema.Options{Resolver: c.resolver}); err != nil || len(list) > 0 {
			t.Errorf("the test fleet's values are rejected: %v %v", err, list)
		}
		files, err := glob("testdata/invalid-fleet-values/*.yaml")
		if err != nil || len(files) == 0 {
			t.Fatalf("no fleet values corpus: %v", err)
		}
		for _, file := range files {
			data, err := os.ReadFile(siteDir + file)
			if err != nil {
				t.Fatal(err)
			}
			fl, err := site.DecodeFleet(file, data)
			if err == nil {
				err = site.ValidateFleet(fl)
			}
			if err != nil {
				t.Fatalf("%s must pass the fleet's own checks, to test the values check alone: %v", file, err)
			}
			// The charts on loopback, as for the test fleet.
			fl.Spec.Charts.DaskHub.Repository = c.fleet.Spec.Charts.DaskHub.Repository
			fl.Spec.Charts.JupyterHub.Repository = c.fleet.Spec.Charts.JupyterHub.Repository
			fl.Spec.Charts.DaskGateway.Repository = c.fleet.Spec.Charts.DaskGateway.Repository
			list, err := valuesschema.CheckFleet(context.Background(), fl, sites, valuesschema.Options{Resolver: c.resolver})
			if err != nil {
				t.Fatal(err)
			}
			if len(list) == 0 {
				t.Errorf("%s: no error reported", file)
			}
			for _, e := range list {
				if e.File != file || e.Line == 0 || e.Msg == "" || e.Fix == "" {
					t.Errorf("%s: error lacks file, line, message or fix: %#v", file, e)
				}
			}
			golden.Assert(t, siteDir+strings.TrimSuffix(file, ".yaml")+".golden", list.Error()+"\n")
		}
	})

	t.Run("ten independent errors are all reported", func(t *testing.T) {
		list := c.check(t, "testdata/invalid/ten-independent-errors.yaml")
		var got []string
		for _, e := range list {
			got = append(got, string(e.Kind)+" "+e.Field)
		}
		want := []string{
			"name metadata.name",
			"label metadata.labels.community",
			"range spec.wave",
			"kubernetes-version spec.kubernetes.version",
			"reserved-namespace spec.namespace",
			"url spec.baseURL",
			"required spec.auth.admins[0]",
			"image spec.singleuser.image",
			"non-finite-number spec.singleuser.cpu.guarantee",
			"range spec.singleuser.memory.guarantee",
		}
		slices.Sort(want)
		slices.Sort(got)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("problems (-want +got):\n%s\n%v", diff, list)
		}
	})

	t.Run("valid files and every example site pass", func(t *testing.T) {
		files, err := glob("testdata/valid/*.yaml")
		if err != nil {
			t.Fatal(err)
		}
		examples, err := glob("../../clusters/*/site.yaml")
		if err != nil || len(examples) == 0 {
			t.Fatalf("no example sites: %v", err)
		}
		for _, file := range append(files, examples...) {
			if list := c.check(t, file); len(list) > 0 {
				t.Errorf("%s rejected:\n%v", file, list)
			}
		}
	})
}

// glob matches pattern in package site's directory and returns the paths
// relative to it.
func glob(pattern string) ([]string, error) {
	files, err := filepath.Glob(siteDir + pattern)
	for i, f := range files {
		files[i] = strings.TrimPrefix(f, siteDir)
	}
	return files, err
}
