package values

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"

	"github.com/hubfleet/hubfleet/internal/chart/chartrepotest"
	"github.com/hubfleet/hubfleet/internal/site"
	"github.com/hubfleet/hubfleet/internal/valuetree"
)

// debianPython is the interpreter with Debian's JupyterHub (traitlets,
// tornado) that the filter runs with.
const debianPython = "/usr/bin/python3"

func groupedProfiles() []site.Profile {
	return []site.Profile{
		{Name: "Small", Slug: "small", Image: "pangeo/pangeo-notebook:2024.01.01"},
		{Name: "GPU", Slug: "gpu", GPUs: 1, NodeSelector: map[string]string{"node.kubernetes.io/instance-type": "g4dn.xlarge"}, AllowedGroups: []string{"GPU-Users"}},
		{Name: "Big", Slug: "big", Options: []site.ProfileOption{{Name: "image", DisplayName: "Image", Choices: []site.ProfileChoice{
			{Name: "pangeo", DisplayName: "Pangeo", Override: site.SpawnerOverride{Image: "pangeo/pangeo-notebook:2024.01.01"}},
			{Name: "staff", DisplayName: "Staff image", AllowedGroups: []string{"staff", "Org:Team"}, Override: site.SpawnerOverride{Image: "pangeo/ml-notebook:2024.01.01"}},
		}}}},
	}
}

// renderProfileGroups renders pangeo-azure (upstream charts) with the
// given profiles and returns the hub's profile list and the filter's
// extraConfig text.
func renderProfileGroups(t *testing.T, profiles []site.Profile) ([]any, string, []byte) {
	t.Helper()
	s, f := load(t, "pangeo-azure")
	s.Spec.Singleuser.Profiles = profiles
	if err := site.Validate(s, f); err != nil {
		t.Fatalf("site: %v", err)
	}
	rels := Releases(s, f)
	hub := rels[0].Values
	prefix := ""
	if rels[0].Name == ReleaseDaskHub {
		prefix = "jupyterhub."
	}
	list, _ := valuetree.Get(hub, prefix+"singleuser.profileList").([]any)
	cfg, _ := valuetree.Get(hub, prefix+"hub.extraConfig."+ProfileGroupsKey).(string)
	all, err := yaml.Marshal(rels)
	if err != nil {
		t.Fatal(err)
	}
	return list, cfg, all
}

// TestProfileGroupsFilterRunsAsBasehubs runs the rendered extraConfig in
// Python: each user is offered the profiles and choices of their groups,
// as 2i2c's basehub offers them, without the allowed_groups keys.
func TestProfileGroupsFilterRunsAsBasehubs(t *testing.T) {
	t.Parallel()
	if err := exec.Command(debianPython, "-c", "import tornado, traitlets").Run(); err != nil {
		if os.Getenv("HUBFLEET_REQUIRE_TESTHUB") != "" {
			t.Fatalf("Debian's python3 with JupyterHub (tornado, traitlets) is needed: %v", err)
		}
		t.Skipf("Debian's python3 with JupyterHub (tornado, traitlets) is not installed: %v", err)
	}
	list, cfg, first := renderProfileGroups(t, groupedProfiles())
	if cfg == "" {
		t.Fatalf("no hub.extraConfig.%s in the render of profiles with allowedGroups", ProfileGroupsKey)
	}
	if _, _, again := renderProfileGroups(t, groupedProfiles()); !bytes.Equal(first, again) {
		t.Error("two renders of the same site differ")
	}
	if _, none, _ := renderProfileGroups(t, groupedProfiles()[:1]); none != "" {
		t.Error("the filter is rendered for profiles that restrict nothing")
	}
	onlyGPU, _, _ := renderProfileGroups(t, groupedProfiles()[1:2])

	// want is the rendered list as KubeSpawner should get it: the given
	// profiles (by slug) and choices (by name), allowed_groups removed,
	// every other key as rendered.
	want := func(list []any, slugs ...string) []any {
		var out []any
		for _, s := range slugs {
			slug, choices, _ := strings.Cut(s, ":")
			for _, p := range list {
				p := deepCopy(t, p).(map[string]any)
				if p["slug"] != slug {
					continue
				}
				delete(p, "allowed_groups")
				if opts, ok := p["profile_options"].(map[string]any); ok {
					cs := opts["image"].(map[string]any)["choices"].(map[string]any)
					for name, c := range cs {
						if !strings.Contains(","+choices+",", ","+name+",") {
							delete(cs, name)
						}
						delete(c.(map[string]any), "allowed_groups")
					}
				}
				out = append(out, p)
			}
		}
		return out
	}
	unlisted := func(groups ...any) []any {
		u := map[string]any{"enabled": true, "display_name": "Other image"}
		if groups != nil {
			u["allowed_groups"] = groups
		}
		return []any{map[string]any{"display_name": "Any", "profile_options": map[string]any{"image": map[string]any{"display_name": "Image", "unlisted_choice": u}}}}
	}
	withoutUnlisted := []any{map[string]any{"display_name": "Any", "profile_options": map[string]any{"image": map[string]any{"display_name": "Image"}}}}
	team := map[string]any{"teams": []any{map[string]any{"organization": map[string]any{"login": "ORG"}, "slug": "team"}}}
	tests := []struct {
		name     string
		profiles []any
		user     map[string]any
		want     any
	}{
		{"in no group: only what is offered to all", list,
			map[string]any{"name": "ada"}, want(list, "small", "big:pangeo")},
		{"an admin in no group gets no more (basehub has no admin exception)", list,
			map[string]any{"name": "root", "admin": true}, want(list, "small", "big:pangeo")},
		{"a group matches regardless of case", list,
			map[string]any{"name": "grace", "groups": []any{"gpu-users"}}, want(list, "small", "gpu", "big:pangeo")},
		{"a choice's group", list,
			map[string]any{"name": "alan", "groups": []any{"staff"}}, want(list, "small", "big:pangeo,staff")},
		{"a GitHub team in auth_state counts as org:team", list,
			map[string]any{"name": "linus", "github": true, "authState": team}, want(list, "small", "big:pangeo,staff")},
		{"auth_state teams count only with GitHubOAuthenticator", list,
			map[string]any{"name": "ken", "authState": team}, want(list, "small", "big:pangeo")},
		{"basehub's service-check user gets no bypass", list,
			map[string]any{"name": "deployment-service-check"}, want(list, "small", "big:pangeo")},
		{"nothing left: 403, not the default server", onlyGPU,
			map[string]any{"name": "eve", "groups": []any{"staff"}}, 403.0},
		{"an unlisted choice of another group is taken out", unlisted("staff"),
			map[string]any{"name": "ada"}, withoutUnlisted},
		{"an unlisted choice of the user's group stays, without allowed_groups", unlisted("staff"),
			map[string]any{"name": "alan", "groups": []any{"Staff"}}, unlisted()},
		{"an unlisted choice's groups are compared as written, as basehub does", unlisted("Staff"),
			map[string]any{"name": "alan", "groups": []any{"Staff"}}, withoutUnlisted},
		{"a member of every group gets the whole list without allowed_groups", list,
			map[string]any{"name": "root2", "groups": []any{"GPU-USERS", "Staff"}}, want(list, "small", "gpu", "big:pangeo,staff")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in, err := json.Marshal(map[string]any{"profiles": tt.profiles, "extraConfig": cfg, "users": []any{tt.user}})
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(debianPython, "testdata/profilegroups_harness.py")
			cmd.Stdin = bytes.NewReader(in)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("python: %v\n%s", err, stderr.String())
			}
			var got map[string]any
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("harness output %q: %v", out, err)
			}
			if diff := cmp.Diff(deepCopy(t, tt.want), got[tt.user["name"].(string)]); diff != "" {
				t.Errorf("offered (-want +got):\n%s", diff)
			}
		})
	}
}

// deepCopy is v through JSON, as the harness reads and writes it.
func deepCopy(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestProfileGroupsFilterOnlyOnTheUpstreamCharts: an operator's chart
// (2i2c's basehub) filters profiles itself, so its release gets no
// hubfleet filter; the upstream charts get one, and only when a profile,
// choice or unlisted choice is restricted — typed or passed through in
// spec.values.
func TestProfileGroupsFilterOnlyOnTheUpstreamCharts(t *testing.T) {
	t.Parallel()
	srv := chartrepotest.Start(t)
	srv.AddChart(t, operatorUmbrella(t))
	s, f := load(t, "pangeo-azure")
	f.Spec.Charts.Umbrellas = map[string]site.UmbrellaChart{"daskhub": {
		Repository: srv.URL, Chart: "daskhub", Version: "0.1.0", JupyterHubVersion: "4.4.0",
		JupyterHubPath: []string{"basehub", "jupyterhub"}, DaskGatewayPath: []string{"dask-gateway"}, SiblingsPath: []string{"basehub"},
	}}
	s.Spec.Chart = site.ChartSelection{Umbrella: "daskhub"}
	s.Spec.TLS = site.TLS{Mode: site.TLSCertManager, ClusterIssuer: "letsencrypt-prod"}
	s.Spec.Singleuser.Profiles = groupedProfiles()
	if err := site.Validate(s, f); err != nil {
		t.Fatalf("site on the umbrella: %v", err)
	}
	rels := Releases(s, f)
	if got := valuetree.Get(rels[0].Values, "basehub.jupyterhub.singleuser.profileList"); !RestrictsGroups(got.([]any)) {
		t.Fatalf("the umbrella's profile list lost allowed_groups: %v", got)
	}
	if got := valuetree.Get(rels[0].Values, "basehub.jupyterhub.hub.extraConfig."+ProfileGroupsKey); got != nil {
		t.Errorf("the operator's chart got hubfleet's filter too")
	}

	unlisted := []any{map[string]any{"display_name": "Any image", "profile_options": map[string]any{"image": map[string]any{
		"display_name": "Image", "unlisted_choice": map[string]any{"enabled": true, "allowed_groups": []any{"staff"}}}}}}
	for _, tc := range []struct {
		name string
		list []any
		want bool
	}{
		{"a restricted unlisted choice passed through", unlisted, true},
		{"nothing restricted", []any{map[string]any{"display_name": "Small"}}, false},
	} {
		s, f := load(t, "pangeo-azure")
		s.Spec.Values = map[string]any{"jupyterhub": map[string]any{"singleuser": map[string]any{"profileList": tc.list}}}
		hub := Releases(s, f)[0]
		prefix := ""
		if hub.Name == ReleaseDaskHub {
			prefix = "jupyterhub."
		}
		if got := valuetree.Get(hub.Values, prefix+"hub.extraConfig."+ProfileGroupsKey) != nil; got != tc.want {
			t.Errorf("%s: filter rendered %v, want %v", tc.name, got, tc.want)
		}
	}
}
