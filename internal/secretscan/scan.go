package secretscan

import (
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
)

// Rule ids of the structural rules; the known formats keep gitleaks' ids.
const (
	RuleSecretKey      = "secret-key"
	RuleSOPSOutside    = "sops-outside"
	RuleSOPSPlain      = "sops-unencrypted"
	RuleCodeAssignment = "code-assignment"
)

// Finding is one plain-text secret. Its fields never hold the secret
// itself, except Secret, which is for masking output and is never printed.
type Finding struct {
	// File and Line locate the value (Line 0 when unknown).
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
	// Path is the dotted path of the value, e.g.
	// spec.values.jupyterhub.hub.extraEnv.OAUTH_CLIENT_SECRET.
	Path string `json:"path"`
	// Key is the key (or environment variable) that holds the secret.
	Key string `json:"key"`
	// Rule is the id of the rule that matched.
	Rule string `json:"rule"`
	// What says what was found, in words, without the value.
	What string `json:"what"`
	// Secret is the literal found, for masking; never print it.
	Secret string `json:"-"`
}

func (f Finding) String() string {
	loc := f.File
	if f.Line > 0 {
		loc += ":" + strconv.Itoa(f.Line)
	}
	return fmt.Sprintf("%s: %s: %s [%s]", loc, f.Path, f.What, f.Rule)
}

// Options tune a scan.
type Options struct {
	// File is the file the values come from; *.sops.yaml files may hold
	// ENC[...] values.
	File string
	// Line returns the line of a path (nil: lines unknown).
	Line func(path string) int
	// Allowed reports paths marked as not secret; a mark covers the
	// value at the path and everything under it.
	Allowed func(path string) bool
	// ValuesOnly skips the key-name rules: for typed fields whose names
	// are hubfleet's own (spec.auth.clientSecret holds a reference).
	ValuesOnly bool
}

// IsSOPSFile reports whether SOPS encrypts a file of this name.
func IsSOPSFile(name string) bool {
	ok, _ := path.Match("*.sops.yaml", path.Base(name))
	return ok
}

// Tree scans a decoded values tree rooted at prefix.
func Tree(prefix string, v any, o Options) []Finding {
	s := &scanner{o: o}
	s.walk(prefix, lastKey(prefix), v, "")
	slices.SortStableFunc(s.out, func(a, b Finding) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return strings.Compare(a.Path, b.Path)
	})
	return s.out
}

type scanner struct {
	o   Options
	out []Finding
	// reported are paths already reported by a structural rule.
	reported map[string]bool
}

func (s *scanner) add(p, key, rule, what, secret string) {
	if s.reported == nil {
		s.reported = map[string]bool{}
	}
	s.reported[p] = true
	f := Finding{File: s.o.File, Path: p, Key: key, Rule: rule, What: what, Secret: secret}
	if s.o.Line != nil {
		f.Line = s.o.Line(p)
	}
	s.out = append(s.out, f)
}

func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

func lastKey(p string) string {
	parts := splitPath(p)
	if len(parts) == 0 {
		return ""
	}
	return parts[len(parts)-1]
}

// walk visits v at path p. under is the secret-named key above v, if any:
// every literal below it is a secret.
func (s *scanner) walk(p, key string, v any, under string) {
	if s.o.Allowed != nil && s.o.Allowed(p) {
		return
	}
	switch x := v.(type) {
	case map[string]any:
		if under != "" && isReferenceMap(x) {
			return
		}
		if !s.o.ValuesOnly && under == "" {
			s.envPair(p, x)
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			cp := join(p, k)
			u := under
			if u == "" && !s.o.ValuesOnly && !isReferencePath(cp) && (IsSecretName(k) || isSecretPath(cp)) {
				u = k
			}
			s.walk(cp, k, x[k], u)
		}
	case []any:
		for i, e := range x {
			s.walk(fmt.Sprintf("%s[%d]", p, i), key, e, under)
		}
	case string:
		s.str(p, key, x, under)
	case nil, bool:
	default:
		if under != "" {
			s.add(p, under, RuleSecretKey, fmt.Sprintf("a literal value at the secret key %q", under), fmt.Sprint(x))
		}
	}
}

// envPair checks the list form of environment variables,
// {name: X_TOKEN, value: ...}: the value is named by name.
func (s *scanner) envPair(p string, m map[string]any) {
	name, ok := m["name"].(string)
	if !ok || !IsSecretName(name) {
		return
	}
	val, ok := m["value"]
	if !ok || val == nil {
		return
	}
	vp := join(p, "value")
	if s.o.Allowed != nil && s.o.Allowed(vp) {
		return
	}
	if str, ok := val.(string); ok && (str == "" || IsSOPSValue(str) && IsSOPSFile(s.o.File)) {
		return
	}
	s.add(vp, name, RuleSecretKey, fmt.Sprintf("a literal value of the secret environment variable %s", name), fmt.Sprint(val))
}

func (s *scanner) str(p, key, v, under string) {
	if v == "" {
		return
	}
	if IsSOPSValue(v) {
		if !IsSOPSFile(s.o.File) {
			s.add(p, key, RuleSOPSOutside, "an ENC[...] value outside a *.sops.yaml file: SOPS never encrypted it, and the original may be recoverable", v)
		}
		return
	}
	if under != "" {
		// A pair {name: X, value: Y} under a secret key was reported by
		// envPair already when X is secret.
		s.add(p, under, RuleSecretKey, fmt.Sprintf("a literal value at the secret key %q", under), v)
		return
	}
	if s.reported[p] {
		return
	}
	for _, h := range detect(key, v) {
		s.add(p, key, h.rule, h.what, h.secret)
	}
}

// IsSOPSValue reports whether v has the shape of a SOPS-encrypted value.
func IsSOPSValue(v string) bool {
	return strings.HasPrefix(v, "ENC[") && strings.HasSuffix(v, "]")
}
