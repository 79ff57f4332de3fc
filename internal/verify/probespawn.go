package verify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

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
