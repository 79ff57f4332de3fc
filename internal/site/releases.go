package site

import (
	"fmt"
	"slices"
	"strings"
)

// SiblingRelease is a chart a site installs beside the hub, as its own
// HelmRelease in the hub's namespace: an NFS home server, binderhub-service,
// a groups exporter, any chart. Its chart source and version are pinned in
// the fleet file (spec.charts.siblings), so version changes show in the
// plan like the hub's.
type SiblingRelease struct {
	// Name is the HelmRelease (and Helm release) name.
	Name string `yaml:"name"`
	// Chart names the fleet's pin in spec.charts.siblings; defaults to Name.
	Chart string `yaml:"chart,omitempty"`
	// Values are the chart's values, passed through unchanged.
	Values map[string]any `yaml:"values,omitempty"`
	// DependsOn are releases of this site that must be ready first;
	// defaults to none. "hub" names the hub's own release, jupyterhub
	// (composed) or daskhub (umbrella).
	DependsOn []string `yaml:"dependsOn,omitempty"`
}

// ChartKey is the fleet pin a sibling release runs.
func (r SiblingRelease) ChartKey() string {
	if r.Chart != "" {
		return r.Chart
	}
	return r.Name
}

// HubReleaseAlias in dependsOn names the hub's own release.
const HubReleaseAlias = "hub"

// hubReleaseNames are the names hubfleet gives the hub's own releases.
var hubReleaseNames = []string{HubReleaseAlias, "daskhub", "jupyterhub", "dask-gateway"}

func validateReleases(r *reporter, s *Site, f *Fleet) {
	names := map[string]int{}
	for i, rel := range s.Spec.Releases {
		base := fmt.Sprintf("spec.releases[%d]", i)
		if rel.Name == "" {
			r.add(KindRequired, base+".name", "name the release, e.g. jupyterhub-home-nfs", "a sibling release needs a name")
			continue
		}
		checkLabel(r, base+".name", rel.Name)
		if slices.Contains(hubReleaseNames, rel.Name) {
			r.add(KindDuplicateKey, base+".name", "choose another name", "%q is the name of one of the hub's own releases", rel.Name)
		}
		if j, dup := names[rel.Name]; dup {
			r.add(KindDuplicateKey, base+".name", "give each release its own name", "release %q is also spec.releases[%d]", rel.Name, j)
		}
		names[rel.Name] = i
		if f != nil {
			if _, ok := f.Spec.Charts.Siblings[rel.ChartKey()]; !ok {
				r.add(KindRequired, base+".chart", fmt.Sprintf("pin the chart in the fleet file under spec.charts.siblings.%s (repository, chart, version)", rel.ChartKey()),
					"the fleet pins no chart %q", rel.ChartKey())
			}
		}
	}
	for i, rel := range s.Spec.Releases {
		for j, d := range rel.DependsOn {
			if _, ok := names[d]; !ok && !slices.Contains(hubReleaseNames, d) {
				r.add(KindRequired, fmt.Sprintf("spec.releases[%d].dependsOn[%d]", i, j), "name a release of this site: "+strings.Join(append(slices.Clone(hubReleaseNames), sortedKeys(names)...), ", "),
					"the site has no release %q", d)
			}
		}
	}
}

func sortedKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Empty reports whether the site types no worker options (hubfleet then
// writes its default options form, unless the site's code sets one).
func (w WorkerOptions) Empty() bool { return w.empty() }
