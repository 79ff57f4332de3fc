package testcluster

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/yaml"
)

// Names of the components Start runs, as they appear in ComponentError and
// as accepted by StopComponent.
const (
	Etcd                = "etcd"
	KubeAPIServer       = "kube-apiserver"
	SourceController    = "source-controller"
	KustomizeController = "kustomize-controller"
	HelmController      = "helm-controller"
	// The components Options.Workloads starts.
	KubeControllerManager = "kube-controller-manager"
	KubeScheduler         = "kube-scheduler"
	KWOK                  = "kwok"
)

// FluxNamespace is the namespace the controllers run "in" (RUNTIME_NAMESPACE);
// Start creates it.
const FluxNamespace = "flux-system"

// deadProxy is the proxy the controllers get for non-loopback URLs: the
// discard port on loopback, where nothing listens.
const deadProxy = "http://127.0.0.1:9"

const (
	probeTimeout = 10 * time.Second
	// unhealthyAfter is how long a running component's probe must fail
	// without a break before WaitFor gives up on it: long enough for a
	// loaded 2-core CI machine, short against test deadlines. A process that
	// exits is reported at once.
	unhealthyAfter = 30 * time.Second
	pollInterval   = 500 * time.Millisecond
)

// Cluster is a running etcd and kube-apiserver, with the Flux CRDs installed
// and, if asked, source-controller and kustomize-controller running against
// it. Everything is stopped by the test's cleanup.
type Cluster struct {
	tb     testing.TB
	opts   Options
	dir    string
	logDir string

	restConfig *rest.Config
	kubeconfig string
	dyn        dynamic.Interface
	clientset  kubernetes.Interface
	apiURL     string
	storageURL string

	mu             sync.Mutex
	procs          []*process // in start order
	checks         []*check   // in registration order
	stopBackground []func()   // cancel the in-process controllers
}

// check is a named health probe. failingSince is when the probe started to
// fail without a success since (zero while healthy).
type check struct {
	name         string
	proc         *process // nil for checks added with AddCheck
	probe        func(ctx context.Context) error
	failingSince time.Time
}

// Start starts a cluster for the test and registers its teardown with
// t.Cleanup. It skips the test when a binary is missing, or fails it when
// $HUBFLEET_REQUIRE_CLUSTER=1. It fails the test if the cluster does not come
// up within opts.StartTimeout; the error names the component at fault.
func Start(t testing.TB, opts Options) *Cluster {
	t.Helper()
	if missing := opts.missing(); len(missing) > 0 {
		msg := fmt.Sprintf("testcluster: missing %s: run tools/build.sh (and install etcd-server) first; cache dir %s (override with $%s)",
			strings.Join(missing, ", "), opts.CacheDir, EnvCache)
		if os.Getenv(EnvRequire) == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	// TempDir before Cleanup: cleanups run last-in first-out, so the
	// processes are stopped before their directories are removed.
	dir := t.TempDir()
	logDir := filepath.Join(dir, "logs")
	if opts.LogDir != "" {
		logDir = filepath.Join(opts.LogDir, safeName(t.Name()))
	}
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		t.Fatalf("testcluster: %v", err)
	}
	c := &Cluster{tb: t, opts: opts, dir: dir, logDir: logDir}
	release, err := acquireSlot(t.Context(), opts.MaxClusters)
	if err != nil {
		t.Fatalf("testcluster: waiting for a free cluster slot: %v", err)
	}
	t.Cleanup(release)
	t.Cleanup(c.stopAll)

	ctx, cancel := context.WithTimeout(t.Context(), opts.StartTimeout)
	defer cancel()
	if err := c.start(ctx); err != nil {
		t.Fatalf("testcluster: start: %v", err)
	}
	return c
}

func (c *Cluster) start(ctx context.Context) error {
	bins := c.opts.binaries()
	pkiDir := filepath.Join(c.dir, "pki")
	if err := os.MkdirAll(pkiDir, 0o700); err != nil {
		return err
	}
	keys, err := newPKI(pkiDir, time.Now())
	if err != nil {
		return err
	}
	ports, err := freePorts(3)
	if err != nil {
		return err
	}
	etcdClient := "http://127.0.0.1:" + strconv.Itoa(ports[0])
	etcdPeer := "http://127.0.0.1:" + strconv.Itoa(ports[1])
	c.apiURL = "https://127.0.0.1:" + strconv.Itoa(ports[2])

	// etcd.
	plain := &http.Client{Timeout: probeTimeout}
	if err := c.run(ctx, Etcd, bins.etcd, []string{
		"--name=hubfleet",
		"--data-dir=" + filepath.Join(c.dir, "etcd"),
		"--listen-client-urls=" + etcdClient,
		"--advertise-client-urls=" + etcdClient,
		"--listen-peer-urls=" + etcdPeer,
		"--initial-advertise-peer-urls=" + etcdPeer,
		"--initial-cluster=hubfleet=" + etcdPeer,
		"--initial-cluster-state=new",
		"--logger=zap",
	}, nil, httpProbe(plain, etcdClient+"/health")); err != nil {
		return err
	}

	// kube-apiserver, with one static admin token.
	token := rand.Text()
	tokenFile := filepath.Join(pkiDir, "tokens.csv")
	if err := os.WriteFile(tokenFile, []byte(token+`,hubfleet-admin,hubfleet-admin,"system:masters"`+"\n"), 0o600); err != nil {
		return err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(keys.caPEM)
	secure := &http.Client{Timeout: probeTimeout, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
	}}
	if err := c.run(ctx, KubeAPIServer, bins.kubeAPIServer, []string{
		"--etcd-servers=" + etcdClient,
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(ports[2]),
		"--cert-dir=" + filepath.Join(c.dir, "apiserver-certs"),
		"--tls-cert-file=" + keys.certFile,
		"--tls-private-key-file=" + keys.keyFile,
		"--client-ca-file=" + keys.caFile,
		"--token-auth-file=" + tokenFile,
		"--authorization-mode=RBAC",
		"--service-account-issuer=" + c.apiURL,
		"--service-account-key-file=" + keys.saPubKeyFile,
		"--service-account-signing-key-file=" + keys.saKeyFile,
		"--service-cluster-ip-range=10.0.0.0/24",
		"--allow-privileged=true",
		// With WatchList on (the default since 1.32) the API server
		// turns every watch from resourceVersion "" or "0" into a watch
		// stream (sendInitialEvents), and its watch cache refuses such
		// streams when etcd cannot send progress notifications for
		// them: Debian's etcd-server 3.4.23 is older than the 3.4.31
		// the API server requires, so the refusal ("the required
		// storage feature RequestWatchProgress is disabled") would
		// reach KWOK, which always watches from "0", and it would
		// never see a pod. A cluster on such an etcd runs like this.
		"--feature-gates=WatchList=false",
		// No kubelet mounts service-account tokens (KWOK runs no
		// containers, and without Options.Workloads no
		// controller-manager mints them), so the ServiceAccount
		// admission plugin has nothing to add (as envtest).
		"--disable-admission-plugins=ServiceAccount",
		"--enable-priority-and-fairness=false",
		"--profiling=false",
		"--endpoint-reconciler-type=none",
	}, nil, httpProbe(secure, c.apiURL+"/readyz")); err != nil {
		return err
	}

	c.restConfig = &rest.Config{
		Host:            c.apiURL,
		BearerToken:     token,
		TLSClientConfig: rest.TLSClientConfig{CAData: keys.caPEM},
		QPS:             100,
		Burst:           200,
		Timeout:         30 * time.Second,
	}
	c.dyn, err = dynamic.NewForConfig(c.restConfig)
	if err != nil {
		return fmt.Errorf("dynamic client: %w", err)
	}
	c.kubeconfig = filepath.Join(c.dir, "kubeconfig")
	if err := writeKubeconfig(c.kubeconfig, c.apiURL, keys.caPEM, token); err != nil {
		return err
	}
	if err := c.bootstrap(ctx, bins.crdDir, bins.helmCRDDir); err != nil {
		return err
	}
	if c.opts.Workloads {
		if err := c.startWorkloads(ctx, bins, keys); err != nil {
			return err
		}
	}
	if !c.opts.Controllers && !c.opts.HelmController {
		return nil
	}
	return c.startControllers(ctx, bins, plain)
}

// startControllers runs source-controller (with its artifact server on
// loopback) and kustomize-controller against the API server.
func (c *Cluster) startControllers(ctx context.Context, bins binaries, plain *http.Client) error {
	ports, err := freePorts(5)
	if err != nil {
		return err
	}
	addr := func(i int) string { return "127.0.0.1:" + strconv.Itoa(ports[i]) }
	c.storageURL = "http://" + addr(2)
	common := []string{
		"--watch-all-namespaces=true",
		"--enable-leader-election=false",
		"--log-encoding=console",
		"--log-level=info",
	}
	for _, d := range []string{"source-storage", "source-tmp", "kustomize-tmp", "helm-tmp"} {
		if err := os.MkdirAll(filepath.Join(c.dir, d), 0o755); err != nil {
			return err
		}
	}
	env := func(tmp string) []string {
		return []string{
			"KUBECONFIG=" + c.kubeconfig,
			"RUNTIME_NAMESPACE=" + FluxNamespace,
			"TMPDIR=" + filepath.Join(c.dir, tmp),
			// Tests talk only to loopback: anything else (a
			// HelmRepository at https://helm.dask.org in a rendered
			// overlay) goes to a closed loopback port and fails at
			// once, instead of leaving the machine.
			"HTTPS_PROXY=" + deadProxy,
			"HTTP_PROXY=" + deadProxy,
			"NO_PROXY=127.0.0.1,localhost,::1",
		}
	}
	if err := c.run(ctx, SourceController, bins.sourceController, append([]string{
		"--metrics-addr=" + addr(0),
		"--health-addr=" + addr(1),
		"--storage-addr=" + addr(2),
		"--storage-adv-addr=" + addr(2),
		"--storage-path=" + filepath.Join(c.dir, "source-storage"),
	}, common...), env("source-tmp"), httpProbe(plain, "http://"+addr(1)+"/readyz")); err != nil {
		return err
	}
	if err := c.run(ctx, KustomizeController, bins.kustomizeController, append([]string{
		"--metrics-addr=" + addr(3),
		"--health-addr=" + addr(4),
		"--no-remote-bases=true",
	}, common...), env("kustomize-tmp"), httpProbe(plain, "http://"+addr(4)+"/readyz")); err != nil {
		return err
	}
	if !c.opts.HelmController {
		return nil
	}
	return c.startHelmController(ctx, bins, plain, common, env("helm-tmp"))
}

// run starts a component, registers its probe, and waits until the probe
// passes, the process exits, or ctx ends.
func (c *Cluster) run(ctx context.Context, name, bin string, args, env []string, probe func(context.Context) error) error {
	p, err := startProcess(name, bin, args, env, c.logDir)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.procs = append(c.procs, p)
	c.checks = append(c.checks, &check{name: name, proc: p, probe: probe})
	c.mu.Unlock()

	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	var last error
	for {
		if err := p.exited(); err != nil {
			return fmt.Errorf("%w; last log lines:\n%s", err, p.tail(c.opts.LogTailLines))
		}
		pctx, cancel := context.WithTimeout(ctx, probeTimeout)
		last = probe(pctx)
		cancel()
		if last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return &ComponentError{Component: name, Err: fmt.Errorf("not ready: %w: last probe: %w; last log lines:\n%s",
				ctx.Err(), last, p.tail(c.opts.LogTailLines))}
		case <-tick.C:
		}
	}
}

// RestConfig returns a copy of the admin client configuration.
func (c *Cluster) RestConfig() *rest.Config { return rest.CopyConfig(c.restConfig) }

// KubeconfigPath is a kubeconfig file for the admin user (token auth, the test
// CA), as the controllers use it.
func (c *Cluster) KubeconfigPath() string { return c.kubeconfig }

// Dynamic is a dynamic client for the admin user.
func (c *Cluster) Dynamic() dynamic.Interface { return c.dyn }

// APIServerURL is the API server's https URL on loopback.
func (c *Cluster) APIServerURL() string { return c.apiURL }

// StorageURL is source-controller's artifact server URL, or "" without
// controllers.
func (c *Cluster) StorageURL() string { return c.storageURL }

// LogDir is the directory with one <component>.log per component.
func (c *Cluster) LogDir() string { return c.logDir }

// Components lists the names of the running components and added checks.
func (c *Cluster) Components() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	names := make([]string, 0, len(c.checks))
	for _, ch := range c.checks {
		names = append(names, ch.name)
	}
	return names
}

// AddCheck registers a health probe for a component the test runs itself
// (the git server, a chart repository). Check and WaitFor report its failure
// as a ComponentError named name.
func (c *Cluster) AddCheck(name string, probe func(ctx context.Context) error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.checks = append(c.checks, &check{name: name, probe: probe})
}

// StopComponent stops one of the cluster's processes (SIGKILL to its process
// group), as a test of failure handling does. Later Check and WaitFor calls
// report it by name.
func (c *Cluster) StopComponent(name string) error {
	c.mu.Lock()
	var p *process
	for _, q := range c.procs {
		if q.name == name {
			p = q
		}
	}
	c.mu.Unlock()
	if p == nil {
		return fmt.Errorf("stop %s: no such component (have %s)", name, strings.Join(c.Components(), ", "))
	}
	p.stop(0, false)
	return nil
}

// Check probes every component once and returns a ComponentError for each
// one that has exited or whose probe fails, joined.
func (c *Cluster) Check(ctx context.Context) error {
	return c.health(ctx, 0)
}

// health is Check that tolerates probe failures shorter than tolerate for a
// component whose process is still running.
func (c *Cluster) health(ctx context.Context, tolerate time.Duration) error {
	c.mu.Lock()
	checks := append([]*check(nil), c.checks...)
	c.mu.Unlock()
	var errs []error
	now := time.Now()
	for _, ch := range checks {
		if ch.proc != nil {
			if err := ch.proc.exited(); err != nil {
				errs = append(errs, err)
				continue
			}
		}
		pctx, cancel := context.WithTimeout(ctx, probeTimeout)
		err := ch.probe(pctx)
		cancel()
		c.mu.Lock()
		switch {
		case err == nil:
			ch.failingSince = time.Time{}
		case ch.failingSince.IsZero():
			ch.failingSince = now
		}
		since := ch.failingSince
		c.mu.Unlock()
		if err != nil && ctx.Err() == nil && now.Sub(since) >= tolerate {
			errs = append(errs, &ComponentError{Component: ch.name, Err: fmt.Errorf("unhealthy: %w", err)})
		}
	}
	return errors.Join(errs...)
}

// WaitFor polls cond until it returns nil, ctx ends, or a component stops or
// stays unhealthy. cond's error is the "not yet" reason, reported when ctx
// ends. A component failure is returned at once, naming the component, so a
// test never waits out its deadline on a dead process.
func (c *Cluster) WaitFor(ctx context.Context, what string, cond func(ctx context.Context) error) error {
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	var last error
	for {
		if err := c.health(ctx, unhealthyAfter); err != nil {
			return fmt.Errorf("waiting for %s: %w", what, err)
		}
		cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		last = cond(cctx)
		cancel()
		if last == nil {
			return nil
		}
		var u *unrecoverableError
		if errors.As(last, &u) {
			return fmt.Errorf("waiting for %s: %w", what, u.err)
		}
		select {
		case <-ctx.Done():
			if err := c.Check(context.Background()); err != nil {
				return fmt.Errorf("waiting for %s: %w: %w", what, ctx.Err(), err)
			}
			return fmt.Errorf("waiting for %s: %w: last state: %w", what, ctx.Err(), last)
		case <-tick.C:
		}
	}
}

// Unrecoverable wraps a condition's error to make WaitFor return it at once:
// the state it reports will not change by waiting (a Flux object failing
// for a reason only a new commit can fix).
func Unrecoverable(err error) error { return &unrecoverableError{err: err} }

type unrecoverableError struct{ err error }

func (e *unrecoverableError) Error() string { return e.err.Error() }

func (e *unrecoverableError) Unwrap() error { return e.err }

// stopAll stops every process, newest first, and on a failed test logs the
// tail of each component's log.
func (c *Cluster) stopAll() {
	c.mu.Lock()
	procs := append([]*process(nil), c.procs...)
	background := c.stopBackground
	c.mu.Unlock()
	for _, stop := range background {
		stop()
	}
	for i := len(procs) - 1; i >= 0; i-- {
		procs[i].stop(c.opts.StopGrace, true)
	}
	if c.tb.Failed() {
		for _, p := range procs {
			c.tb.Logf("testcluster: last lines of %s (%s):\n%s", p.name, p.logPath, p.tail(c.opts.LogTailLines))
		}
	}
}

var (
	slotsMu sync.Mutex
	slots   chan struct{}
)

// acquireSlot waits until fewer than max clusters run in this test binary
// (the first caller's max sizes the pool) and returns the release function.
func acquireSlot(ctx context.Context, max int) (func(), error) {
	if max <= 0 {
		return func() {}, nil
	}
	slotsMu.Lock()
	if slots == nil {
		slots = make(chan struct{}, max)
	}
	ch := slots
	slotsMu.Unlock()
	select {
	case ch <- struct{}{}:
		return func() { <-ch }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// freePorts reserves n distinct free TCP ports on 127.0.0.1. The listeners
// are held until all are chosen, so the ports differ.
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("reserve a loopback port: %w", err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// writeKubeconfig writes a kubeconfig for the admin token, mode 0600.
func writeKubeconfig(path, server string, caPEM []byte, token string) error {
	cfg := map[string]any{
		"apiVersion":      "v1",
		"kind":            "Config",
		"current-context": "hubfleet-test",
		"clusters": []any{map[string]any{
			"name":    "hubfleet-test",
			"cluster": map[string]any{"server": server, "certificate-authority-data": caPEM},
		}},
		"users": []any{map[string]any{
			"name": "hubfleet-admin",
			"user": map[string]any{"token": token},
		}},
		"contexts": []any{map[string]any{
			"name":    "hubfleet-test",
			"context": map[string]any{"cluster": "hubfleet-test", "user": "hubfleet-admin"},
		}},
	}
	data, err := yaml.Marshal(cfg)
	if err != nil {
		return fmt.Errorf("marshal kubeconfig: %w", err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return fmt.Errorf("write kubeconfig: %w", err)
	}
	return nil
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func safeName(s string) string { return unsafeChars.ReplaceAllString(s, "_") }
