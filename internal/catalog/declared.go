package catalog

import (
	"sync"
)

// declared are the facts a fleet file declares (spec.chartFacts) for
// chart versions hubfleet's own tables do not have yet: an operator can
// run a new chart release without a new hubfleet. A declared fact is a
// fact (Known); the built-in tables win where both have a version.
var declared struct {
	sync.RWMutex
	jupyterhub map[string]JupyterHubRelease
	gateway    map[string]GatewayRelease
	umbrella   map[string]UmbrellaRelease
}

// Declare adds the facts of chart versions the catalog does not know:
// the fleet file's loader calls it with spec.chartFacts each time it
// validates a fleet file. Facts about a chart version are the same
// whichever fleet declares them; a decision that must rest on one fleet's
// declarations only (upgrade's) uses IsBuiltIn and the fleet's own list.
func Declare(jh []JupyterHubRelease, gw []GatewayRelease, um []UmbrellaRelease) {
	declared.Lock()
	defer declared.Unlock()
	if declared.jupyterhub == nil {
		declared.jupyterhub = map[string]JupyterHubRelease{}
		declared.gateway = map[string]GatewayRelease{}
		declared.umbrella = map[string]UmbrellaRelease{}
	}
	for _, r := range jh {
		r.Known = true
		declared.jupyterhub[r.Chart] = r
	}
	for _, r := range gw {
		r.Known = true
		declared.gateway[r.Chart] = r
	}
	for _, r := range um {
		r.Known = true
		declared.umbrella[r.Chart] = r
	}
}

func declaredJupyterHub(v string) (JupyterHubRelease, bool) {
	declared.RLock()
	defer declared.RUnlock()
	r, ok := declared.jupyterhub[v]
	return r, ok
}

func declaredGateway(v string) (GatewayRelease, bool) {
	declared.RLock()
	defer declared.RUnlock()
	r, ok := declared.gateway[v]
	return r, ok
}

func declaredUmbrella(v string) (UmbrellaRelease, bool) {
	declared.RLock()
	defer declared.RUnlock()
	r, ok := declared.umbrella[v]
	return r, ok
}

// IsKnown says whether the catalog has the facts of a version of chart
// (daskhub, jupyterhub or dask-gateway), built in or declared.
func IsKnown(chart, version string) bool {
	switch chart {
	case "daskhub":
		return Umbrella(version).Known
	case "jupyterhub":
		return JupyterHub(version).Known
	case "dask-gateway":
		return Gateway(version).Known
	}
	return true
}

// IsBuiltIn says whether hubfleet's own tables have the facts of a
// version of chart (daskhub, jupyterhub or dask-gateway).
func IsBuiltIn(chart, version string) bool {
	has := func(n int, at func(int) string) bool {
		for i := range n {
			if at(i) == version {
				return true
			}
		}
		return false
	}
	switch chart {
	case "daskhub":
		return has(len(umbrella), func(i int) string { return umbrella[i].Chart })
	case "jupyterhub":
		return has(len(jupyterhub), func(i int) string { return jupyterhub[i].Chart })
	case "dask-gateway":
		return has(len(gateway), func(i int) string { return gateway[i].Chart })
	}
	return true
}
