package docscript_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubfleet/hubfleet/internal/docscript"
)

func TestParse(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, md string
		want     *docscript.Page
		wantErr  bool
	}{
		{
			name: "commands, comments and expectations",
			md:   "<!-- doc-test: after start.md -->\n# T\n\n```sh\n# a comment line\nhubfleet validate   # prints \"1 site(s) valid\"\nhubfleet plan --base main   # exit 1; says \"a problem\", shows \"my-site\"\nhubfleet plan   # prints \"a\", \"b\" and \"c\"; \"not this\"\n```\n",
			want: &docscript.Page{After: "start.md", Blocks: []docscript.Block{{Line: 4, Commands: []docscript.Command{
				{Line: 6, Text: `hubfleet validate   # prints "1 site(s) valid"`, Want: []string{"1 site(s) valid"}},
				{Line: 7, Text: `hubfleet plan --base main   # exit 1; says "a problem", shows "my-site"`, Exit: 1, Want: []string{"a problem", "my-site"}},
				{Line: 8, Text: `hubfleet plan   # prints "a", "b" and "c"; "not this"`, Want: []string{"a", "b", "c"}},
			}}}},
		},
		{
			name: "other languages are not run",
			md:   "```yaml\na: 1\n```\n```text\nhubfleet x\n```\n",
			want: &docscript.Page{},
		},
		{
			name: "a skipped block and a skipped line",
			md:   "```sh\n# not run here: needs a cluster\nkubectl get pods\n```\n\n```sh\ntools/test.sh   # runs everything (not run here: it runs this test)\n```\n",
			want: &docscript.Page{Blocks: []docscript.Block{
				{Line: 1, Skip: "needs a cluster", Commands: []docscript.Command{{Line: 3, Text: "kubectl get pods"}}},
				{Line: 6, Commands: []docscript.Command{{Line: 7, Text: "tools/test.sh   # runs everything (not run here: it runs this test)", Skip: "runs everything (not run here: it runs this test)"}}},
			}},
		},
		{
			name: "continuations, here-documents, quotes and a directive",
			md:   "<!-- doc-test: in a copy of this repository -->\n```sh\nhubfleet site new x \\\n  --host a.example.org   # prints \"created\"\ncat > f.yaml <<'EOF'\nkey: \"# not a comment\"\nEOF\necho '# quoted' # exit 0\n```\n",
			want: &docscript.Page{Blocks: []docscript.Block{{Line: 2, Where: "a copy of this repository", Commands: []docscript.Command{
				{Line: 3, Text: "hubfleet site new x \\\n  --host a.example.org   # prints \"created\"", Want: []string{"created"}},
				{Line: 5, Text: "cat > f.yaml <<'EOF'\nkey: \"# not a comment\"\nEOF"},
				{Line: 8, Text: "echo '# quoted' # exit 0"},
			}}}},
		},
		{
			name: "files to copy in",
			md:   "<!-- doc-test: copy ../shared/real-configs/x -->\n<!-- doc-test: copy bases -->\n```sh\nls x\n```\n```sh\nls\n```\n",
			want: &docscript.Page{Blocks: []docscript.Block{
				{Line: 3, Copy: []string{"../shared/real-configs/x", "bases"}, Commands: []docscript.Command{{Line: 4, Text: "ls x"}}},
				{Line: 6, Commands: []docscript.Command{{Line: 7, Text: "ls"}}},
			}},
		},
		{name: "an unclosed block", md: "```sh\nhubfleet validate\n", wantErr: true},
		{name: "a skip without a reason", md: "```sh\n# not run here:\nx\n```\n", wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := docscript.Parse(tc.md)
			if (err != nil) != tc.wantErr {
				t.Fatalf("error %v, want error: %v", err, tc.wantErr)
			}
			if tc.wantErr {
				return
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Parse (-want +got):\n%s", diff)
			}
		})
	}
}
