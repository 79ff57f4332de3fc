package catalog

// ChartVersions lists the versions of one chart the catalog has facts
// about, oldest first.
type ChartVersions struct {
	Chart    string   `json:"chart" yaml:"chart"`
	Versions []string `json:"versions" yaml:"versions"`
}

// Known returns, for each chart, the versions the catalog knows, oldest
// first: daskhub, jupyterhub, dask-gateway.
func Known() []ChartVersions {
	var dh, jh, gw []string
	for _, r := range umbrella {
		dh = append(dh, r.Chart)
	}
	for _, r := range jupyterhub {
		jh = append(jh, r.Chart)
	}
	for _, r := range gateway {
		gw = append(gw, r.Chart)
	}
	return []ChartVersions{
		{Chart: "daskhub", Versions: dh},
		{Chart: "jupyterhub", Versions: jh},
		{Chart: "dask-gateway", Versions: gw},
	}
}

// Newest returns the newest version of chart the catalog knows, or "".
func Newest(chart string) string {
	for _, c := range Known() {
		if c.Chart == chart && len(c.Versions) > 0 {
			return c.Versions[len(c.Versions)-1]
		}
	}
	return ""
}
