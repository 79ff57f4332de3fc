package importer

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/hubfleet/hubfleet/internal/site"
)

// siblings turns every top-level key beside the hub's charts into a
// sibling release, except the base chart's own nfs: block, which becomes
// NFS home storage.
func (im *importer) siblings() {
	for _, k := range sortedKeys(im.v) {
		if daskhubTopKeys[k] {
			continue
		}
		v, _ := im.v[k].(map[string]any)
		if v == nil {
			im.take(Path{k})
			im.note(Dropped, Path{k}, "not a chart's values (a map): nothing to install")
			continue
		}
		if en, ok := v["enabled"]; ok && en == false {
			im.take(Path{k})
			for _, l := range Leaves(map[string]any{k: v}) {
				im.note(Dropped, l.Path, "%s is disabled (enabled: false): nothing to install", k)
			}
			continue
		}
		if k == "nfs" {
			im.nfs(v)
			continue
		}
		if !isChartName(k) {
			im.take(Path{k})
			for _, l := range Leaves(map[string]any{k: v}) {
				im.note(Dropped, l.Path, "%s", ownValuesDropped)
			}
			im.remark("%s: not a chart (a chart's name is lower-case letters, digits and '-'): values of the operator's own chart, read by its own templates; the upstream route does not run them, so what they made (e.g. the volume and claim of users' homes) is no longer managed by this site: add those objects yourself, or keep the chart with --route owner", k)
			continue
		}
		im.take(Path{k})
		if _, ok := v["enabled"]; ok {
			delete(v, "enabled")
			im.note(Typed, Path{k, "enabled"}, "spec.releases: %s is installed as its own HelmRelease", k)
		}
		rel := Path{"releases", k}
		im.secrets(v, Path{k})
		for _, l := range Leaves(v) {
			in := im.input(append(Path{k}, l.Path...))
			if im.secretLeaves[key(in)] {
				continue
			}
			if nv, changed := withHubFullname(l.Value, im.hubFullname()); changed {
				name := im.hubFullname()
				setPath(v, l.Path, nv)
				im.items = append(im.items, Item{Action: Migrated, Path: in.String(), Keys: in, To: append(rel.plus(), l.Path...),
					Note: fmt.Sprintf("passed through to the %s release, with {{ include \"jupyterhub.hub.fullname\" . }} written as %q: a template of the jupyterhub chart, which a sibling release cannot include (inside the owners' chart it could); %q is the hub's name there", k, name, name)})
				continue
			}
			im.items = append(im.items, Item{Action: Kept, Path: in.String(), Keys: in, To: append(rel.plus(), l.Path...),
				Note: fmt.Sprintf("passed through to the %s release", k)})
		}
		if k == "jupyterhub-home-nfs" {
			im.homeNFSProvider(v, rel) // after the leaves: it adds one, derived
		}
		im.s.Spec.Releases = append(im.s.Spec.Releases, site.SiblingRelease{Name: k, Chart: k, Values: v, DependsOn: []string{site.HubReleaseAlias}})
		im.remark("%s: a sibling release on the fleet's chart pin spec.charts.siblings.%s (add the pin: repository, chart, version)", k, k)
	}
}

// ownValuesDropped is the reason a leaf of the owner chart's own values
// (a top-level key that cannot name a chart) is not carried on the
// upstream route.
const ownValuesDropped = "the operator's own chart's values (its templates read them): the upstream charts have no such values; --route owner keeps them"

// chartNameRE is Helm's rule for a chart's name: lower-case letters,
// digits and dashes. A subchart's values sit under its name (or an alias
// following the same convention); another top-level key is the parent
// chart's own.
var chartNameRE = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

func isChartName(k string) bool { return chartNameRE.MatchString(k) }

// nfs maps a base chart's nfs: block (2i2c basehub: a PersistentVolume on
// an NFS export, mounted as every user's home) to NFS home storage.
func (im *importer) nfs(v map[string]any) {
	u := &im.s.Spec.Singleuser
	server, _ := getPath(v, Path{"pv", "serverIP"})
	if server == nil {
		for _, l := range Leaves(map[string]any{"nfs": v}) {
			im.note(Dropped, l.Path, "the nfs block names no server (pv.serverIP): no NFS home storage to type")
		}
		im.take(Path{"nfs"})
		return
	}
	n := &site.NFSHome{Server: fmt.Sprint(server), Path: "/"}
	typedKeys := map[string]string{"enabled": "", "pv.enabled": "", "pv.serverIP": "server", "pv.baseShareName": "path", "pv.mountOptions": "mountOptions"}
	if p, ok := getPath(v, Path{"pv", "baseShareName"}); ok && p != nil {
		n.Path = fmt.Sprint(p)
	}
	if mo, ok := getPath(v, Path{"pv", "mountOptions"}); ok {
		n.MountOptions = stringList(mo)
	}
	if u.Storage.Type != "" {
		im.remark("nfs: the home storage becomes NFS (it was %s in singleuser.storage)", u.Storage.Type)
	}
	u.Storage.Type = site.StorageNFS
	u.Storage.NFS = n
	for _, l := range Leaves(map[string]any{"nfs": v}) {
		key := joinDots(l.Path[1:])
		if f, ok := typedKeys[key]; ok {
			note := "spec.singleuser.storage.type: nfs"
			if f != "" {
				note = "spec.singleuser.storage.nfs." + f
			}
			im.note(Typed, l.Path, "%s", note)
			continue
		}
		im.note(Dropped, l.Path, "the base chart's own NFS add-on (its templates, not a chart's values): hubfleet types the home volume only; run the add-on as a sibling release if the hub needs it")
	}
	im.take(Path{"nfs"})
	im.remark("nfs: users' homes are the NFS export %s:%s, mounted per user at {escaped_username} (as the base chart does); hubfleet renders the PersistentVolume and claim %s", n.Server, n.Path, "home-nfs")
}

func joinDots(p Path) string {
	return strings.Join(p, ".")
}

// hubFullnameRE is z2jh's template of the hub's name, as a sibling
// subchart's values use it inside an umbrella chart (2i2c's
// binderhub-service: the Secret holding the hub's API token for it).
var hubFullnameRE = regexp.MustCompile(`\{\{-?\s*include\s+"jupyterhub\.hub\.fullname"\s+\.\s*-?\}\}`)

// hubFullname is what z2jh's jupyterhub.hub.fullname gives for the hub's
// values: "hub" (z2jh sets fullnameOverride to "", so names carry no
// prefix), or <fullnameOverride>-hub when the values set one.
func (im *importer) hubFullname() string {
	if fo, _ := getPath(im.v, Path{"jupyterhub", "fullnameOverride"}); fo != nil && fmt.Sprint(fo) != "" {
		return fmt.Sprint(fo) + "-hub"
	}
	return "hub"
}

// withHubFullname is a copy of a leaf (a string, or a list holding
// strings, e.g. extraEnv) with hubFullnameRE written as name, and whether
// anything changed.
func withHubFullname(v any, name string) (any, bool) {
	switch t := v.(type) {
	case string:
		if hubFullnameRE.MatchString(t) {
			return hubFullnameRE.ReplaceAllString(t, name), true
		}
	case []any:
		out, changed := make([]any, len(t)), false
		for i, e := range t {
			var c bool
			out[i], c = withHubFullname(e, name)
			changed = changed || c
		}
		return out, changed
	case map[string]any:
		out, changed := make(map[string]any, len(t)), false
		for k, e := range t {
			var c bool
			out[k], c = withHubFullname(e, name)
			changed = changed || c
		}
		return out, changed
	}
	return v, false
}

// homeNFSProvider carries what 2i2c's basehub adds to jupyterhub-home-nfs
// from the cluster's provider (helm-charts/basehub/values.jsonnet:
// eks.enabled: provider == 'aws', gke.enabled: provider == 'gcp'), which
// the hub's files do not repeat: without it the chart makes no
// PersistentVolume on the disk the values name (eks.volumeId,
// gke.volumeId), and users' homes would be an empty NFS server. Only
// where the values name that disk and do not say enabled themselves.
func (im *importer) homeNFSProvider(v map[string]any, rel Path) {
	cloud := map[string]string{"aws": "eks", "gcp": "gke"}[im.opts.Provider]
	if cloud == "" {
		return
	}
	c, _ := v[cloud].(map[string]any)
	if c == nil || c["volumeId"] == nil {
		return
	}
	if _, set := c["enabled"]; set {
		return
	}
	c["enabled"] = true
	to := append(rel.plus(), cloud, "enabled")
	im.items = append(im.items, Item{Action: Derived, Path: fmt.Sprintf("spec.releases[%s].values.%s.enabled", rel[len(rel)-1], cloud), To: to,
		Note: fmt.Sprintf("2i2c's basehub sets it from the cluster's provider (%s, in the cluster file; helm-charts/basehub/values.jsonnet: %s.enabled: provider == '%s'), which the hub's files do not repeat; carried so that the chart makes the PersistentVolume on the hub's disk (%s.volumeId): without it users' homes would be an empty NFS server", im.opts.Provider, cloud, im.opts.Provider, cloud)})
}
