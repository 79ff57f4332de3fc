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

// Tree scans a decoded values tree rooted at prefix with every rule, as
// Node does.
func Tree(prefix string, v any, o Options) []Finding {
	n := treeNode(v)
	if n == nil {
		return nil
	}
	return Node(n, NodeOptions{Options: o, Prefix: prefix})
}

func sortFindings(out []Finding) {
	slices.SortStableFunc(out, func(a, b Finding) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return strings.Compare(a.Path, b.Path)
	})
}

type scanner struct {
	o   Options
	out []Finding
	// reported are paths already reported by a structural rule.
	reported map[string]bool
	// ref reports reference paths (NodeOptions.Reference).
	ref func(string) bool
	// lines are the lines of the keys seen so far.
	lines map[string]int
	// src are the file's lines, to place comments (nil: unknown).
	src []string
	// depth counts documents embedded in strings.
	depth int
	seen  map[string]bool
}

func (s *scanner) lineOverride(p string, line int) {
	if line <= 0 {
		return
	}
	if s.lines == nil {
		s.lines = map[string]int{}
	}
	s.lines[p] = line
}

// lineFor is the line of p: given, recorded for p or its closest parent,
// or asked of Options.Line.
func (s *scanner) lineFor(p string, line int) int {
	if line > 0 {
		return line
	}
	for q := p; q != ""; {
		if l, ok := s.lines[q]; ok {
			return l
		}
		i := lastSep(q)
		if i < 0 {
			break
		}
		q = q[:i]
	}
	if s.o.Line != nil {
		return s.o.Line(p)
	}
	return 0
}

func (s *scanner) line(p string) int { return s.lineFor(p, 0) }

func (s *scanner) add(p, key, rule, what, secret string) {
	s.addAt(p, 0, key, rule, what, secret)
}

func (s *scanner) addAt(p string, line int, key, rule, what, secret string) {
	if s.o.Allowed != nil && s.o.Allowed(p) {
		return
	}
	if s.reported == nil {
		s.reported = map[string]bool{}
		s.seen = map[string]bool{}
	}
	id := p + "\x00" + rule + "\x00" + secret
	if s.seen[id] {
		return
	}
	s.seen[id] = true
	s.reported[p] = true
	f := Finding{File: s.o.File, Line: s.lineFor(p, line), Path: p, Key: key, Rule: rule, What: what, Secret: secret}
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

func (s *scanner) str(p, key, v, under string) {
	if strings.TrimSpace(v) == "" {
		return
	}
	if IsSOPSValue(v) {
		if !IsSOPSFile(s.o.File) {
			s.add(p, key, RuleSOPSOutside, "an ENC[...] value outside a *.sops.yaml file: SOPS never encrypted it, and the original may be recoverable", v)
		}
		return
	}
	if under != "" {
		if isPlaceholder(v) {
			return
		}
		s.add(p, under, RuleSecretKey, fmt.Sprintf("a literal value at the secret key %q", under), v)
		return
	}
	if s.reported[p] {
		return
	}
	if s.embedded(p, v) {
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
