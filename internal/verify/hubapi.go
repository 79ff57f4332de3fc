package verify

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// hubAPI calls a JupyterHub's REST API (/hub/api/) with a service token.
// The token travels only in the Authorization header: no URL, error or
// Result ever holds it.
type hubAPI struct {
	v     *Verifier
	t     Target
	token string
}

// apiError is a non-2xx answer of the hub API, with JupyterHub's message.
type apiError struct {
	Method, Path string
	Code         int
	Message      string
}

func (e *apiError) Error() string {
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.Code)
	}
	return fmt.Sprintf("%s %s: %d %s", e.Method, e.Path, e.Code, clip(msg, 300))
}

// apiStatus returns the HTTP status of an *apiError in err's chain, else 0.
func apiStatus(err error) int {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.Code
	}
	return 0
}

// call sends a request to /hub/api/<path> and decodes a JSON answer into
// out (when not nil). It returns the hub's Date header as its clock.
func (h *hubAPI) call(ctx context.Context, method, path string, body, out any) (time.Time, error) {
	resp, err := h.send(ctx, method, h.t.URL("hub/api/"+path), body, "application/json")
	if err != nil {
		return time.Time{}, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %s: read: %w", method, path, err)
	}
	hubNow, _ := http.ParseTime(resp.Header.Get("Date")) // zero when absent
	if resp.StatusCode/100 != 2 {
		var m struct {
			Message string `json:"message"`
		}
		_ = json.Unmarshal(data, &m) // JupyterHub answers errors in JSON; others are judged by code
		return hubNow, &apiError{Method: method, Path: "/hub/api/" + path, Code: resp.StatusCode, Message: m.Message}
	}
	if out != nil && len(bytes.TrimSpace(data)) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return hubNow, fmt.Errorf("%s %s: the answer is not JupyterHub's JSON: %w", method, path, err)
		}
	}
	return hubNow, nil
}

// send sends an authorized request to an absolute URL on the hub's host.
func (h *hubAPI) send(ctx context.Context, method, u string, body any, accept string) (*http.Response, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, fmt.Errorf("build request for %s: %w", redact(u), err)
	}
	req.Header.Set("Authorization", "token "+h.token)
	req.Header.Set("Accept", accept)
	req.Header.Set("User-Agent", h.v.opts.UserAgent)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := h.v.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			ue.URL = redact(ue.URL)
		}
		return nil, err
	}
	return resp, nil
}

// hubUser is the part of JupyterHub's user model the probe reads.
type hubUser struct {
	Name    string               `json:"name"`
	Admin   bool                 `json:"admin"`
	Server  *string              `json:"server"`
	Pending *string              `json:"pending"`
	Servers map[string]hubServer `json:"servers"`
}

type hubServer struct {
	Name        string                     `json:"name"`
	Ready       bool                       `json:"ready"`
	Pending     *string                    `json:"pending"`
	Started     string                     `json:"started"`
	URL         string                     `json:"url"`
	UserOptions map[string]json.RawMessage `json:"user_options"`
}

// active reports whether the user's default server runs or is pending.
func (u *hubUser) active() bool {
	if u.Server != nil || u.Pending != nil {
		return true
	}
	_, ok := u.Servers[""]
	return ok
}

// progressEvent is one event of /hub/api/users/<name>/server/progress.
type progressEvent struct {
	Progress int    `json:"progress"`
	Message  string `json:"message"`
	Ready    bool   `json:"ready"`
	Failed   bool   `json:"failed"`
	URL      string `json:"url"`
}

// followProgress reads the spawn progress event stream and calls each for
// every event until the stream ends, an event is ready or failed, or ctx
// ends.
func (h *hubAPI) followProgress(ctx context.Context, user string, each func(progressEvent)) (progressEvent, error) {
	path := "users/" + url.PathEscape(user) + "/server/progress"
	resp, err := h.send(ctx, http.MethodGet, h.t.URL("hub/api/"+path), nil, "text/event-stream")
	if err != nil {
		return progressEvent{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		data, _ := io.ReadAll(io.LimitReader(resp.Body, maxBody)) // for the message only
		var m struct {
			Message string `json:"message"`
		}
		_ = json.Unmarshal(data, &m)
		return progressEvent{}, &apiError{Method: http.MethodGet, Path: "/hub/api/" + path, Code: resp.StatusCode, Message: m.Message}
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), maxBody)
	var last progressEvent
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data:")
		if !ok {
			continue // keepalive comments, event names, blank separators
		}
		var ev progressEvent
		if err := json.Unmarshal([]byte(strings.TrimSpace(data)), &ev); err != nil {
			continue
		}
		last = ev
		each(ev)
		if ev.Ready || ev.Failed {
			return ev, nil
		}
	}
	if err := sc.Err(); err != nil {
		return last, err
	}
	if ctx.Err() != nil {
		return last, ctx.Err()
	}
	return last, errors.New("the progress stream ended before the server was ready")
}
