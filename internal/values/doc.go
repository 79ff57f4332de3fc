// Package values computes the Helm releases of a site and the chart values
// each release gets: the daskhub umbrella as one release, or jupyterhub and
// dask-gateway as two releases with the daskhub glue written by hubfleet.
//
// Values are version-aware: the OAuthenticator keys, for example, are the
// ones the jupyterhub chart version the site runs understands. Secrets never
// appear here; they are wired through valuesFrom references.
package values
