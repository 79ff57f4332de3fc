package values

import (
	"github.com/hubfleet/hubfleet/internal/site"
	"github.com/hubfleet/hubfleet/internal/valuetree"
)

// probe renders the hub role of `hubfleet verify --spawn`'s service when
// the site configures spec.probe: hub.loadRoles.hubfleet-probe grants the
// service site.ProbeScopes, all filtered to the probe user. The service
// itself (hub.services.hubfleet-probe) comes into being through its token,
// which helm-controller sets from the site's SOPS-encrypted secret
// (spec.secrets.values, targetPath site.ProbeTokenPath).
func (b *builder) probe(jh map[string]any) {
	p, ok := site.ProbeOf(b.s)
	if !ok {
		return
	}
	valuetree.Set(jh, "hub.loadRoles."+site.ProbeService, site.ProbeRole(p))
}
