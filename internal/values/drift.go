package values

// DriftIgnore is one drift-detection ignore rule of a HelmRelease: JSON
// pointer paths of one object the release owns.
type DriftIgnore struct {
	Kind  string
	Name  string
	Paths []string
}

// driftIgnore returns the ignore rules of a release: only for objects its
// own chart renders. z2jh keeps the secrets it generates (proxy token,
// cookie secret, service API tokens) in the hub Secret, read back with
// Helm's lookup, so that Secret's data differs from every dry run; it
// belongs to the release holding jupyterhub (daskhub or jupyterhub). The
// dask-gateway chart generates nothing and renders no hub Secret: its
// release gets no rule.
func driftIgnore(release string) []DriftIgnore {
	switch release {
	case ReleaseDaskHub, ReleaseJupyterHub:
		return []DriftIgnore{{Kind: "Secret", Name: "hub", Paths: []string{"/data"}}}
	}
	return nil
}
