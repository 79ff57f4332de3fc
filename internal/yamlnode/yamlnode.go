package yamlnode

import "gopkg.in/yaml.v3"

// Lookup follows mapping keys from a document (or any) node and returns
// the value at the end, or nil.
func Lookup(n *yaml.Node, keys ...string) *yaml.Node {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	for _, k := range keys {
		_, n = pair(n, k)
		if n == nil {
			return nil
		}
	}
	return n
}

// LookupKey is Lookup that returns the last key's key node as well.
func LookupKey(n *yaml.Node, keys ...string) (key, value *yaml.Node) {
	if len(keys) == 0 {
		return nil, nil
	}
	return pair(Lookup(n, keys[:len(keys)-1]...), keys[len(keys)-1])
}

// pair returns the key and value nodes of key in mapping m.
func pair(m *yaml.Node, key string) (*yaml.Node, *yaml.Node) {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}
