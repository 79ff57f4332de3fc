package verify

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gorilla/websocket"
)

// kernel is a Jupyter kernel on the probe's server, spoken to through the
// hub's proxy: the kernels REST API of jupyter-server and the kernel
// messaging protocol (v5.3) over its websocket, in the JSON form
// jupyter-server serves when no subprotocol is asked for.
type kernel struct {
	h       *hubAPI
	base    string // https://<host>/user/<name>/
	id      string
	conn    *websocket.Conn
	session string
}

// kernelDied is a kernel that died (jupyter-server restarts it or gives
// up) while running code.
type kernelDied struct{ State string }

func (e *kernelDied) Error() string {
	return "the kernel died (jupyter-server reported it " + e.State + ")"
}

// startKernel starts a kernel on the server at base and opens its channels.
func (h *hubAPI) startKernel(ctx context.Context, base string) (*kernel, error) {
	k := &kernel{h: h, base: base, session: randomID()}
	resp, err := h.send(ctx, http.MethodPost, base+"api/kernels", map[string]any{}, "application/json")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var model struct {
		ID      string `json:"id"`
		Message string `json:"message"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&model) // judged below by code and id
	if resp.StatusCode/100 != 2 || model.ID == "" {
		return nil, &apiError{Method: http.MethodPost, Path: pathOf(base) + "api/kernels", Code: resp.StatusCode, Message: model.Message}
	}
	k.id = model.ID
	u, err := url.Parse(base + "api/kernels/" + url.PathEscape(k.id) + "/channels")
	if err != nil {
		return k, err
	}
	u.Scheme = "wss"
	q := u.Query()
	q.Set("session_id", k.session)
	u.RawQuery = q.Encode()
	d := websocket.Dialer{
		NetDialContext:   h.v.dialer,
		TLSClientConfig:  &tls.Config{RootCAs: h.v.opts.RootCAs, MinVersion: tls.VersionTLS12, Time: h.v.opts.Clock.Now},
		HandshakeTimeout: h.v.opts.CheckTimeout,
	}
	hdr := http.Header{}
	hdr.Set("Authorization", "token "+h.token)
	hdr.Set("User-Agent", h.v.opts.UserAgent)
	conn, wsResp, err := d.DialContext(ctx, u.String(), hdr)
	if err != nil {
		if wsResp != nil {
			return k, fmt.Errorf("open the kernel's websocket: %d %s", wsResp.StatusCode, http.StatusText(wsResp.StatusCode))
		}
		return k, fmt.Errorf("open the kernel's websocket: %w", err)
	}
	k.conn = conn
	return k, nil
}

func pathOf(base string) string {
	if u, err := url.Parse(base); err == nil {
		return u.Path
	}
	return base
}

func randomID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b) // crypto/rand does not fail
	return hex.EncodeToString(b)
}

// kernelMsg is a kernel protocol message as jupyter-server relays it.
type kernelMsg struct {
	Header       msgHeader      `json:"header"`
	ParentHeader msgHeader      `json:"parent_header"`
	Metadata     map[string]any `json:"metadata"`
	Content      map[string]any `json:"content"`
	Channel      string         `json:"channel"`
	Buffers      []any          `json:"buffers"`
}

type msgHeader struct {
	MsgID    string `json:"msg_id,omitempty"`
	MsgType  string `json:"msg_type,omitempty"`
	Session  string `json:"session,omitempty"`
	Username string `json:"username,omitempty"`
	Version  string `json:"version,omitempty"`
	Date     string `json:"date,omitempty"`
}

// execResult is what one execute_request produced.
type execResult struct {
	Stdout string
	// Error is the Python exception, "Name: value", when the code raised.
	Error     string
	Traceback string
}

// request sends a shell message and returns its msg_id.
func (k *kernel) request(msgType string, content map[string]any) (string, error) {
	id := randomID()
	m := kernelMsg{
		Header:   msgHeader{MsgID: id, MsgType: msgType, Session: k.session, Username: "hubfleet-probe", Version: "5.3", Date: time.Now().UTC().Format(time.RFC3339Nano)},
		Metadata: map[string]any{}, Content: content, Channel: "shell", Buffers: []any{},
	}
	if err := k.conn.WriteJSON(m); err != nil {
		return "", fmt.Errorf("send %s: %w", msgType, err)
	}
	return id, nil
}

// read returns the next message, giving up when ctx ends.
func (k *kernel) read(ctx context.Context) (kernelMsg, error) {
	if dl, ok := ctx.Deadline(); ok {
		_ = k.conn.SetReadDeadline(dl) // a closed connection fails the read below
	}
	stop := context.AfterFunc(ctx, func() { _ = k.conn.SetReadDeadline(time.Now()) })
	defer stop()
	var m kernelMsg
	err := k.conn.ReadJSON(&m)
	if err != nil && ctx.Err() != nil {
		return m, ctx.Err()
	}
	return m, err
}

// info asks for kernel_info and waits for the reply: the kernel is up.
func (k *kernel) info(ctx context.Context) (string, error) {
	id, err := k.request("kernel_info_request", map[string]any{})
	if err != nil {
		return "", err
	}
	for {
		m, err := k.read(ctx)
		if err != nil {
			return "", err
		}
		if st := diedState(m); st != "" {
			return "", &kernelDied{State: st}
		}
		if m.ParentHeader.MsgID == id && m.Header.MsgType == "kernel_info_reply" {
			impl, _ := m.Content["implementation"].(string)
			lang, _ := m.Content["language_info"].(map[string]any)
			ver, _ := lang["version"].(string)
			return strings.TrimSpace(impl + " " + ver), nil
		}
	}
}

// diedState is "restarting" or "dead" when m is jupyter-server's notice
// that the kernel died.
func diedState(m kernelMsg) string {
	if m.Header.MsgType != "status" {
		return ""
	}
	switch st, _ := m.Content["execution_state"].(string); st {
	case "restarting", "dead":
		return st
	}
	return ""
}

// execute runs code and waits until the kernel is idle again after it.
func (k *kernel) execute(ctx context.Context, code string) (execResult, error) {
	var res execResult
	id, err := k.request("execute_request", map[string]any{
		"code": code, "silent": false, "store_history": false,
		"user_expressions": map[string]any{}, "allow_stdin": false, "stop_on_error": true,
	})
	if err != nil {
		return res, err
	}
	var out strings.Builder
	replied, idle := false, false
	for !replied || !idle {
		m, err := k.read(ctx)
		if err != nil {
			res.Stdout = out.String()
			return res, err
		}
		if st := diedState(m); st != "" {
			res.Stdout = out.String()
			return res, &kernelDied{State: st}
		}
		if m.ParentHeader.MsgID != id {
			continue
		}
		switch m.Header.MsgType {
		case "stream":
			if name, _ := m.Content["name"].(string); name == "stdout" {
				text, _ := m.Content["text"].(string)
				out.WriteString(text)
			}
		case "error":
			ename, _ := m.Content["ename"].(string)
			evalue, _ := m.Content["evalue"].(string)
			res.Error = strings.TrimSpace(ename + ": " + evalue)
			if tb, ok := m.Content["traceback"].([]any); ok {
				var lines []string
				for _, l := range tb {
					if s, ok := l.(string); ok {
						lines = append(lines, stripANSI(s))
					}
				}
				res.Traceback = strings.Join(lines, "\n")
			}
		case "execute_reply":
			replied = true
			if st, _ := m.Content["status"].(string); st == "error" && res.Error == "" {
				ename, _ := m.Content["ename"].(string)
				evalue, _ := m.Content["evalue"].(string)
				res.Error = strings.TrimSpace(ename + ": " + evalue)
			}
		case "status":
			if st, _ := m.Content["execution_state"].(string); st == "idle" {
				idle = true
			}
		}
	}
	res.Stdout = out.String()
	return res, nil
}

// shutdown closes the channels and deletes the kernel.
func (k *kernel) shutdown(ctx context.Context) error {
	var errs []error
	if k.conn != nil {
		_ = k.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
		if err := k.conn.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	if k.id != "" {
		resp, err := k.h.send(ctx, http.MethodDelete, k.base+"api/kernels/"+url.PathEscape(k.id), nil, "application/json")
		if err != nil {
			errs = append(errs, err)
		} else {
			resp.Body.Close()
			if resp.StatusCode/100 != 2 && resp.StatusCode != http.StatusNotFound {
				errs = append(errs, fmt.Errorf("delete kernel: %d", resp.StatusCode))
			}
		}
	}
	return errors.Join(errs...)
}

// stripANSI drops the colour escapes of IPython tracebacks.
func stripANSI(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && (s[j] < '@' || s[j] > '~') {
				j++
			}
			i = j
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
