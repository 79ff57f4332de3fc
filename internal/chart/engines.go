package chart

import (
	"fmt"

	helmchart "helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
)

// TemplateFunc executes a (dependency-processed) chart's templates with
// the render values and returns each template's output by name, as
// Helm's engine.Engine.Render does.
type TemplateFunc func(hc *helmchart.Chart, top chartutil.Values) (map[string]string, error)

type templateEngine = TemplateFunc

// templateEngine returns the engine for one render of c:
// RenderOptions.PlainEngine when set (Helm's own, from helmengine), else the Renderer's parse-once engine
// keyed by the chart's digest and src (the chart as loaded, or with
// checksum templates replaced).
func (r *Renderer) templateEngine(c *Chart, src *helmchart.Chart, mode string) templateEngine {
	if r.opts.PlainEngine != nil {
		return r.opts.PlainEngine
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
