// Package chartrepotest serves Helm charts from a real HTTP chart repository
// on the loopback interface, for tests.
//
// StartReal serves the real packaged charts (z2jh jupyterhub 3.2.1 and
// 4.4.0, dask-gateway 2024.1.0 and 2026.3.0, daskhub 2024.1.1) kept beside
// the project in ../shared/charts (or $HUBFLEET_REAL_CHARTS): each package is
// checked against SHA256SUMS, copied unchanged into a temporary directory,
// indexed with Helm's own repo code (index.yaml with sha256 digests) and
// served by net/http/httptest. Tests meet the charts users run.
//
// LoadRealSibling and AddRealSiblings give the real sibling charts 2i2c's
// basehub nests beside z2jh (jupyterhub-home-nfs, binderhub-service), at
// the versions basehub pins: chartpress charts published from source, so
// their sources are vendored unchanged under testdata/siblings (see the
// README there) and packaged as their publishing workflows do. Basehub
// and Daskhub build 2i2c's umbrella charts from the real charts, nested as
// its Chart.yaml nests them; StandIn stands for a chart not kept here.
//
// Start packages the small synthetic charts under testdata/charts
// (z2jh-, dask-gateway- and daskhub-like charts written for hubfleet).
// They remain only for tests that need a shape the real charts lack (many
// versions or prereleases of one chart, a chart changed on purpose); such
// tests say so. Dependencies whose repository is file://.. are vendored
// into the packaged archive, the way `helm dependency build` would.
package chartrepotest
