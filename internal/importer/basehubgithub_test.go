package importer

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubfleet/hubfleet/internal/site"
	"github.com/hubfleet/hubfleet/internal/values"
)

// TestImportCarriesBasehubsGitHubDefaults: on the upstream route, a GitHub
// hub written for 2i2c's basehub gets what basehub set for it by default
// and the hub depends on, each as a derived item with basehub's reason;
// nothing else, nothing the hub sets itself, nothing on other layouts or
// the owner route. Access never widens; validate's no-groups warning goes
// exactly where teams now reach the filter.
func TestImportCarriesBasehubsGitHubDefaults(t *testing.T) {
	t.Parallel()
	const teamProfiles = `
    singleuser:
      profileList:
      - display_name: Small
        default: true
      - display_name: GPU
        allowed_groups: [my-org:gpu-users]
`
	github := func(orgs, extra string) string {
		return `
    hub:
      config:
        JupyterHub: {authenticator_class: github}
        GitHubOAuthenticator:
          client_id: hub
          allowed_organizations: ` + orgs + extra + `
    ingress: {enabled: true, hosts: [hub.example.org]}
`
	}
	base := func(jh string) string { return "nfs: {enabled: false}\njupyterhub:" + jh }
	all := map[string]any{
		"spec.auth.github.populateTeamsInAuthState":                                true,
		"spec.values.jupyterhub.hub.config.GitHubOAuthenticator.enable_auth_state": true,
		"spec.values.jupyterhub.hub.config.GitHubOAuthenticator.auth_refresh_age":  0,
		"spec.values.jupyterhub.hub.config.GitHubOAuthenticator.scope":             []any{"read:org"},
	}
	tests := []struct {
		name   string
		values string
		opts   Options
		// want is the derived items: path -> value written (nil: a typed field).
		want map[string]any
		// groups: validate finds a group source for the restricted profiles.
		groups bool
	}{
		{name: "base layout, profiles for a team", values: base(github("[my-org]", "") + teamProfiles), want: all, groups: true},
		{name: "basehub under an umbrella key (2i2c daskhub)", values: "basehub:\n  nfs: {enabled: false}\n  jupyterhub:" + indent(github("[my-org]", "")+teamProfiles), want: all, groups: true},
		{name: "basehub: without siblings (inner layout daskhub)", values: "basehub:\n  jupyterhub:" + indent(github("[my-org]", "")+teamProfiles), want: all, groups: true},
		{name: "another umbrella around daskhub values (not basehub): nothing", values: "mychart:\n  jupyterhub:" + indent(github("[my-org]", "")+teamProfiles), want: map[string]any{}},
		{name: "the hub sets some keys itself: they win", values: base(github("[my-org]", "\n          scope: [read:user]\n          auth_refresh_age: 600\n          populate_teams_in_auth_state: false") + teamProfiles),
			want: map[string]any{"spec.values.jupyterhub.hub.config.GitHubOAuthenticator.enable_auth_state": true}},
		{name: "a team in allowed_organizations, no profile groups: read:org only", values: base(github("[my-org:staff]", "")),
			want: map[string]any{"spec.values.jupyterhub.hub.config.GitHubOAuthenticator.scope": []any{"read:org"}}, groups: true},
		{name: "organisations only, no profile groups: read:org only", values: base(github("[my-org]", "")),
			want: map[string]any{"spec.values.jupyterhub.hub.config.GitHubOAuthenticator.scope": []any{"read:org"}}, groups: true},
		{name: "no organisations, no profile groups: nothing", values: base(github("[]", "")), want: map[string]any{}, groups: true},
		{name: "daskhub layout (not basehub): nothing", values: "jupyterhub:" + github("[my-org]", "") + teamProfiles, want: map[string]any{}},
		{name: "route owner (basehub itself applies them): nothing", values: base(github("[my-org]", "") + teamProfiles),
			opts: Options{Route: RouteOwner, OwnerChart: "basehub"}, want: map[string]any{}, groups: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := tt.opts
			o.Name, o.AgeRecipient, o.TLSMode, o.ClusterIssuer = "x", testRecipient, site.TLSCertManager, "letsencrypt-prod"
			files := map[string][]byte{"v.yaml": []byte(tt.values)}
			merged, err := Merge(files, []string{"v.yaml"})
			if err != nil {
				t.Fatal(err)
			}
			s, rep, err := Import(files, []string{"v.yaml"}, o)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]any{}
			for _, it := range rep.Items {
				if it.Action != Derived {
					continue
				}
				if !strings.HasPrefix(it.Note, "2i2c's basehub sets this for GitHub hubs") || !strings.Contains(it.Note, "carried so that") {
					t.Errorf("%s: reason %q does not say basehub sets it and why it is carried", it.Path, it.Note)
				}
				if it.To == nil {
					got[it.Path] = s.Spec.Auth.GitHub.PopulateTeamsInAuthState
					continue
				}
				v, ok := getPath(s.Spec.Values, it.To)
				if !ok {
					t.Errorf("%s is reported derived but spec.values has nothing at %s", it.Path, it.To)
				}
				got[it.Path] = v
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("derived items (-want +got):\n%s\n%s", diff, rep)
			}
			// Access: the authenticator reads the same access settings.
			fl := corpusFleet(t)
			fl.Spec.Charts.Umbrellas = ownerCharts
			rels := values.Releases(s, fl)
			var before, after map[string]any
			if o.Route == RouteOwner {
				b, _ := getPath(merged, Path(rep.Owner.JupyterHubPath))
				a, _ := releaseValues(rels, append(Path{rep.Owner.Chart}, rep.Owner.JupyterHubPath...))
				before, _ = b.(map[string]any)
				after, _ = a.(map[string]any)
			} else {
				tree, _, _, err := canonical(deepCopy(merged).(map[string]any), rep.Layout)
				if err != nil {
					t.Fatal(err)
				}
				before, _ = tree["jupyterhub"].(map[string]any)
				for _, r := range rels {
					if r.Name == values.ReleaseJupyterHub {
						after = r.Values
					}
				}
				// What is derived reaches the jupyterhub release.
				for p, v := range got {
					if k, ok := strings.CutPrefix(p, "spec.values.jupyterhub."); ok {
						if rv, _ := getPath(after, dotted(k)); !cmp.Equal(rv, v) {
							t.Errorf("the jupyterhub release holds %v at %s, want %v", rv, k, v)
						}
					}
				}
			}
			if diff := cmp.Diff(Access(before), Access(after)); diff != "" {
				t.Errorf("access settings changed (-before +after):\n%s", diff)
			}
			if g := site.GroupSource(&s.Spec); g != tt.groups && site.RestrictsGroups(&s.Spec) && s.Spec.Chart.Umbrella == "" {
				t.Errorf("GroupSource = %v, want %v", g, tt.groups)
			}
		})
	}
}

// indent indents a block by two spaces (to nest it one key deeper).
func indent(s string) string {
	return strings.ReplaceAll(s, "\n", "\n  ")
}
