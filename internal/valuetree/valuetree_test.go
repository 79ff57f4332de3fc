package valuetree

import (
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
