package fleet

import (
	"fmt"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/hubfleet/hubfleet/internal/site"
	"github.com/hubfleet/hubfleet/internal/yamlnode"
)

// UmbrellaDeclaration is the fleet file's block that declares an
// operator's umbrella chart, as it is written under spec.charts.umbrellas
// (indented by indent spaces).
func UmbrellaDeclaration(name string, u site.UmbrellaChart, indent int) string {
	pad := strings.Repeat(" ", indent)
	var b strings.Builder
	fmt.Fprintf(&b, "%s%s:\n", pad, name)
	line := func(k, v string) {
		fmt.Fprintf(&b, "%s  %s: %s\n", pad, k, v)
	}
	line("repository", orHole(u.Repository, "<the Helm repository that serves the chart>"))
	line("chart", orHole(u.Chart, "<chart name>"))
	line("version", orHole(u.Version, "<chart version>"))
	line("jupyterhubVersion", orHole(u.JupyterHubVersion, "<the z2jh version the chart vendors>"))
	line("jupyterhubPath", flow(u.JupyterHubPath))
	if len(u.DaskGatewayPath) > 0 {
		line("daskGatewayPath", flow(u.DaskGatewayPath))
	}
	if len(u.SiblingsPath) > 0 {
		line("siblingsPath", flow(u.SiblingsPath))
	}
	return b.String()
}

func orHole(v, hole string) string {
	if v == "" {
		return hole
	}
	return yamlScalar(v)
}

func flow(p []string) string {
	q := make([]string, len(p))
	for i, k := range p {
		q[i] = yamlScalar(k)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// yamlScalar quotes a string when YAML would read it as something else.
func yamlScalar(s string) string {
	var m map[string]any
	if err := yaml.Unmarshal([]byte("v: "+s), &m); err == nil && m["v"] == s && !strings.ContainsAny(s, ",[]{}#") {
		return s
	}
	out, _ := yaml.Marshal(s)
	return strings.TrimSpace(string(out))
}

// AddUmbrella adds the declaration of an umbrella chart to the fleet
// file's content under spec.charts.umbrellas, touching no other line (its
// comments and layout stay), and checks the result declares exactly u.
func AddUmbrella(data []byte, name string, u site.UmbrellaChart) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: not valid YAML: %w", FleetFile, err)
	}
	if yamlnode.Lookup(&doc, "spec", "charts", "umbrellas", name) != nil {
		return nil, fmt.Errorf("%s: spec.charts.umbrellas.%s is declared already", FleetFile, name)
	}
	if u.Repository == "" || u.Version == "" || u.JupyterHubVersion == "" || u.Chart == "" || len(u.JupyterHubPath) == 0 {
		return nil, fmt.Errorf("spec.charts.umbrellas.%s needs its repository, chart, version, jupyterhubVersion and jupyterhubPath", name)
	}
	lines := strings.Split(string(data), "\n")
	var at int // insert after this many lines
	var block string
	if k, v := yamlnode.LookupKey(&doc, "spec", "charts", "umbrellas"); k != nil {
		if v.Kind != yaml.MappingNode || len(v.Content) == 0 {
			return nil, fmt.Errorf("%s:%d: spec.charts.umbrellas is not a mapping of charts: fix it, then run again", FleetFile, k.Line)
		}
		at = blockEnd(lines, k)
		block = UmbrellaDeclaration(name, u, v.Content[0].Column-1)
	} else {
		ck, cv := yamlnode.LookupKey(&doc, "spec", "charts")
		if ck == nil || cv.Kind != yaml.MappingNode || len(cv.Content) == 0 {
			return nil, fmt.Errorf("%s: no spec.charts mapping to add the umbrella chart to", FleetFile)
		}
		indent := cv.Content[0].Column - 1
		at = blockEnd(lines, ck)
		block = strings.Repeat(" ", indent) + "umbrellas:\n" + UmbrellaDeclaration(name, u, indent+2)
	}
	out := append(append(append([]string{}, lines[:at]...), strings.Split(strings.TrimSuffix(block, "\n"), "\n")...), lines[at:]...)
	result := []byte(strings.Join(out, "\n"))
	f, err := site.DecodeFleet(FleetFile, result)
	if err != nil || f == nil {
		return nil, fmt.Errorf("%s: adding spec.charts.umbrellas.%s would not read back: %v", FleetFile, name, err)
	}
	if got := f.Spec.Charts.Umbrellas[name]; !reflect.DeepEqual(normal(got), normal(u)) {
		return nil, fmt.Errorf("%s: adding spec.charts.umbrellas.%s reads back as %+v, not %+v", FleetFile, name, got, u)
	}
	return result, nil
}

// normal makes empty and missing paths the same.
func normal(u site.UmbrellaChart) site.UmbrellaChart {
	for _, p := range []*[]string{&u.JupyterHubPath, &u.DaskGatewayPath, &u.SiblingsPath} {
		if len(*p) == 0 {
			*p = nil
		}
	}
	return u
}

// blockEnd is the number of lines up to the last content line of the
// block that key opens (the lines indented deeper than the key).
func blockEnd(lines []string, key *yaml.Node) int {
	end := key.Line
	for i := key.Line; i < len(lines); i++ {
		t := strings.TrimSpace(lines[i])
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		if len(lines[i])-len(strings.TrimLeft(lines[i], " ")) <= key.Column-1 {
			break
		}
		end = i + 1
	}
	return end
}
