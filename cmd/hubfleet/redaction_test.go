package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"

	"gopkg.in/yaml.v3"

	"github.com/hubfleet/hubfleet/internal/gittest"
	"github.com/hubfleet/hubfleet/internal/secretscan"
)

// TestPlanMasksNoPublicValueOfTheRealHubs measures over-redaction on the
// real configurations: every hub of ../shared/real-configs is imported
// (importRealHubs), its OAuth client secret set, and one `plan -o json`
// compares the fleet without the imported sites (base) with the fleet
// with them (head), so every overlay file and chart object of every hub
// is added. Each masked value ([redacted], [redacted, changed]) of the
// head side is classified: a secret when the value at that place in the
// rendered input is one the secret guard finds there, a SOPS payload
// (data, stringData, the sops block's enc, data_key and mac) or a
// Secret's data; in a chart object (whose unmasked text the plan never
// shows) a value masked outside a Secret's data must hold whole words of
// a secret the guard found in the site's files, never part of a word.
// Anything else masked is over-redaction and fails the test.
func TestPlanMasksNoPublicValueOfTheRealHubs(t *testing.T) {
	if testing.Short() {
		t.Skip("imports and plans every real hub")
	}
	root, cache, names, _ := importRealHubs(t)
	setRealSecrets(t, root, names)
	if r := hubfleet(t, "", "render", "--root", root, "--chart-cache", cache); r.code != exitOK {
		t.Fatalf("render: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	gittest.Run(t, root, "add", "-A")
	gittest.Run(t, root, "commit", "-q", "-m", "imported hubs")
	r := hubfleet(t, "", "plan", "--root", root, "--base", "HEAD~1", "-o", "json")
	if r.code != exitOK {
		t.Fatalf("plan: exit %d\n%s", r.code, r.stderr)
	}
	var doc struct {
		Charts bool
		Sites  []struct {
			Site    string
			Status  string
			Files   []struct{ Name, Unified string }
			Objects []struct{ Name, Unified string }
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("plan -o json does not parse: %v", err)
	}
	if !doc.Charts {
		t.Fatalf("the plan did not render the charts")
	}

	var table strings.Builder
	fmt.Fprintf(&table, "%-44s %6s %8s %7s %7s %11s\n", "hub", "files", "objects", "values", "masked", "non-secret")
	var tot struct{ sites, files, objects, values, masked, wrong int }
	where := map[string]int{} // masked paths (file base name or object kind: path), never values
	for _, s := range doc.Sites {
		if !slices.Contains(names, s.Site) {
			continue
		}
		if s.Status != "added" {
			t.Errorf("%s: status %s, want added (the base has no imported site)", s.Site, s.Status)
		}
		values, masked, wrong := 0, 0, 0
		var siteSecrets []string
		count := func(name string, object bool, head []*yaml.Node, isSecret func(doc int, p, masked string) bool) {
			for i, d := range head {
				walkValues(d, "", func(p string, v string) {
					values++
					if !strings.Contains(v, "[redacted") {
						return
					}
					masked++
					where[fmt.Sprintf("%s: %s", placeOf(name, object, head[i]), p)]++
					if !isSecret(i, p, v) {
						wrong++
						t.Errorf("%s: %s: a non-secret value is masked at %s", s.Site, name, p)
					}
				})
			}
		}
		// The files first: their guard findings are the secrets the
		// masker looks for in the chart objects.
		for _, f := range s.Files {
			head := headDocs(t, f.Unified)
			orig, err := os.ReadFile(filepath.Join(root, f.Name))
			if err != nil {
				t.Fatalf("%s: %v", s.Site, err)
			}
			origDocs := decodeAll(t, f.Name, orig)
			found := make([][]secretscan.Finding, len(origDocs))
			for i, d := range origDocs {
				var buf bytes.Buffer
				if err := yaml.NewEncoder(&buf).Encode(d); err != nil {
					t.Fatal(err)
				}
				found[i], _ = secretscan.YAML(f.Name, buf.Bytes(), nil)
				for _, fd := range found[i] {
					siteSecrets = append(siteSecrets, fd.Secret)
				}
			}
			count(f.Name, false, head, func(i int, p, _ string) bool {
				if i >= len(origDocs) {
					return false
				}
				root := top(origDocs[i])
				if payload(root, p, secretscan.IsSOPSFile(f.Name) || lookup(root, "sops") != "") {
					return true
				}
				orig := lookup(origDocs[i], p)
				return slices.ContainsFunc(found[i], func(fd secretscan.Finding) bool {
					return fd.Path == p || strings.Contains(orig, strings.TrimSpace(fd.Secret))
				})
			})
		}
		tot.files += len(s.Files)
		for _, o := range s.Objects {
			head := headDocs(t, o.Unified)
			count(o.Name, true, head, func(i int, p, v string) bool {
				if payload(top(head[i]), p, false) {
					return true
				}
				return len(siteSecrets) > 0 && wholeWords(v)
			})
		}
		tot.objects += len(s.Objects)
		tot.sites++
		tot.values += values
		tot.masked += masked
		tot.wrong += wrong
		fmt.Fprintf(&table, "%-44s %6d %8d %7d %7d %11d\n", s.Site, len(s.Files), len(s.Objects), values, masked, wrong)
	}
	fmt.Fprintf(&table, "%-44s %6d %8d %7d %7d %11d\n", fmt.Sprintf("total (%d hubs)", tot.sites), tot.files, tot.objects, tot.values, tot.masked, tot.wrong)
	t.Logf("masked values of the plan of every real hub:\n%s", table.String())
	var places strings.Builder
	for _, w := range slices.Sorted(maps.Keys(where)) {
		fmt.Fprintf(&places, "%5d  %s\n", where[w], w)
	}
	t.Logf("where the values are masked:\n%s", places.String())
	if tot.sites != len(names) {
		t.Errorf("%d hubs planned, want %d (every hub imported)", tot.sites, len(names))
	}
	if tot.masked == 0 {
		t.Errorf("nothing masked: the SOPS payloads of the added sites are in the diff")
	}
}

// headDocs are the YAML documents of the head side of a unified diff.
func headDocs(t *testing.T, unified string) []*yaml.Node {
	t.Helper()
	var b strings.Builder
	for _, l := range strings.SplitAfter(unified, "\n") {
		if strings.HasPrefix(l, "+++ ") || strings.HasPrefix(l, "--- ") || strings.HasPrefix(l, "@@") {
			continue
		}
		if strings.HasPrefix(l, "+") || strings.HasPrefix(l, " ") {
			b.WriteString(l[1:])
		}
	}
	return decodeAll(t, "head", []byte(b.String()))
}

func decodeAll(t *testing.T, name string, data []byte) []*yaml.Node {
	t.Helper()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var out []*yaml.Node
	for {
		var n yaml.Node
		if err := dec.Decode(&n); err != nil {
			if errors.Is(err, io.EOF) {
				return out
			}
			t.Fatalf("%s does not decode: %v", name, err)
		}
		out = append(out, &n)
	}
}

func top(n *yaml.Node) *yaml.Node {
	if n != nil && n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		return n.Content[0]
	}
	return n
}

// walkValues calls fn with every scalar value and mapping key of n, with
// its path in the secret guard's notation (a.b[0].c).
func walkValues(n *yaml.Node, p string, fn func(p, v string)) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			walkValues(c, p, fn)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			cp := n.Content[i].Value
			if p != "" {
				cp = p + "." + cp
			}
			if strings.Contains(n.Content[i].Value, "[redacted") {
				fn(cp, n.Content[i].Value)
			}
			walkValues(n.Content[i+1], cp, fn)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			walkValues(c, fmt.Sprintf("%s[%d]", p, i), fn)
		}
	case yaml.ScalarNode:
		fn(p, n.Value)
	}
}

// lookup is the scalar at path p of n ("" when none).
func lookup(n *yaml.Node, p string) string {
	v := ""
	walkValues(n, "", func(q, s string) {
		if q == p {
			v = s
		}
	})
	if v == "" && n != nil && top(n).Kind == yaml.MappingNode {
		for i := 0; i+1 < len(top(n).Content); i += 2 {
			if top(n).Content[i].Value == p {
				return "present"
			}
		}
	}
	return v
}

// payload says path p of a document is a Secret's data or, in a SOPS
// file, its encrypted payload.
func payload(root *yaml.Node, p string, sops bool) bool {
	under := strings.HasPrefix(p, "data.") || strings.HasPrefix(p, "stringData.")
	if sops {
		k := p[strings.LastIndex(p, ".")+1:]
		return under || strings.HasPrefix(p, "sops.") && (k == "mac" || k == "enc" || k == "data_key")
	}
	return under && lookup(root, "kind") == "Secret"
}

// wholeWords says every mask in v stands for whole words: a secret
// found by coincidence inside a longer word shows as word[redacted]word.
func wholeWords(v string) bool {
	word := func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
	for _, m := range []string{"[redacted, changed]", "[redacted]"} {
		for rest := v; ; {
			i := strings.Index(rest, m)
			if i < 0 {
				break
			}
			before, after := rest[:i], rest[i+len(m):]
			if b := []rune(before); len(b) > 0 && word(b[len(b)-1]) {
				return false
			}
			if a := []rune(after); len(a) > 0 && word(a[0]) {
				return false
			}
			rest = after
		}
	}
	return true
}

// placeOf names a file by its base name and a chart object by its kind
// and name.
func placeOf(name string, object bool, d *yaml.Node) string {
	if object {
		return lookup(d, "kind") + " " + lookup(d, "metadata.name")
	}
	return filepath.Base(name)
}
