package yamlnode_test

import (
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/hubfleet/hubfleet/internal/yamlnode"
)

func TestLookup(t *testing.T) {
	t.Parallel()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte("spec:\n  charts:\n    jupyterhub: {version: 4.4.0}\n  list: [a]\n"), &doc); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		keys      []string
		want      string
		wantLine  int
		wantFound bool
	}{
		{keys: []string{"spec", "charts", "jupyterhub", "version"}, want: "4.4.0", wantLine: 3, wantFound: true},
		{keys: []string{"spec", "charts", "daskhub", "version"}},
		{keys: []string{"spec", "list", "a"}},
		{keys: []string{"nope"}},
	}
	for _, tt := range tests {
		v := yamlnode.Lookup(&doc, tt.keys...)
		k, kv := yamlnode.LookupKey(&doc, tt.keys...)
		if (v != nil) != tt.wantFound || (k != nil) != tt.wantFound || kv != v {
			t.Errorf("%v: Lookup = %v, LookupKey = %v, %v", tt.keys, v, k, kv)
			continue
		}
		if v != nil && (v.Value != tt.want || k.Line != tt.wantLine) {
			t.Errorf("%v: %q at line %d, want %q at %d", tt.keys, v.Value, k.Line, tt.want, tt.wantLine)
		}
	}
}
