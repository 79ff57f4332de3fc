// Package expect says what a site's rendered chart objects must look like:
// the chart.Expectations of each of its HelmReleases, derived from the
// site file (TLS mode, host, base URL, dask-gateway or not). The chart
// checks (internal/chart) compare the real render against them.
package expect
