package siteschema

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"sigs.k8s.io/yaml"

	"github.com/hubfleet/hubfleet/internal/golden"
	"github.com/hubfleet/hubfleet/internal/site"
)

// schemaFile is where each kind's schema is committed.
var schemaFile = map[string]string{
	site.KindSite:  "../../schema/site.schema.json",
	site.KindFleet: "../../schema/fleet.schema.json",
}

func generate(t *testing.T, kind string) []byte {
	t.Helper()
	docs, err := ReadDocs("../site")
	if err != nil {
		t.Fatal(err)
	}
	b, err := Generate(kind, docs)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCommittedSchemasAreCurrent fails when the Go types changed and the
// committed schemas were not regenerated (go test ./internal/siteschema -update).
func TestCommittedSchemasAreCurrent(t *testing.T) {
	t.Parallel()
	for kind, file := range schemaFile {
		golden.Assert(t, file, string(generate(t, kind)))
	}
}

func compile(t *testing.T, kind string) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(generate(t, kind)))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("file:///schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("file:///schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func instance(t *testing.T, file string) any {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	j, err := yaml.YAMLToJSON(b)
	if err != nil {
		t.Fatal(err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSchemasAcceptTheExampleFleet(t *testing.T) {
	t.Parallel()
	sites, _ := filepath.Glob("../../clusters/*/site.yaml")
	valid, _ := filepath.Glob("../site/testdata/valid/*.yaml")
	if len(sites) == 0 || len(valid) == 0 {
		t.Fatal("no example sites")
	}
	s := compile(t, site.KindSite)
	for _, f := range append(sites, valid...) {
		if err := s.Validate(instance(t, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	fs := compile(t, site.KindFleet)
	for _, f := range []string{"../../bases/daskhub/fleet.yaml", "../site/testdata/fleet.yaml"} {
		if err := fs.Validate(instance(t, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func TestSiteSchemaRejectsWhatAnEditorShouldFlag(t *testing.T) {
	t.Parallel()
	s := compile(t, site.KindSite)
	for _, f := range []string{"unknown-field-spec", "unknown-field-typo-auth", "type-wave-string", "wave-negative", "tls-mode-typo", "type-cpu-string", "wave-float"} {
		if err := s.Validate(instance(t, "../site/testdata/invalid/"+f+".yaml")); err == nil {
			t.Errorf("%s: the schema accepts it", f)
		} else if !strings.Contains(err.Error(), "jsonschema validation failed") {
			t.Errorf("%s: %v", f, err)
		}
	}
}
