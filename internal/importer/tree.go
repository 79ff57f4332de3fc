package importer

import (
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Path is a values path as a list of keys. Keys may hold dots
// (prometheus.io/scrape), so paths are never split on them.
type Path []string

// String writes the path with dots between keys; a key that holds a dot
// or a bracket is written in brackets and quotes: a.b["prometheus.io/scrape"].
func (p Path) String() string {
	var b strings.Builder
	for i, k := range p {
		if strings.ContainsAny(k, ".[]\"") || k == "" {
			b.WriteString("[" + strconv.Quote(k) + "]")
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(k)
	}
	return b.String()
}

// under reports whether p is q or lies below q.
func (p Path) under(q Path) bool {
	return len(p) >= len(q) && slices.Equal(p[:len(q)], q)
}

func (p Path) plus(keys ...string) Path {
	return append(slices.Clone(p), keys...)
}

// getPath returns the value at p and whether it is there.
func getPath(m map[string]any, p Path) (any, bool) {
	var cur any = m
	for _, k := range p {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		cur, ok = mm[k]
		if !ok {
			return nil, false
		}
	}
	return cur, true
}

// setPath writes v at p, creating maps on the way.
func setPath(m map[string]any, p Path, v any) {
	for _, k := range p[:len(p)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	m[p[len(p)-1]] = v
}

// deletePath removes the value at p and prunes maps it leaves empty.
func deletePath(m map[string]any, p Path) (any, bool) {
	if len(p) == 0 {
		return nil, false
	}
	if len(p) == 1 {
		v, ok := m[p[0]]
		delete(m, p[0])
		return v, ok
	}
	sub, ok := m[p[0]].(map[string]any)
	if !ok {
		return nil, false
	}
	v, ok := deletePath(sub, p[1:])
	if ok && len(sub) == 0 {
		delete(m, p[0])
	}
	return v, ok
}

// Leaf is one leaf of a values tree: a scalar, a null, a list (lists are
// leaves: Helm replaces them whole) or an empty map.
type Leaf struct {
	Path  Path
	Value any
}

// Leaves lists the leaves of a tree in path order.
func Leaves(m map[string]any) []Leaf {
	var out []Leaf
	var walk func(m map[string]any, p Path)
	walk = func(m map[string]any, p Path) {
		for _, k := range slices.Sorted(maps.Keys(m)) {
			q := p.plus(k)
			if sub, ok := m[k].(map[string]any); ok && len(sub) > 0 {
				walk(sub, q)
				continue
			}
			out = append(out, Leaf{Path: q, Value: m[k]})
		}
	}
	walk(m, nil)
	return out
}

// deepCopy copies maps and lists of a values tree.
func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}
