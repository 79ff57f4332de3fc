package chart

import helmchart "helm.sh/helm/v3/pkg/chart"

// ValuesSchemas returns the values.schema.json of the chart and of each
// vendored subchart that has one, keyed by the values path the schema
// applies to: "" for the chart itself, "jupyterhub" for a subchart. The
// bytes are the chart's own; callers must not change them.
func (c *Chart) ValuesSchemas() map[string][]byte {
	out := map[string][]byte{}
	var walk func(hc *helmchart.Chart, path string)
	walk = func(hc *helmchart.Chart, path string) {
		if len(hc.Schema) > 0 {
			out[path] = hc.Schema
		}
		for _, d := range hc.Dependencies() {
			walk(d, joinPath(path, d.Name()))
		}
	}
	walk(c.chart, "")
	return out
}
