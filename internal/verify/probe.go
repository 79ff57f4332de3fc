package verify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
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

// probeMark is the user_options key a probe starts its server with: the
// server itself is the site's probe lock (JupyterHub runs one default
// server per user), and the mark says which run holds it and until when
// (hub time). A server past its mark's deadline, or without a mark, is
// what an interrupted probe (or someone else) left, and is stopped.
const probeMark = "hubfleet_probe"

// mark is a probe's mark on its server.
type mark struct {
	Run   string `json:"run"`
	Host  string `json:"host,omitempty"`
	Until string `json:"until"`
}

// parseHubTime reads JupyterHub's ISO 8601 times (UTC, with or without a
// zone suffix); zero when absent or unreadable.
func parseHubTime(s string) time.Time {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	return time.Time{}
}

// serverMark reads the mark of the probe user's default server.
func (u *hubUser) serverMark() (mark, bool) {
	sv, ok := u.Servers[""]
	if !ok {
		return mark{}, false
	}
	raw, ok := sv.UserOptions[probeMark]
	if !ok {
		return mark{}, false
	}
	var m mark
	if json.Unmarshal(raw, &m) != nil || m.Run == "" {
		return mark{}, false
	}
	return m, true
}

// takeServer waits while another probe holds the site (its server runs
// under a live mark), removes what an interrupted probe left, and leaves
// the probe user without a server.
func (r *probeRun) takeServer(ctx context.Context) Result {
	var notes []string
	waitedFor := ""
	waitStart := r.s.v.opts.Clock.Now()
	for {
		var u hubUser
		now, err := r.h.call(ctx, http.MethodGet, r.userPath(""), nil, &u)
		if apiStatus(err) == http.StatusNotFound {
			return fail(fmt.Sprintf("the probe user %s does not exist on the hub", r.p.User),
				fmt.Sprintf("create it once as an admin: in the hub's admin page (Add Users: %s, not admin), or curl -X POST -H \"Authorization: token $ADMIN_TOKEN\" %s (the probe's service may not create users: that would let its token make a user an admin)",
					r.p.User, r.s.t.URL("hub/api/"+r.userPath(""))), err)
		} else if err != nil {
			return r.hubFailure(ctx, "read the probe user "+r.p.User, err)
		}
		if u.Admin {
			return fail(fmt.Sprintf("the probe user %s is an admin of the hub", r.p.User),
				"remove "+r.p.User+" from the hub's admin users (spec.auth.admins): the probe must run without admin rights", nil)
		}
		if now.IsZero() {
			now = r.s.v.opts.Clock.Now()
		}
		if !u.active() {
			if waitedFor != "" {
				notes = append(notes, fmt.Sprintf("waited %s for another probe (run %s)", r.s.v.opts.Clock.Now().Sub(waitStart).Round(100*time.Millisecond), waitedFor))
			}
			notes = append(notes, "no leftovers of an earlier probe")
			return pass(strings.Join(notes, "; "))
		}
		m, marked := u.serverMark()
		until := parseHubTime(m.Until)
		if marked && until.After(now) {
			// Another probe holds the site: wait for it, at most until its
			// deadline.
			waitedFor = m.Run
			if m.Host != "" {
				waitedFor += " on " + m.Host
			}
			select {
			case <-ctx.Done():
				return fail(fmt.Sprintf("another probe (run %s) held the site for longer than %s", waitedFor, r.p.budget()),
					"wait for it to end, or run with a longer --timeout", ctx.Err())
			case <-r.s.v.opts.Clock.After(time.Second):
			}
			continue
		}
		what := "a server of " + r.p.User + " that no probe started"
		if marked {
			what = fmt.Sprintf("the server of an interrupted probe (run %s, due to end by %s)", m.Run, m.Until)
		}
		if err := r.stopServer(ctx); err != nil {
			return fail(fmt.Sprintf("%s could not be stopped: %v", what, clip(err.Error(), 200)),
				fmt.Sprintf("stop it in the hub's admin page, or kubectl -n %s delete pod jupyter-%s", r.s.t.Namespace, r.p.User), err)
		}
		if waitedFor != "" {
			what += fmt.Sprintf(", after waiting %s for it to end", r.s.v.opts.Clock.Now().Sub(waitStart).Round(100*time.Millisecond))
		}
		return warn("stopped "+what, "nothing to do: the probe cleaned up after an interrupted run (a killed verify, a cancelled CI job)")
	}
}

// stopServer stops the probe user's default server and waits until the
// hub reports it gone. A pending spawn is waited out first: JupyterHub
// cannot stop a server while it starts.
func (r *probeRun) stopServer(ctx context.Context) error {
	for {
		_, err := r.h.call(ctx, http.MethodDelete, r.userPath("/server"), nil, nil)
		switch code := apiStatus(err); {
		case err == nil:
		case code == http.StatusBadRequest:
			// "is not running" (gone already) or "is pending spawn": read
			// the state below.
		case code == http.StatusNotFound:
			return nil
		default:
			return err
		}
		var u hubUser
		if _, err := r.h.call(ctx, http.MethodGet, r.userPath(""), nil, &u); err != nil {
			return err
		}
		if !u.active() {
			return nil
		}
		select {
		case <-ctx.Done():
			state := "running"
			if u.Pending != nil {
				state = "pending " + *u.Pending
			}
			return fmt.Errorf("the server is still %s: %w", state, ctx.Err())
		case <-r.s.v.opts.Clock.After(500 * time.Millisecond):
		}
	}
}

// spawn starts the server and follows its progress to ready, within the
// spawn timeout. When another probe asked for the server at the same
// moment (the hub starts one of them), it waits for that probe to end and
// starts again.
func (r *probeRun) spawn(ctx context.Context) Result {
	var waited []string
	for {
		sctx, cancel := context.WithTimeout(ctx, r.p.Timeouts.Spawn)
		res, other := r.spawnOnce(sctx)
		cancel()
		if other == "" {
			if len(waited) > 0 {
				res.Detail += " (after " + strings.Join(waited, ", ") + ")"
			}
			return res
		}
		start := r.s.v.opts.Clock.Now()
		if wr := r.takeServer(ctx); wr.Status == Fail {
			return wr
		}
		waited = append(waited, fmt.Sprintf("waiting %s for probe %s, which asked for the server at the same moment", r.s.v.opts.Clock.Now().Sub(start).Round(100*time.Millisecond), other))
	}
}

// otherProbe returns the run holding the probe user's server when it is
// not this run.
func (r *probeRun) otherProbe(ctx context.Context) (string, error) {
	var u hubUser
	if _, err := r.h.call(ctx, http.MethodGet, r.userPath(""), nil, &u); err != nil {
		return "", err
	}
	if m, ok := u.serverMark(); ok && m.Run != r.runID {
		return m.Run, nil
	}
	return "", nil
}

func (r *probeRun) spawnOnce(ctx context.Context) (Result, string) {
	start := r.s.v.opts.Clock.Now()
	// The deadline in the mark is in hub time: read the hub's clock.
	now, err := r.h.call(ctx, http.MethodGet, r.userPath(""), nil, nil)
	if err != nil {
		return r.hubFailure(ctx, "read the probe user "+r.p.User, err), ""
	}
	if now.IsZero() {
		now = r.s.v.opts.Clock.Now()
	}
	options := map[string]any{probeMark: mark{Run: r.runID, Host: r.host, Until: now.Add(r.p.budget()).UTC().Format(time.RFC3339)}}
	if r.p.Profile != "" {
		options["profile"] = r.p.Profile
	}
	r.started = true
	if _, err := r.h.call(ctx, http.MethodPost, r.userPath("/server"), options, nil); err != nil {
		var ae *apiError
		switch {
		case errors.As(err, &ae) && ae.Code >= 500:
			// JupyterHub answers the request itself with the failure when
			// the spawn fails within its slow_spawn_timeout.
			return r.spawnFailed(ae.Message, nil, r.s.v.opts.Clock.Now().Sub(start), err), ""
		case timedOut(ctx, err):
			return r.notReady(ctx, nil, err), ""
		case apiStatus(err) == http.StatusBadRequest:
			// "already running": another probe's server, started meanwhile?
			if other, oerr := r.otherProbe(ctx); oerr == nil && other != "" {
				r.started = false
				return Result{}, other
			}
		}
		return r.hubFailure(ctx, "start a server for "+r.p.User, err), ""
	}
	// Another probe may have asked for the server at the same moment: the
	// hub then answers both, and started only one of them.
	other, err := r.otherProbe(ctx)
	if err != nil {
		return r.hubFailure(ctx, "read the probe user "+r.p.User, err), ""
	}
	if other != "" {
		r.started = false
		return Result{}, other
	}
	events := []string{fmtSeconds(r.s.v.opts.Clock.Now().Sub(start)) + " request answered"}
	ev, err := r.h.followProgress(ctx, r.p.User, func(ev progressEvent) {
		events = append(events, fmt.Sprintf("%s %s", fmtSeconds(r.s.v.opts.Clock.Now().Sub(start)), clip(ev.Message, 80)))
	})
	took := r.s.v.opts.Clock.Now().Sub(start)
	switch {
	case err == nil && ev.Ready:
		u, perr := url.Parse(r.s.t.URL(""))
		if perr != nil || ev.URL == "" {
			return fail("the hub reported the server ready without its URL", "", perr), ""
		}
		r.serverURL = u.Scheme + "://" + u.Host + ev.URL
		if !strings.HasSuffix(r.serverURL, "/") {
			r.serverURL += "/"
		}
		return pass(fmt.Sprintf("ready in %s: %s", fmtSeconds(took), strings.Join(events, "; "))), ""
	case err == nil && ev.Failed:
		return r.spawnFailed(ev.Message, events, took, nil), ""
	case timedOut(ctx, err):
		return r.notReady(ctx, events, err), ""
	case apiStatus(err) == http.StatusBadRequest:
		// The spawn ended (failed) before the stream opened and the hub
		// kept no failure to report.
		return r.spawnFailed("the server stopped before it was ready", events, took, err), ""
	default:
		return r.hubFailure(ctx, "follow the spawn progress", err), ""
	}
}

// notReady is a spawn that did not finish within the spawn timeout.
func (r *probeRun) notReady(ctx context.Context, events []string, err error) Result {
	last := "no progress event"
	if len(events) > 0 {
		last = "last event: " + events[len(events)-1]
	}
	what := "the server was not ready"
	if r.p.Image != "" {
		what = "the server (image " + r.p.Image + ") was not ready"
	}
	return fail(fmt.Sprintf("%s within %s (%s)", what, r.p.Timeouts.Spawn, last),
		spawnFix(strings.Join(events, " "), r)+"; if it is only slow, raise spec.probe.timeouts.spawn (and spec.singleuser.startTimeout)", err)
}

func (r *probeRun) spawnFailed(message string, events []string, took time.Duration, err error) Result {
	detail := fmt.Sprintf("the spawn failed after %s: %s", fmtSeconds(took), clip(message, 300))
	if len(events) > 0 {
		detail += " (progress: " + strings.Join(events, "; ") + ")"
	}
	return fail(detail, spawnFix(message+" "+strings.Join(events, " "), r), err)
}

// spawnFix reads a failed or slow spawn's messages for the usual causes.
func spawnFix(msg string, r *probeRun) string {
	m := strings.ToLower(msg)
	ns, pod := r.s.t.Namespace, "jupyter-"+r.p.User
	img := "the single-user image"
	if r.p.Image != "" {
		img = "image " + r.p.Image
	}
	switch {
	case containsAny(m, "errimagepull", "imagepullbackoff", "pulling image", "manifest unknown", "not found: manifest"):
		return fmt.Sprintf("%s was not pulled: check the tag exists and the registry is reachable from the nodes (kubectl -n %s describe pod %s)", img, ns, pod)
	case containsAny(m, "failedmount", "mountvolume", "persistentvolumeclaim", "volume", "pvc"):
		return fmt.Sprintf("the home volume could not be mounted: kubectl -n %s describe pod %s and kubectl -n %s get pvc claim-%s; check spec.singleuser.storage", ns, pod, ns, r.p.User)
	case containsAny(m, "failedscheduling", "insufficient", "untolerated taint", "didn't match", "node affinity", "unschedulable"):
		return fmt.Sprintf("no node can run the server: check the profile's CPU, memory and nodeSelector against the node pools (kubectl -n %s describe pod %s)", ns, pod)
	case containsAny(m, "profile"):
		return "the profile's override is wrong: check spec.singleuser.profiles (and spec.probe.profile)"
	case containsAny(m, "exit", "crashloopbackoff", "terminated", "error: ", "failed to start", "status="):
		return fmt.Sprintf("the server's command fails to start: read its log (kubectl -n %s logs %s) and check the image's entrypoint and singleuser.cmd", ns, pod)
	case containsAny(m, "timeout", "timed out", "didn't respond", "did not respond"):
		return fmt.Sprintf("the server did not start in time: kubectl -n %s describe pod %s; pulling a large image on a fresh node takes minutes, raise spec.singleuser.startTimeout", ns, pod)
	}
	return fmt.Sprintf("read the hub's log (kubectl -n %s logs deploy/hub) and the server's (kubectl -n %s logs %s)", ns, ns, pod)
}

func containsAny(s string, subs ...string) bool {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}

func fmtSeconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + "s"
}

// openKernel starts a kernel through the proxy and waits for its info.
func (r *probeRun) openKernel(ctx context.Context) Result {
	k, err := r.h.startKernel(ctx, r.serverURL)
	if k != nil {
		r.kernel = k
	}
	if err != nil {
		if code := apiStatus(err); code == http.StatusForbidden || code == http.StatusUnauthorized {
			return fail(fmt.Sprintf("the server refuses the %s service (%v)", r.p.Service, err), r.roleFix()+" (access:servers!user="+r.p.User+")", err)
		}
		if timedOut(ctx, err) {
			return fail(fmt.Sprintf("no kernel within %s", r.p.Timeouts.Kernel), "the server is up but cannot start a kernel: check ipykernel in the image and the server's log", err)
		}
		return fail(fmt.Sprintf("could not start a kernel on %s: %s", redact(r.serverURL), clip(err.Error(), 200)),
			"check that ipykernel is in the image and that the proxy passes websockets (an ingress without websocket support breaks every notebook)", err)
	}
	info, err := k.info(ctx)
	if err != nil {
		return r.codeFailure(ctx, "the kernel did not answer kernel_info", "", err, r.p.Timeouts.Kernel)
	}
	return pass("kernel " + k.id[:min(8, len(k.id))] + " up: " + info)
}

// codeFailure explains a failed execution.
func (r *probeRun) codeFailure(ctx context.Context, what, code string, err error, timeout time.Duration) Result {
	var died *kernelDied
	switch {
	case errors.As(err, &died):
		return fail(fmt.Sprintf("%s: %s", what, died.Error()),
			fmt.Sprintf("run the same code in the image (docker run --rm %s python -c %q) to see the crash; a module that segfaults or exhausts memory on import kills the kernel", imageOr(r.p.Image), code), err)
	case timedOut(ctx, err):
		return fail(fmt.Sprintf("%s: no result within %s", what, timeout),
			"the kernel hangs or the server is starved of CPU: check the profile's CPU guarantee and the server's log", err)
	default:
		return fail(fmt.Sprintf("%s: %s", what, clip(err.Error(), 200)), "check the server's log and that the proxy passes websockets", err)
	}
}

func imageOr(img string) string {
	if img == "" {
		return "IMAGE"
	}
	return img
}

// run executes code and wants its output to hold a line starting with
// marker; it returns the rest of that line.
func (r *probeRun) run(ctx context.Context, what, code, marker string, timeout time.Duration) (string, Result, bool) {
	res, err := r.kernel.execute(ctx, code)
	if err != nil {
		return "", r.codeFailure(ctx, what, code, err, timeout), false
	}
	if res.Error != "" {
		return "", Result{Status: Fail, Detail: fmt.Sprintf("%s raised %s", what, clip(res.Error, 300))}, false
	}
	for _, line := range strings.Split(res.Stdout, "\n") {
		if rest, ok := strings.CutPrefix(line, marker); ok {
			return strings.TrimSpace(rest), Result{}, true
		}
	}
	return "", fail(fmt.Sprintf("%s printed no result (%q)", what, clip(res.Stdout, 120)), "", nil), false
}

func (r *probeRun) importModules(ctx context.Context) Result {
	code := "import importlib\nfor _m in " + pyList(r.p.Imports) + ":\n    _v = importlib.import_module(_m)\n    print('hubfleet-import', _m, getattr(_v, '__version__', '?'))\nprint('hubfleet-imported')\n"
	res, err := r.kernel.execute(ctx, code)
	if err != nil {
		return r.codeFailure(ctx, "importing "+strings.Join(r.p.Imports, ", "), "import "+strings.Join(r.p.Imports, ", "), err, r.p.Timeouts.Code)
	}
	var got []string
	for _, line := range strings.Split(res.Stdout, "\n") {
		if rest, ok := strings.CutPrefix(line, "hubfleet-import "); ok {
			got = append(got, strings.TrimSpace(rest))
		}
	}
	if res.Error != "" {
		fix := "add the module to the image (spec.singleuser.image), or remove it from spec.probe.imports if users do not need it"
		if strings.HasPrefix(res.Error, "ModuleNotFoundError") {
			return fail(fmt.Sprintf("the image lacks a module: %s", res.Error), fix, nil)
		}
		return fail(fmt.Sprintf("importing %s raised %s", strings.Join(r.p.Imports, ", "), clip(res.Error, 200)),
			"a module of the image is broken: run the import in the image to see the traceback", nil)
	}
	return pass("imported " + strings.Join(got, ", "))
}

func (r *probeRun) compute(ctx context.Context) Result {
	const want = "332833500"
	got, res, ok := r.run(ctx, "the small computation", "print('hubfleet-sum', sum(i * i for i in range(1000)))", "hubfleet-sum", r.p.Timeouts.Code)
	if !ok {
		if res.Fix == "" {
			res.Fix = "the kernel's Python is broken: check the image"
		}
		return res
	}
	if got != want {
		return fail(fmt.Sprintf("sum of squares below 1000 = %s, want %s", got, want), "the kernel's Python is broken: check the image", nil)
	}
	return pass("sum of squares below 1000 = " + got)
}

// The Dask computations print "hubfleet-dask <sum> <workers> <stopped>":
// a dask.bag sum of 1..100 over four partitions (5050), the workers it
// ran on, and (gateway) the probe's leftover clusters it stopped first.
const daskLocalCode = `import dask.bag as db
from dask.distributed import Client, LocalCluster
with LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=":0") as cluster, Client(cluster) as client:
    total = db.from_sequence(range(1, 101), npartitions=4).sum().compute()
    print("hubfleet-dask", total, len(client.scheduler_info()["workers"]), 0)
`

// daskGatewayCode speaks the dask-gateway client API; the hub's
// DASK_GATEWAY__* environment (daskhub) says where the gateway is.
const daskGatewayCode = `import dask.bag as db
from dask_gateway import Gateway
gateway = Gateway()
stopped = 0
for report in gateway.list_clusters():
    gateway.stop_cluster(report.name)
    stopped += 1
cluster = gateway.new_cluster()
try:
    cluster.scale(1)
    client = cluster.get_client()
    client.wait_for_workers(1, timeout=%d)
    total = db.from_sequence(range(1, 101), npartitions=4).sum().compute()
    print("hubfleet-dask", total, len(client.scheduler_info()["workers"]), stopped)
    client.close()
finally:
    cluster.shutdown()
`

func (r *probeRun) dask(ctx context.Context) Result {
	code, what := daskLocalCode, "the Dask computation on a LocalCluster"
	if r.p.DaskGateway {
		code, what = fmt.Sprintf(daskGatewayCode, max(int((r.p.Timeouts.Dask/2).Seconds()), 1)), "the Dask computation on a dask-gateway cluster"
	}
	got, res, ok := r.run(ctx, what, code, "hubfleet-dask", r.p.Timeouts.Dask)
	if !ok {
		if res.Fix == "" {
			res.Fix = r.daskFix(res.Detail)
		}
		return res
	}
	f := strings.Fields(got)
	if len(f) != 3 || f[0] != "5050" {
		return fail(fmt.Sprintf("%s returned %q, want the sum 5050", what, got), "check the Dask versions of the image (client, scheduler and workers must match)", nil)
	}
	detail := fmt.Sprintf("dask sum of 1..100 = 5050 on %s worker(s) of a LocalCluster", f[1])
	if r.p.DaskGateway {
		detail = fmt.Sprintf("dask sum of 1..100 = 5050 on %s worker(s) of a dask-gateway cluster, shut down", f[1])
		if f[2] != "0" {
			return warn(detail+fmt.Sprintf("; stopped %s cluster(s) an interrupted probe left", f[2]), "nothing to do: the probe cleaned up after an interrupted run")
		}
	}
	return pass(detail)
}

func (r *probeRun) daskFix(detail string) string {
	d := strings.ToLower(detail)
	switch {
	case r.p.DaskGateway && strings.Contains(d, "no module named 'dask_gateway'"):
		return "the image lacks dask-gateway: add the dask-gateway client (same version as the gateway) to the image"
	case r.p.DaskGateway && containsAny(d, "403", "401", "unauthorized", "forbidden"):
		return "the gateway refuses the user: check dask-gateway.gateway.auth (type jupyterhub) and the hub's dask-gateway service token"
	case r.p.DaskGateway && containsAny(d, "timeout", "timed out"):
		return fmt.Sprintf("no worker came up: check the gateway's worker image and resources (kubectl -n %s get pods -l app.kubernetes.io/component=dask-worker) and NetworkPolicies between user pods and traefik-<release>-dask-gateway", r.s.t.Namespace)
	case r.p.DaskGateway:
		return fmt.Sprintf("check the gateway (see the dask-gateway check) and the user pods' DASK_GATEWAY__ADDRESS; kubectl -n %s logs -l app.kubernetes.io/component=gateway", r.s.t.Namespace)
	case strings.Contains(d, "no module named"):
		return "the image lacks dask or distributed: add them to the image"
	}
	return "run a LocalCluster in the image to see the error; the versions of dask and distributed must match"
}

func pyList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = strconv.Quote(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// stop shuts the kernel down and stops the server.
func (r *probeRun) stop(ctx context.Context) Result {
	start := r.s.v.opts.Clock.Now()
	var kerr error
	if r.kernel != nil {
		kerr = r.kernel.shutdown(ctx)
		r.kernel = nil
	}
	if err := r.stopServer(ctx); err != nil {
		return fail(fmt.Sprintf("the server of %s did not stop: %s", r.p.User, clip(err.Error(), 200)),
			fmt.Sprintf("kubectl -n %s get pod jupyter-%s; the next probe stops it", r.s.t.Namespace, r.p.User), err)
	}
	r.started = false
	detail := "server stopped in " + fmtSeconds(r.s.v.opts.Clock.Now().Sub(start))
	if kerr != nil {
		detail += " (the kernel was not shut down first: " + clip(kerr.Error(), 80) + ")"
	}
	return pass(detail)
}

// cleanup confirms that nothing of the probe is left on the hub.
func (r *probeRun) cleanup(ctx context.Context) Result {
	if r.started {
		return warn("the server is still running", "the next probe stops it; or stop it in the hub's admin page")
	}
	var u hubUser
	if _, err := r.h.call(ctx, http.MethodGet, r.userPath(""), nil, &u); err != nil {
		return r.hubFailure(ctx, "read the probe user "+r.p.User, err)
	}
	if u.active() {
		return warn("a server of "+r.p.User+" runs again (another probe?)", "nothing to do if another probe runs; else the next probe stops it")
	}
	return pass("nothing the probe started is left")
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
