package site

import (
	"fmt"
	"regexp"
	"slices"
	"time"
)

// Probe configures `hubfleet verify --spawn` on a site: a probe user
// starts a server, runs code and a Dask computation in a kernel, and stops
// it again. The hub API is called with the token of the JupyterHub service
// ProbeService, kept in the site's SOPS-encrypted secrets under
// spec.secrets.values.<TokenKey> with targetPath
// jupyterhub.hub.services.hubfleet-probe.apiToken; hubfleet renders the
// service's role (ProbeScopes) into the chart values.
type Probe struct {
	// User is the probe user, an ordinary user without admin rights;
	// default hubfleet-probe.
	User string `yaml:"user,omitempty"`
	// Profile is the slug of the spec.singleuser.profiles entry the probe
	// starts; empty means the default profile.
	Profile string `yaml:"profile,omitempty"`
	// Imports are the Python modules the image must have; default dask
	// and distributed.
	Imports []string `yaml:"imports,omitempty"`
	// TokenKey is the key of spec.secrets.values holding the service
	// token; default hubfleet-probe-token.
	TokenKey string `yaml:"tokenKey,omitempty"`
	// Timeouts bound each stage of the probe, in seconds.
	Timeouts ProbeTimeouts `yaml:"timeouts,omitempty"`
}

// ProbeTimeouts bound the stages of a probe, in seconds; zero takes the
// default.
type ProbeTimeouts struct {
	// Spawn is how long the server may take to become ready; default
	// spec.singleuser.startTimeout, else 300 (z2jh's start timeout).
	Spawn int `yaml:"spawn,omitempty"`
	// Kernel is how long a kernel may take to start; default 60.
	Kernel int `yaml:"kernel,omitempty"`
	// Code is how long the import and the small computation may take;
	// default 60.
	Code int `yaml:"code,omitempty"`
	// Dask is how long the Dask computation may take, cluster start and
	// shutdown included; default 300.
	Dask int `yaml:"dask,omitempty"`
	// Stop is how long the server may take to stop; default 120.
	Stop int `yaml:"stop,omitempty"`
}

// Probe defaults.
const (
	// ProbeService is the JupyterHub service whose token the probe uses.
	ProbeService         = "hubfleet-probe"
	DefaultProbeUser     = "hubfleet-probe"
	DefaultProbeTokenKey = "hubfleet-probe-token"
)

// ProbeTokenPath is where the probe token reaches the chart (daskhub
// layout): z2jh registers hub.services.<name> with that apiToken.
const ProbeTokenPath = "jupyterhub.hub.services." + ProbeService + ".apiToken"

// ProbeOf returns the site's probe settings with defaults filled in, and
// whether the site configures a probe at all (spec.probe present).
func ProbeOf(s *Site) (Probe, bool) {
	p := Probe{}
	if s.Spec.Probe != nil {
		p = *s.Spec.Probe
	}
	if p.User == "" {
		p.User = DefaultProbeUser
	}
	if p.TokenKey == "" {
		p.TokenKey = DefaultProbeTokenKey
	}
	if len(p.Imports) == 0 {
		p.Imports = []string{"dask", "distributed"}
	}
	t := &p.Timeouts
	if t.Spawn == 0 {
		t.Spawn = 300
		if s.Spec.Singleuser.StartTimeout > 0 {
			t.Spawn = s.Spec.Singleuser.StartTimeout
		}
	}
	t.Kernel = orDefault(t.Kernel, 60)
	t.Code = orDefault(t.Code, 60)
	t.Dask = orDefault(t.Dask, 300)
	t.Stop = orDefault(t.Stop, 120)
	return p, s.Spec.Probe != nil
}

func orDefault(v, d int) int {
	if v == 0 {
		return d
	}
	return v
}

// Seconds converts a timeout to a duration.
func Seconds(n int) time.Duration { return time.Duration(n) * time.Second }

// ProbeScopes are the JupyterHub RBAC scopes the probe service needs, all
// filtered to the probe user: start, stop and watch its server (servers,
// read:servers), read it (read:users) and reach its server through the
// proxy (access:servers). Nothing about any other user, no admin rights,
// and no tokens. Not admin:users either, although creating the probe user
// needs it: admin:users on a user lets a token make that user an admin.
// An admin creates the user once (the probe says how when it is missing).
func ProbeScopes(user string) []string {
	f := "!user=" + user
	return []string{
		"access:servers" + f,
		"read:servers" + f,
		"read:users" + f,
		"servers" + f,
	}
}

// ProbeRole is the hub role rendered into the chart values
// (jupyterhub.hub.loadRoles.<ProbeService>) for the probe service.
func ProbeRole(p Probe) map[string]any {
	scopes := make([]any, 0, 4)
	for _, s := range ProbeScopes(p.User) {
		scopes = append(scopes, s)
	}
	return map[string]any{
		"description": "hubfleet verify --spawn: start, use and stop the servers of " + p.User + " only",
		"scopes":      scopes,
		"services":    []any{ProbeService},
	}
}

// JupyterHub user names the probe accepts: what every authenticator and
// KubeSpawner's pod naming handle unescaped.
var probeUserRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)

// validateProbe checks spec.probe.
func validateProbe(r *reporter, s *Site) {
	if s.Spec.Probe == nil {
		return
	}
	p, _ := ProbeOf(s)
	if !probeUserRE.MatchString(p.User) {
		r.add(KindAuth, "spec.probe.user", "use lower-case letters, digits, '-', '_' and '.', e.g. hubfleet-probe", "%q is not a usable probe user name", p.User)
	}
	if slices.Contains(s.Spec.Auth.Admins, p.User) {
		r.add(KindAuth, "spec.probe.user", "remove it from spec.auth.admins, or name another probe user", "the probe user %s is an admin: the probe must run without admin rights", p.User)
	}
	if p.Profile != "" {
		found := false
		for _, pr := range s.Spec.Singleuser.Profiles {
			found = found || pr.Slug == p.Profile
		}
		if !found {
			r.add(KindRequired, "spec.probe.profile", "name the slug of one of spec.singleuser.profiles, or remove it to use the default profile", "no profile has the slug %q", p.Profile)
		}
	}
	v, ok := s.Spec.Secrets.Values[p.TokenKey]
	switch {
	case !ok:
		r.add(KindRequired, "spec.probe", fmt.Sprintf("declare the token, then store it with `openssl rand -hex 32 | hubfleet secret set --site %s --key %s`:\n  spec:\n    secrets:\n      values:\n        %s: {targetPath: %s}", s.Metadata.Name, p.TokenKey, p.TokenKey, ProbeTokenPath),
			"the probe's token %s is not declared in spec.secrets.values", p.TokenKey)
	case v.TargetPath != ProbeTokenPath:
		r.add(KindRequired, "spec.secrets.values."+p.TokenKey, "set targetPath: "+ProbeTokenPath+" (z2jh registers the service with that token)", "the probe's token must reach the chart at %s", ProbeTokenPath)
	}
	for _, n := range []struct {
		name string
		v    int
	}{{"spawn", p.Timeouts.Spawn}, {"kernel", p.Timeouts.Kernel}, {"code", p.Timeouts.Code}, {"dask", p.Timeouts.Dask}, {"stop", p.Timeouts.Stop}} {
		if n.v < 0 {
			r.add(KindRange, "spec.probe.timeouts."+n.name, "use seconds, e.g. 300", "a timeout must not be negative")
		}
	}
}
