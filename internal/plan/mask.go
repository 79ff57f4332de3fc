package plan

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hubfleet/hubfleet/internal/secretscan"
)

// Masked replaces a secret value in a plan. MaskedChanged replaces, on
// the head side, a secret value that differs from the base: a reviewer
// sees which key changed, never the value.
const (
	Masked        = secretscan.Mask
	MaskedChanged = "[redacted, changed]"
)

// The masker works by structure, before any diff is made: each YAML
// document of a file or chart object is decoded, the values at secret
// paths (what the secret guard finds) and the payload fields of SOPS
// files (the values under data and stringData, the sops block's encrypted
// data keys and MAC) are replaced, and the document is encoded again. A
// value is never masked for its line, so booleans, numbers and the names
// next to a secret stay, and a JSON or YAML plan stays valid.

// masker masks the two sides of one file or object.
type masker struct {
	// secrets are every secret value found, for the runner's log mask
	// and the free-text pass over messages.
	secrets []string
}

// scanFiles records the secrets of a site's overlay files, so the chart
// objects rendered from them are masked too.
func (m *masker) scanFiles(files map[string][]byte) {
	if m == nil {
		return
	}
	for _, n := range slices.Sorted(maps.Keys(files)) {
		if docs, ok := decodeDocs(string(files[n])); ok {
			m.marks(n, docs)
		} else {
			m.text(n, string(files[n]))
		}
	}
	slices.Sort(m.secrets)
	m.secrets = slices.Compact(m.secrets)
}

// pairFiles masks two versions of an overlay file: what the secret guard
// finds and the payload of SOPS files (see pair).
func (m *masker) pairFiles(name, a, b string) (string, string) {
	if m == nil {
		return a, b
	}
	return m.pair(name, a, b, m.marks)
}

// pairObjects masks two versions of a chart object. A chart's output
// holds only the secrets it was given (the site's values, found in its
// overlay files by scanFiles) and those it makes (the hub Secret's, which
// the render strips): so the data of Secret objects and the secrets known
// are masked, and nothing else; a CRD's schema or a checksum is never
// taken for a secret.
func (m *masker) pairObjects(name, a, b string) (string, string) {
	if m == nil {
		return a, b
	}
	return m.pair(name, a, b, func(_ string, docs []*yaml.Node) (map[string][]string, []string) {
		out := map[string][]string{}
		for i, d := range docs {
			root := d
			if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
				root = root.Content[0]
			}
			if k := mappingValue(root, "kind"); k == nil || k.Value != "Secret" {
				continue
			}
			for _, field := range []string{"data", "stringData"} {
				walkScalars(mappingValue(root, field), field, func(p string, n *yaml.Node) {
					if !strings.HasPrefix(n.Value, "(stripped") {
						out[strconv.Itoa(i)+"/"+p] = nil
					}
				})
			}
		}
		return out, nil
	})
}

// pair returns a and b (the base and head text of file or object name)
// with every secret value masked: those marks finds, and every secret
// known. Both are re-encoded when either holds one, so the diff shows no
// formatting change.
func (m *masker) pair(name, a, b string, marks func(string, []*yaml.Node) (map[string][]string, []string)) (string, string) {
	da, okA := decodeDocs(a)
	db, okB := decodeDocs(b)
	if !okA || !okB {
		return m.text(name, a), m.text(name, b)
	}
	ma, sa := marks(name, da)
	mb, sb := marks(name, db)
	known := slices.ContainsFunc(m.secrets, func(s string) bool {
		return len(strings.TrimSpace(s)) >= 6 && (strings.Contains(a, s) || strings.Contains(b, s))
	})
	if len(ma) == 0 && len(mb) == 0 && !known {
		return a, b
	}
	// A secret masked at one side is masked at the other too.
	for p := range ma {
		if _, ok := mb[p]; !ok {
			mb[p] = nil
		}
	}
	for p := range mb {
		if _, ok := ma[p]; !ok {
			ma[p] = nil
		}
	}
	secrets := append(append(sa, sb...), m.secrets...)
	rawA := scalars(da)
	rawB := scalars(db)
	applyMarks(da, ma, secrets, nil)
	applyMarks(db, mb, secrets, func(p string) bool { v, ok := rawA[p]; return !ok || v != rawB[p] })
	return encodeDocs(da, a), encodeDocs(db, b)
}

// text masks a file that is not YAML: every detector finding, in place.
func (m *masker) text(name, s string) string {
	if s == "" {
		return s
	}
	var secrets []string
	for _, f := range secretscan.Text(name, []byte(s)) {
		if maskable(f.Secret) {
			secrets = append(secrets, f.Secret)
		}
	}
	m.secrets = append(m.secrets, secrets...)
	return replaceSecrets(s, secrets)
}

// marks finds what to mask in each document: by path (doc/path), nil for
// the whole value, else the secrets inside it. It returns the secrets.
func (m *masker) marks(name string, docs []*yaml.Node) (map[string][]string, []string) {
	out := map[string][]string{}
	var secrets []string
	for i, d := range docs {
		prefix := strconv.Itoa(i) + "/"
		root := d
		if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
			root = root.Content[0]
		}
		if root.Kind != yaml.MappingNode {
			continue
		}
		if secretscan.IsSOPSFile(name) || mappingValue(root, "sops") != nil {
			for _, field := range []string{"data", "stringData"} {
				walkScalars(mappingValue(root, field), field, func(p string, _ *yaml.Node) { out[prefix+p] = nil })
			}
			walkScalars(mappingValue(root, "sops"), "sops", func(p string, _ *yaml.Node) {
				if k := lastPathKey(p); k == "mac" || k == "enc" || k == "data_key" {
					out[prefix+p] = nil
				}
			})
		}
		var buf bytes.Buffer
		enc := yaml.NewEncoder(&buf)
		if err := enc.Encode(d); err != nil {
			continue
		}
		findings, _ := secretscan.YAML(name, buf.Bytes(), nil)
		for _, f := range findings {
			if !maskable(f.Secret) || publicName(f) {
				continue
			}
			if os.Getenv("HUBFLEET_MASK_DEBUG") != "" {
				fmt.Fprintf(os.Stderr, "MASK %s %s %s %.30q\n", name, f.Path, f.Rule, f.Secret)
			}
			secrets = append(secrets, f.Secret)
			if _, whole := out[prefix+f.Path]; whole && out[prefix+f.Path] == nil {
				continue
			}
			out[prefix+f.Path] = append(out[prefix+f.Path], f.Secret)
		}
	}
	m.secrets = append(m.secrets, secrets...)
	return out, secrets
}

// maskable says whether a value found is worth masking: never an empty
// value, a boolean, a number or null.
func maskable(s string) bool {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "", "true", "false", "yes", "no", "on", "off", "null", "~":
		return false
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return false
	}
	return true
}

// publicName says a finding is the name of a Kubernetes object (a Secret
// referred to by name, as in imagePullSecrets: [{name: image-pull-secret}]
// or secretName: hub-tls), which is public.
func publicName(f secretscan.Finding) bool {
	k := lastPathKey(f.Path)
	if k != "name" && !strings.HasSuffix(strings.ToLower(k), "secretname") && !strings.HasSuffix(strings.ToLower(k), "secretref") {
		return false
	}
	return dnsName.MatchString(f.Secret)
}

// dnsName is a DNS-1123 subdomain made of words (no long random runs).
var dnsName = regexp.MustCompile(`^[a-z]([a-z-]{0,40}[a-z])?(\.[a-z]([a-z-]{0,40}[a-z])?)*$`)

func lastPathKey(p string) string {
	if i := strings.LastIndexAny(p, ".["); i >= 0 {
		if p[i] == '[' {
			return lastPathKey(p[:i])
		}
		return p[i+1:]
	}
	return p
}

func decodeDocs(s string) ([]*yaml.Node, bool) {
	if s == "" {
		return nil, true
	}
	dec := yaml.NewDecoder(strings.NewReader(s))
	var out []*yaml.Node
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return out, true
		}
		if err != nil {
			return nil, false
		}
		out = append(out, &n)
	}
}

func encodeDocs(docs []*yaml.Node, orig string) string {
	if len(docs) == 0 {
		return orig
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	for _, d := range docs {
		if err := enc.Encode(d); err != nil {
			// A document that encoded once decodes and encodes again;
			// never fall back to the unmasked text.
			return Masked + "\n"
		}
	}
	if err := enc.Close(); err != nil {
		return Masked + "\n"
	}
	return buf.String()
}

func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// walkScalars calls fn with every scalar under n and its path, in the
// secret guard's notation (a.b[0].c).
func walkScalars(n *yaml.Node, p string, fn func(p string, n *yaml.Node)) {
	if n == nil {
		return
	}
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			walkScalars(c, p, fn)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			cp := n.Content[i].Value
			if p != "" {
				cp = p + "." + cp
			}
			walkScalars(n.Content[i+1], cp, fn)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			walkScalars(c, fmt.Sprintf("%s[%d]", p, i), fn)
		}
	case yaml.ScalarNode:
		fn(p, n)
	}
}

// scalars are the values of every document's scalars by doc/path.
func scalars(docs []*yaml.Node) map[string]string {
	out := map[string]string{}
	for i, d := range docs {
		prefix := strconv.Itoa(i) + "/"
		walkScalars(d, "", func(p string, n *yaml.Node) { out[prefix+p] = n.Value })
	}
	return out
}

// applyMarks masks the scalars marked, and every occurrence of a secret
// in any other scalar or mapping key. changed, when set, says whether a
// path's value differs from the other side.
func applyMarks(docs []*yaml.Node, marks map[string][]string, secrets []string, changed func(string) bool) {
	long := slices.DeleteFunc(slices.Clone(secrets), func(s string) bool { return len(strings.TrimSpace(s)) < 6 })
	mask := Masked
	for i, d := range docs {
		prefix := strconv.Itoa(i) + "/"
		walkScalars(d, "", func(p string, n *yaml.Node) {
			mark, marked := marks[prefix+p]
			if marked && changed != nil && changed(prefix+p) {
				mask = MaskedChanged
			} else {
				mask = Masked
			}
			switch {
			case marked && mark == nil:
				if n.Value != "" && maskable(n.Value) || secretscan.IsSOPSValue(n.Value) {
					setScalar(n, mask)
				}
				return
			case marked:
				v := n.Value
				for _, s := range mark {
					if strings.TrimSpace(v) == strings.TrimSpace(s) {
						setScalar(n, mask)
						return
					}
					v = strings.ReplaceAll(v, s, mask)
				}
				if v != n.Value {
					setScalar(n, v)
				}
			}
			if v := replaceSecrets(n.Value, long); v != n.Value {
				setScalar(n, v)
			}
		})
		maskKeys(d, long)
	}
}

// maskKeys masks secrets used as mapping keys.
func maskKeys(n *yaml.Node, secrets []string) {
	if n == nil || len(secrets) == 0 {
		return
	}
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if v := replaceSecrets(k.Value, secrets); v != k.Value {
				k.Value = v
			}
		}
	}
	for _, c := range n.Content {
		maskKeys(c, secrets)
	}
}

func setScalar(n *yaml.Node, v string) {
	n.Value = v
	n.Tag = "!!str"
	if !strings.Contains(v, "\n") {
		n.Style = 0
	}
}

// replaceSecrets replaces each secret in s, the longest first.
func replaceSecrets(s string, secrets []string) string {
	if len(secrets) == 0 || s == "" {
		return s
	}
	sorted := slices.Clone(secrets)
	slices.SortFunc(sorted, func(a, b string) int { return len(b) - len(a) })
	for _, sec := range sorted {
		if sec = strings.TrimSpace(sec); sec != "" {
			s = strings.ReplaceAll(s, sec, Masked)
		}
	}
	return s
}

// maskText masks every secret in every string of v (a report's
// messages, problems and warnings), the free-text pass after the diffs
// were masked by structure. Only secrets of 8 or more characters are
// replaced in free text, so a short word is never hidden in a message.
func maskText(v any, secrets []string) {
	long := slices.DeleteFunc(slices.Clone(secrets), func(s string) bool { return len(strings.TrimSpace(s)) < 8 })
	if len(long) == 0 {
		return
	}
	maskStrings(reflect.ValueOf(v), func(s string) string { return replaceSecrets(s, long) })
}

// maskStrings applies mask to every settable string reachable from v
// (exported fields, slice and array elements, map values).
func maskStrings(v reflect.Value, mask func(string) string) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			maskStrings(v.Elem(), mask)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				maskStrings(v.Field(i), mask)
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			maskStrings(v.Index(i), mask)
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(v.MapIndex(k))
			maskStrings(e, mask)
			v.SetMapIndex(k, e)
		}
	case reflect.String:
		if v.CanSet() {
			v.SetString(mask(v.String()))
		}
	}
}

// maskMessage masks the secrets of a plan's result in a message the
// result holds as an error (Incomplete).
func maskMessage(res *Result, msg string) string {
	return replaceSecrets(msg, slices.DeleteFunc(slices.Clone(res.Secrets), func(s string) bool { return len(strings.TrimSpace(s)) < 8 }))
}

// SecretValues are the values the masker masks in the YAML file name
// holds (data): the values at secret paths, by structure, never a whole
// line. A runner registers them with its log mask (a kubeconfig given as
// an input: its keys and tokens, not "apiVersion: v1").
func SecretValues(name string, data []byte) []string {
	m := &masker{}
	m.pairFiles(name, string(data), string(data))
	out := slices.Clone(m.secrets)
	slices.Sort(out)
	return slices.Compact(out)
}
