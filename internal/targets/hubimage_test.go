package targets

import (
	"testing"

	"github.com/hubfleet/hubfleet/internal/site"
	"github.com/hubfleet/hubfleet/internal/values"
)

func TestHubImage(t *testing.T) {
	// 2i2c's daskhub wraps basehub, which wraps z2jh: the site's
	// jupyterhub values sit at daskhub.basehub.jupyterhub.
	basehub := &site.UmbrellaChart{Chart: "daskhub", JupyterHubPath: []string{"basehub", "jupyterhub"}}
	image := map[string]any{"hub": map[string]any{"image": map[string]any{"name": "quay.io/2i2c/pilot-hub", "tag": "0.0.1-0.dev.git.8"}}}
	for _, tc := range []struct {
		name     string
		rels     []values.Release
		umbrella *site.UmbrellaChart
		want     string
	}{
		{"chart's own image", []values.Release{{Name: values.ReleaseJupyterHub, Values: map[string]any{"hub": map[string]any{"db": "x"}}}}, nil, ""},
		{"composed, name and tag", []values.Release{
			{Name: values.ReleaseDaskGateway, Values: map[string]any{"hub": map[string]any{"image": map[string]any{"name": "not/this"}}}},
			{Name: values.ReleaseJupyterHub, Values: map[string]any{"hub": map[string]any{"image": map[string]any{"name": "quay.io/x/hub", "tag": "2024.1"}}}},
		}, nil, "quay.io/x/hub:2024.1"},
		{"daskhub umbrella, tag only", []values.Release{{Name: values.ReleaseDaskHub, Values: map[string]any{"jupyterhub": map[string]any{"hub": map[string]any{"image": map[string]any{"tag": "5.2.1"}}}}}},
			nil, "the chart's hub image at tag 5.2.1"},
		{"numeric tag", []values.Release{{Name: values.ReleaseJupyterHub, Values: map[string]any{"hub": map[string]any{"image": map[string]any{"name": "hub", "tag": 3}}}}}, nil, "hub:3"},
		{"operator's umbrella, at its jupyterhubPath", []values.Release{{Name: "daskhub", Values: map[string]any{"basehub": map[string]any{"jupyterhub": image}}}},
			basehub, "quay.io/2i2c/pilot-hub:0.0.1-0.dev.git.8"},
		{"operator's umbrella, not at the daskhub umbrella's path", []values.Release{{Name: "daskhub", Values: map[string]any{"jupyterhub": image}}},
			basehub, ""},
	} {
		if got := hubImage(tc.rels, tc.umbrella); got != tc.want {
			t.Errorf("%s: hubImage = %q, want %q", tc.name, got, tc.want)
		}
	}
}
