# Runs hubfleet's rendered profile-groups extraConfig the way z2jh runs
# hub.extraConfig (exec with the hub's traitlets Config as `c`), then calls
# the profile_list callable for each user, as KubeSpawner does.
#
# Stand-ins: KubeSpawner and OAuthenticator are not installable here (no
# network), so the spawner and user are small objects with the attributes
# the filter reads (user.name, user.groups[].name, user.admin,
# user.get_auth_state(), spawner.authenticator), and oauthenticator.github
# is a module holding an empty GitHubOAuthenticator class. traitlets'
# Config and tornado's HTTPError are the real ones (Debian's JupyterHub).
import asyncio
import json
import sys
import types

from tornado import web
from traitlets.config import Config

github = types.ModuleType("oauthenticator.github")


class GitHubOAuthenticator:
    pass


github.GitHubOAuthenticator = GitHubOAuthenticator
sys.modules["oauthenticator"] = types.ModuleType("oauthenticator")
sys.modules["oauthenticator.github"] = github


class Group:
    def __init__(self, name):
        self.name = name


class User:
    def __init__(self, u):
        self.name = u["name"]
        self.admin = u.get("admin", False)
        self.groups = [Group(g) for g in u.get("groups", [])]
        self._auth_state = u.get("authState")

    async def get_auth_state(self):
        return self._auth_state


class Spawner:
    def __init__(self, u):
        self.user = User(u)
        self.authenticator = GitHubOAuthenticator() if u.get("github") else object()


case = json.load(sys.stdin)
c = Config()
c.KubeSpawner.profile_list = case["profiles"]
exec(compile(case["extraConfig"], "extraConfig", "exec"), {"c": c})
profile_list = c.KubeSpawner.profile_list
if not callable(profile_list):
    sys.exit("the extraConfig left profile_list a " + type(profile_list).__name__)

out = {}
for u in case["users"]:
    try:
        out[u["name"]] = asyncio.run(profile_list(Spawner(u)))
    except web.HTTPError as e:
        out[u["name"]] = e.status_code
json.dump(out, sys.stdout)
