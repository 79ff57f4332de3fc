package secretscan

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"gopkg.in/yaml.v3"
)

// YAML scans every document of a YAML file with all the rules. In a
// *.sops.yaml file, ENC[...] values are expected, the sops metadata is
// skipped, and any plain value under data or stringData is a finding.
// allowed reports the exact paths marked as not secret.
func YAML(file string, data []byte, allowed func(path string) bool) ([]Finding, error) {
	return YAMLWith(file, data, NodeOptions{Options: Options{Allowed: allowed}})
}

// YAMLWith is YAML with the options of Node; o.File is set to file.
func YAMLWith(file string, data []byte, o NodeOptions) ([]Finding, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	src := strings.Split(string(data), "\n")
	o.File = file
	o.Source = nil
	var out []Finding
	for doc := 0; ; doc++ {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return out, fmt.Errorf("%s: %w", file, err)
		}
		root := &n
		if IsSOPSFile(file) && len(n.Content) == 1 && n.Content[0].Kind == yaml.MappingNode {
			m := *n.Content[0]
			m.Content = nil
			for i := 0; i+1 < len(n.Content[0].Content); i += 2 {
				if n.Content[0].Content[i].Value != "sops" {
					m.Content = append(m.Content, n.Content[0].Content[i], n.Content[0].Content[i+1])
				}
			}
			root = &m
			lines := map[string]int{}
			if tree, ok := nodeTree(root, "", lines).(map[string]any); ok {
				po := o.Options
				po.Line = func(p string) int { return lineOf(lines, p) }
				out = append(out, sopsPlain(tree, po)...)
			}
		}
		s := &scanner{o: o.Options, ref: o.Reference, src: src}
		s.node(root, o.Prefix, lastKey(o.Prefix), "", 0)
		sortFindings(s.out)
		out = append(out, s.out...)
	}
	return out, nil
}

// sopsPlain reports values SOPS left unencrypted in a Secret's data.
func sopsPlain(m map[string]any, o Options) []Finding {
	var out []Finding
	for _, field := range []string{"data", "stringData"} {
		d, _ := m[field].(map[string]any)
		for k, v := range d {
			s, ok := v.(string)
			if ok && (IsSOPSValue(s) || s == "") {
				continue
			}
			p := field + "." + k
			out = append(out, Finding{File: o.File, Line: o.Line(p), Path: p, Key: k, Rule: RuleSOPSPlain,
				What: "a plain value in a *.sops.yaml file: it was never encrypted", Secret: fmt.Sprint(v)})
		}
	}
	return out
}

// nodeTree converts a YAML node into plain values, recording the line of
// every path. Aliases are not followed.
func nodeTree(n *yaml.Node, p string, lines map[string]int) any {
	if p != "" {
		if _, ok := lines[p]; !ok {
			lines[p] = n.Line
		}
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil
		}
		return nodeTree(n.Content[0], p, lines)
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			cp := join(p, k)
			lines[cp] = n.Content[i].Line
			m[k] = nodeTree(n.Content[i+1], cp, lines)
		}
		return m
	case yaml.SequenceNode:
		l := make([]any, len(n.Content))
		for i, c := range n.Content {
			l[i] = nodeTree(c, fmt.Sprintf("%s[%d]", p, i), lines)
		}
		return l
	case yaml.ScalarNode:
		var v any
		if err := n.Decode(&v); err != nil {
			return n.Value
		}
		return v
	}
	return nil
}

// lineOf finds the line of p, or of its closest recorded parent.
func lineOf(lines map[string]int, p string) int {
	for p != "" {
		if l, ok := lines[p]; ok {
			return l
		}
		i := lastSep(p)
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return 0
}

func lastSep(p string) int {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '.' || p[i] == '[' {
			return i
		}
	}
	return -1
}

// Text scans a text file line by line with the value detectors (a PEM
// private key is found across lines).
func Text(file string, data []byte) []Finding {
	var out []Finding
	for i, line := range bytes.Split(data, []byte("\n")) {
		for _, h := range detect("", string(line)) {
			out = append(out, Finding{File: file, Line: i + 1, Path: fmt.Sprintf("line %d", i+1), Rule: h.rule, What: h.what, Secret: h.secret})
		}
	}
	for _, f := range formats {
		if f.id != "private-key" {
			continue
		}
		for _, loc := range f.re.FindAllIndex(data, -1) {
			line := bytes.Count(data[:loc[0]], []byte("\n")) + 1
			out = append(out, Finding{File: file, Line: line, Path: fmt.Sprintf("line %d", line), Rule: f.id, What: f.what, Secret: string(data[loc[0]:loc[1]])})
		}
	}
	return out
}
