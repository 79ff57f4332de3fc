package chart

import (
	"sort"
	"sync"

	helmchart "helm.sh/helm/v3/pkg/chart"
)

// Chart is a resolved, loaded chart. It is immutable and safe to render
// concurrently.
type Chart struct {
	// Ref is the reference the chart was resolved from, with Version set
	// to the constraint asked for.
	Ref Ref
	// Info describes the chart and its subcharts.
	Info Info
	// Verified says the archive's digest was checked against the index.
	Verified bool
	// FromCache says the archive came from the local cache.
	FromCache bool

	chart *helmchart.Chart
	// fast is chart with checksum/* annotations not computed.
	fast *helmchart.Chart

	schemaOnce sync.Once
	schemas    map[string]*compiledSchema
	schemaErr  error
}

// Info is the metadata plan needs to call out one-way doors.
type Info struct {
	Name        string `json:"name"`
	Version     string `json:"version"`
	AppVersion  string `json:"appVersion,omitempty"`
	KubeVersion string `json:"kubeVersion,omitempty"`
	// Digest is the sha256 of the archive (hex); empty for subcharts.
	Digest string `json:"digest,omitempty"`
	// CRDs maps each CRD file of the chart (subcharts included) to the
	// sha256 of its content.
	CRDs map[string]string `json:"crds,omitempty"`
	// Subcharts are the vendored dependencies, sorted by name.
	Subcharts []Info `json:"subcharts,omitempty"`
}

// Find returns the Info of the chart or subchart named name.
func (i Info) Find(name string) (Info, bool) {
	if i.Name == name {
		return i, true
	}
	for _, s := range i.Subcharts {
		if f, ok := s.Find(name); ok {
			return f, true
		}
	}
	return Info{}, false
}

func newChart(ref Ref, hc *helmchart.Chart, digest string) *Chart {
	info := infoOf(hc)
	info.Digest = digest
	info.CRDs = map[string]string{}
	for _, crd := range hc.CRDObjects() {
		info.CRDs[crd.Filename] = sha256Hex(crd.File.Data)
	}
	if len(info.CRDs) == 0 {
		info.CRDs = nil
	}
	return &Chart{Ref: ref, Info: info, chart: hc, fast: withoutChecksums(hc)}
}

func infoOf(hc *helmchart.Chart) Info {
	i := Info{
		Name:        hc.Name(),
		Version:     hc.Metadata.Version,
		AppVersion:  hc.Metadata.AppVersion,
		KubeVersion: hc.Metadata.KubeVersion,
	}
	for _, d := range hc.Dependencies() {
		i.Subcharts = append(i.Subcharts, infoOf(d))
	}
	sort.Slice(i.Subcharts, func(a, b int) bool { return i.Subcharts[a].Name < i.Subcharts[b].Name })
	return i
}

// clone copies the parts of a chart that Helm's dependency processing
// mutates (metadata, dependency lists, parents), sharing templates, files
// and default values, which rendering only reads.
func clone(c *helmchart.Chart) *helmchart.Chart {
	out := *c
	md := *c.Metadata
	if c.Metadata.Dependencies != nil {
		md.Dependencies = make([]*helmchart.Dependency, len(c.Metadata.Dependencies))
		for i, d := range c.Metadata.Dependencies {
			dc := *d
			dc.ImportValues = append([]interface{}(nil), d.ImportValues...)
			dc.Tags = append([]string(nil), d.Tags...)
			md.Dependencies[i] = &dc
		}
	}
	out.Metadata = &md
	deps := make([]*helmchart.Chart, 0, len(c.Dependencies()))
	for _, d := range c.Dependencies() {
		deps = append(deps, clone(d))
	}
	out.SetDependencies(deps...)
	return &out
}
