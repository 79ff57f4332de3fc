package docgen

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// SchemaPage describes one reference page made from a JSON Schema.
type SchemaPage struct {
	// Title is the page's heading.
	Title string
	// Intro is the Markdown under the heading.
	Intro string
	// Schema is the JSON Schema.
	Schema []byte
	// Examples are YAML or JSON documents valid against Schema (the demo
	// fleet's files); each field's example is the first value found.
	Examples [][]byte
	// Source names the schema file, for the generated-from line.
	Source string
}

// node is the part of JSON Schema the reference reads.
type node struct {
	Ref                  string           `json:"$ref"`
	Type                 any              `json:"type"`
	Description          string           `json:"description"`
	Default              any              `json:"default"`
	Const                any              `json:"const"`
	Enum                 []any            `json:"enum"`
	Properties           map[string]*node `json:"properties"`
	Required             []string         `json:"required"`
	Items                *node            `json:"items"`
	AdditionalProperties json.RawMessage  `json:"additionalProperties"`
	OneOf                []*node          `json:"oneOf"`
	AnyOf                []*node          `json:"anyOf"`
	Minimum              *float64         `json:"minimum"`
	Maximum              *float64         `json:"maximum"`
	Pattern              string           `json:"pattern"`
	Format               string           `json:"format"`
	Defs                 map[string]*node `json:"$defs"`
	Title                string           `json:"title"`
}

// additional is the schema of a map's values, or nil.
func (n *node) additional() *node {
	if len(n.AdditionalProperties) == 0 || string(n.AdditionalProperties) == "false" || string(n.AdditionalProperties) == "true" {
		return nil
	}
	var a node
	if json.Unmarshal(n.AdditionalProperties, &a) != nil {
		return nil
	}
	return &a
}

// section is one object of the schema: a heading and a table of fields.
type section struct {
	key         string
	paths       []string
	description string
	fields      []string
	node        *node
	examples    map[string]any
}

type schemaWriter struct {
	examples bool // whether the page has an example column
	defs     map[string]*node
	sections map[string]*section
	order    []string
}

func (w *schemaWriter) resolve(n *node) (*node, string) {
	name := ""
	for n != nil && n.Ref != "" {
		name = strings.TrimPrefix(n.Ref, "#/$defs/")
		d := w.defs[name]
		if d == nil {
			return n, name
		}
		// A description beside the $ref wins over the definition's.
		if n.Description != "" && d.Description != n.Description {
			c := *d
			c.Description = n.Description
			d = &c
		}
		n = d
	}
	return n, name
}

func isObject(n *node) bool {
	return len(n.Properties) > 0
}

// visit records the object at path and walks its fields, collecting
// examples from vals (the values found at path in the examples).
func (w *schemaWriter) visit(path string, n *node, ref string, vals []any, depth int) {
	if depth > 12 {
		return
	}
	n, name := w.resolve(n)
	if name != "" {
		ref = name
	}
	if n.Items != nil {
		var items []any
		for _, v := range vals {
			if l, ok := v.([]any); ok {
				items = append(items, l...)
			}
		}
		w.visit(path+"[]", n.Items, "", items, depth+1)
		return
	}
	if a := n.additional(); a != nil && !isObject(n) {
		var vs []any
		for _, v := range vals {
			if m, ok := v.(map[string]any); ok {
				for _, k := range sortedKeys(m) {
					vs = append(vs, m[k])
				}
			}
		}
		w.visit(path+".{name}", a, "", vs, depth+1)
		return
	}
	if !isObject(n) {
		return
	}
	key := path
	if ref != "" {
		key = "#" + ref
	}
	s := w.sections[key]
	if s == nil {
		s = &section{key: key, description: n.Description, node: n, examples: map[string]any{}}
		for f := range n.Properties {
			s.fields = append(s.fields, f)
		}
		sort.Strings(s.fields)
		w.sections[key] = s
		w.order = append(w.order, key)
	}
	if !contains(s.paths, path) {
		s.paths = append(s.paths, path)
	}
	for _, f := range s.fields {
		var child []any
		for _, v := range vals {
			if m, ok := v.(map[string]any); ok {
				if c, ok := m[f]; ok && c != nil {
					child = append(child, c)
				}
			}
		}
		if _, ok := s.examples[f]; !ok && len(child) > 0 {
			s.examples[f] = child[0]
		}
		w.visit(join(path, f), n.Properties[f], "", child, depth+1)
	}
}

func join(path, f string) string {
	if path == "" {
		return f
	}
	return path + "." + f
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Schema renders a reference page of every object and field of a schema.
func Schema(p SchemaPage) ([]byte, error) {
	var root node
	if err := json.Unmarshal(p.Schema, &root); err != nil {
		return nil, fmt.Errorf("%s: %w", p.Source, err)
	}
	var vals []any
	for i, e := range p.Examples {
		var v any
		if err := yaml.Unmarshal(e, &v); err != nil {
			return nil, fmt.Errorf("example %d: %w", i, err)
		}
		vals = append(vals, normalise(v))
	}
	w := &schemaWriter{examples: len(vals) > 0, defs: root.Defs, sections: map[string]*section{}}
	w.visit("", &root, "", vals, 0)
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n<!-- Generated from %s by go generate ./cmd/hubfleet; do not edit. -->\n\n", p.Title, p.Source)
	if p.Intro != "" {
		b.WriteString(strings.TrimSpace(p.Intro) + "\n\n")
	}
	if len(w.order) > 1 {
		b.WriteString("Sections: ")
		for i, k := range w.order {
			if i > 0 {
				b.WriteString(", ")
			}
			t := w.title(w.sections[k])
			fmt.Fprintf(&b, "[%s](#%s)", t, Anchor(t))
		}
		b.WriteString(".\n\n")
	}
	for _, k := range w.order {
		w.writeSection(&b, w.sections[k])
	}
	return []byte(b.String()), nil
}

// title is a section's heading: the first path it appears at.
func (w *schemaWriter) title(s *section) string {
	if s.paths[0] == "" {
		return "Top level"
	}
	return s.paths[0]
}

func (w *schemaWriter) writeSection(b *strings.Builder, s *section) {
	fmt.Fprintf(b, "## %s\n\n", w.title(s))
	if len(s.paths) > 1 {
		b.WriteString("Also at: ")
		for i, p := range s.paths[1:] {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(b, "`%s`", p)
		}
		b.WriteString(".\n\n")
	}
	if s.description != "" {
		b.WriteString(cell(s.description, false) + "\n\n")
	}
	if w.examples {
		b.WriteString("| field | type | default | allowed values | example | description |\n|---|---|---|---|---|---|\n")
	} else {
		b.WriteString("| field | type | default | allowed values | description |\n|---|---|---|---|---|\n")
	}
	for _, f := range s.fields {
		child := s.node.Properties[f]
		resolved, _ := w.resolve(child)
		name := "`" + f + "`"
		if contains(s.node.Required, f) {
			name += " (required)"
		}
		ex := "—"
		if v, ok := s.examples[f]; ok {
			ex = "`" + cell(inline(v), true) + "`"
			if isObject(resolved) {
				ex = "see [" + join(s.paths[0], f) + "](#" + Anchor(join(s.paths[0], f)) + ")"
				if t := w.typeOf(s.paths[0], f, child); strings.HasPrefix(t, "[object](#") {
					ex = "see " + strings.Replace(t, "[object]", "[below]", 1)
				}
			}
		}
		desc := resolved.Description
		if child.Description != "" {
			desc = child.Description
		}
		if w.examples {
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s |\n", name, w.typeOf(s.paths[0], f, child), defaultOf(resolved, desc), allowed(resolved), ex, cell(desc, false))
		} else {
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", name, w.typeOf(s.paths[0], f, child), defaultOf(resolved, desc), allowed(resolved), cell(desc, false))
		}
	}
	b.WriteString("\n")
}

// typeOf names a field's type, linking to the section of an object.
func (w *schemaWriter) typeOf(parent, field string, n *node) string {
	r, name := w.resolve(n)
	path := join(parent, field)
	link := func(key, label string) string {
		if s := w.sections[key]; s != nil {
			t := w.title(s)
			return fmt.Sprintf("[%s](#%s)", label, Anchor(t))
		}
		return label
	}
	switch {
	case isObject(r):
		key := path
		if name != "" {
			key = "#" + name
		}
		return link(key, "object")
	case r.Items != nil:
		it, iname := w.resolve(r.Items)
		if isObject(it) {
			key := path + "[]"
			if iname != "" {
				key = "#" + iname
			}
			return "list of " + link(key, "object")
		}
		return "list of " + w.typeOf(path, "[]", r.Items)
	case r.additional() != nil:
		a, aname := w.resolve(r.additional())
		if isObject(a) {
			key := path + ".{name}"
			if aname != "" {
				key = "#" + aname
			}
			return "map of " + link(key, "object")
		}
		return "map of " + w.typeOf(path, "{name}", r.additional())
	case len(r.OneOf) > 0 || len(r.AnyOf) > 0:
		var l []string
		for _, o := range append(r.OneOf, r.AnyOf...) {
			l = append(l, w.typeOf(parent, field, o))
		}
		return strings.Join(l, " or ")
	}
	switch t := r.Type.(type) {
	case string:
		if t == "object" {
			return "object (free-form)"
		}
		return t
	case []any:
		var l []string
		for _, x := range t {
			l = append(l, fmt.Sprint(x))
		}
		return strings.Join(l, " or ")
	}
	if r.Const != nil {
		return typeName(r.Const)
	}
	if len(r.Enum) > 0 {
		return typeName(r.Enum[0])
	}
	return "any"
}

func typeName(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "boolean"
	}
	return "any"
}

// defaultREs find the default a field's description states, most
// specific first: "defaults to X", "(default X)", "; default X",
// "X (the default)".
var defaultREs = []*regexp.Regexp{
	regexp.MustCompile(`(?i)\bdefaults? to ([^;]+?)(?:[;.](?:\s|$)|$)`),
	regexp.MustCompile(`\(default ([^)]+)\)`),
	regexp.MustCompile(`(?:^|;\s*)default:? ([^;]+?)(?:[;.](?:\s|$)|$)`),
	regexp.MustCompile(`(\S+) \((?:the )?default\)`),
}

// defaultOf is a field's default: the schema's, or the one its
// description states.
func defaultOf(n *node, desc string) string {
	if n.Default != nil {
		return "`" + cell(inline(n.Default), true) + "`"
	}
	for i, re := range defaultREs {
		if m := re.FindStringSubmatch(desc); m != nil {
			if i == len(defaultREs)-1 && n.Type == "boolean" {
				// "SOPS (the default) reads ...": the switch is on.
				return "`true`"
			}
			d := strings.TrimSpace(m[1])
			if j := strings.Index(d, " ("); j > 0 {
				d = d[:j]
			}
			if strings.Count(d, ")") > strings.Count(d, "(") {
				d = strings.TrimSuffix(d, ")")
			}
			return cell(strings.Trim(d, `"`), false)
		}
	}
	return "—"
}

func allowed(n *node) string {
	var l []string
	if n.Const != nil {
		l = append(l, "`"+cell(inline(n.Const), true)+"`")
	}
	for _, e := range n.Enum {
		l = append(l, "`"+cell(inline(e), true)+"`")
	}
	if n.Minimum != nil {
		l = append(l, fmt.Sprintf("≥ %v", *n.Minimum))
	}
	if n.Maximum != nil {
		l = append(l, fmt.Sprintf("≤ %v", *n.Maximum))
	}
	if n.Pattern != "" {
		l = append(l, "pattern `"+cell(n.Pattern, true)+"`")
	}
	if n.Format != "" {
		l = append(l, "format "+n.Format)
	}
	if len(l) == 0 {
		return "—"
	}
	return strings.Join(l, ", ")
}

// inline writes a value on one line: scalars as YAML does, collections in
// flow style, at most 80 characters.
func inline(v any) string {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case nil:
		s = "null"
	case map[string]any, []any:
		b, _ := json.Marshal(x)
		s = string(b)
	default:
		s = fmt.Sprint(x)
	}
	s = strings.ReplaceAll(strings.TrimSpace(s), "\n", " ")
	if r := []rune(s); len(r) > 80 {
		s = string(r[:77]) + "..."
	}
	return s
}

// cell makes text safe in a Markdown table cell: no pipes or line
// breaks, and outside code no angle brackets, which Markdown would read
// as HTML (clusters/<site>/site.yaml).
func cell(s string, code bool) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	s = strings.ReplaceAll(s, "\n", " ")
	if code {
		return strings.ReplaceAll(s, "`", "'")
	}
	return strings.NewReplacer("<", "&lt;", ">", "&gt;").Replace(s)
}

// normalise turns YAML's decoded maps into map[string]any throughout.
func normalise(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			x[k] = normalise(c)
		}
		return x
	case map[any]any:
		m := map[string]any{}
		for k, c := range x {
			m[fmt.Sprint(k)] = normalise(c)
		}
		return m
	case []any:
		for i, c := range x {
			x[i] = normalise(c)
		}
		return x
	}
	return v
}

// Anchor is GitHub's anchor of a heading.
func Anchor(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	var b strings.Builder
	for _, r := range h {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9'):
			b.WriteRune(r)
		}
	}
	return b.String()
}
