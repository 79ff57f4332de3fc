package values

import (
	"fmt"
	"strings"
)

// set writes v at a dotted path, creating maps on the way. Keys holding
// dots cannot be addressed; hubfleet's own paths never need them.
func set(m map[string]any, path string, v any) {
	parts := strings.Split(path, ".")
	for _, p := range parts[:len(parts)-1] {
		next, ok := m[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[p] = next
		}
		m = next
	}
	m[parts[len(parts)-1]] = v
}

// merge deep-merges src into dst as Helm merges values files: maps merge
// key by key, anything else replaces. src is not modified.
func merge(dst, src map[string]any) error {
	for k, v := range src {
		sm, srcIsMap := v.(map[string]any)
		dm, dstIsMap := dst[k].(map[string]any)
		switch {
		case srcIsMap && dstIsMap:
			if err := merge(dm, sm); err != nil {
				return fmt.Errorf("%s.%w", k, err)
			}
		case srcIsMap:
			cp := map[string]any{}
			if err := merge(cp, sm); err != nil {
				return fmt.Errorf("%s.%w", k, err)
			}
			dst[k] = cp
		default:
			dst[k] = v
		}
	}
	return nil
}

// sub returns the map at key (an empty map if absent).
func sub(m map[string]any, key string) map[string]any {
	if s, ok := m[key].(map[string]any); ok {
		return s
	}
	return map[string]any{}
}
