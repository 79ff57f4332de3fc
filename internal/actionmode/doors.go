package actionmode

import (
	"fmt"
	"sort"
	"strings"

	"github.com/Masterminds/semver/v3"
	"sigs.k8s.io/yaml"

	"github.com/hubfleet/hubfleet/internal/catalog"
)

// chartVersions reads the chart name and version of every HelmRelease in
// files (path -> content; multi-document YAML allowed).
func chartVersions(files map[string][]byte) map[string]string {
	out := map[string]string{}
	for _, data := range files {
		for _, doc := range strings.Split(string(data), "\n---") {
			var obj struct {
				Kind string `json:"kind"`
				Spec struct {
					Chart struct {
						Spec struct {
							Chart   string `json:"chart"`
							Version string `json:"version"`
						} `json:"spec"`
					} `json:"chart"`
				} `json:"spec"`
			}
			if err := yaml.Unmarshal([]byte(doc), &obj); err != nil || obj.Kind != "HelmRelease" {
				continue
			}
			if c := obj.Spec.Chart.Spec; c.Chart != "" && c.Version != "" {
				out[c.Chart] = c.Version
			}
		}
	}
	return out
}

// stack is what a set of chart versions runs.
type stack struct {
	jupyterhubChart string
	jupyterhub      string // JupyterHub itself, "" when unknown
	gatewayChart    string
	crdGeneration   string
	kubeMin         string
}

func stackOf(charts map[string]string) stack {
	var s stack
	if v := charts["daskhub"]; v != "" {
		u := catalog.Umbrella(v)
		s.jupyterhubChart, s.gatewayChart = u.JupyterHub, u.DaskGateway
	}
	if v := charts["jupyterhub"]; v != "" {
		s.jupyterhubChart = v
	}
	if v := charts["dask-gateway"]; v != "" {
		s.gatewayChart = v
	}
	if s.jupyterhubChart != "" {
		jh := catalog.JupyterHub(s.jupyterhubChart)
		s.jupyterhub, s.kubeMin = jh.JupyterHub, jh.KubeMin
	}
	if s.gatewayChart != "" {
		gw := catalog.Gateway(s.gatewayChart)
		s.crdGeneration = gw.CRDGeneration
		s.kubeMin = maxVersion(s.kubeMin, gw.KubeMin)
	}
	return s
}

// OneWayDoors lists what moving from the charts in before to those in after
// cannot be undone by a git revert: a JupyterHub version change (the hub
// database is migrated on upgrade and an older hub refuses it with
// DatabaseSchemaMismatch), a change of dask-gateway's CRDs, a higher
// Kubernetes minimum.
func OneWayDoors(before, after map[string]string) []string {
	b, a := stackOf(before), stackOf(after)
	var doors []string
	switch {
	case b.jupyterhubChart == "" || a.jupyterhubChart == "" || b.jupyterhubChart == a.jupyterhubChart:
	case b.jupyterhub != "" && a.jupyterhub != "" && b.jupyterhub == a.jupyterhub:
	case newer(a.jupyterhubChart, b.jupyterhubChart):
		doors = append(doors, fmt.Sprintf(
			"JupyterHub %s → %s (jupyterhub chart %s → %s): the hub database is migrated on upgrade; a git revert will not undo it, the old hub would fail with DatabaseSchemaMismatch. Back up the hub database first.",
			orUnknown(b.jupyterhub), orUnknown(a.jupyterhub), b.jupyterhubChart, a.jupyterhubChart))
	default:
		doors = append(doors, fmt.Sprintf(
			"JupyterHub %s → %s (jupyterhub chart %s → %s) goes back over a database migration: the older hub will not start on the migrated database (DatabaseSchemaMismatch) unless the database is restored from a backup taken before the upgrade.",
			orUnknown(b.jupyterhub), orUnknown(a.jupyterhub), b.jupyterhubChart, a.jupyterhubChart))
	}
	if b.crdGeneration != "" && a.crdGeneration != "" && b.crdGeneration != a.crdGeneration {
		doors = append(doors, fmt.Sprintf(
			"dask-gateway CRDs change (%s → %s, chart %s → %s): Flux replaces CRDs on upgrade and a revert does not restore the old ones.",
			b.crdGeneration, a.crdGeneration, b.gatewayChart, a.gatewayChart))
	}
	if a.kubeMin != "" && newer(a.kubeMin, orZero(b.kubeMin)) {
		doors = append(doors, fmt.Sprintf("needs Kubernetes >= %s (was >= %s): check every site's cluster first.", a.kubeMin, orUnknown(b.kubeMin)))
	}
	sort.Strings(doors)
	return doors
}

func newer(a, b string) bool {
	va, err1 := semver.NewVersion(a)
	vb, err2 := semver.NewVersion(b)
	if err1 != nil || err2 != nil {
		return a > b
	}
	return va.GreaterThan(vb)
}

func maxVersion(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	case newer(b, a):
		return b
	default:
		return a
	}
}

func orUnknown(s string) string {
	if s == "" {
		return "(unknown)"
	}
	return s
}

func orZero(s string) string {
	if s == "" {
		return "0.0.0"
	}
	return s
}
