package docgen

import (
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"
)

func TestDefaultOf(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		desc string
		n    node
		want string
	}{
		{"Mode is daskhub or composed; defaults to the fleet's.", node{}, "the fleet's"},
		{"Timeout of a Helm action; default 15m (z2jh's image pre-puller makes upgrades slow).", node{}, "15m"},
		{"MaxWave is the last wave that runs the canary version (default 0).", node{}, "0"},
		{"StoreKind is ClusterSecretStore (default) or SecretStore.", node{}, "ClusterSecretStore"},
		{"SOPS (the default) reads the value from the Secret.", node{Type: "boolean"}, "`true`"},
		{"SecretName is the TLS Secret (defaults to <host>-tls).", node{}, "&lt;host&gt;-tls"},
		{"Namespace is the default namespace of a hub.", node{}, "—"},
		{"Anything.", node{Default: "x"}, "`x`"},
	} {
		if got := defaultOf(&tc.n, tc.desc); got != tc.want {
			t.Errorf("defaultOf(%q) = %q, want %q", tc.desc, got, tc.want)
		}
	}
}

func TestSchema(t *testing.T) {
	t.Parallel()
	schema := `{
  "$defs": {
    "Pool": {"type": "object", "description": "Pool is a node pool.", "properties": {
      "nodeSelector": {"type": "object", "additionalProperties": {"type": "string"}}
    }}
  },
  "type": "object", "required": ["kind"],
  "properties": {
    "kind": {"const": "Site"},
    "mode": {"type": "string", "enum": ["a", "b"], "description": "Mode; defaults to a."},
    "wave": {"type": "integer", "minimum": 0},
    "core": {"$ref": "#/$defs/Pool"},
    "user": {"$ref": "#/$defs/Pool", "description": "The users' pool."},
    "tags": {"type": "array", "items": {"type": "string"}}
  }
}`
	got, err := Schema(SchemaPage{Title: "T", Schema: []byte(schema), Source: "s.json", Examples: [][]byte{
		[]byte("kind: Site\nwave: 1\ncore: {nodeSelector: {pool: core}}\n"),
		[]byte("kind: Site\nmode: b\nuser: {nodeSelector: {pool: user}}\ntags: [x, y]\n"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := `# T

<!-- Generated from s.json by go generate ./cmd/hubfleet; do not edit. -->

Sections: [Top level](#top-level), [core](#core).

## Top level

| field | type | default | allowed values | example | description |
|---|---|---|---|---|---|
| ` + "`core`" + ` | [object](#core) | — | — | see [below](#core) | Pool is a node pool. |
| ` + "`kind`" + ` (required) | string | — | ` + "`Site`" + ` | ` + "`Site`" + ` |  |
| ` + "`mode`" + ` | string | a | ` + "`a`, `b`" + ` | ` + "`b`" + ` | Mode; defaults to a. |
| ` + "`tags`" + ` | list of string | — | — | ` + "`[\"x\",\"y\"]`" + ` |  |
| ` + "`user`" + ` | [object](#core) | — | — | see [below](#core) | The users' pool. |
| ` + "`wave`" + ` | integer | — | ≥ 0 | ` + "`1`" + ` |  |

## core

Also at: ` + "`user`" + `.

Pool is a node pool.

| field | type | default | allowed values | example | description |
|---|---|---|---|---|---|
| ` + "`nodeSelector`" + ` | map of string | — | — | ` + "`{\"pool\":\"core\"}`" + ` |  |

`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("Schema (-want +got):\n%s", diff)
	}
}

func TestExitCodes(t *testing.T) {
	t.Parallel()
	root := &cobra.Command{Use: "tool", Long: "Tool does things.\n\nExit codes: 0 ok, 1 problems, 2 error."}
	root.AddCommand(
		&cobra.Command{Use: "plan", Run: func(*cobra.Command, []string) {}, Long: "Plan plans.\n\nExit codes: 0 the plan was made, 1 a problem. Not this."},
		&cobra.Command{Use: "render", Run: func(*cobra.Command, []string) {}, Long: "Render renders. With --check the exit code is 1 when files are stale."},
		&cobra.Command{Use: "quiet", Run: func(*cobra.Command, []string) {}, Long: "Quiet says nothing of it."},
	)
	got := string(ExitCodes(root))
	for _, want := range []string{
		"Every command, unless its help says more: 0 ok, 1 problems, 2 error.",
		"| [`tool plan`](cli/tool_plan.md) | 0 the plan was made, 1 a problem. |",
		"| [`tool render`](cli/tool_render.md) | With --check the exit code is 1 when files are stale. |",
		"| [`tool quiet`](cli/tool_quiet.md) | as every command |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("ExitCodes lacks %q:\n%s", want, got)
		}
	}
}

func TestCLI(t *testing.T) {
	t.Parallel()
	root := &cobra.Command{Use: "tool", Short: "A tool", Long: "Tool reads origin/<base>.", Example: "  tool sub --cache <dir>"}
	sub := &cobra.Command{Use: "sub", Short: "A sub", Run: func(*cobra.Command, []string) {}}
	sub.Flags().String("cache", "/home/me/.cache/tool", "where")
	root.AddCommand(sub, &cobra.Command{Use: "hidden", Hidden: true, Run: func(*cobra.Command, []string) {}})
	pages, err := CLI(root, "/home/me/.cache", "<user cache dir>")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for n := range pages {
		names = append(names, n)
	}
	sort.Strings(names)
	if diff := cmp.Diff([]string{"tool.md", "tool_sub.md"}, names); diff != "" {
		t.Errorf("pages (-want +got):\n%s", diff)
	}
	if top := string(pages["tool.md"]); !strings.Contains(top, "origin/&lt;base&gt;") || !strings.Contains(top, "tool sub --cache <dir>") {
		t.Errorf("tool.md: prose not escaped, or code escaped:\n%s", top)
	}
	page := string(pages["tool_sub.md"])
	if !strings.Contains(page, `(default "<user cache dir>/tool")`) || strings.Contains(page, "Auto generated") {
		t.Errorf("tool_sub.md:\n%s", page)
	}
}

func TestAction(t *testing.T) {
	t.Parallel()
	action := "inputs:\n  mode:\n    description: What to do.\n    required: true\n  site:\n    description: A site.\n    default: \"\"\noutputs:\n  changed:\n    description: true when changed.\n"
	wf := map[string][]byte{"plan.yaml": []byte("name: plan\non:\n  pull_request:\n  schedule:\n    - cron: \"0 1 * * *\"\npermissions:\n  contents: read\njobs:\n  plan:\n    permissions:\n      pull-requests: write\n")}
	got, err := Action([]byte(action), wf)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| `mode` | yes | — | What to do. |",
		"| `site` | no | (empty) | A site. |",
		"| `changed` | true when changed. |",
		"| `plan.yaml` | plan | pull_request, schedule `0 1 * * *` | contents: read | plan: pull-requests: write |",
	} {
		if !strings.Contains(string(got), want) {
			t.Errorf("Action lacks %q:\n%s", want, got)
		}
	}
}
