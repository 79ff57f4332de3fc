package upgrade

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hubfleet/hubfleet/internal/site"
	"github.com/hubfleet/hubfleet/internal/workspace"
	"github.com/hubfleet/hubfleet/internal/yamlnode"
)

// chartEdit is what changes under spec.charts.<key> of the fleet file;
// key is dotted for an operator's umbrella chart (umbrellas.<name>).
type chartEdit struct {
	key string
	// vendored is the new jupyterhubVersion of an operator's umbrella
	// chart, "" to keep it.
	vendored string
	// pin is the new spec.charts.<key>.version, "" to keep it.
	pin string
	// canary is the new canary version, "" for none: with moveCanary the
	// staged canary's version is replaced, otherwise a canary block is
	// added after the pin.
	canary     string
	maxWave    int
	moveCanary bool
	// canaryVendored is the jupyterhubVersion of an operator's umbrella
	// chart's canary (written in its canary block; with moveCanary
	// replaced), "" for the other charts.
	canaryVendored string
	// dropCanary removes the canary block.
	dropCanary bool
}

// lineEdit replaces lines [start, end) with repl.
type lineEdit struct {
	start, end int
	repl       []string
}

// editFleet applies the chart edits to the fleet file's content, touching
// only the lines they concern so comments and layout stay, and checks the
// result reads back as intended.
func editFleet(path string, data []byte, edits []chartEdit) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	lines := strings.Split(string(data), "\n")
	var les []lineEdit
	for _, e := range edits {
		pin := yamlnode.Lookup(&doc, chartPath(e.key, "version")...)
		if pin == nil || pin.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("%s: no spec.charts.%s.version", path, e.key)
		}
		if e.pin != "" {
			le, err := replaceScalar(path, lines, pin, e.pin)
			if err != nil {
				return nil, err
			}
			les = append(les, le)
		}
		if e.vendored != "" {
			n := yamlnode.Lookup(&doc, chartPath(e.key, "jupyterhubVersion")...)
			if n == nil || n.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("%s: no spec.charts.%s.jupyterhubVersion", path, e.key)
			}
			le, err := replaceScalar(path, lines, n, e.vendored)
			if err != nil {
				return nil, err
			}
			les = append(les, le)
		}
		switch {
		case e.canary != "" && e.moveCanary:
			n := yamlnode.Lookup(&doc, chartPath(e.key, "canary", "version")...)
			if n == nil || n.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("%s: no spec.charts.%s.canary.version", path, e.key)
			}
			nodes, values := []*yaml.Node{n}, []string{e.canary}
			if e.canaryVendored != "" {
				n := yamlnode.Lookup(&doc, chartPath(e.key, "canary", "jupyterhubVersion")...)
				if n == nil || n.Kind != yaml.ScalarNode {
					return nil, fmt.Errorf("%s: no spec.charts.%s.canary.jupyterhubVersion", path, e.key)
				}
				nodes, values = append(nodes, n), append(values, e.canaryVendored)
			}
			le, err := replaceScalars(path, lines, nodes, values)
			if err != nil {
				return nil, err
			}
			les = append(les, le...)
		case e.canary != "":
			if yamlnode.Lookup(&doc, chartPath(e.key, "canary")...) != nil {
				return nil, fmt.Errorf("%s: spec.charts.%s already has a canary", path, e.key)
			}
			// The canary block goes right after the pin, indented like it.
			keyCol := pinKeyColumn(&doc, e.key)
			indent := strings.Repeat(" ", keyCol)
			block := []string{
				indent + "canary:",
				indent + "  version: " + e.canary,
				fmt.Sprintf("%s  maxWave: %d", indent, e.maxWave),
			}
			if e.canaryVendored != "" {
				block = append(block, indent+"  jupyterhubVersion: "+e.canaryVendored)
			}
			les = append(les, lineEdit{start: pin.Line, end: pin.Line, repl: block})
		}
		if e.dropCanary {
			key, val := yamlnode.LookupKey(&doc, chartPath(e.key, "canary")...)
			if key == nil {
				return nil, fmt.Errorf("%s: no spec.charts.%s.canary to remove", path, e.key)
			}
			les = append(les, lineEdit{start: key.Line - 1, end: lastLine(val)})
		}
	}
	sort.Slice(les, func(i, j int) bool { return les[i].start > les[j].start })
	for i := 1; i < len(les); i++ {
		if les[i].end > les[i-1].start {
			return nil, fmt.Errorf("%s: overlapping edits at line %d", path, les[i].start+1)
		}
	}
	for _, le := range les {
		lines = append(lines[:le.start], append(append([]string(nil), le.repl...), lines[le.end:]...)...)
	}
	out := []byte(strings.Join(lines, "\n"))
	if err := checkEdits(out, edits); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}

// replaceScalar replaces a plain or quoted scalar in its line.
func replaceScalar(path string, lines []string, n *yaml.Node, value string) (lineEdit, error) {
	i := n.Line - 1
	col := n.Column - 1
	if i < 0 || i >= len(lines) || col > len(lines[i]) {
		return lineEdit{}, fmt.Errorf("%s: %q at %d:%d is out of range", path, n.Value, n.Line, n.Column)
	}
	rest := lines[i][col:]
	at := strings.Index(rest, n.Value)
	if at < 0 || at > 1 {
		return lineEdit{}, fmt.Errorf("%s:%d: cannot find version %q to replace", path, n.Line, n.Value)
	}
	return lineEdit{start: i, end: i + 1, repl: []string{lines[i][:col+at] + value + rest[at+len(n.Value):]}}, nil
}

// replaceScalars replaces several scalars, one edit per line: scalars on
// one line (a flow-style block) are replaced right to left, so each
// column still points at its value.
func replaceScalars(path string, lines []string, nodes []*yaml.Node, values []string) ([]lineEdit, error) {
	idx := make([]int, len(nodes))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool {
		na, nb := nodes[idx[a]], nodes[idx[b]]
		return na.Line < nb.Line || na.Line == nb.Line && na.Column > nb.Column
	})
	var out []lineEdit
	for _, i := range idx {
		src := lines
		last := len(out) - 1
		if last >= 0 && out[last].start == nodes[i].Line-1 {
			// The line as edited so far.
			src = slices.Clone(lines)
			src[out[last].start] = out[last].repl[0]
		}
		le, err := replaceScalar(path, src, nodes[i], values[i])
		if err != nil {
			return nil, err
		}
		if last >= 0 && out[last].start == le.start {
			out[last] = le
			continue
		}
		out = append(out, le)
	}
	return out, nil
}

// chartPath is the path of a field of spec.charts.<key> (key dotted for
// an umbrella chart).
func chartPath(key string, field ...string) []string {
	return append(append([]string{"spec", "charts"}, strings.Split(key, ".")...), field...)
}

// pinKeyColumn is the 0-based column of the key spec.charts.<key>.version.
func pinKeyColumn(doc *yaml.Node, key string) int {
	k, _ := yamlnode.LookupKey(doc, chartPath(key, "version")...)
	return k.Column - 1
}

// lastLine is the last line (1-based) a node's subtree spans.
func lastLine(n *yaml.Node) int {
	last := n.Line
	for _, c := range n.Content {
		last = max(last, lastLine(c))
	}
	return last
}

// checkEdits reads the edited fleet file back and checks every chart holds
// what the edits meant.
func checkEdits(data []byte, edits []chartEdit) error {
	var f site.Fleet
	if err := yaml.Unmarshal(data, &f); err != nil {
		return fmt.Errorf("edited file does not parse: %w", err)
	}
	byKey := map[string]site.ChartSource{"daskhub": f.Spec.Charts.DaskHub, "jupyterhub": f.Spec.Charts.JupyterHub, "daskGateway": f.Spec.Charts.DaskGateway}
	canaryVendored := map[string]string{}
	for name, u := range f.Spec.Charts.Umbrellas {
		byKey[workspace.UmbrellaKey(name)] = u.Source()
		if u.Canary != nil {
			canaryVendored[workspace.UmbrellaKey(name)] = u.Canary.JupyterHubVersion
		}
	}
	var errs []error
	for _, e := range edits {
		s := byKey[e.key]
		if name, ok := strings.CutPrefix(e.key, "umbrellas."); ok && e.vendored != "" && f.Spec.Charts.Umbrellas[name].JupyterHubVersion != e.vendored {
			errs = append(errs, fmt.Errorf("spec.charts.%s.jupyterhubVersion is %q after the edit, want %q", e.key, f.Spec.Charts.Umbrellas[name].JupyterHubVersion, e.vendored))
		}
		if e.pin != "" && s.Version != e.pin {
			errs = append(errs, fmt.Errorf("spec.charts.%s.version is %q after the edit, want %q", e.key, s.Version, e.pin))
		}
		switch {
		case e.dropCanary && s.Canary != nil:
			errs = append(errs, fmt.Errorf("spec.charts.%s.canary is still there after the edit", e.key))
		case e.canary != "" && (s.Canary == nil || s.Canary.Version != e.canary || s.Canary.MaxWave != e.maxWave):
			errs = append(errs, fmt.Errorf("spec.charts.%s.canary is %+v after the edit, want version %s, maxWave %d", e.key, s.Canary, e.canary, e.maxWave))
		case e.canary != "" && e.canaryVendored != "" && canaryVendored[e.key] != e.canaryVendored:
			errs = append(errs, fmt.Errorf("spec.charts.%s.canary.jupyterhubVersion is %q after the edit, want %q", e.key, canaryVendored[e.key], e.canaryVendored))
		}
	}
	return errors.Join(errs...)
}
