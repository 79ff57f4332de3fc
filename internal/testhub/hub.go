package testhub

import (
	"context"
	"crypto/rand"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// DefaultNodePath is where Debian installs the Node modules of its
// configurable-http-proxy.
const DefaultNodePath = "/usr/share/nodejs"

// HubOptions configure a JupyterHub.
type HubOptions struct {
	// Host is the name the hub's certificate is for; clients dial Addr.
	Host string
	// BaseURL is hub.baseUrl ("/" or "/prefix/").
	BaseURL string
	// Cert is the certificate configurable-http-proxy serves.
	Cert Leaf
	CA   *CA
	// AuthorizeURL, ClientID and CallbackURL configure the stand-in OAuth
	// authenticator behind /hub/oauth_login; an empty AuthorizeURL keeps
	// JupyterHub's own login form.
	AuthorizeURL, ClientID, CallbackURL string
	// DaskGateway serves a stand-in dask-gateway health endpoint as the
	// JupyterHub service "dask-gateway" (proxied at /services/dask-gateway/).
	DaskGateway bool
	// JupyterHub is the jupyterhub executable; NodePath is NODE_PATH for
	// its proxy.
	JupyterHub, NodePath string
	StartTimeout         time.Duration
	// Spawner, when set, lets the hub start single-user servers as local
	// processes (Debian's jupyterhub-singleuser on jupyter-server).
	Spawner *SpawnerOptions
	// Services are JupyterHub services with API tokens and their roles.
	Services []Service
}

// SpawnerOptions configure JupyterHub's SimpleLocalProcessSpawner: servers
// run as the hub's user, each with a home under the hub's directory.
type SpawnerOptions struct {
	// Cmd starts the server; default DefaultSingleuser with
	// --ServerApp.allow_root=True (tests may run as root).
	Cmd []string
	// Env is added to each server's environment (and so its kernels').
	Env map[string]string
	// StartTimeout and HTTPTimeout are the spawner's start_timeout and
	// http_timeout; zero keeps JupyterHub's defaults (60 s and 30 s).
	StartTimeout, HTTPTimeout time.Duration
	// OneServerPort makes every server of the hub listen on one port
	// chosen below the kernel's ephemeral range (serverport.go), so that
	// no other process is given a failed server's port while the hub
	// still polls it. Only for hubs that run one server at a time.
	OneServerPort bool
}

// DefaultSingleuser is Debian's jupyterhub-singleuser.
const DefaultSingleuser = "/usr/bin/jupyterhub-singleuser"

// Service is a JupyterHub service with an API token and a role granting
// Scopes (none: no role).
type Service struct {
	Name, Token string
	Scopes      []string
}

// DefaultHubOptions returns options for Debian's jupyterhub.
func DefaultHubOptions() HubOptions {
	return HubOptions{BaseURL: "/", JupyterHub: "jupyterhub", NodePath: DefaultNodePath, StartTimeout: 90 * time.Second}
}

// Hub is a running JupyterHub behind configurable-http-proxy with TLS.
type Hub struct {
	opts    HubOptions
	addr    string
	proc    *process
	gateway *http.Server
	// mark and dir find every process the hub started (process.go).
	mark, dir string
}

// StartHub starts JupyterHub and waits until https://<Host><BaseURL>hub/health
// answers 200 through the proxy. Everything is stopped at t's cleanup.
func StartHub(t testing.TB, opts HubOptions) *Hub {
	t.Helper()
	var missing []string
	if p, err := exec.LookPath(opts.JupyterHub); err != nil {
		missing = append(missing, "jupyterhub")
	} else {
		opts.JupyterHub = p
	}
	if _, err := exec.LookPath("configurable-http-proxy"); err != nil {
		missing = append(missing, "configurable-http-proxy")
	}
	require(t, missing, "apt-get install -y --no-install-recommends jupyterhub")
	h, err := startHub(t, opts)
	if err != nil {
		t.Fatalf("testhub: %v", err)
	}
	return h
}

func startHub(t testing.TB, opts HubOptions) (*Hub, error) {
	dir := t.TempDir()
	ports := make([]int, 3)
	for i := range ports {
		p, err := freePort()
		if err != nil {
			return nil, err
		}
		ports[i] = p
	}
	public, hubPort, apiPort := ports[0], ports[1], ports[2]
	h := &Hub{opts: opts, addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(public))}

	var services []string
	if opts.DaskGateway {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("listen for the dask-gateway stand-in: %w", err)
		}
		h.gateway = &http.Server{Handler: http.HandlerFunc(gatewayHealth), ReadHeaderTimeout: 5 * time.Second}
		go h.gateway.Serve(ln) //nolint:errcheck // ends with Close
		t.Cleanup(func() { h.gateway.Close() })
		services = append(services, fmt.Sprintf("{%q: %q, %q: %q, %q: %q}",
			"name", "dask-gateway", "url", "http://"+ln.Addr().String(), "api_token", rand.Text()))
	}
	var roles []string
	for _, sv := range opts.Services {
		services = append(services, fmt.Sprintf("{%q: %q, %q: %q}", "name", sv.Name, "api_token", sv.Token))
		if len(sv.Scopes) > 0 {
			roles = append(roles, fmt.Sprintf("{%q: %q, %q: %s, %q: [%q]}", "name", sv.Name+"-role", "scopes", pyStrings(sv.Scopes), "services", sv.Name))
		}
	}
	mark := newMark()
	h.mark, h.dir = mark, dir
	cfg := hubConfig(opts, dir, public, hubPort, apiPort)
	if len(services) > 0 {
		cfg += "c.JupyterHub.services = [" + strings.Join(services, ", ") + "]\n"
	}
	if len(roles) > 0 {
		cfg += "c.JupyterHub.load_roles = [" + strings.Join(roles, ", ") + "]\n"
	}
	if opts.Spawner != nil {
		port := 0
		if opts.Spawner.OneServerPort {
			p, err := oneServerPort()
			if err != nil {
				return nil, err
			}
			port = p
		}
		cfg += spawnerConfig(*opts.Spawner, dir, mark, port)
	}
	if err := writeFiles(dir, map[string][]byte{
		"jupyterhub_config.py": []byte(cfg),
		"hub.crt":              opts.Cert.CertPEM,
		"hub.key":              opts.Cert.KeyPEM,
	}); err != nil {
		return nil, err
	}
	env := append(os.Environ(), "NODE_PATH="+opts.NodePath)
	proc, err := startMarked("jupyterhub", dir, mark, env, opts.JupyterHub, "-f", filepath.Join(dir, "jupyterhub_config.py"))
	if err != nil {
		return nil, err
	}
	h.proc = proc
	t.Cleanup(func() {
		logOnFailure(t, proc)
		proc.stop(5 * time.Second)
		checkNoneOutlive(t, mark, dir)
	})
	ctx, cancel := context.WithTimeout(context.Background(), opts.StartTimeout)
	defer cancel()
	if err := proc.waitHTTPS(ctx, opts.CA.Pool(), h.addr, h.URL("hub/health")); err != nil {
		return nil, err
	}
	return h, nil
}

func hubConfig(o HubOptions, dir string, public, hubPort, apiPort int) string {
	base := "/" + strings.Trim(o.BaseURL, "/") + "/"
	if base == "//" {
		base = "/"
	}
	var b strings.Builder
	b.WriteString(`# generated by hubfleet's testhub
import secrets
from urllib.parse import urlencode
from traitlets import Unicode
from jupyterhub.auth import Authenticator
from jupyterhub.handlers import BaseHandler
from jupyterhub.utils import url_path_join


class OAuthLoginHandler(BaseHandler):
    """Redirects like OAuthenticator's OAuthLoginHandler."""

    def get(self):
        a = self.authenticator
        self.redirect(a.authorize_url + "?" + urlencode({
            "client_id": a.client_id,
            "redirect_uri": a.oauth_callback_url,
            "response_type": "code",
            "scope": "openid email profile",
            "state": secrets.token_urlsafe(16),
        }))


class StandInOAuthenticator(Authenticator):
    authorize_url = Unicode(config=True)
    client_id = Unicode(config=True)
    oauth_callback_url = Unicode(config=True)

    def login_url(self, base_url):
        return url_path_join(base_url, "oauth_login")

    def get_handlers(self, app):
        return [("/oauth_login", OAuthLoginHandler)]

    async def authenticate(self, handler, data):
        return None


c = get_config()
`)
	fmt.Fprintf(&b, "c.JupyterHub.bind_url = %q\n", fmt.Sprintf("https://127.0.0.1:%d%s", public, base))
	fmt.Fprintf(&b, "c.JupyterHub.hub_bind_url = %q\n", fmt.Sprintf("http://127.0.0.1:%d", hubPort))
	fmt.Fprintf(&b, "c.ConfigurableHTTPProxy.api_url = %q\n", fmt.Sprintf("http://127.0.0.1:%d", apiPort))
	fmt.Fprintf(&b, "c.ConfigurableHTTPProxy.pid_file = %q\n", filepath.Join(dir, "proxy.pid"))
	fmt.Fprintf(&b, "c.JupyterHub.ssl_cert = %q\n", filepath.Join(dir, "hub.crt"))
	fmt.Fprintf(&b, "c.JupyterHub.ssl_key = %q\n", filepath.Join(dir, "hub.key"))
	fmt.Fprintf(&b, "c.JupyterHub.db_url = %q\n", "sqlite:///"+filepath.Join(dir, "jupyterhub.sqlite"))
	fmt.Fprintf(&b, "c.JupyterHub.cookie_secret_file = %q\n", filepath.Join(dir, "cookie_secret"))
	if o.AuthorizeURL != "" {
		b.WriteString("c.JupyterHub.authenticator_class = StandInOAuthenticator\n")
		fmt.Fprintf(&b, "c.StandInOAuthenticator.authorize_url = %q\n", o.AuthorizeURL)
		fmt.Fprintf(&b, "c.StandInOAuthenticator.client_id = %q\n", o.ClientID)
		fmt.Fprintf(&b, "c.StandInOAuthenticator.oauth_callback_url = %q\n", o.CallbackURL)
	} else if o.Spawner != nil {
		// PAM would refuse users without a system account.
		b.WriteString("c.JupyterHub.authenticator_class = \"jupyterhub.auth.DummyAuthenticator\"\n")
	}
	return b.String()
}

func gatewayHealth(w http.ResponseWriter, r *http.Request) {
	if !strings.HasSuffix(r.URL.Path, "/api/health") {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprint(w, `{"status": "pass"}`)
}

// Addr is the proxy's TLS address on loopback; dial it for Host:443.
func (h *Hub) Addr() string { return h.addr }

// URL is https://<Host><BaseURL><path>.
func (h *Hub) URL(path string) string {
	base := "/" + strings.Trim(h.opts.BaseURL, "/") + "/"
	if base == "//" {
		base = "/"
	}
	return "https://" + h.opts.Host + base + strings.TrimPrefix(path, "/")
}

// KillHub kills the JupyterHub process only, as when the hub pod dies:
// configurable-http-proxy keeps serving and answers 503 for the hub.
func (h *Hub) KillHub() error {
	if err := h.proc.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		return fmt.Errorf("kill jupyterhub: %w", err)
	}
	<-h.proc.done
	return nil
}

// StopGateway stops the dask-gateway stand-in.
func (h *Hub) StopGateway() error {
	if h.gateway == nil {
		return nil
	}
	if err := h.gateway.Close(); err != nil {
		return fmt.Errorf("stop dask-gateway stand-in: %w", err)
	}
	return nil
}

// Stop stops JupyterHub, its proxy and every server it spawned.
func (h *Hub) Stop() { h.proc.stop(5 * time.Second) }

// Processes describes the processes of this hub still running: JupyterHub,
// configurable-http-proxy, single-user servers, kernels and what they
// started. Empty after Stop.
func (h *Hub) Processes() []string { return outlived(h.mark, h.dir) }

func spawnerConfig(o SpawnerOptions, dir, mark string, port int) string {
	cmd := o.Cmd
	if len(cmd) == 0 {
		cmd = []string{DefaultSingleuser, "--ServerApp.allow_root=True"}
	}
	env := map[string]string{MarkEnv: mark, "JUPYTERHUB_SINGLEUSER_APP": "jupyter_server.serverapp.ServerApp"}
	for k, v := range o.Env {
		env[k] = v
	}
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var pairs []string
	for _, k := range keys {
		pairs = append(pairs, fmt.Sprintf("%q: %q", k, env[k]))
	}
	var b strings.Builder
	b.WriteString("c.JupyterHub.spawner_class = \"jupyterhub.spawner.SimpleLocalProcessSpawner\"\n")
	fmt.Fprintf(&b, "c.SimpleLocalProcessSpawner.home_dir_template = %q\n", filepath.Join(dir, "home", "{username}"))
	fmt.Fprintf(&b, "c.Spawner.cmd = %s\n", pyStrings(cmd))
	b.WriteString("c.Spawner.default_url = \"/tree\"\n")
	fmt.Fprintf(&b, "c.Spawner.environment = {%s}\n", strings.Join(pairs, ", "))
	if o.StartTimeout > 0 {
		fmt.Fprintf(&b, "c.Spawner.start_timeout = %d\n", int(o.StartTimeout.Seconds()))
	}
	if o.HTTPTimeout > 0 {
		fmt.Fprintf(&b, "c.Spawner.http_timeout = %d\n", int(o.HTTPTimeout.Seconds()))
	}
	if port > 0 {
		fmt.Fprintf(&b, "c.Spawner.port = %d\n", port)
	}
	return b.String()
}

func pyStrings(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = strconv.Quote(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
