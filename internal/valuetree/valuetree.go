// Package valuetree reads and writes nested chart values
// (map[string]any trees addressed by dotted paths) and merges them the way
// Helm merges values files.
package valuetree

import "strings"

// Set writes v at a dotted path, creating maps on the way. A dot inside a
// key is written \. (SplitPath), as in Helm's --set and Flux's targetPath.
func Set(m map[string]any, path string, v any) {
	parts := SplitPath(path)
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

// Get returns the value at a dotted path (SplitPath), or nil.
func Get(m map[string]any, path string) any {
	var cur any = m
	for _, p := range SplitPath(path) {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = mm[p]
	}
	return cur
}

// SplitPath splits a dotted path into its keys. A dot escaped with a
// backslash (\.) is part of its key, as Helm's --set parser and
// helm-controller's valuesFrom targetPath read it:
// extraFiles.key\.pem.stringData is extraFiles, key.pem, stringData.
func SplitPath(path string) []string {
	if !strings.Contains(path, `\.`) {
		return strings.Split(path, ".")
	}
	var keys []string
	var cur strings.Builder
	for i := 0; i < len(path); i++ {
		switch {
		case path[i] == '\\' && i+1 < len(path) && path[i+1] == '.':
			cur.WriteByte('.')
			i++
		case path[i] == '.':
			keys = append(keys, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(path[i])
		}
	}
	return append(keys, cur.String())
}

// JoinPath is SplitPath's inverse: the keys joined with dots, a dot inside
// a key escaped.
func JoinPath(keys ...string) string {
	esc := make([]string, len(keys))
	for i, k := range keys {
		esc[i] = strings.ReplaceAll(k, ".", `\.`)
	}
	return strings.Join(esc, ".")
}

// Merge deep-merges src into dst as Helm merges values files (helm -f a
// -f b, chartutil's MergeMaps): maps merge key by key, anything else
// (lists, scalars, null) replaces. A null is kept: against the chart's
// defaults it deletes the key, as it does in the HelmRelease values. Maps
// taken from src are copied, so later merges into dst never modify src.
func Merge(dst, src map[string]any) {
	for k, v := range src {
		sm, srcIsMap := v.(map[string]any)
		if !srcIsMap {
			dst[k] = v
			continue
		}
		dm, dstIsMap := dst[k].(map[string]any)
		if !dstIsMap {
			dm = map[string]any{}
			dst[k] = dm
		}
		Merge(dm, sm)
	}
}

// Sub returns the map at key (an empty map if absent).
func Sub(m map[string]any, key string) map[string]any {
	if s, ok := m[key].(map[string]any); ok {
		return s
	}
	return map[string]any{}
}
