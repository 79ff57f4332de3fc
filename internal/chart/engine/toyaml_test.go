package engine

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
	"helm.sh/helm/v3/pkg/chartutil"
)

// edgeStrings are strings whose YAML form is special: YAML 1.1 booleans
// and numbers, indicators, leading and trailing spaces, multi-line text,
// escapes JSON writes (HTML characters, controls, U+2028) and characters
// the JSON-to-YAML path refuses or rewrites (DEL, C1 controls, BOM,
// invalid UTF-8), which must take the original path.
var edgeStrings = []string{
	"", " ", "yes", "No", "on", "off", "y", "~", "null", "true", "1", "0x1f", "1e3", "0.5", ".5", "-", "---", "...",
	"a: b", "- x", "#c", "key: value # c", "&a", "*a", "!tag", "%x", "@x", "`x", "'q'", `"dq"`, "{a}", "[a]",
	" lead", "trail ", "multi\nline", "multi\nline\n", "tab\there", "cr\r\n", "<b>&amp;</b>", "\u2028\u2029",
	"\x00nul", "\x1besc", "\x7fdel", "\u0085nel", "\u0090c1", "\ufeffbom", "\xff\xfe", "é ü 日本 🙂", "\U0001F600",
	"c.KubeSpawner.environment = {'A': 'b'}\nprint(\"x\")\n", "https://example.org/hub/oauth_callback", "1:2", "12:30", "2024-01-15",
	"=", "<<", "? q", "|", ">", "a\\b", "\\u0041",
}

func randomValue(rng *rand.Rand, depth int) any {
	k := rng.IntN(14)
	if depth > 4 && k < 4 {
		k += 4
	}
	switch k {
	case 0, 1:
		m := map[string]any{}
		for range rng.IntN(5) {
			m[edgeStrings[rng.IntN(len(edgeStrings))]+fmt.Sprint(rng.IntN(3))] = randomValue(rng, depth+1)
		}
		if rng.IntN(2) == 0 {
			return chartutil.Values(m)
		}
		return m
	case 2:
		var l []any
		for range rng.IntN(4) {
			l = append(l, randomValue(rng, depth+1))
		}
		if l == nil && rng.IntN(2) == 0 {
			return []any{}
		}
		return l
	case 3:
		return []string{edgeStrings[rng.IntN(len(edgeStrings))], "x"}
	case 4, 5, 6:
		return edgeStrings[rng.IntN(len(edgeStrings))]
	case 7:
		return []float64{0, 0.5, 1, 1e6, 1e20, 1e21, 1e-7, -3, 123456789012, math.MaxInt64, 3.14159}[rng.IntN(11)]
	case 8:
		return []any{0, -1, 42, int64(math.MaxInt64), uint64(math.MaxUint64), int32(7), uint8(3), float32(0.1)}[rng.IntN(8)]
	case 9:
		return rng.IntN(2) == 0
	case 10:
		return nil
	case 11:
		return []any{[]byte("bytes"), struct{ A string }{"a"}, map[string]string{"a": "b"}, &struct{}{}, math.NaN(), map[any]any{"a": 1}}[rng.IntN(6)]
	case 12:
		var m map[string]any
		return m
	}
	var s []string
	return s
}

// TestToYAMLFastMatchesToYAML compares the fast toYaml with Helm's
// (sigs.k8s.io/yaml.Marshal) on seeded random values built from edge
// cases.
func TestToYAMLFastMatchesToYAML(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 1))
	fast := 0
	for i := range 20000 {
		v := randomValue(rng, 0)
		if _, ok := yamlTree(v, 0); ok {
			fast++
		}
		if diff := cmp.Diff(toYAML(v), toYAMLFast(v)); diff != "" {
			t.Fatalf("value %d %#v: (-toYAML +toYAMLFast):\n%s", i, v, diff)
		}
	}
	if fast < 5000 {
		t.Errorf("only %d of 20000 values took the fast path", fast)
	}
}
