package chartrepotest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"gopkg.in/yaml.v3"
	helmchart "helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
)

// The real sibling charts 2i2c's basehub nests beside z2jh, at the
// versions its Chart.yaml pins
// (../shared/real-configs/2i2c-infrastructure/clusters/2i2c-aws-us/chart.yaml).
// Their sources are vendored unchanged under testdata/siblings (see the
// README.md there): both are chartpress charts, published from source,
// and not kept among the packages of ../shared/charts.
const (
	HomeNFS                 = "jupyterhub-home-nfs"
	HomeNFSVersion          = "1.2.1-0.dev.git.1.h272af28"
	BinderHubService        = "binderhub-service"
	BinderHubServiceVersion = "0.1.0-0.dev.git.336.hca79dc0"
)

// RealSiblings lists the real sibling charts, by name.
var RealSiblings = []string{HomeNFS, BinderHubService}

// realSibling is how one vendored sibling chart is packaged: its chart
// directory below testdata/siblings, the version chartpress gave the
// published chart basehub pins, and its publishing step's conversion of
// values.schema.yaml into values.schema.json.
type realSibling struct {
	dir     string
	version string
	schema  func(yamlSchema []byte) ([]byte, error)
}

var realSiblings = map[string]realSibling{
	// jupyterhub-home-nfs's workflow (build-publish-docker-helm.yaml):
	// `yq -o json values.schema.yaml > values.schema.json`, everything kept.
	HomeNFS: {dir: "jupyterhub-home-nfs/helm/jupyterhub-home-nfs", version: HomeNFSVersion, schema: schemaJSON(false)},
	// binderhub-service's release.yaml runs tools/generate-json-schema.py:
	// the YAML schema as JSON, less its description keys.
	BinderHubService: {dir: "binderhub-service/binderhub-service", version: BinderHubServiceVersion, schema: schemaJSON(true)},
}

// SiblingsDir returns the absolute path of the vendored sibling chart
// sources (one directory per chart, as its repository lays it out, with
// its LICENSE).
func SiblingsDir() string { return filepath.Join(ChartsDir(), "..", "siblings") }

// LoadRealSibling loads a real sibling chart (HomeNFS, BinderHubService)
// as published: its vendored source with the version basehub pins and
// values.schema.json made from values.schema.yaml, as its publishing
// workflow does. Nothing else is changed.
func LoadRealSibling(name string) (*helmchart.Chart, error) {
	s, ok := realSiblings[name]
	if !ok {
		return nil, fmt.Errorf("no real sibling chart %q: the vendored ones are %v", name, RealSiblings)
	}
	dir := filepath.Join(SiblingsDir(), filepath.FromSlash(s.dir))
	c, err := loader.LoadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("load sibling chart %s: %w", name, err)
	}
	if c.Schema != nil {
		return nil, fmt.Errorf("sibling chart %s: %s already has a values.schema.json; the vendored source should have only values.schema.yaml", name, dir)
	}
	src, err := os.ReadFile(filepath.Join(dir, "values.schema.yaml"))
	if err != nil {
		return nil, fmt.Errorf("sibling chart %s: %w", name, err)
	}
	if c.Schema, err = s.schema(src); err != nil {
		return nil, fmt.Errorf("sibling chart %s: values.schema.yaml: %w", name, err)
	}
	c.Metadata.Version = s.version
	return c, nil
}

// AddRealSiblings packages the named real sibling charts (all of
// RealSiblings when none are named) into the repository and rewrites
// index.yaml.
func (s *Server) AddRealSiblings(t testing.TB, names ...string) {
	t.Helper()
	if len(names) == 0 {
		names = RealSiblings
	}
	for _, n := range names {
		c, err := LoadRealSibling(n)
		if err != nil {
			t.Fatal(err)
		}
		s.AddChart(t, c)
	}
}

// schemaJSON converts a YAML JSON-schema to JSON; dropDescriptions
// removes the description keys of the schema and of its properties'
// schemas, recursively, as binderhub-service's
// tools/generate-json-schema.py does (a property named "description"
// stays).
func schemaJSON(dropDescriptions bool) func([]byte) ([]byte, error) {
	return func(src []byte) ([]byte, error) {
		var schema map[string]any
		if err := yaml.Unmarshal(src, &schema); err != nil {
			return nil, err
		}
		if dropDescriptions {
			dropSchemaDescriptions(schema)
		}
		return json.Marshal(schema)
	}
}

func dropSchemaDescriptions(s map[string]any) {
	delete(s, "description")
	props, _ := s["properties"].(map[string]any)
	for _, p := range props {
		if m, ok := p.(map[string]any); ok {
			dropSchemaDescriptions(m)
		}
	}
}
