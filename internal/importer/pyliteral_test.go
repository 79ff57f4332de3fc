package importer

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPythonProfileList reads profile lists written in Python: literals
// are read as Python reads them; anything else is refused with why.
func TestPythonProfileList(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, code string
		want       []any
		why        string
	}{
		{"literal", `# profiles
c.KubeSpawner.profile_list = [
    {
        'display_name': "Small",  # a comment
        'default': True,
        "kubespawner_override": {'cpu_limit': 2, 'mem_limit': '4G', 'cpu_guarantee': 0.5, "x": None,},
        'description': 'two ' "parts",
    },
    {"display_name": """triple
quoted""", 'slug': 'it\'s', "n": -1_000, 'f': False},
]
`, []any{
			map[string]any{"display_name": "Small", "default": true, "description": "two parts",
				"kubespawner_override": map[string]any{"cpu_limit": 2, "mem_limit": "4G", "cpu_guarantee": 0.5, "x": nil}},
			map[string]any{"display_name": "triple\nquoted", "slug": "it's", "n": -1000, "f": false},
		}, ""},
		{"empty", "c.KubeSpawner.profile_list = []", []any{}, ""},
		{"a name", "c.KubeSpawner.profile_list = [{'image': IMAGE}]", nil, "line 1: IMAGE is a name, not a literal"},
		{"a call", "c.KubeSpawner.profile_list = make_profiles()", nil, "make_profiles is a name, not a literal"},
		{"more code", "c.KubeSpawner.profile_list = []\nc.KubeSpawner.start_timeout = 600\n", nil, "the code goes on after the profile list (line 2)"},
		{"code before", "import os\nc.KubeSpawner.profile_list = []", nil, "the code does more than set c.KubeSpawner.profile_list"},
		{"a function", "async def profiles(spawner):\n    return []\nc.KubeSpawner.profile_list = profiles", nil, "the code does more than set"},
		{"not a list", "c.KubeSpawner.profile_list = {'a': 1}", nil, "is not a list"},
		{"unclosed", "c.KubeSpawner.profile_list = [{'a': 'b'", nil, "no closing"},
		{"duplicate key", "c.KubeSpawner.profile_list = [{'a': 1, 'a': 2}]", nil, `key "a" is given twice`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, why := pythonProfileList(tt.code)
			if tt.why != "" {
				if !strings.Contains(why, tt.why) {
					t.Errorf("why %q, want it to say %q", why, tt.why)
				}
				return
			}
			if why != "" {
				t.Fatalf("refused: %s", why)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("read (-want +got):\n%s", diff)
			}
		})
	}
}
