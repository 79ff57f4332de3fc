package chartrepotest

import (
	"fmt"

	"gopkg.in/yaml.v3"
	helmchart "helm.sh/helm/v3/pkg/chart"
)

// GroupsExporter is the one sibling chart of basehub that is not vendored
// (its source is not kept here): StandIn stands for it, at the version
// basehub pins.
const (
	GroupsExporter        = "jupyterhub-groups-exporter"
	GroupsExporterVersion = "1.1.1-0.dev.git.133.hd9f9ccc"
)

// UmbrellaOptions says how to build 2i2c's umbrella charts.
type UmbrellaOptions struct {
	// Version is the version of basehub (and of daskhub).
	Version string
	// JupyterHub is the version of the real z2jh package vendored under
	// jupyterhub: (3.2.1 or 4.4.0, see RealCharts); empty is 4.4.0.
	JupyterHub string
	// Siblings nests basehub's sibling charts, each with the condition
	// <name>.enabled, as its Chart.yaml does: the real jupyterhub-home-nfs
	// and binderhub-service at the versions it pins, and a StandIn for
	// jupyterhub-groups-exporter. Each is on or off by default as
	// basehub's values.yaml says (binderhub-service off, the other two
	// on); basehub's other defaults for them are not copied.
	Siblings bool
}

// Basehub builds, from the real charts, an operator's umbrella chart
// nested as 2i2c's basehub is
// (../shared/real-configs/2i2c-infrastructure/clusters/2i2c-aws-us/chart.yaml):
// the real z2jh 4.4.0 (2i2c pins 4.3.3; o.JupyterHub picks another
// real package) under jupyterhub:, the real
// dask-gateway 2026.3.0 under dask-gateway: (condition
// dask-gateway.enabled), and, with o.Siblings, its sibling subcharts.
// basehub's own nfs: feature is a stand-in template: a PersistentVolume on
// nfs.pv.serverIP when nfs.enabled (basehub's own templates are not kept
// here).
func Basehub(o UmbrellaOptions) (*helmchart.Chart, error) {
	z2jh := JupyterHub440
	if o.JupyterHub != "" {
		z2jh = "jupyterhub-" + o.JupyterHub + ".tgz"
	}
	jh, err := LoadReal(z2jh)
	if err != nil {
		return nil, fmt.Errorf("basehub: %w", err)
	}
	gw, err := LoadReal(DaskGateway202630)
	if err != nil {
		return nil, fmt.Errorf("basehub: %w", err)
	}
	c := &helmchart.Chart{
		Metadata: &helmchart.Metadata{APIVersion: "v2", Name: "basehub", Version: o.Version, Type: "application",
			Dependencies: []*helmchart.Dependency{
				{Name: "jupyterhub", Version: jh.Metadata.Version},
				{Name: "dask-gateway", Version: gw.Metadata.Version, Condition: "dask-gateway.enabled"},
			}},
		Values: map[string]any{
			"jupyterhub":   map[string]any{},
			"dask-gateway": map[string]any{"enabled": false},
			"nfs":          map[string]any{"enabled": false},
		},
		Templates: []*helmchart.File{{Name: "templates/nfs-pv.yaml", Data: []byte(basehubNFSTemplate)}},
	}
	c.AddDependency(jh, gw)
	if !o.Siblings {
		return c, withValuesFile(c)
	}
	// basehub's values.yaml (2i2c-org/infrastructure, helm-charts/basehub).
	enabled := map[string]bool{BinderHubService: false, HomeNFS: true, GroupsExporter: true}
	for _, name := range []string{BinderHubService, HomeNFS, GroupsExporter} {
		var sub *helmchart.Chart
		if name == GroupsExporter {
			sub = subchartStandIn(name, GroupsExporterVersion)
		} else if sub, err = LoadRealSibling(name); err != nil {
			return nil, fmt.Errorf("basehub: %w", err)
		}
		c.Metadata.Dependencies = append(c.Metadata.Dependencies,
			&helmchart.Dependency{Name: name, Version: sub.Metadata.Version, Condition: name + ".enabled"})
		c.Values[name] = map[string]any{"enabled": enabled[name]}
		c.AddDependency(sub)
	}
	return c, withValuesFile(c)
}

// Daskhub builds 2i2c's daskhub chart: all of basehub vendored under
// basehub:, at basehub's version.
func Daskhub(basehub *helmchart.Chart) *helmchart.Chart {
	v := basehub.Metadata.Version
	c := &helmchart.Chart{
		Metadata: &helmchart.Metadata{APIVersion: "v2", Name: "daskhub", Version: v, Type: "application",
			Dependencies: []*helmchart.Dependency{{Name: "basehub", Version: v}}},
		Values: map[string]any{"basehub": map[string]any{}},
	}
	c.AddDependency(basehub)
	if err := withValuesFile(c); err != nil {
		panic(err) // a map of one empty map always marshals
	}
	return c
}

// withValuesFile writes the chart's values as its values.yaml file: Helm
// packages that file, not the loaded Values, so without it a packaged
// chart would lose its defaults (the conditions' enabled: false among
// them).
func withValuesFile(c *helmchart.Chart) error {
	b, err := yaml.Marshal(c.Values)
	if err != nil {
		return fmt.Errorf("%s values: %w", c.Name(), err)
	}
	c.Raw = append(c.Raw, &helmchart.File{Name: "values.yaml", Data: b})
	return nil
}

// StandIn is a chart standing for one that is not kept here: it renders
// its values into a ConfigMap named <release>-values, so plan has objects
// to diff and a test can see the values arrive. Tests using it say so.
func StandIn(name, version string) *helmchart.Chart {
	return &helmchart.Chart{
		Metadata: &helmchart.Metadata{APIVersion: "v2", Name: name, Version: version, Type: "application"},
		Templates: []*helmchart.File{{Name: "templates/values.yaml", Data: []byte(
			"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-values\ndata:\n  values.json: {{ toJson .Values | quote }}\n")}},
	}
}

// subchartStandIn is StandIn as a subchart: its ConfigMap is named
// <release>-<chart>-values, as several share one release.
func subchartStandIn(name, version string) *helmchart.Chart {
	c := StandIn(name, version)
	c.Templates[0].Data = []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-{{ .Chart.Name }}-values\ndata:\n  values.json: {{ toJson .Values | quote }}\n")
	return c
}

const basehubNFSTemplate = `{{- if .Values.nfs.enabled }}
apiVersion: v1
kind: PersistentVolume
metadata:
  name: {{ .Release.Namespace }}-home-nfs
spec:
  capacity:
    storage: 1Mi
  accessModes: [ReadWriteMany]
  nfs:
    server: {{ (.Values.nfs.pv | default dict).serverIP }}
    path: {{ (.Values.nfs.pv | default dict).baseShareName | default "/" }}
{{- end }}
`
