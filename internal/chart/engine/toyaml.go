package engine

import (
	"encoding/json"
	"reflect"
	"strings"
	"unicode/utf8"

	yamlv2 "go.yaml.in/yaml/v2"
	"helm.sh/helm/v3/pkg/chartutil"
)

// toYAMLFast returns what toYAML returns, without the JSON round trip of
// sigs.k8s.io/yaml.Marshal (encode to JSON, decode the JSON with YAML v2,
// encode with YAML v2) for the values templates pass it: maps with string
// keys, slices, strings, booleans, numbers and nil. It builds the tree
// the YAML decoder would have built from the JSON and encodes that with
// the same encoder. Anything else, and strings the JSON-to-YAML path
// would treat specially, take the original path.
func toYAMLFast(v any) string {
	tree, ok := yamlTree(v, 0)
	if !ok {
		return toYAML(v)
	}
	b, err := yamlv2.Marshal(tree)
	if err != nil {
		return toYAML(v)
	}
	return strings.TrimSuffix(string(b), "\n")
}

// maxTreeDepth bounds the recursion; deeper values take the original
// path (which has its own limits).
const maxTreeDepth = 200

// yamlTree converts v into what yaml.v2 decodes from json.Marshal(v).
func yamlTree(v any, depth int) (any, bool) {
	if depth > maxTreeDepth {
		return nil, false
	}
	switch x := v.(type) {
	case nil:
		return nil, true
	case string:
		return x, jsonYAMLSafe(x)
	case bool:
		return x, true
	case map[string]any:
		return mapTree(x, depth)
	case chartutil.Values:
		return mapTree(x, depth)
	case []any:
		if x == nil {
			return nil, true
		}
		out := make([]any, len(x))
		for i, e := range x {
			t, ok := yamlTree(e, depth+1)
			if !ok {
				return nil, false
			}
			out[i] = t
		}
		return out, true
	case []string:
		if x == nil {
			return nil, true
		}
		out := make([]any, len(x))
		for i, e := range x {
			if !jsonYAMLSafe(e) {
				return nil, false
			}
			out[i] = e
		}
		return out, true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		if _, ok := v.(json.Marshaler); ok {
			return nil, false
		}
		// Numbers are rare: decode their JSON text as the original does,
		// which picks int, int64, uint64 or float64 from the text.
		b, err := json.Marshal(v)
		if err != nil {
			return nil, false
		}
		var n any
		if err := yamlv2.Unmarshal(b, &n); err != nil {
			return nil, false
		}
		return n, true
	}
	return nil, false
}

func mapTree(m map[string]any, depth int) (any, bool) {
	if m == nil {
		return nil, true
	}
	out := make(map[any]any, len(m))
	for k, e := range m {
		if !jsonYAMLSafe(k) {
			return nil, false
		}
		t, ok := yamlTree(e, depth+1)
		if !ok {
			return nil, false
		}
		out[k] = t
	}
	return out, true
}

// jsonYAMLSafe says the string survives encoding/json and decoding by
// yaml.v2 unchanged: valid UTF-8 (JSON would replace invalid bytes), and
// every character either escaped by JSON (controls below U+0020) or one
// the YAML reader accepts raw.
func jsonYAMLSafe(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return false
		}
		switch {
		case r >= 0xa0 && r <= 0xd7ff, r >= 0xe000 && r <= 0xfffd && r != 0xfeff, r >= 0x10000:
		default:
			return false
		}
		i += size
	}
	return true
}
