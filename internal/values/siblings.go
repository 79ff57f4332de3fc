package values

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/hubfleet/hubfleet/internal/site"
)

// siblings are the site's sibling releases (spec.releases), each on the
// chart the fleet pins for it, with its values passed through unchanged.
func siblings(s *site.Site, f *site.Fleet) []Release {
	pins := f.ChartsFor(s.Spec.Wave).Siblings
	var out []Release
	for _, r := range s.Spec.Releases {
		vals := r.Values
		if vals == nil {
			vals = map[string]any{}
		}
		deps := slices.Clone(r.DependsOn)
		for i, d := range deps {
			if d == site.HubReleaseAlias {
				deps[i] = ReleaseJupyterHub
				if site.ModeOf(s, f) == site.ModeDaskHub {
					deps[i] = ReleaseDaskHub
				}
			}
		}
		out = append(out, Release{Name: r.Name, Chart: pins[r.ChartKey()], Values: vals, DependsOn: deps})
	}
	return out
}

// applyOverrides writes the site's overrides of owned values last.
func applyOverrides(tree map[string]any, overrides []site.Override) {
	for _, o := range overrides {
		m := tree
		for _, k := range o.Path[:len(o.Path)-1] {
			next, ok := m[k].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[k] = next
			}
			m = next
		}
		m[o.Path[len(o.Path)-1]] = o.Value
	}
}

// overridesNote lists the overrides that land in one release's values
// (prefix jupyterhub or dask-gateway; "" for the umbrella) as
// "path: reason" lines.
func overridesNote(s *site.Site, prefix string) string {
	var lines []string
	for _, o := range s.Spec.Overrides {
		p := o.Path
		if prefix != "" {
			if p[0] != prefix {
				continue
			}
			p = p[1:]
		}
		lines = append(lines, fmt.Sprintf("%s: %s", strings.Join(p, "."), o.Reason))
	}
	return strings.Join(lines, "\n")
}

// clusterOptionsRE finds code that sets dask-gateway's options form.
var clusterOptionsRE = regexp.MustCompile(`(?m)^[ \t]*c\.Backend\.cluster_options\s*=`)

// withoutDefaultOptions drops hubfleet's default options form when the
// site types no worker options and its own gateway code sets
// c.Backend.cluster_options: hubfleet owns only what it derives.
func (b *builder) withoutDefaultOptions(tree map[string]any) {
	if !b.s.Spec.DaskGateway.WorkerOptions.Empty() {
		return
	}
	gw, _ := tree["dask-gateway"].(map[string]any)
	g, _ := gw["gateway"].(map[string]any)
	extra, _ := g["extraConfig"].(map[string]any)
	for k, v := range extra {
		if code, ok := v.(string); ok && k != "hubfleet-options" && clusterOptionsRE.MatchString(code) {
			delete(extra, "hubfleet-options")
			return
		}
	}
}

// NFSHomeClaim is the claim (and volume) hubfleet renders for NFS homes.
const NFSHomeClaim = "home-nfs"

// NFSHomeObjects are the PersistentVolume and claim of NFS home storage
// (spec.singleuser.storage.type nfs), as 2i2c's basehub makes them: one
// ReadWriteMany volume on the export, mounted per user at a subPath. The
// volume is cluster-scoped, so its name carries the namespace.
func NFSHomeObjects(s *site.Site, f *site.Fleet) []map[string]any {
	st := &s.Spec.Singleuser.Storage
	if st.Type != site.StorageNFS || st.NFS == nil {
		return nil
	}
	ns := site.NamespaceOf(s, f)
	pvName := ns + "-" + NFSHomeClaim
	path := st.NFS.Path
	if path == "" {
		path = "/"
	}
	pv := map[string]any{
		"apiVersion": "v1", "kind": "PersistentVolume",
		"metadata": map[string]any{"name": pvName},
		"spec": map[string]any{
			"capacity":                      map[string]any{"storage": "1Mi"},
			"accessModes":                   []any{"ReadWriteMany"},
			"persistentVolumeReclaimPolicy": "Retain",
			"storageClassName":              "",
			"nfs":                           map[string]any{"server": st.NFS.Server, "path": path},
		},
	}
	if len(st.NFS.MountOptions) > 0 {
		pv["spec"].(map[string]any)["mountOptions"] = anyList(st.NFS.MountOptions)
	}
	pvc := map[string]any{
		"apiVersion": "v1", "kind": "PersistentVolumeClaim",
		"metadata": map[string]any{"name": NFSHomeClaim, "namespace": ns},
		"spec": map[string]any{
			"accessModes":      []any{"ReadWriteMany"},
			"storageClassName": "",
			"volumeName":       pvName,
			"resources":        map[string]any{"requests": map[string]any{"storage": "1Mi"}},
		},
	}
	return []map[string]any{pv, pvc}
}
