package targets

import (
	"fmt"
	"strings"

	"github.com/hubfleet/hubfleet/internal/site"
	"github.com/hubfleet/hubfleet/internal/values"
	"github.com/hubfleet/hubfleet/internal/valuetree"
)

// hubImage is the hub image the fleet's or the site's values set
// (jupyterhub's hub.image, name:tag), "" when the chart's own runs. On an
// operator's umbrella chart (umbrella, nil for the others) the values are
// at its jupyterhubPath in its one release.
func hubImage(rels []values.Release, umbrella *site.UmbrellaChart) string {
	for _, r := range rels {
		var img any
		switch {
		case umbrella != nil:
			if r.Name == umbrella.Chart && len(umbrella.JupyterHubPath) > 0 {
				img = valuetree.Get(r.Values, strings.Join(umbrella.JupyterHubPath, ".")+".hub.image")
			}
		case r.Name == values.ReleaseJupyterHub:
			img = valuetree.Get(r.Values, "hub.image")
		case r.Name == values.ReleaseDaskHub:
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

// ownChart is the chart name of the operator's umbrella chart the site
// runs (umbrella, nil for hubfleet's charts), "".
func ownChart(umbrella *site.UmbrellaChart) string {
	if umbrella != nil {
		return umbrella.Chart
	}
	return ""
}
