package site

import "slices"

// SiblingCharts are the charts sites install beside the hub
// (spec.releases), keyed by the name sites use in releases[].chart.
type SiblingCharts map[string]ChartSource

// SiblingChartsFor are the sibling chart pins a site of the given wave runs.
func (c SiblingCharts) ForWave(wave int) SiblingCharts {
	if c == nil {
		return nil
	}
	out := make(SiblingCharts, len(c))
	for k, v := range c {
		out[k] = v.ForWave(wave)
	}
	return out
}

// Names are the pins' keys in order.
func (c SiblingCharts) Names() []string {
	out := make([]string, 0, len(c))
	for k := range c {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
