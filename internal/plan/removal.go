package plan

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"

	"github.com/hubfleet/hubfleet/internal/chart"
	"github.com/hubfleet/hubfleet/internal/overlay"
	"github.com/hubfleet/hubfleet/internal/site"
	"github.com/hubfleet/hubfleet/internal/valuetree"
)

// Prune is what Flux deletes when a site's overlay goes: its Kustomization
// garbage-collects every object it applied, so the HelmReleases are
// uninstalled and the Namespace is deleted with everything in it.
type Prune struct {
	// Namespaces are deleted, with every object in them.
	Namespaces []string `json:"namespaces,omitempty"`
	// Releases are uninstalled.
	Releases []string `json:"releases,omitempty"`
	// Volumes are the PersistentVolumeClaims with user data that go:
	// those the chart renders (the hub database) and those the spawner
	// creates for users' home directories.
	Volumes []string `json:"volumes,omitempty"`
}

// pruneOf reads what removing a site prunes from its base overlay and, when
// the charts were rendered, the PersistentVolumeClaims they render.
func pruneOf(s *overlay.Site, objects []chart.Object, cfg *site.Fleet) *Prune {
	p := &Prune{Namespaces: slices.Clone(s.Namespaces)}
	hubDB, homes := "", ""
	for _, hr := range s.Releases {
		p.Releases = append(p.Releases, hr.Name)
		ns := overlay.Namespace(hr)
		if ns != "" && !slices.Contains(p.Namespaces, ns) {
			p.Namespaces = append(p.Namespaces, ns)
		}
		if db, h := hubVolumes(hr, cfg); db != "" || h != "" {
			hubDB, homes = cmp.Or(db, hubDB), cmp.Or(h, homes)
		}
	}
	for _, o := range objects {
		if o.Kind == "PersistentVolumeClaim" && !(o.Name == "hub-db-dir" && hubDB != "") {
			p.Volumes = append(p.Volumes, o.Name)
		}
	}
	slices.Sort(p.Volumes)
	if hubDB != "" {
		p.Volumes = append([]string{hubDB}, p.Volumes...)
	}
	if homes != "" {
		p.Volumes = append(p.Volumes, homes)
	}
	slices.Sort(p.Namespaces)
	return p
}

// hubVolumes are the hub's volumes with user data a HelmRelease of the
// daskhub, the jupyterhub or an operator's umbrella chart (declared under
// cfg's spec.charts.umbrellas) keeps: the hub database on its PVC (the
// default sqlite-pvc) and the users' home directories (dynamic claims, or
// the static shared claim). Other charts keep none.
func hubVolumes(hr *helmv2.HelmRelease, cfg *site.Fleet) (hubDB, homes string) {
	hub := hubValues(hr, cfg)
	if hub == nil {
		return "", ""
	}
	if t, _ := valuetree.Get(hub, "hub.db.type").(string); t == "" || t == "sqlite-pvc" {
		hubDB = "hub-db-dir (the hub database)"
	}
	switch t, _ := valuetree.Get(hub, "singleuser.storage.type").(string); t {
	case "", "dynamic":
		homes = "claim-<user> (every user's home directory, created by the spawner)"
	case "static":
		if c, _ := valuetree.Get(hub, "singleuser.storage.static.pvcName").(string); c != "" {
			homes = c + " (the users' shared home directories)"
		}
	}
	return hubDB, homes
}

// hubValues are the values a HelmRelease passes to z2jh: all of them for
// the jupyterhub chart, those under jupyterhub for daskhub, those under
// the umbrella's jupyterhubPath for an operator's umbrella chart (by its
// chart name, from cfg, else under the first key named jupyterhub at most
// two levels down); nil for another chart.
func hubValues(hr *helmv2.HelmRelease, cfg *site.Fleet) map[string]any {
	if hr.Spec.Chart == nil {
		return nil
	}
	v, err := overlay.Values(hr)
	if err != nil {
		return nil
	}
	name := hr.Spec.Chart.Spec.Chart
	switch name {
	case "jupyterhub":
		return v
	case "daskhub":
		if sub, ok := v["jupyterhub"].(map[string]any); ok {
			return sub
		}
		return v
	}
	if cfg != nil {
		for _, k := range slices.Sorted(maps.Keys(cfg.Spec.Charts.Umbrellas)) {
			if u := cfg.Spec.Charts.Umbrellas[k]; u.Chart == name && len(u.JupyterHubPath) > 0 {
				hub, _ := valuetree.Get(v, strings.Join(u.JupyterHubPath, ".")).(map[string]any)
				return hub
			}
		}
	}
	if hub, ok := v["jupyterhub"].(map[string]any); ok {
		return hub
	}
	for _, k := range slices.Sorted(maps.Keys(v)) {
		if sub, ok := v[k].(map[string]any); ok {
			if hub, ok := sub["jupyterhub"].(map[string]any); ok {
				return hub
			}
		}
	}
	return nil
}

// removalDoor says what removing a site deletes for good.
func removalDoor(site string, p *Prune) OneWayDoor {
	var b strings.Builder
	fmt.Fprintf(&b, "site %s is removed: Flux prunes what its overlay applied", site)
	if len(p.Releases) > 0 {
		fmt.Fprintf(&b, ", uninstalls %s", strings.Join(p.Releases, " and "))
	}
	if len(p.Namespaces) > 0 {
		fmt.Fprintf(&b, " and deletes namespace %s with everything in it", strings.Join(p.Namespaces, ", "))
	}
	if len(p.Volumes) > 0 {
		fmt.Fprintf(&b, ", including the PersistentVolumeClaims with user data: %s", strings.Join(p.Volumes, ", "))
	}
	b.WriteString(". A revert re-creates the site empty: back up the hub database and the home directories first.")
	return OneWayDoor{Kind: DoorSiteRemoval, Detail: b.String()}
}

// releaseSwitchDoor says what changing a staying site's set of Helm
// releases deletes for good: a switch between the daskhub umbrella and the
// composed jupyterhub and dask-gateway charts uninstalls the old releases
// (Flux prunes their HelmReleases, helm-controller uninstalls them, Helm
// deletes what they installed, the hub database volume included) and
// installs the new ones empty. ok is false when no release goes.
func releaseSwitchDoor(name string, base, head *overlay.Site, cfg *site.Fleet) (door OneWayDoor, ok bool) {
	releases := func(s *overlay.Site) map[string]*helmv2.HelmRelease {
		m := map[string]*helmv2.HelmRelease{}
		for _, hr := range s.Releases {
			m[overlay.Namespace(hr)+"/"+overlay.ReleaseName(hr)] = hr
		}
		return m
	}
	chartOf := func(hr *helmv2.HelmRelease) string {
		if hr.Spec.Chart == nil {
			return ""
		}
		return hr.Spec.Chart.Spec.Chart
	}
	b, h := releases(base), releases(head)
	var gone, added []string
	var goneCharts, addedCharts []string
	hubDB := ""
	for _, k := range slices.Sorted(maps.Keys(b)) {
		if _, stays := h[k]; !stays {
			hr := b[k]
			gone = append(gone, fmt.Sprintf("%s (chart %s)", overlay.ReleaseName(hr), chartOf(hr)))
			goneCharts = append(goneCharts, chartOf(hr))
			if db, _ := hubVolumes(hr, cfg); db != "" {
				hubDB = db
			}
		}
	}
	if len(gone) == 0 {
		return OneWayDoor{}, false
	}
	for _, k := range slices.Sorted(maps.Keys(h)) {
		if _, was := b[k]; !was {
			hr := h[k]
			added = append(added, fmt.Sprintf("%s (chart %s)", overlay.ReleaseName(hr), chartOf(hr)))
			addedCharts = append(addedCharts, chartOf(hr))
		}
	}
	var d strings.Builder
	switch {
	case slices.Contains(goneCharts, "daskhub") && slices.Contains(addedCharts, "jupyterhub"):
		fmt.Fprintf(&d, "site %s switches from the daskhub umbrella chart to composed mode", name)
	case slices.Contains(goneCharts, "jupyterhub") && slices.Contains(addedCharts, "daskhub"):
		fmt.Fprintf(&d, "site %s switches from composed mode to the daskhub umbrella chart", name)
	default:
		fmt.Fprintf(&d, "site %s changes its Helm releases", name)
	}
	fmt.Fprintf(&d, ": release %s is uninstalled", strings.Join(gone, " and "))
	if len(added) > 0 {
		fmt.Fprintf(&d, " and %s installed new", strings.Join(added, " and "))
	}
	d.WriteString(". Helm deletes every object the old release installed")
	if hubDB != "" {
		fmt.Fprintf(&d, ", including the PersistentVolumeClaim %s: the new hub starts with an empty database (users, tokens and named servers are gone)", hubDB)
	}
	d.WriteString("; the namespace and the users' home volumes, which Helm did not create, stay. Until the old release is uninstalled the new one may fail on objects of the same name. A revert re-installs the old release empty: back up the hub database first.")
	return OneWayDoor{Kind: DoorReleaseSwitch, Detail: d.String()}, true
}
