package site

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// DecodeSite strictly decodes a site file. file is the path used in error
// messages. Every decoding problem is returned, as an ErrorList.
func DecodeSite(file string, data []byte) (*Site, error) {
	var s Site
	lines, err := decodeStrict(file, data, &s)
	if err != nil {
		return nil, err
	}
	s.File, s.Lines = file, lines
	return &s, nil
}

// DecodeFleet strictly decodes the fleet file.
func DecodeFleet(file string, data []byte) (*Fleet, error) {
	var f Fleet
	lines, err := decodeStrict(file, data, &f)
	if err != nil {
		return nil, err
	}
	f.File, f.Lines = file, lines
	return &f, nil
}

// decodeStrict decodes one YAML document into out, reporting unknown
// fields, duplicate keys and type errors with their lines, all of them.
func decodeStrict(file string, data []byte, out any) (map[string]int, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		return nil, ErrorList{syntaxError(file, err)}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, ErrorList{{File: file, Line: extra.Line, Kind: KindSyntax,
			Msg: "the file holds more than one YAML document",
			Fix: "keep one site per file; remove the extra '---' document"}}
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	w := walker{r: reporter{file: file}, lines: map[string]int{}}
	w.walk(root, reflect.TypeOf(out).Elem(), "")
	w.r.lines = w.lines
	if len(w.r.errs) > 0 {
		return nil, w.r.errs.Err()
	}
	if err := root.Decode(out); err != nil {
		// The walk checks every field's type, so this is unexpected.
		return nil, ErrorList{syntaxError(file, err)}
	}
	return w.lines, nil
}

func syntaxError(file string, err error) *FieldError {
	fe := &FieldError{File: file, Kind: KindSyntax, Msg: err.Error(),
		Fix: "fix the YAML syntax at that line"}
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		fe.Msg = strings.Join(te.Errors, "; ")
	}
	// yaml.v3 messages start with "yaml: line N: ".
	msg := strings.TrimPrefix(fe.Msg, "yaml: ")
	if strings.HasPrefix(msg, "line ") {
		rest := strings.TrimPrefix(msg, "line ")
		if i := strings.Index(rest, ":"); i > 0 {
			if n, err := strconv.Atoi(rest[:i]); err == nil {
				fe.Line = n
				msg = strings.TrimSpace(rest[i+1:])
			}
		}
	}
	fe.Msg = msg
	return fe
}

type walker struct {
	r     reporter
	lines map[string]int
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func (w *walker) errAt(n *yaml.Node, kind Kind, field, fix, format string, args ...any) {
	w.r.errs = append(w.r.errs, &FieldError{File: w.r.file, Line: n.Line, Field: field,
		Kind: kind, Msg: fmt.Sprintf(format, args...), Fix: fix})
}

var anyType = reflect.TypeOf((*any)(nil)).Elem()

// walk checks node n against type t at path, recording lines.
func (w *walker) walk(n *yaml.Node, t reflect.Type, path string) {
	if n.Kind == yaml.AliasNode {
		// Aliases can expand exponentially ("billion laughs"); a site file
		// has no need for them.
		w.errAt(n, KindSyntax, path, "write the value out instead of *"+n.Value, "YAML aliases are not supported")
		return
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if path != "" {
		if _, ok := w.lines[path]; !ok {
			w.lines[path] = n.Line
		}
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return
	}
	switch {
	case t == anyType:
		w.walkFree(n, path)
	case t.Kind() == reflect.Struct:
		if n.Kind != yaml.MappingNode {
			w.errAt(n, KindType, path, "write a mapping of "+fieldList(t), "expected a mapping, found %s", describe(n))
			return
		}
		fields := structFields(t)
		w.eachPair(n, path, func(key, val *yaml.Node) {
			f, ok := fields[key.Value]
			if !ok {
				fix := "remove it"
				if s := closest(key.Value, keys(fields)); s != "" {
					fix = fmt.Sprintf("did you mean %q?", s)
				}
				w.errAt(key, KindUnknownField, join(path, key.Value), fix,
					"unknown field %q (known: %s)", key.Value, fieldList(t))
				return
			}
			w.walk(val, f.Type, join(path, key.Value))
		})
	case t.Kind() == reflect.Map:
		if n.Kind != yaml.MappingNode {
			w.errAt(n, KindType, path, "write a mapping", "expected a mapping, found %s", describe(n))
			return
		}
		w.eachPair(n, path, func(key, val *yaml.Node) {
			w.walk(val, t.Elem(), join(path, key.Value))
		})
	case t.Kind() == reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			w.errAt(n, KindType, path, "write a list ('- item' per line)", "expected a list, found %s", describe(n))
			return
		}
		for i, c := range n.Content {
			w.walk(c, t.Elem(), fmt.Sprintf("%s[%d]", path, i))
		}
	default:
		if n.Kind != yaml.ScalarNode {
			w.errAt(n, KindType, path, "write a single "+t.Kind().String()+" value", "expected a %s, found %s", kindName(t), describe(n))
			return
		}
		v := reflect.New(t)
		if err := n.Decode(v.Interface()); err != nil {
			w.errAt(n, KindType, path, "write a "+kindName(t), "%q is not a %s", n.Value, kindName(t))
		}
	}
}

// walkFree records lines and duplicate keys of free-form values.
func (w *walker) walkFree(n *yaml.Node, path string) {
	switch n.Kind {
	case yaml.AliasNode:
		w.errAt(n, KindSyntax, path, "write the value out instead of *"+n.Value, "YAML aliases are not supported")
	case yaml.MappingNode:
		w.eachPair(n, path, func(key, val *yaml.Node) {
			p := join(path, key.Value)
			if _, ok := w.lines[p]; !ok {
				w.lines[p] = key.Line
			}
			w.walkFree(val, p)
		})
	case yaml.SequenceNode:
		for i, c := range n.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			w.lines[p] = c.Line
			w.walkFree(c, p)
		}
	}
}

// eachPair visits the pairs of a mapping, reporting duplicate keys.
func (w *walker) eachPair(n *yaml.Node, path string, visit func(key, val *yaml.Node)) {
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		if key.Tag == "!!merge" {
			w.errAt(key, KindSyntax, path, "write the keys out", "YAML merge keys (<<) are not supported")
			continue
		}
		if first, dup := seen[key.Value]; dup {
			w.errAt(key, KindDuplicateKey, join(path, key.Value), "keep one of them",
				"key %q is written twice (first at line %d)", key.Value, first)
			continue
		}
		seen[key.Value] = key.Line
		w.lines[join(path, key.Value)] = key.Line
		visit(key, val)
	}
}

type field struct{ Type reflect.Type }

func structFields(t reflect.Type) map[string]field {
	out := map[string]field{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		name, _, _ := strings.Cut(tag, ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = field{Type: f.Type}
	}
	return out
}

func keys(m map[string]field) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func fieldList(t reflect.Type) string {
	return strings.Join(keys(structFields(t)), ", ")
}

func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Bool:
		return "boolean (true or false)"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "whole number"
	case reflect.Float64, reflect.Float32:
		return "number"
	case reflect.String:
		return "string"
	}
	return t.String()
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	default:
		return fmt.Sprintf("%q", n.Value)
	}
}

// closest returns the candidate within edit distance 2 of s, if any.
func closest(s string, candidates []string) string {
	best, bestD := "", 3
	for _, c := range candidates {
		if d := distance(strings.ToLower(s), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// distance is the Levenshtein distance of a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
