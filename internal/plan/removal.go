package plan

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hubfleet/hubfleet/internal/chart"
	"github.com/hubfleet/hubfleet/internal/overlay"
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
func pruneOf(s *overlay.Site, objects []chart.Object) *Prune {
	p := &Prune{Namespaces: slices.Clone(s.Namespaces)}
	hubDB, homes := "", ""
	for _, hr := range s.Releases {
		p.Releases = append(p.Releases, hr.Name)
		ns := overlay.Namespace(hr)
		if ns != "" && !slices.Contains(p.Namespaces, ns) {
			p.Namespaces = append(p.Namespaces, ns)
		}
		v, err := overlay.Values(hr)
		if err != nil {
			continue
		}
		hub := v
		if sub, ok := v["jupyterhub"].(map[string]any); ok && hr.Spec.Chart != nil && hr.Spec.Chart.Spec.Chart == "daskhub" {
			hub = sub
		}
		if hr.Spec.Chart == nil || (hr.Spec.Chart.Spec.Chart != "daskhub" && hr.Spec.Chart.Spec.Chart != "jupyterhub") {
			continue
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
