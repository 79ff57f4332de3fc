package site

import (
	"fmt"
	"strings"
)

// Override sets a value hubfleet owns (it derives it from the site spec)
// when a site must: the one way to do so, with a reason. Render applies
// overrides last and lists them, with their reasons, in the HelmRelease's
// hubfleet.dev/overrides annotation, so the plan shows them.
type Override struct {
	// Path is the values path in the daskhub layout as a list of keys
	// (keys may hold dots), e.g. [jupyterhub, proxy, service, type].
	Path []string `yaml:"path"`
	// Value replaces what hubfleet derives; null deletes it.
	Value any `yaml:"value"`
	// Reason says why the site needs it (required).
	Reason string `yaml:"reason"`
}

// String is the override's path, dotted.
func (o Override) String() string { return strings.Join(o.Path, ".") }

func validateOverrides(r *reporter, s *Site) {
	for i, o := range s.Spec.Overrides {
		base := fmt.Sprintf("spec.overrides[%d]", i)
		if len(o.Path) < 2 || (o.Path[0] != "jupyterhub" && o.Path[0] != "dask-gateway" && o.Path[0] != "rbac" && o.Path[0] != "dask-kubernetes") {
			r.add(KindRequired, base+".path", "write the path in the daskhub layout as a list of keys, e.g. [jupyterhub, proxy, service, type]", "an override needs a path under jupyterhub or dask-gateway")
		}
		if strings.TrimSpace(o.Reason) == "" {
			r.add(KindRequired, base+".reason", "say why the site must set a value hubfleet derives", "an override needs a reason")
		}
	}
}
