package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/hubfleet/hubfleet/internal/site"
	"github.com/hubfleet/hubfleet/internal/testhub"
	"github.com/hubfleet/hubfleet/internal/verify"
)

// spawnSite is clusters/spawn-hub/site.yaml: a daskhub site on native
// auth. %s are the probe's imports and timeouts and the age recipient.
const spawnSite = `apiVersion: hubfleet.dev/v1alpha1
kind: Site
metadata:
  name: spawn-hub
  annotations:
    config.kubernetes.io/local-config: "true"
spec:
  namespace: spawn-hub
  kubernetes:
    version: 1.30.4
  host: hub.spawn.example.org
  tls:
    mode: secret
    secretName: spawn-hub-tls
    ingressClass: nginx
  auth:
    provider: native
  singleuser:
    image: pangeo/pangeo-notebook:2024.11.11
  probe:
    imports: [%s]
    timeouts: {%s}
  secrets:
    ageRecipient: %s
    values:
      hubfleet-probe-token: {targetPath: jupyterhub.hub.services.hubfleet-probe.apiToken}
`

// spawnEnv is a real hub with a local-process spawner, the fleet that
// describes it, and the `verify --spawn` arguments that reach it.
type spawnEnv struct {
	hub   *testhub.Hub
	root  string
	args  []string
	ctrl  string // files here make the server's command slow or fail
	token string // the hubfleet-probe service's token
	// narrow and admin are the tokens of the "narrow" and "operator"
	// services.
	narrow, admin string
	ca            *testhub.CA
	rcp           string
}

const spawnHost = "hub.spawn.example.org"

// startSpawnEnv starts Debian's JupyterHub spawning Debian's
// jupyterhub-singleuser (jupyter-server, ipykernel, dask distributed)
// through a wrapper that control files make slow (ctrl/slow: sleep 8 s
// first) or fail (ctrl/fail: exit 1 with a message). Modules in
// ctrl/pythonpath are importable in kernels; hubfleet_crash kills the
// kernel on import, as a broken C extension would.
func startSpawnEnv(t *testing.T) *spawnEnv {
	t.Helper()
	testhub.RequireServerModules(t)
	ca, err := testhub.NewCA("hubfleet verify --spawn CA")
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.Issue(spawnHost)
	if err != nil {
		t.Fatal(err)
	}
	e := &spawnEnv{ca: ca, ctrl: t.TempDir(), token: randomHex(t), narrow: randomHex(t), admin: randomHex(t)}
	wrapper := testhub.ControlledSingleuser(t, e.ctrl)
	pypath := filepath.Join(e.ctrl, "pythonpath")
	if err := os.MkdirAll(pypath, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{
		filepath.Join(pypath, "hubfleet_crash.py"): "import os\nos._exit(139)\n",
	} {
		if err := os.WriteFile(name, []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ho := testhub.DefaultHubOptions()
	ho.Host, ho.Cert, ho.CA, ho.DaskGateway = spawnHost, cert, ca, true
	// One port for every probe server: while the hub polls a failed
	// server's port, no other process can be given it and answer.
	ho.Spawner = &testhub.SpawnerOptions{Cmd: []string{wrapper}, Env: map[string]string{"PYTHONPATH": pypath}, StartTimeout: 60 * time.Second, OneServerPort: true}
	ho.Services = []testhub.Service{
		{Name: site.ProbeService, Token: e.token, Scopes: site.ProbeScopes(site.DefaultProbeUser)},
		// A service whose role reads the probe user only.
		{Name: "narrow", Token: e.narrow, Scopes: []string{"read:users!user=" + site.DefaultProbeUser}},
		// The operator's admin token, which creates the probe user once.
		{Name: "operator", Token: e.admin, Scopes: []string{"admin:users"}},
	}
	e.hub = testhub.StartHub(t, ho)

	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("SOPS_AGE_KEY", id.String())
	e.rcp = id.Recipient().String()
	e.root = t.TempDir()
	e.writeSite(t, "dask, distributed", defaultTimeouts)
	if err := os.MkdirAll(filepath.Join(e.root, "bases/daskhub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(e.root, "bases/daskhub/fleet.yaml"), []byte(strings.ReplaceAll(e2eFleet, "{{.Recipient}}", e.rcp)), 0o644); err != nil {
		t.Fatal(err)
	}
	e.storeToken(t, e.token)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, ca.CertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	e.args = []string{"verify", "--spawn", "--root", e.root, "--no-kube", "--cacert", caFile, "-o", "json",
		"--resolve", spawnHost + "=127.0.0.1", "--connect-to", spawnHost + "=" + e.hub.Addr()}
	return e
}

func randomHex(t *testing.T) string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// defaultTimeouts are the probe's timeouts in most of the tests.
const defaultTimeouts = "spawn: 60, kernel: 30, code: 30, dask: 120, stop: 30"

func (e *spawnEnv) writeSite(t *testing.T, imports, timeouts string) {
	t.Helper()
	p := filepath.Join(e.root, "clusters/spawn-hub/site.yaml")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(fmt.Sprintf(spawnSite, imports, timeouts, e.rcp)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// storeToken stores the probe token through the secret channel.
func (e *spawnEnv) storeToken(t *testing.T, token string) {
	t.Helper()
	r := hubfleet(t, token+"\n", "secret", "set", "--site", "spawn-hub", "--key", site.DefaultProbeTokenKey, "--root", e.root)
	if r.code != exitOK {
		t.Fatalf("secret set --key: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, token) {
		t.Fatal("secret set printed the token")
	}
	enc, err := os.ReadFile(filepath.Join(e.root, "overlays/spawn-hub/hubfleet-secrets.sops.yaml"))
	if err != nil || bytes.Contains(enc, []byte(token)) {
		t.Fatalf("the token is not stored encrypted (%v)", err)
	}
}

type spawnReport struct {
	Status  verify.Status `json:"status"`
	Results []struct {
		Site       string        `json:"site"`
		Check      string        `json:"check"`
		Status     verify.Status `json:"status"`
		Detail     string        `json:"detail"`
		Fix        string        `json:"fix"`
		DurationMS int64         `json:"durationMs"`
	} `json:"results"`
}

// verify runs `hubfleet verify --spawn` and returns its exit code and the
// spawn stages by check name.
func (e *spawnEnv) verify(t *testing.T, extra ...string) (int, map[string]verify.Result, string) {
	t.Helper()
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	code := run(ctx, append(append([]string{}, e.args...), extra...), strings.NewReader(""), &out, &errb)
	var rep spawnReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("exit %d, stdout is not the JSON report: %v\n%s\nstderr:\n%s", code, err, out.String(), errb.String())
	}
	got := map[string]verify.Result{}
	for _, r := range rep.Results {
		if !strings.HasPrefix(r.Check, "spawn") {
			// Without cluster access the others pass, or are unknown or
			// warn for want of it.
			if r.Status == verify.Fail {
				t.Errorf("%s = %s %q", r.Check, r.Status, r.Detail)
			}
			continue
		}
		if _, dup := got[r.Check]; dup {
			t.Errorf("%s reported twice", r.Check)
		}
		got[r.Check] = verify.Result{Check: r.Check, Status: r.Status, Detail: r.Detail, Fix: r.Fix, Duration: time.Duration(r.DurationMS) * time.Millisecond}
	}
	for _, secret := range []string{e.token, e.narrow, e.admin} {
		if strings.Contains(out.String()+errb.String(), secret) {
			t.Error("verify printed a token")
		}
	}
	return code, got, out.String()
}

// stageWant is a stage's status and parts of its detail and fix.
type stageWant struct {
	status      verify.Status
	detail, fix string
}

func checkStages(t *testing.T, got map[string]verify.Result, want map[string]stageWant, out string) {
	t.Helper()
	for name, w := range want {
		r, ok := got[name]
		if !ok {
			t.Errorf("no %s result", name)
			continue
		}
		if r.Status != w.status || !strings.Contains(r.Detail, w.detail) || !strings.Contains(r.Fix, w.fix) {
			t.Errorf("%s = %s %q (fix %q), want %s containing %q (fix %q)", name, r.Status, r.Detail, r.Fix, w.status, w.detail, w.fix)
		}
		if r.Status == verify.Fail && r.Fix == "" {
			t.Errorf("%s failed without a fix", name)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("unexpected stage %s = %s %q", name, got[name].Status, got[name].Detail)
		}
	}
	if t.Failed() {
		t.Logf("report:\n%s", out)
	}
}

// stageTimes lists the stages' durations in order, for the log.
func stageTimes(got map[string]verify.Result) string {
	var parts []string
	for _, n := range []string{verify.CheckSpawnToken, verify.CheckSpawnLeftovers, verify.CheckSpawnServer, verify.CheckSpawnKernel,
		verify.CheckSpawnImport, verify.CheckSpawnCompute, verify.CheckSpawnDask, verify.CheckSpawnStop, verify.CheckSpawnCleanup} {
		if r, ok := got[n]; ok {
			parts = append(parts, fmt.Sprintf("%s %s", n, r.Duration))
		}
	}
	return strings.Join(parts, ", ")
}

// api calls the hub API as a service.
func (e *spawnEnv) api(t *testing.T, token, method, path string, body any) (int, []byte) {
	t.Helper()
	c := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: e.ca.Pool(), MinVersion: tls.VersionTLS12},
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, e.hub.Addr())
		},
	}}
	var rd *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, err := http.NewRequest(method, e.hub.URL("hub/api/"+path), rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "token "+token)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	return resp.StatusCode, b.Bytes()
}

// probeActive reports whether the probe user's server runs or is pending.
func (e *spawnEnv) probeActive(t *testing.T) bool {
	t.Helper()
	code, b := e.api(t, e.token, http.MethodGet, "users/hubfleet-probe", nil)
	if code == http.StatusNotFound {
		return false
	}
	var u struct {
		Server  *string `json:"server"`
		Pending *string `json:"pending"`
	}
	if err := json.Unmarshal(b, &u); err != nil {
		t.Fatalf("user model: %v (%s)", err, b)
	}
	return u.Server != nil || u.Pending != nil
}

// wantClean wants nothing of a probe left on the hub, and no server,
// kernel or Dask process left on the machine.
func (e *spawnEnv) wantClean(t *testing.T) {
	t.Helper()
	if e.probeActive(t) {
		t.Error("after the probe, its server still runs")
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		var left []string
		for _, p := range e.hub.Processes() {
			if !strings.Contains(p, "configurable-http-proxy") && !strings.Contains(p, "/usr/bin/jupyterhub -f") {
				left = append(left, p)
			}
		}
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("processes of the probe still run:\n%s", strings.Join(left, "\n"))
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestVerifySpawn runs `hubfleet verify --spawn` against Debian's
// JupyterHub with a local-process spawner starting Debian's
// jupyter-server: every stage on a healthy hub, the Dask sum computed in
// the server; then a server left by an interrupted probe, a probe killed
// halfway, two probes at once, a token without the scopes, a kernel that
// dies on import, a server command that fails, and a spawn slower than
// its timeout, each named with its cause and fix. After each, nothing of
// the probe is left on the hub or the machine.
func TestVerifySpawn(t *testing.T) {
	e := startSpawnEnv(t)
	healthy := map[string]stageWant{
		verify.CheckSpawnToken:     {verify.Pass, "service hubfleet-probe holds the 4 scopes the probe needs, all limited to user hubfleet-probe", ""},
		verify.CheckSpawnLeftovers: {verify.Pass, "no leftovers of an earlier probe", ""},
		verify.CheckSpawnServer:    {verify.Pass, "ready in", ""},
		verify.CheckSpawnKernel:    {verify.Pass, "up: ipython 3.11", ""},
		verify.CheckSpawnImport:    {verify.Pass, "imported dask 2022.12.1+dfsg, distributed 2022.12.1+ds.1", ""},
		verify.CheckSpawnCompute:   {verify.Pass, "sum of squares below 1000 = 332833500", ""},
		verify.CheckSpawnDask:      {verify.Pass, "dask sum of 1..100 = 5050 on 1 worker(s) of a LocalCluster", ""},
		verify.CheckSpawnStop:      {verify.Pass, "server stopped in", ""},
		verify.CheckSpawnCleanup:   {verify.Pass, "nothing the probe started is left", ""},
	}
	with := func(over map[string]stageWant) map[string]stageWant {
		out := map[string]stageWant{}
		for k, v := range healthy {
			out[k] = v
		}
		for k, v := range over {
			if v.status == "" {
				delete(out, k)
			} else {
				out[k] = v
			}
		}
		return out
	}
	skipped := stageWant{} // a stage that does not run

	t.Run("no probe user yet", func(t *testing.T) {
		code, got, out := e.verify(t)
		if code != exitProblems {
			t.Errorf("exit %d, want 1", code)
		}
		checkStages(t, got, map[string]stageWant{
			verify.CheckSpawnToken:     healthy[verify.CheckSpawnToken],
			verify.CheckSpawnLeftovers: {verify.Fail, "the probe user hubfleet-probe does not exist on the hub", "create it once as an admin: in the hub's admin page (Add Users: hubfleet-probe, not admin), or curl -X POST"},
		}, out)
		// The operator does so.
		if code, b := e.api(t, e.admin, http.MethodPost, "users/hubfleet-probe", nil); code != http.StatusCreated {
			t.Fatalf("create the probe user: %d %s", code, b)
		}
	})

	t.Run("healthy", func(t *testing.T) {
		code, got, out := e.verify(t)
		if code != exitOK {
			t.Errorf("exit %d, want 0", code)
		}
		checkStages(t, got, healthy, out)
		t.Logf("stages: %s", stageTimes(got))
		if s := got[verify.CheckSpawnServer]; s.Duration <= 0 || !strings.Contains(s.Detail, "request answered; ") || !strings.Contains(s.Detail, "s Server ready at /user/hubfleet-probe/") {
			t.Errorf("spawn/server does not time the progress events: %q (%s)", s.Detail, s.Duration)
		}
		e.wantClean(t)
	})
	if t.Failed() {
		t.FailNow()
	}

	t.Run("server left by an interrupted probe", func(t *testing.T) {
		// What a probe killed after its server started leaves: the server,
		// marked with a deadline that has passed.
		mark := map[string]any{"hubfleet_probe": map[string]string{"run": "0badc0de", "host": "ci-runner", "until": "2026-01-01T00:00:00Z"}}
		if code, b := e.api(t, e.token, http.MethodPost, "users/hubfleet-probe/server", mark); code/100 != 2 {
			t.Fatalf("start the leftover server: %d %s", code, b)
		}
		code, got, out := e.verify(t)
		if code != exitOK {
			t.Errorf("exit %d, want 0", code)
		}
		checkStages(t, got, with(map[string]stageWant{
			verify.CheckSpawnLeftovers: {verify.Warn, "stopped the server of an interrupted probe (run 0badc0de, due to end by 2026-01-01T00:00:00Z)", "nothing to do"},
		}), out)
		e.wantClean(t)
	})

	t.Run("killed halfway", func(t *testing.T) {
		// A verify process killed (SIGKILL: no cleanup at all) once its
		// server is up. Its timeouts add up to 27 s: the next run waits
		// that long at most, then stops the server.
		e.writeSite(t, "dask, distributed", "spawn: 10, kernel: 3, code: 3, dask: 3, stop: 5")
		cmd := exec.Command(os.Args[0], "-test.run=^TestHubfleetProcess$", "--")
		cmd.Args = append(cmd.Args, e.args...)
		cmd.Env = append(os.Environ(), "HUBFLEET_TEST_PROCESS=1")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(60 * time.Second)
		for !e.probeActive(t) {
			if time.Now().After(deadline) {
				_ = cmd.Process.Kill()
				_ = cmd.Wait()
				t.Fatalf("the probe's server never started:\n%s", out.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		e.writeSite(t, "dask, distributed", defaultTimeouts)
		time.Sleep(time.Second)
		if !e.probeActive(t) {
			t.Fatal("the killed probe left no server: nothing to clean up")
		}
		code, got, rep := e.verify(t)
		if code != exitOK {
			t.Errorf("exit %d, want 0", code)
		}
		checkStages(t, got, with(map[string]stageWant{
			verify.CheckSpawnLeftovers: {verify.Warn, "stopped the server of an interrupted probe (run ", "nothing to do"},
		}), rep)
		if d := got[verify.CheckSpawnLeftovers].Detail; !strings.Contains(d, "after waiting") {
			t.Errorf("the next run did not wait for the killed probe's deadline: %q", d)
		}
		e.wantClean(t)
	})

	t.Run("two probes at once", func(t *testing.T) {
		var wg sync.WaitGroup
		results := make([]map[string]verify.Result, 2)
		codes := make([]int, 2)
		outs := make([]string, 2)
		for i := range 2 {
			wg.Go(func() { codes[i], results[i], outs[i] = e.verify(t) })
		}
		wg.Wait()
		waited := 0
		for i := range 2 {
			if codes[i] != exitOK {
				t.Errorf("probe %d: exit %d", i, codes[i])
			}
			w := with(nil)
			// The later one waits before it asks for a server, or, when
			// both asked at the same moment, once the hub started the other.
			switch {
			case strings.Contains(results[i][verify.CheckSpawnLeftovers].Detail, "waited"):
				waited++
				w[verify.CheckSpawnLeftovers] = stageWant{verify.Pass, "for another probe (run ", ""}
			case strings.Contains(results[i][verify.CheckSpawnServer].Detail, "after waiting"):
				waited++
				w[verify.CheckSpawnServer] = stageWant{verify.Pass, "which asked for the server at the same moment)", ""}
			}
			checkStages(t, results[i], w, outs[i])
		}
		if waited != 1 {
			t.Errorf("%d probes waited for the other, want exactly 1", waited)
		}
		e.wantClean(t)
	})

	t.Run("token without the scopes", func(t *testing.T) {
		e.storeToken(t, e.narrow)
		defer e.storeToken(t, e.token)
		code, got, out := e.verify(t)
		if code != exitProblems {
			t.Errorf("exit %d, want 1", code)
		}
		checkStages(t, got, map[string]stageWant{
			verify.CheckSpawnToken: {verify.Fail, "the narrow service's token lacks the scopes access:servers!user=hubfleet-probe, read:servers!user=hubfleet-probe, servers!user=hubfleet-probe",
				"give the service hubfleet-probe the role hubfleet renders from clusters/spawn-hub/site.yaml spec.probe (hub.loadRoles.hubfleet-probe"},
		}, out)
	})

	t.Run("a token the hub does not know", func(t *testing.T) {
		// Stored, but not deployed yet.
		e.storeToken(t, randomHex(t))
		defer e.storeToken(t, e.token)
		code, got, out := e.verify(t)
		if code != exitProblems {
			t.Errorf("exit %d, want 1", code)
		}
		checkStages(t, got, map[string]stageWant{
			verify.CheckSpawnToken: {verify.Fail, "the hub does not accept the hubfleet-probe token stored for this site", "deploy the site after storing the token"},
		}, out)
	})

	t.Run("a kernel that dies on import", func(t *testing.T) {
		e.writeSite(t, "dask, hubfleet_crash", defaultTimeouts)
		defer e.writeSite(t, "dask, distributed", defaultTimeouts)
		code, got, out := e.verify(t)
		if code != exitProblems {
			t.Errorf("exit %d, want 1", code)
		}
		checkStages(t, got, with(map[string]stageWant{
			verify.CheckSpawnImport:  {verify.Fail, "importing dask, hubfleet_crash: the kernel died", "docker run --rm pangeo/pangeo-notebook:2024.11.11 python -c \"import dask, hubfleet_crash\""},
			verify.CheckSpawnCompute: skipped, verify.CheckSpawnDask: skipped,
		}), out)
		e.wantClean(t)
	})

	t.Run("a module the image lacks", func(t *testing.T) {
		e.writeSite(t, "dask, dask_gateway", defaultTimeouts)
		defer e.writeSite(t, "dask, distributed", defaultTimeouts)
		code, got, out := e.verify(t)
		if code != exitProblems {
			t.Errorf("exit %d, want 1", code)
		}
		checkStages(t, got, with(map[string]stageWant{
			verify.CheckSpawnImport:  {verify.Fail, "the image lacks a module: ModuleNotFoundError: No module named 'dask_gateway'", "add the module to the image (spec.singleuser.image)"},
			verify.CheckSpawnCompute: skipped, verify.CheckSpawnDask: skipped,
		}), out)
		e.wantClean(t)
	})

	t.Run("dask-gateway without a gateway client", func(t *testing.T) {
		// Debian packages no dask-gateway: the gateway step runs the
		// dask-gateway client API in the kernel and names what is missing.
		code, got, out := e.verify(t, "--dask-gateway")
		if code != exitProblems {
			t.Errorf("exit %d, want 1", code)
		}
		checkStages(t, got, with(map[string]stageWant{
			verify.CheckSpawnDask: {verify.Fail, "the Dask computation on a dask-gateway cluster raised ModuleNotFoundError: No module named 'dask_gateway'", "the image lacks dask-gateway"},
		}), out)
		e.wantClean(t)
	})

	t.Run("a server command that fails", func(t *testing.T) {
		if err := os.WriteFile(filepath.Join(e.ctrl, "fail"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		defer os.Remove(filepath.Join(e.ctrl, "fail"))
		code, got, out := e.verify(t)
		if code != exitProblems {
			t.Errorf("exit %d, want 1", code)
		}
		checkStages(t, got, with(map[string]stageWant{
			verify.CheckSpawnServer: {verify.Fail, "the spawn failed after", "the server's command fails to start: read its log (kubectl -n spawn-hub logs jupyter-hubfleet-probe)"},
			verify.CheckSpawnKernel: skipped, verify.CheckSpawnImport: skipped, verify.CheckSpawnCompute: skipped, verify.CheckSpawnDask: skipped,
		}), out)
		e.wantClean(t)
	})

	t.Run("a spawn slower than its timeout", func(t *testing.T) {
		if err := os.WriteFile(filepath.Join(e.ctrl, "slow"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		defer os.Remove(filepath.Join(e.ctrl, "slow"))
		code, got, out := e.verify(t, "--spawn-timeout", "3s")
		if code != exitProblems {
			t.Errorf("exit %d, want 1", code)
		}
		checkStages(t, got, with(map[string]stageWant{
			verify.CheckSpawnServer: {verify.Fail, "the server (image pangeo/pangeo-notebook:2024.11.11) was not ready within 3s", "raise spec.probe.timeouts.spawn"},
			verify.CheckSpawnKernel: skipped, verify.CheckSpawnImport: skipped, verify.CheckSpawnCompute: skipped, verify.CheckSpawnDask: skipped,
		}), out)
		e.wantClean(t)
	})
}

// TestHubfleetProcess is `hubfleet` in a process of its own, for tests
// that kill it: it runs only under HUBFLEET_TEST_PROCESS=1, with the
// command's arguments after "--".
func TestHubfleetProcess(t *testing.T) {
	if os.Getenv("HUBFLEET_TEST_PROCESS") != "1" {
		t.Skip("runs as a child of TestVerifySpawn")
	}
	args := os.Args
	for i, a := range args {
		if a == "--" {
			args = args[i+1:]
			break
		}
	}
	os.Exit(run(context.Background(), args, os.Stdin, os.Stdout, os.Stderr))
}
