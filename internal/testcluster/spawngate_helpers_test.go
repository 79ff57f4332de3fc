package testcluster_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hubfleet/hubfleet/internal/fleettest"
	"github.com/hubfleet/hubfleet/internal/github/githubtest"
	"github.com/hubfleet/hubfleet/internal/report/reporttest"
	"github.com/hubfleet/hubfleet/internal/site"
	"github.com/hubfleet/hubfleet/internal/testhub"
)

// gateToken is the token the fake GitHub API accepts.
const gateToken = "ghs_spawngate_test_token"

// gateRun is one run of `hubfleet action <mode>` as a GitHub runner
// starts it: the built binary in a fresh checkout of main, the GITHUB_*
// variables the runner sets and the HUBFLEET_* ones action/action.yml maps
// from the step's inputs.
type gateRun struct {
	exit    int
	log     string
	outputs map[string]string
	summary string
	took    time.Duration
}

// runGateAction checks out main of the fleet repository (origin is the
// repository Flux pulls from) and runs the action mode there with inputs.
func runGateAction(ctx context.Context, t *testing.T, origin string, gh *githubtest.Server, mode, event string, inputs map[string]string) gateRun {
	t.Helper()
	tmp := t.TempDir()
	work := filepath.Join(tmp, "work")
	gitCmd(t, tmp, "clone", "-q", "--branch", "main", origin, work)
	outFile, summaryFile := filepath.Join(tmp, "output"), filepath.Join(tmp, "summary")
	env := map[string]string{
		"GITHUB_ACTIONS":        "true",
		"GITHUB_OUTPUT":         outFile,
		"GITHUB_STEP_SUMMARY":   summaryFile,
		"GITHUB_REPOSITORY":     "fleet/hubs",
		"GITHUB_API_URL":        strings.TrimSuffix(gh.URL(), "/"),
		"GITHUB_SERVER_URL":     "https://github.com",
		"GITHUB_RUN_ID":         "4242",
		"GITHUB_EVENT_NAME":     event,
		"GITHUB_SHA":            gitCmd(t, work, "rev-parse", "HEAD"),
		"GITHUB_REF_NAME":       "main",
		"GITHUB_WORKSPACE":      work,
		"HUBFLEET_GITHUB_TOKEN": gateToken,
		"RUNNER_TEMP":           tmp,
		// Chart indexes and renders are cached per run, as on a fresh
		// runner.
		"XDG_CACHE_HOME":      filepath.Join(tmp, "cache"),
		"GIT_CONFIG_GLOBAL":   "/dev/null",
		"GIT_CONFIG_NOSYSTEM": "1",
	}
	for k, v := range inputs {
		env[k] = v
	}
	var envList []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "GITHUB_") || strings.HasPrefix(k, "HUBFLEET_") || strings.HasPrefix(k, "SOPS_") || strings.HasPrefix(k, "GIT_") {
			continue
		}
		envList = append(envList, kv)
	}
	for k, v := range env {
		envList = append(envList, k+"="+v)
	}
	cmd := exec.CommandContext(ctx, fleettest.CLI(t), "--root", work, "action", mode)
	cmd.Dir, cmd.Env = work, envList
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	res := gateRun{log: out.String(), took: time.Since(start)}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		res.exit = exit.ExitCode()
	default:
		t.Fatalf("hubfleet action %s: %v\n%s", mode, err, out.String())
	}
	if b, err := os.ReadFile(outFile); err == nil {
		if res.outputs, err = reporttest.ParseOutputs(string(b)); err != nil {
			t.Fatal(err)
		}
	}
	if b, err := os.ReadFile(summaryFile); err == nil {
		res.summary = string(b)
	}
	return res
}

// closeGatePR closes a pull request through the fake GitHub API, as
// GitHub does when a reviewer merges it.
func closeGatePR(t *testing.T, gh *githubtest.Server, number int) {
	t.Helper()
	body := strings.NewReader(`{"state": "closed"}`)
	req, err := http.NewRequest(http.MethodPatch, fmt.Sprintf("%s/repos/fleet/hubs/pulls/%d", strings.TrimSuffix(gh.URL(), "/"), number), body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+gateToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("close pull request #%d: %s", number, resp.Status)
	}
}

// gateHub is Debian's JupyterHub with a local-process spawner standing in
// for a site's hub, and what an operator and the Action need to reach it.
type gateHub struct {
	hub *testhub.Hub
	ca  *testhub.CA
	// ctrl/fail makes the single-user server's command fail.
	ctrl  string
	token string // the hubfleet-probe service's token
	admin string // an admin token, to create the probe user once
}

// startGateHub starts Debian's JupyterHub for host, spawning Debian's
// jupyterhub-singleuser (jupyter-server, ipykernel, dask distributed)
// through a wrapper that exits with an error while ctrl/fail exists, as
// an image whose entry point is missing does. The hubfleet-probe service
// holds the token with the role hubfleet renders from spec.probe.
func startGateHub(t *testing.T, host string) *gateHub {
	t.Helper()
	testhub.RequireServerModules(t)
	ca, err := testhub.NewCA("hubfleet spawn gate CA")
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.Issue(host)
	if err != nil {
		t.Fatal(err)
	}
	h := &gateHub{ca: ca, ctrl: t.TempDir(), token: gateSecret(t), admin: gateSecret(t)}
	wrapper := testhub.ControlledSingleuser(t, h.ctrl)
	ho := testhub.DefaultHubOptions()
	ho.Host, ho.Cert, ho.CA, ho.DaskGateway = host, cert, ca, true
	// One port for every probe server: while the hub polls a failed
	// server's port, no other process can be given it and answer.
	ho.Spawner = &testhub.SpawnerOptions{Cmd: []string{wrapper}, StartTimeout: 60 * time.Second, OneServerPort: true}
	ho.Services = []testhub.Service{
		{Name: site.ProbeService, Token: h.token, Scopes: site.ProbeScopes(site.DefaultProbeUser)},
		{Name: "operator", Token: h.admin, Scopes: []string{"admin:users"}},
	}
	h.hub = testhub.StartHub(t, ho)
	return h
}

// createProbeUser creates the probe user as an admin, once, as the
// README tells operators to.
func (h *gateHub) createProbeUser(t *testing.T) {
	t.Helper()
	c := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: h.ca.Pool(), MinVersion: tls.VersionTLS12},
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, h.hub.Addr())
		},
	}}
	req, err := http.NewRequest(http.MethodPost, h.hub.URL("hub/api/users/"+site.DefaultProbeUser), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "token "+h.admin)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		t.Fatalf("create the probe user: %s %s", resp.Status, b.String())
	}
}

// failSpawns makes every spawn fail (on) or start again (off).
func (h *gateHub) failSpawns(t *testing.T, on bool) {
	t.Helper()
	p := filepath.Join(h.ctrl, "fail")
	var err error
	if on {
		err = os.WriteFile(p, nil, 0o644)
	} else {
		err = os.Remove(p)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// verifyInputs are the verify step's inputs that send the canary's hub
// checks and probe to this hub: DNS and connections for host go to
// loopback (the harness's LoadBalancer address), and the hub's CA is
// trusted.
func (h *gateHub) verifyInputs(host string) map[string]string {
	return map[string]string{
		"HUBFLEET_RESOLVE":    host + "=127.0.0.1",
		"HUBFLEET_CONNECT_TO": host + "=" + h.hub.Addr(),
		"HUBFLEET_CACERT":     string(h.ca.CertPEM()),
	}
}

func gateSecret(t *testing.T) string {
	t.Helper()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// gateStatuses returns the commit statuses the fake GitHub API holds for
// sha, the latest of each context.
func gateStatuses(gh *githubtest.Server, sha string) map[string]githubtest.Status {
	out := map[string]githubtest.Status{}
	for _, s := range gh.Statuses(sha) {
		if old, ok := out[s.Context]; !ok || s.ID > old.ID {
			out[s.Context] = s
		}
	}
	return out
}

// gateSteps records how long each step of a test took, for the log.
type gateSteps struct {
	names []string
	took  []time.Duration
}

func (s *gateSteps) add(name string, d time.Duration) {
	s.names = append(s.names, name)
	s.took = append(s.took, d)
}

func (s *gateSteps) String() string {
	var b strings.Builder
	var total time.Duration
	for i, n := range s.names {
		fmt.Fprintf(&b, "  %-70s %8s\n", n, s.took[i].Round(10*time.Millisecond))
		total += s.took[i]
	}
	fmt.Fprintf(&b, "  %-70s %8s\n", "total", total.Round(10*time.Millisecond))
	return b.String()
}

// gateJSON is v as JSON, for a failure message.
func gateJSON(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}
