package verify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

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
