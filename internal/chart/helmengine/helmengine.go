// Package helmengine renders chart templates with Helm's own
// engine.Engine, which parses every template of a chart on every render.
// It exists to compare hubfleet's parse-once engine (internal/chart/engine)
// with Helm's: set chart.RenderOptions.PlainEngine to Render (the
// benchmark's -engine plain, the engine comparison tests). It is not linked
// into the hubfleet command: Helm's engine brings client-go's discovery
// client (for `lookup`), which nothing else there needs.
package helmengine

import (
	helmchart "helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
)

// Render executes a (dependency-processed) chart's templates with the
// render values, as engine.Engine.Render does.
func Render(hc *helmchart.Chart, top chartutil.Values) (map[string]string, error) {
	var e engine.Engine
	return e.Render(hc, top)
}
