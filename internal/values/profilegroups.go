package values

import (
	"github.com/hubfleet/hubfleet/internal/valuetree"
)

// ProfileGroupsKey is the hub.extraConfig entry that enforces
// allowed_groups on the upstream charts. z2jh runs extraConfig in the
// order of its keys: the "zz-" prefix runs it after every other entry, so
// a profile list set by an earlier entry is filtered too.
const ProfileGroupsKey = "zz-hubfleet-profile-groups"

// ProfileGroupsConfig is the Python of ProfileGroupsKey. It follows 2i2c
// basehub's hub.extraConfig 05-profile-groups (helm-charts/basehub/values.yaml
// in 2i2c-org/infrastructure), so a hub imported from basehub offers the
// same profiles to the same users:
//   - a user's groups are their JupyterHub groups (spawner.user.groups),
//     case-folded, plus, with GitHubOAuthenticator, the org:team of each
//     team in auth_state["teams"];
//   - a profile or an option's choice with allowed_groups is kept only
//     when the user is in one of them (case-insensitive); an unlisted
//     choice with allowed_groups is compared as written, as basehub does;
//   - admins get no exception (basehub gives none);
//   - no profile left: 403, the user starts nothing (not the defaults).
//
// Unlike basehub: no user name bypasses the filter (basehub lets its
// "deployment-service-check" user through; here that would be any user
// who picks the name), allowed_groups is removed from what KubeSpawner
// gets, and a profile list that is already a callable is filtered after
// it is called. KubeSpawner (>= 4) calls a callable profile_list with the
// spawner, for the options form and again when the server starts
// (load_user_options), so a hidden profile cannot be picked through the
// API either.
const ProfileGroupsConfig = `# Rendered by hubfleet: offer each profile and choice with allowed_groups
# only to members of one of those groups, as 2i2c's basehub does.
# KubeSpawner itself ignores allowed_groups.
import copy as _hubfleet_copy
import functools as _hubfleet_functools
import inspect as _hubfleet_inspect

from tornado import web as _hubfleet_web


def _hubfleet_github_class():
    try:
        from oauthenticator.github import GitHubOAuthenticator
    except ImportError:
        return None
    return GitHubOAuthenticator


async def _hubfleet_user_groups(spawner):
    groups = {g.name.casefold() for g in spawner.user.groups}
    github = _hubfleet_github_class()
    if github is not None and isinstance(spawner.authenticator, github):
        auth_state = await spawner.user.get_auth_state()
        if auth_state and "teams" in auth_state:
            groups |= {
                f'{t["organization"]["login"]}:{t["slug"]}'.casefold()
                for t in auth_state["teams"]
            }
    return groups


def _hubfleet_allowed(entry, groups):
    if "allowed_groups" not in entry:
        return True
    return bool({g.casefold() for g in entry.pop("allowed_groups")} & groups)


async def _hubfleet_profile_groups(source, spawner):
    profiles = source(spawner) if callable(source) else source
    if _hubfleet_inspect.isawaitable(profiles):
        profiles = await profiles
    groups = await _hubfleet_user_groups(spawner)
    offered = []
    for original in profiles:
        profile = _hubfleet_copy.deepcopy(original)
        for option in (profile.get("profile_options") or {}).values():
            unlisted = option.get("unlisted_choice")
            if unlisted is not None and "allowed_groups" in unlisted:
                if not set(unlisted.pop("allowed_groups")) & groups:
                    del option["unlisted_choice"]
            if "choices" in option:
                option["choices"] = {
                    name: choice
                    for name, choice in option["choices"].items()
                    if _hubfleet_allowed(choice, groups)
                }
        if _hubfleet_allowed(profile, groups):
            offered.append(profile)
    if not offered:
        raise _hubfleet_web.HTTPError(
            403,
            "Your JupyterHub groups give you no server profile on this hub. "
            "If you were added to a group, log out and log in again.",
        )
    return offered


if c.KubeSpawner.profile_list:
    c.KubeSpawner.profile_list = _hubfleet_functools.partial(
        _hubfleet_profile_groups,
        _hubfleet_copy.deepcopy(c.KubeSpawner.profile_list),
    )
`

// profileGroups adds ProfileGroupsKey to a tree in the daskhub layout
// (the upstream charts) when its profile list restricts any profile or
// choice to groups, typed or passed through.
func profileGroups(tree map[string]any) {
	list, _ := valuetree.Get(tree, "jupyterhub.singleuser.profileList").([]any)
	if !RestrictsGroups(list) {
		return
	}
	valuetree.Set(tree, "jupyterhub.hub.extraConfig."+ProfileGroupsKey, ProfileGroupsConfig)
}

// RestrictsGroups reports whether a profile list (z2jh
// singleuser.profileList) offers a profile, a choice or an unlisted
// choice only to some groups (allowed_groups).
func RestrictsGroups(list []any) bool {
	has := func(v any) bool {
		m, ok := v.(map[string]any)
		if !ok {
			return false
		}
		_, ok = m["allowed_groups"]
		return ok
	}
	for _, p := range list {
		if has(p) {
			return true
		}
		pm, _ := p.(map[string]any)
		opts, _ := pm["profile_options"].(map[string]any)
		for _, o := range opts {
			om, _ := o.(map[string]any)
			if has(om["unlisted_choice"]) {
				return true
			}
			choices, _ := om["choices"].(map[string]any)
			for _, c := range choices {
				if has(c) {
					return true
				}
			}
		}
	}
	return false
}
