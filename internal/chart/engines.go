package chart

import (
	"fmt"

	helmchart "helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
	helmengine "helm.sh/helm/v3/pkg/engine"
)

// templateEngine executes a (dependency-processed) chart's templates with
// the render values and returns each template's output by name, as
// Helm's engine.Engine.Render does.
type templateEngine func(hc *helmchart.Chart, top chartutil.Values) (map[string]string, error)

// templateEngine returns the engine for one render of c: Helm's own when
// RenderOptions.PlainEngine is set, else the Renderer's parse-once engine
// keyed by the chart's digest and src (the chart as loaded, or with
// checksum templates replaced).
func (r *Renderer) templateEngine(c *Chart, src *helmchart.Chart, mode string) templateEngine {
	if r.opts.PlainEngine {
		return func(hc *helmchart.Chart, top chartutil.Values) (map[string]string, error) {
			var e helmengine.Engine
			return e.Render(hc, top)
		}
	}
	key := c.Info.Digest
	if key == "" {
		// A chart not loaded from an archive: its identity.
		key = fmt.Sprintf("%p", src)
	}
	key += "/" + mode
	return func(hc *helmchart.Chart, top chartutil.Values) (map[string]string, error) {
		return r.parsed.Render(key, hc, top)
	}
}
