package verify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// Probe is what `verify --spawn` does on a site: as the JupyterHub service
// whose Token it holds, it starts a server for User, follows the spawn
// progress to ready, opens a kernel through the proxy, runs an import, a
// small computation and a Dask computation, stops the server and deletes
// what it created. Each stage is a Result (CheckSpawn*) with its duration.
type Probe struct {
	// User is the probe user (no admin rights); Profile the KubeSpawner
	// profile slug it starts ("" for the default).
	User    string `json:"user"`
	Profile string `json:"profile,omitempty"`
	// Service names the JupyterHub service of Token, for fix hints.
	Service string `json:"service"`
	// Token is the service's API token. It is sent only in the
	// Authorization header and never reaches a Result.
	Token string `json:"-"`
	// TokenMissing says why Token is empty; the token stage fails with it
	// and TokenFix.
	TokenMissing string `json:"tokenMissing,omitempty"`
	TokenFix     string `json:"-"`
	// Scopes are the RBAC scopes the token needs.
	Scopes []string `json:"scopes"`
	// Imports are the modules the image must have.
	Imports []string `json:"imports"`
	// DaskGateway computes on a dask-gateway cluster with one worker
	// instead of a LocalCluster.
	DaskGateway bool `json:"daskGateway"`
	// Image is the single-user image, for fix hints.
	Image    string        `json:"image,omitempty"`
	Timeouts ProbeTimeouts `json:"timeouts"`
	// Configure names the site field a fix points at
	// (e.g. "clusters/x/site.yaml spec.probe").
	Configure string `json:"-"`
}

// ProbeTimeouts bound each stage of a probe.
type ProbeTimeouts struct {
	Spawn, Kernel, Code, Dask, Stop time.Duration
}

// budget is the longest a probe may hold its server: every stage from
// the spawn to the stop at its timeout. Another probe of the site waits
// at most this long, and a killed probe's server is removed after it.
func (p *Probe) budget() time.Duration {
	t := p.Timeouts
	return t.Spawn + t.Kernel + 2*t.Code + t.Dask + t.Stop
}

// The stages of a probe, in order.
const (
	CheckSpawnToken     = "spawn/token"
	CheckSpawnLeftovers = "spawn/leftovers"
	CheckSpawnServer    = "spawn/server"
	CheckSpawnKernel    = "spawn/kernel"
	CheckSpawnImport    = "spawn/import"
	CheckSpawnCompute   = "spawn/compute"
	CheckSpawnDask      = "spawn/dask"
	CheckSpawnStop      = "spawn/stop"
	CheckSpawnCleanup   = "spawn/cleanup"
	// CheckSpawn stands for the probe of a site that configures none.
	CheckSpawn = "spawn"
)

// probeRun is one probe of one site.
type probeRun struct {
	s   *siteRun
	p   *Probe
	h   *hubAPI
	out []Result
	// serverURL is the server's absolute URL once ready.
	serverURL string
	kernel    *kernel
	// started says the run asked for a server (cleanup must stop it).
	started bool
	// runID and host name this run in its server's mark.
	runID, host string
}

// stage runs one stage under its timeout and records its result.
func (r *probeRun) stage(ctx context.Context, name string, timeout time.Duration, fn func(ctx context.Context) Result) bool {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := r.s.v.opts.Clock.Now()
	res := fn(ctx)
	res.Site, res.Check = r.s.t.Site, name
	res.Duration = r.s.v.opts.Clock.Now().Sub(start)
	switch name {
	case CheckSpawnKernel, CheckSpawnImport, CheckSpawnCompute, CheckSpawnDask:
		// The table shows no durations: these details carry theirs.
		if res.Status == Pass || res.Status == Warn {
			res.Detail += " in " + fmtSeconds(res.Duration)
		}
	}
	r.out = append(r.out, res)
	return res.Status == Pass || res.Status == Warn
}

// probe runs every stage of the site's probe; a failed stage ends the
// run, and the kernel and server are stopped on every path, under their
// own timeout even when ctx has ended.
func (s *siteRun) probe(ctx context.Context) (out []Result) {
	p := s.t.Probe
	r := &probeRun{s: s, p: p, h: &hubAPI{v: s.v, t: s.t, token: p.Token}, runID: randomID()}
	if host, err := os.Hostname(); err == nil && !strings.ContainsAny(host, " =") {
		r.host = clip(host, 60)
	}
	defer func() {
		// Cleanup survives the caller's cancellation (a failed stage, the
		// run's deadline), not an interrupt that ends the process: the next
		// probe removes what that leaves.
		cctx := context.WithoutCancel(ctx)
		if r.started || r.kernel != nil {
			r.stage(cctx, CheckSpawnStop, p.Timeouts.Stop, r.stop)
			r.stage(cctx, CheckSpawnCleanup, p.Timeouts.Stop, r.cleanup)
		}
		out = r.out
	}()
	if !r.stage(ctx, CheckSpawnToken, s.v.opts.CheckTimeout, r.checkToken) {
		return r.out
	}
	if !r.stage(ctx, CheckSpawnLeftovers, p.budget(), r.takeServer) ||
		!r.stage(ctx, CheckSpawnServer, p.Timeouts.Spawn+p.budget(), r.spawn) ||
		!r.stage(ctx, CheckSpawnKernel, p.Timeouts.Kernel, r.openKernel) ||
		!r.stage(ctx, CheckSpawnImport, p.Timeouts.Code, r.importModules) ||
		!r.stage(ctx, CheckSpawnCompute, p.Timeouts.Code, r.compute) {
		return r.out
	}
	r.stage(ctx, CheckSpawnDask, p.Timeouts.Dask, r.dask)
	return r.out
}

func (r *probeRun) userPath(rest string) string {
	return "users/" + url.PathEscape(r.p.User) + rest
}

// hubFailure explains an error of the hub API in the probe's terms.
func (r *probeRun) hubFailure(ctx context.Context, what string, err error) Result {
	var ae *apiError
	if !errors.As(err, &ae) {
		return r.s.v.connFailure(ctx, r.s.t.URL("hub/api/"), hubEndpoint, err)
	}
	switch {
	case ae.Code == http.StatusForbidden:
		return fail(fmt.Sprintf("%s: the hub refuses the %s service token (%s)", what, r.p.Service, ae.Error()),
			r.roleFix(), err)
	case ae.Code == http.StatusUnauthorized:
		return fail(fmt.Sprintf("%s: the hub does not know the %s service token (%s)", what, r.p.Service, ae.Error()), r.tokenFix(), err)
	case ae.Code >= 500:
		return fail(fmt.Sprintf("%s: the hub failed (%s)", what, ae.Error()),
			fmt.Sprintf("kubectl -n %s logs deploy/hub", r.s.t.Namespace), err)
	default:
		return fail(fmt.Sprintf("%s: %s", what, ae.Error()),
			fmt.Sprintf("read the hub's log (kubectl -n %s logs deploy/hub)", r.s.t.Namespace), err)
	}
}

func (r *probeRun) roleFix() string {
	return fmt.Sprintf("give the service %s the role hubfleet renders from %s (hub.loadRoles.%s with scopes %s): re-render and deploy the site",
		r.p.Service, r.p.Configure, r.p.Service, strings.Join(r.p.Scopes, " "))
}

func (r *probeRun) tokenFix() string {
	if r.p.TokenFix != "" {
		return r.p.TokenFix
	}
	return "store the same token the hub registers for the " + r.p.Service + " service (hubfleet secret set --key), then re-render and deploy"
}

// checkToken asks the hub who the token is and which scopes it holds.
func (r *probeRun) checkToken(ctx context.Context) Result {
	if r.p.Token == "" {
		return fail("no token for the "+r.p.Service+" service: "+r.p.TokenMissing, r.tokenFix(), nil)
	}
	var who struct {
		Kind   string   `json:"kind"`
		Name   string   `json:"name"`
		Admin  bool     `json:"admin"`
		Scopes []string `json:"scopes"`
	}
	if _, err := r.h.call(ctx, http.MethodGet, "user", nil, &who); err != nil {
		if code := apiStatus(err); code == http.StatusForbidden || code == http.StatusUnauthorized {
			// Any token the hub knows may ask who it is: this one is unknown.
			return fail(fmt.Sprintf("the hub does not accept the %s token stored for this site (%s)", r.p.Service, err.Error()),
				"deploy the site after storing the token (Flux sets hub.services."+r.p.Service+".apiToken from it), or store the token the hub has: "+r.tokenFix(), err)
		}
		return r.hubFailure(ctx, "GET /hub/api/user", err)
	}
	if who.Kind != "service" {
		return fail(fmt.Sprintf("the token belongs to the %s %q, not to a service", who.Kind, who.Name),
			"use the token of the "+r.p.Service+" service (hub.services."+r.p.Service+".apiToken), not a user's", nil)
	}
	granted := map[string]bool{}
	for _, sc := range who.Scopes {
		granted[sc] = true
	}
	var missing []string
	for _, sc := range r.p.Scopes {
		base, _, _ := strings.Cut(sc, "!")
		if !granted[sc] && !granted[base] {
			missing = append(missing, sc)
		}
	}
	if len(missing) > 0 {
		return fail(fmt.Sprintf("the %s service's token lacks the scopes %s", who.Name, strings.Join(missing, ", ")), r.roleFix(), nil)
	}
	var broad []string
	for _, sc := range who.Scopes {
		if sc == "admin:users" || sc == "admin:servers" || sc == "servers" || sc == "access:servers" || sc == "tokens" || sc == "admin-ui" {
			broad = append(broad, sc)
		}
	}
	if who.Admin || len(broad) > 0 {
		return warn(fmt.Sprintf("service %s holds the probe's scopes, and more than it needs (%s)", who.Name, strings.Join(append(broad, adminWord(who.Admin)...), ", ")),
			"give the service only the role hubfleet renders (scopes filtered to !user="+r.p.User+"), without admin")
	}
	return pass(fmt.Sprintf("service %s holds the %d scopes the probe needs, all limited to user %s", who.Name, len(r.p.Scopes), r.p.User))
}

func adminWord(admin bool) []string {
	if admin {
		return []string{"admin"}
	}
	return nil
}

// SpawnSummary is one line about a site's probe for a commit status or a
// pull request: the first failing stage with its cause, else the time to
// a ready server and the Dask result. ok reports whether the probe
// passed; found whether the results hold a probe at all.
func SpawnSummary(results []Result) (line string, ok, found bool) {
	var total time.Duration
	var server, dask *Result
	for i, r := range results {
		if CheckKind(r.Check) != CheckSpawn {
			continue
		}
		found = true
		total += r.Duration
		switch r.Check {
		case CheckSpawnServer:
			server = &results[i]
		case CheckSpawnDask:
			dask = &results[i]
		}
		if r.Status == Fail || r.Status == Unknown {
			return fmt.Sprintf("%s %s: %s", r.Status, r.Check, oneLine(r.Detail)), false, true
		}
	}
	if !found {
		return "", false, false
	}
	if server == nil || dask == nil {
		return "spawn probe incomplete", false, true
	}
	return fmt.Sprintf("server ready in %s, %s; probe %s", fmtSeconds(server.Duration), dask.Detail, fmtSeconds(total)), true, true
}
