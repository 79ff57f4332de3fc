// Package catalog records what hubfleet knows about released chart
// versions: which JupyterHub and OAuthenticator a jupyterhub chart ships,
// which subcharts a daskhub umbrella vendors, the Kubernetes minimum of
// each, and which dask-gateway releases changed their CRDs.
//
// The renderer uses it to write the configuration keys that the chart
// version a site runs understands; plan and upgrade use it to call out
// one-way doors. Versions the catalog does not list fall back to the
// facts of their major version.
package catalog
