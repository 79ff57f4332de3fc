package targets

import (
	"testing"

	"github.com/hubfleet/hubfleet/internal/values"
)

func TestHubImage(t *testing.T) {
	for _, tc := range []struct {
		name string
		rels []values.Release
		want string
	}{
		{"chart's own image", []values.Release{{Name: values.ReleaseJupyterHub, Values: map[string]any{"hub": map[string]any{"db": "x"}}}}, ""},
		{"composed, name and tag", []values.Release{
			{Name: values.ReleaseDaskGateway, Values: map[string]any{"hub": map[string]any{"image": map[string]any{"name": "not/this"}}}},
			{Name: values.ReleaseJupyterHub, Values: map[string]any{"hub": map[string]any{"image": map[string]any{"name": "quay.io/x/hub", "tag": "2024.1"}}}},
		}, "quay.io/x/hub:2024.1"},
		{"daskhub umbrella, tag only", []values.Release{{Name: values.ReleaseDaskHub, Values: map[string]any{"jupyterhub": map[string]any{"hub": map[string]any{"image": map[string]any{"tag": "5.2.1"}}}}}},
			"the chart's hub image at tag 5.2.1"},
		{"numeric tag", []values.Release{{Name: values.ReleaseJupyterHub, Values: map[string]any{"hub": map[string]any{"image": map[string]any{"name": "hub", "tag": 3}}}}}, "hub:3"},
	} {
		if got := hubImage(tc.rels); got != tc.want {
			t.Errorf("%s: hubImage = %q, want %q", tc.name, got, tc.want)
		}
	}
}
