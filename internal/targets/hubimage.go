package targets

import (
	"fmt"

	"github.com/hubfleet/hubfleet/internal/values"
	"github.com/hubfleet/hubfleet/internal/valuetree"
)

// hubImage is the hub image the fleet's or the site's values set
// (jupyterhub's hub.image, name:tag), "" when the chart's own runs.
func hubImage(rels []values.Release) string {
	for _, r := range rels {
		var img any
		switch r.Name {
		case values.ReleaseJupyterHub:
			img = valuetree.Get(r.Values, "hub.image")
		case values.ReleaseDaskHub:
			img = valuetree.Get(r.Values, "jupyterhub.hub.image")
		}
		m, ok := img.(map[string]any)
		if !ok {
			continue
		}
		name, _ := m["name"].(string)
		tag := fmt.Sprint(m["tag"])
		if m["tag"] == nil {
			tag = ""
		}
		switch {
		case name != "" && tag != "":
			return name + ":" + tag
		case name != "":
			return name
		case tag != "":
			return "the chart's hub image at tag " + tag
		}
	}
	return ""
}
