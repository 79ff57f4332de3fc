package secretscan

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// KeyMask stands for a mapping key that is itself a secret in the paths
// the guard reports: spec.values.jupyterhub.custom.<secret-key>.enabled.
const KeyMask = "<secret-key>"

// RuleSecretComment is a secret-named `key: value` written in a comment.
const RuleSecretComment = "secret-in-comment"

// NodeOptions tune a scan of a parsed YAML document.
type NodeOptions struct {
	Options
	// Prefix is the path of n ("" for a document's root).
	Prefix string
	// Reference reports paths that hold references to secrets (Secret
	// names, keys, target paths) in a file's typed fields: the key-name
	// rules do not apply under them, the value detectors do.
	Reference func(path string) bool
	// Source is the file's text, to place comments on their lines.
	Source []byte
}

// Node scans a parsed YAML node with every rule: every scalar value,
// every mapping key and every comment. Aliases are scanned where their
// anchor is defined; a merge key (<<) adds nothing new. Lines come from
// the node itself. Options.Allowed is asked for each finding's exact path.
func Node(n *yaml.Node, o NodeOptions) []Finding {
	s := &scanner{o: o.Options, ref: o.Reference}
	if o.Source != nil {
		s.src = strings.Split(string(o.Source), "\n")
	}
	s.node(n, o.Prefix, lastKey(o.Prefix), "", 0)
	sortFindings(s.out)
	return s.out
}

// treeNode turns a decoded values tree into a node to scan.
func treeNode(v any) *yaml.Node {
	var n yaml.Node
	if err := n.Encode(v); err != nil {
		return nil
	}
	return &n
}

// publicUnder are keys that describe a credential without holding it, so
// under a secret-named map they pass: the registry and user of
// buildPodsRegistryCredentials {server, username, password}.
var publicUnder = map[string]bool{
	"SERVER": true, "REGISTRY": true, "HOST": true, "HOSTNAME": true, "PORT": true, "USERNAME": true,
	"USER": true, "EMAIL": true, "URL": true, "NAME": true, "NAMESPACE": true, "ENABLED": true,
	"CREATE": true, "TYPE": true, "KIND": true, "DESCRIPTION": true, "ANNOTATIONS": true, "LABELS": true,
	"STORE": true, "STORE KIND": true, "KEY NAME": true, "SECRET NAME": true, "MOUNT PATH": true,
}

// referenceChild are keys whose value refers to a secret held elsewhere:
// a valueFrom, a secretKeyRef, an External Secrets reference.
var referenceChild = map[string]bool{
	"valueFrom": true, "secretKeyRef": true, "secretRef": true, "configMapKeyRef": true,
	"externalSecret": true, "existingSecret": true, "existingSecretName": true, "secretName": true,
}

// referenceMap are the reference keys whose value is a mapping: a
// string there is a literal, not a reference.
var referenceMap = map[string]bool{"valueFrom": true, "secretKeyRef": true, "secretRef": true, "configMapKeyRef": true, "externalSecret": true}

// flagArg is a command-line flag in a list of arguments: --password.
var flagArg = regexp.MustCompile(`^--?([A-Za-z][\w.-]*)$`)

// flagValues checks argument lists: the element after a secret-named
// flag (["--password", "..."]) is its value.
func (s *scanner) flagValues(n *yaml.Node, p string) {
	for i := 0; i+1 < len(n.Content); i++ {
		a, b := n.Content[i], n.Content[i+1]
		if a.Kind != yaml.ScalarNode || b.Kind != yaml.ScalarNode || b.Tag == "!!null" || b.Tag == "!!bool" {
			continue
		}
		m := flagArg.FindStringSubmatch(a.Value)
		if m == nil || strings.HasPrefix(b.Value, "-") || isPlaceholder(b.Value) {
			continue
		}
		if name := codeName(m[1]); IsSecretName(name) {
			s.addAt(fmt.Sprintf("%s[%d]", p, i+1), b.Line, name, RuleSecretKey, fmt.Sprintf("a literal value of the command-line flag %s", a.Value), b.Value)
		}
	}
}

// node visits n at path p. key is the key that holds n; under is the
// secret-named key above n, if any: every literal below it is a secret.
func (s *scanner) node(n *yaml.Node, p, key, under string, depth int) {
	if n == nil || depth > 200 {
		return
	}
	if _, ok := s.lines[p]; !ok && p != "" {
		s.lineOverride(p, n.Line)
	}
	s.comments(n, p)
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			s.node(c, p, key, under, depth+1)
		}
	case yaml.AliasNode:
		// Scanned where its anchor is defined.
	case yaml.SequenceNode:
		if !s.o.ValuesOnly && under == "" && !s.isRef(p) {
			s.flagValues(n, p)
		}
		for i, c := range n.Content {
			s.node(c, fmt.Sprintf("%s[%d]", p, i), key, under, depth+1)
		}
	case yaml.MappingNode:
		s.mapping(n, p, under, depth)
	case yaml.ScalarNode:
		s.scalar(n, p, key, under)
	}
}

func (s *scanner) mapping(n *yaml.Node, p, under string, depth int) {
	if !s.o.ValuesOnly && under == "" && !s.isRef(p) {
		s.envPairNode(n, p)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn, vn := n.Content[i], n.Content[i+1]
		k := kn.Value
		if k == "<<" && kn.Tag == "!!merge" {
			continue
		}
		cp := join(p, k)
		if len(detect("", k)) > 0 {
			s.comments(kn, join(p, KeyMask))
		} else {
			s.comments(kn, cp)
		}
		// A key is a string like any other: a token used as a key is
		// a secret, and the paths below it never spell it.
		if hs := detect("", k); len(hs) > 0 {
			cp = join(p, KeyMask)
			for _, h := range hs {
				s.addAt(cp, kn.Line, "", h.rule, h.what+" used as a mapping key", k)
			}
		}
		line := kn.Line
		if line == 0 {
			line = s.line(cp)
		}
		u := under
		switch {
		case u != "":
			words := strings.Join(wordsOf(k), " ")
			switch {
			case (referenceChild[k] || isReferencePath(cp)) && (vn.Kind != yaml.ScalarNode || !referenceMap[k]):
				u = ""
				s.nodeRef(vn, cp, k, depth)
				continue
			case k == "sops" && vn.Kind == yaml.ScalarNode && vn.Tag == "!!bool":
				continue
			case publicUnder[words] || referenceLast[lastWord(k)] && !IsSecretName(k):
				u = ""
			}
		case !s.o.ValuesOnly && !s.isRef(cp) && !isReferencePath(cp) && (IsSecretName(k) && !isCodeEntry(cp) || isSecretPath(cp)):
			u = k
		}
		s.lineOverride(cp, line)
		s.node(vn, cp, k, u, depth+1)
	}
}

// nodeRef scans a reference with the value detectors only.
func (s *scanner) nodeRef(n *yaml.Node, p, key string, depth int) {
	saved := s.ref
	s.ref = func(string) bool { return true }
	s.node(n, p, key, "", depth+1)
	s.ref = saved
}

func (s *scanner) isRef(p string) bool { return s.ref != nil && s.ref(p) }

// envPairNode checks the list form of environment variables,
// {name: X_TOKEN, value: ...}: the value is named by name, whatever sits
// beside it (a valueFrom too).
func (s *scanner) envPairNode(n *yaml.Node, p string) {
	var name string
	var val, valKey *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		switch n.Content[i].Value {
		case "name":
			if n.Content[i+1].Kind == yaml.ScalarNode {
				name = n.Content[i+1].Value
			}
		case "value":
			valKey, val = n.Content[i], n.Content[i+1]
		}
	}
	if name == "" || val == nil || !IsSecretName(name) {
		return
	}
	vp := join(p, "value")
	if val.Kind == yaml.ScalarNode && (val.Tag == "!!null" || val.Value == "" || IsSOPSValue(val.Value) && IsSOPSFile(s.o.File)) {
		return
	}
	if val.Kind == yaml.AliasNode {
		val = val.Alias
	}
	secret := val.Value
	if val.Kind != yaml.ScalarNode {
		b, _ := yaml.Marshal(val)
		secret = string(b)
	}
	s.addAt(vp, valKey.Line, name, RuleSecretKey, fmt.Sprintf("a literal value of the secret environment variable %s", name), secret)
}

func (s *scanner) scalar(n *yaml.Node, p, key, under string) {
	switch n.Tag {
	case "!!null", "!!bool":
		return
	case "!!int", "!!float":
		if under != "" {
			s.addAt(p, 0, under, RuleSecretKey, fmt.Sprintf("a literal value at the secret key %q", under), n.Value)
		}
		return
	case "!!binary":
		compact := strings.Join(strings.Fields(n.Value), "")
		if under != "" {
			s.addAt(p, 0, under, RuleSecretKey, fmt.Sprintf("a literal value at the secret key %q", under), compact)
			return
		}
		if b, err := base64.StdEncoding.DecodeString(compact); err == nil && isText(string(b)) {
			for _, h := range detectDepth(key, string(b), 1) {
				s.addAt(p, 0, key, h.rule, h.what+" (base64-encoded)", compact)
			}
		}
		return
	}
	s.str(p, key, n.Value, under)
}

// embedded scans a string that holds a document of its own: JSON (a
// docker config, a JSON config file) or a YAML mapping (a config file
// in a literal block), with the same rules as the file.
func (s *scanner) embedded(p, v string) bool {
	t := strings.TrimSpace(v)
	if len(t) < 8 || s.depth > 2 {
		return false
	}
	var n *yaml.Node
	switch {
	case t[0] == '{' || t[0] == '[':
		var x any
		if json.Unmarshal([]byte(t), &x) != nil {
			return false
		}
		n = treeNode(x)
	case strings.Contains(t, "\n") && strings.Contains(t, ":"):
		var doc yaml.Node
		if yaml.Unmarshal([]byte(v), &doc) != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
			return false
		}
		n = &doc
	default:
		return false
	}
	if n == nil {
		return false
	}
	before := len(s.out)
	sub := &scanner{o: s.o, ref: s.ref, depth: s.depth + 1}
	sub.o.Line, sub.o.Allowed = nil, nil
	line := s.lineFor(p, 0)
	sub.node(n, "", "", "", 0)
	for _, f := range sub.out {
		where := p + " (inside)"
		if f.Path != "" {
			where = p + "{" + f.Path + "}"
		}
		s.addAt(p, line, f.Key, f.Rule, f.What+" in the text at "+strings.TrimPrefix(where, p), f.Secret)
	}
	return len(s.out) > before
}

// commentLine is a `key: value` or `key=value` written in a comment.
var commentLine = regexp.MustCompile(`^\s*(?:-\s+)?["']?([A-Za-z_][\w.-]*)["']?\s*[:=]\s*["']?([^\s"'#]{4,})["']?\s*$`)

// comments scans the comments attached to n: a secret commented out is
// still in git.
func (s *scanner) comments(n *yaml.Node, p string) {
	for _, c := range []string{n.HeadComment, n.LineComment, n.FootComment} {
		if c == "" {
			continue
		}
		cp := p + "#comment"
		if p == "" {
			cp = "#comment"
		}
		for _, l := range strings.Split(c, "\n") {
			line := s.commentLine(l, n.Line)
			l = strings.TrimLeft(strings.TrimSpace(l), "#")
			if m := commentLine.FindStringSubmatch(l); m != nil && IsSecretName(m[1]) && !isPlaceholder(m[2]) && !IsSOPSValue(m[2]) {
				s.addAt(cp, line, m[1], RuleSecretComment, fmt.Sprintf("a literal value of %s in a comment", m[1]), m[2])
				continue
			}
			for _, h := range detect("", l) {
				s.addAt(cp, line, "", h.rule, h.what+" in a comment", h.secret)
			}
		}
	}
}

func lastWord(k string) string {
	ws := words(k)
	if len(ws) == 0 {
		return ""
	}
	return ws[len(ws)-1]
}

func wordsOf(k string) []string { return words(k) }

// commentLine finds the line of the file that holds comment text c,
// nearest to line near.
func (s *scanner) commentLine(c string, near int) int {
	c = strings.TrimSpace(c)
	if len(s.src) == 0 || c == "" {
		return near
	}
	best, bestD := near, -1
	// A comment sits near its node: look at most 500 lines away.
	lo, hi := max(near-500, 0), min(near+500, len(s.src))
	for i := lo; i < hi; i++ {
		if !strings.Contains(s.src[i], c) {
			continue
		}
		d := i + 1 - near
		if d < 0 {
			d = -d
		}
		if bestD < 0 || d < bestD {
			best, bestD = i+1, d
		}
	}
	return best
}
