package valuesschema

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A synthetic schema with the shapes z2jh's values.schema.json uses: a
// closed object, pattern properties (hub.config's classes), an open object
// (extraConfig) and an object schema for additional keys.
const testSchema = `{
  "type": "object", "additionalProperties": false,
  "properties": {
    "singleuser": {"type": "object", "additionalProperties": false,
      "properties": {"memory": {"type": "object", "additionalProperties": false, "properties": {"limit": {}, "guarantee": {}}}}},
    "hub": {"type": "object", "additionalProperties": false, "properties": {
      "config": {"type": "object", "additionalProperties": false,
        "patternProperties": {"^[A-Z].*$": {"type": "object", "additionalProperties": true}}},
      "extraConfig": {"type": "object", "additionalProperties": true},
      "services": {"type": "object", "additionalProperties": {"type": "object", "additionalProperties": false, "properties": {"url": {}}}}
    }}
  }
}`

func TestCheckFindsUnknownKeysOnlyWhereTheSchemaIsClosed(t *testing.T) {
	t.Parallel()
	s, err := Parse([]byte(testSchema))
	if err != nil {
		t.Fatal(err)
	}
	values := map[string]any{
		"singelser":  map[string]any{},
		"singleuser": map[string]any{"memmory": map[string]any{"limit": "1G"}, "memory": map[string]any{"limitt": "1G"}},
		"hub": map[string]any{
			"config":      map[string]any{"GenericOAuthenticator": map[string]any{"anything": 1}, "lowercase": map[string]any{}},
			"extraConfig": map[string]any{"00-any": "print(1)"},
			"services":    map[string]any{"mine": map[string]any{"url": "x", "urll": "y"}},
		},
	}
	want := []Unknown{
		{Path: "jupyterhub.hub.config.lowercase", Chart: "jupyterhub 4.4.0"},
		{Path: "jupyterhub.hub.services.mine.urll", Suggestion: "url", Chart: "jupyterhub 4.4.0"},
		{Path: "jupyterhub.singelser", Suggestion: "singleuser", Chart: "jupyterhub 4.4.0"},
		{Path: "jupyterhub.singleuser.memmory", Suggestion: "memory", Chart: "jupyterhub 4.4.0"},
		{Path: "jupyterhub.singleuser.memory.limitt", Suggestion: "limit", Chart: "jupyterhub 4.4.0"},
	}
	if diff := cmp.Diff(want, s.Check(values, "jupyterhub", "jupyterhub 4.4.0")); diff != "" {
		t.Errorf("unknown keys (-want +got):\n%s", diff)
	}
}
