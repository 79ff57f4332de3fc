package valuetree

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMergeSetGet(t *testing.T) {
	t.Parallel()
	base := map[string]any{"a": map[string]any{"b": 1, "c": []any{1}}, "x": "y"}
	over := map[string]any{"a": map[string]any{"c": []any{2}, "d": map[string]any{"e": true}}}
	dst := map[string]any{}
	Merge(dst, base)
	Merge(dst, over)
	Set(dst, "a.d.f", "g")
	want := map[string]any{"a": map[string]any{"b": 1, "c": []any{2}, "d": map[string]any{"e": true, "f": "g"}}, "x": "y"}
	if diff := cmp.Diff(want, dst); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, ok := over["a"].(map[string]any)["d"].(map[string]any)["f"]; ok {
		t.Error("Set through a merged tree modified the source")
	}
	if Get(dst, "a.d.e") != true || Get(dst, "a.missing.x") != nil || Get(dst, "x.y") != nil {
		t.Error("Get")
	}
	if len(Sub(dst, "nope")) != 0 || Sub(dst, "a")["b"] != 1 {
		t.Error("Sub")
	}
}

// TestSplitPathReadsEscapedDots: a key holding a dot (a file name under
// z2jh's extraFiles) is addressed with \., as helm-controller reads a
// valuesFrom targetPath; JoinPath writes it back.
func TestSplitPathReadsEscapedDots(t *testing.T) {
	for _, tc := range []struct {
		path string
		keys []string
	}{
		{"hub.db.password", []string{"hub", "db", "password"}},
		{`hub.extraFiles.github-app-private-key\.pem.stringData`, []string{"hub", "extraFiles", "github-app-private-key.pem", "stringData"}},
		{`a\.b\.c`, []string{"a.b.c"}},
		{`a\b.c`, []string{`a\b`, "c"}},
	} {
		if got := SplitPath(tc.path); !slices.Equal(got, tc.keys) {
			t.Errorf("SplitPath(%q) = %q, want %q", tc.path, got, tc.keys)
		}
		if got := JoinPath(tc.keys...); got != tc.path {
			t.Errorf("JoinPath(%q) = %q, want %q", tc.keys, got, tc.path)
		}
	}
	m := map[string]any{}
	Set(m, `hub.extraFiles.key\.pem.stringData`, "<Secret>")
	files := m["hub"].(map[string]any)["extraFiles"].(map[string]any)
	if _, ok := files["key.pem"]; !ok || Get(m, `hub.extraFiles.key\.pem.stringData`) != "<Secret>" {
		t.Errorf("Set/Get of an escaped key: %v", m)
	}
}
