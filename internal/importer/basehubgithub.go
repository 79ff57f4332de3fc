package importer

import (
	"slices"
	"strings"

	"github.com/hubfleet/hubfleet/internal/site"
)

// What 2i2c's basehub applies to every GitHub hub by default, in its own
// chart values (helm-charts/basehub/values.yaml,
// jupyterhub.hub.config.GitHubOAuthenticator: enable_auth_state,
// manage_groups, populate_teams_in_auth_state, auth_refresh_age: 0,
// scope: [read:org]). A hub's file does not repeat them, so import does
// not see them; on the upstream charts they are gone unless import
// carries them. It carries what the hub's behaviour depends on, and only
// that:
//
//   - the profile list restricts groups: the GitHub teams the filter reads
//     from auth_state (populate_teams_in_auth_state, enable_auth_state,
//     read:org), and auth_refresh_age: 0, because basehub never refreshed
//     auth_state and enabling it would start refreshing;
//   - allowed_organizations is set: read:org, without which GitHub answers
//     only public organisation membership (oauthenticator's
//     allowed_organizations: "Requires `read:org` to be set in `scope` to
//     not just allow based on public membership"): members whose
//     membership is private, and team members, would be refused.
//
// A key the hub's file sets itself wins, as in Helm's merge, and is not
// carried. z2jh generates the crypt key auth_state needs
// (hub.config.CryptKeeper.keys in the hub Secret, kept across upgrades),
// so no secret is added.
const basehubGitHubWhy = "2i2c's basehub sets this for GitHub hubs (its own chart values, hub.config.GitHubOAuthenticator), which the hub's files do not repeat; carried so that "

// ghDefaultPath is where basehub sets its GitHub defaults (daskhub layout).
var ghDefaultPath = Path{"jupyterhub", "hub", "config", "GitHubOAuthenticator"}

// runsBasehub: the layout is 2i2c's basehub (base, or basehub's values
// under one umbrella key as 2i2c's daskhub chart nests them: basehub:,
// whatever its inner layout looks like without siblings).
func runsBasehub(l Layout) bool {
	return l.Kind == LayoutBase || (l.Kind == LayoutUmbrella && (l.Key == "basehub" || l.Inner == LayoutBase))
}

func (im *importer) basehubGitHub(s *site.Site, l Layout) {
	a := &s.Spec.Auth
	if a.Provider != site.AuthGitHub || !runsBasehub(l) {
		return
	}
	set := func(key string) bool { _, ok := im.githubIn[key]; return ok }
	teams := site.RestrictsGroups(&s.Spec)
	orgs := a.GitHub != nil && len(a.GitHub.Organizations) > 0
	const forTeams = "profiles and choices offered only to GitHub teams (allowed_groups org:team) keep working: hubfleet's profile filter reads a user's teams from auth_state, as basehub's does"
	derive := func(key string, v any, why string) {
		p := append(append(Path{}, ghDefaultPath...), key)
		if s.Spec.Values == nil {
			s.Spec.Values = map[string]any{}
		}
		setPath(s.Spec.Values, p, v)
		im.items = append(im.items, Item{Action: Derived, Path: "spec.values." + p.String(), To: p, Note: basehubGitHubWhy + why})
	}
	if teams {
		if !set("populate_teams_in_auth_state") {
			if a.GitHub == nil {
				a.GitHub = &site.GitHub{}
			}
			a.GitHub.PopulateTeamsInAuthState = true
			im.items = append(im.items, Item{Action: Derived, Path: "spec.auth.github.populateTeamsInAuthState", Note: basehubGitHubWhy + forTeams})
		}
		if !set("enable_auth_state") {
			derive("enable_auth_state", true, forTeams+" (the teams are kept in auth_state; z2jh generates its encryption key, hub.config.CryptKeeper.keys, in the hub Secret: no secret to add)")
		}
		if !set("auth_refresh_age") {
			derive("auth_refresh_age", 0, "the hub behaves as on basehub now that auth_state is kept: basehub turns auth refresh off for GitHub hubs, so a user's teams are read at login and a GitHub outage logs nobody out")
		}
	}
	if (teams || orgs) && !set("scope") {
		var why []string
		if orgs {
			why = append(why, "allowed_organizations keeps admitting members whose organisation membership is private, and team members (without read:org GitHub answers only public membership)")
		}
		if teams {
			why = append(why, forTeams+" (GitHub lists a user's teams only with read:org)")
		}
		derive("scope", []any{"read:org"}, strings.Join(why, ", and "))
	}
	staff := "2i2c-org:hub-access-for-2i2c-staff"
	listed := a.GitHub != nil && slices.Contains(a.GitHub.Organizations, staff)
	msg := "route upstream, GitHub: 2i2c's basehub also makes the user's teams listed in allowed_organizations JupyterHub groups (manage_groups with its own auth_state_groups_key code); not carried: hubfleet's profile filter reads the teams from auth_state itself, and login does not overwrite the groups admins assign"
	if !listed {
		msg += "; and basehub adds 2i2c's staff team " + staff + " to allowed_organizations; not carried (2i2c's staff are not this site's users): add it to spec.auth.github.organizations to let them log in"
	}
	im.remark("%s", msg)
}
