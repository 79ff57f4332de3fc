package testhub

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// EnvRequire makes missing requirements fail tests instead of skipping
// them; CI sets it once it runs install.sh.
const EnvRequire = "HUBFLEET_REQUIRE_TESTHUB"

// process is a child running in its own process group, logging to a file.
// Everything it starts carries its mark (MarkEnv=<mark> in the
// environment, inherited by children: JupyterHub passes its environment to
// configurable-http-proxy, and the harness puts the mark into the
// spawner's environment), so stop finds the descendants that left the
// group or were orphaned (JupyterHub starts the proxy and each server in a
// new session) and ends them too.
type process struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	mark    string
	dir     string
	done    chan struct{}
	err     error
}

// MarkEnv is the environment variable carrying a harness process's mark.
const MarkEnv = "HUBFLEET_TESTHUB_MARK"

func newMark() string { return rand.Text() }

func startProcess(name, dir string, env []string, argv ...string) (*process, error) {
	return startMarked(name, dir, newMark(), env, argv...)
}

func startMarked(name, dir, mark string, env []string, argv ...string) (*process, error) {
	env = append(env, MarkEnv+"="+mark)
	logPath := filepath.Join(dir, name+".log")
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("%s: create log: %w", name, err)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("%s: start %s: %w", name, argv[0], err)
	}
	p := &process{name: name, cmd: cmd, logPath: logPath, mark: mark, dir: dir, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		logf.Close()
		close(p.done)
	}()
	return p, nil
}

// stop sends SIGTERM to the process group, then SIGKILL after grace; then
// it ends every process still carrying the mark (the proxy and servers
// JupyterHub started in sessions of their own, orphans of a killed hub).
func (p *process) stop(grace time.Duration) {
	pgid := p.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM) // the group may be gone already
	select {
	case <-p.done:
	case <-time.After(grace):
	}
	_ = syscall.Kill(-pgid, syscall.SIGKILL) // children left behind, if any
	<-p.done
	killMarked(p.mark, p.dir, grace)
}

// marked lists the processes the harness started under mark in dir:
// those whose environment carries the mark, and those working in or
// naming dir (a server's home, the proxy's certificate), which catches a
// descendant whose environment was replaced.
func marked(mark, dir string) []int {
	want := []byte(MarkEnv + "=" + mark + "\x00")
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	self := os.Getpid()
	var out []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		env, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if err != nil {
			continue
		}
		if !bytes.Contains(append([]byte{0}, env...), append([]byte{0}, want...)) && !inDir(e.Name(), dir) {
			continue
		}
		if zombie(pid) {
			continue
		}
		out = append(out, pid)
	}
	return out
}

// inDir reports whether process pid works in dir or names it.
func inDir(pid, dir string) bool {
	if dir == "" {
		return false
	}
	if cwd, err := os.Readlink(filepath.Join("/proc", pid, "cwd")); err == nil && (cwd == dir || strings.HasPrefix(cwd, dir+"/")) {
		return true
	}
	cmdline, err := os.ReadFile(filepath.Join("/proc", pid, "cmdline"))
	return err == nil && bytes.Contains(cmdline, []byte(dir+"/"))
}

// zombie reports whether pid has exited and waits for its parent.
func zombie(pid int) bool {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return true // gone
	}
	i := bytes.LastIndexByte(b, ')')
	return i < 0 || i+2 >= len(b) || b[i+2] == 'Z'
}

// killMarked sends SIGTERM to the marked processes, and SIGKILL to those
// still there after grace.
func killMarked(mark, dir string, grace time.Duration) {
	pids := marked(mark, dir)
	if len(pids) == 0 {
		return
	}
	for _, pid := range pids {
		_ = syscall.Kill(pid, syscall.SIGTERM) // it may have ended meanwhile
	}
	deadline := time.Now().Add(grace)
	for time.Now().Before(deadline) && len(marked(mark, dir)) > 0 {
		time.Sleep(100 * time.Millisecond)
	}
	for _, pid := range marked(mark, dir) {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	for range 50 {
		if len(marked(mark, dir)) == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// outlived describes the marked processes still running: none may outlive
// the test that started them.
func outlived(mark, dir string) []string {
	var out []string
	for _, pid := range marked(mark, dir) {
		cmdline, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline")) // empty if it just ended
		out = append(out, fmt.Sprintf("pid %d: %s", pid, strings.TrimSpace(strings.ReplaceAll(string(cmdline), "\x00", " "))))
	}
	return out
}

// checkNoneOutlive fails t when a process carrying mark still runs after
// the harness stopped everything it started.
func checkNoneOutlive(t testing.TB, mark, dir string) {
	t.Helper()
	if left := outlived(mark, dir); len(left) > 0 {
		t.Errorf("testhub: %d process(es) the harness started outlived the test:\n%s", len(left), strings.Join(left, "\n"))
		killMarked(mark, dir, time.Second)
	}
}

// exited reports whether the process has ended, with its error.
func (p *process) exited() (bool, error) {
	select {
	case <-p.done:
		return true, p.err
	default:
		return false, nil
	}
}

func (p *process) tail(n int) string {
	b, err := os.ReadFile(p.logPath)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// waitHTTPS polls url (dialled at addr, with SNI host) until it answers
// 200, the process exits, or ctx ends.
func (p *process) waitHTTPS(ctx context.Context, roots *x509.CertPool, addr, url string) error {
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}}
	defer client.CloseIdleConnections()
	var last error
	for {
		if done, err := p.exited(); done {
			return fmt.Errorf("%s exited before it was ready (%v); last log lines:\n%s", p.name, err, p.tail(30))
		}
		resp, err := client.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("%s returned %d", url, resp.StatusCode)
		}
		last = err
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not ready: %w; last error: %w; last log lines:\n%s", p.name, ctx.Err(), last, p.tail(30))
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// require skips (or, under $HUBFLEET_REQUIRE_TESTHUB=1, fails) t when a
// requirement is missing.
func require(t testing.TB, missing []string, install string) {
	t.Helper()
	if len(missing) == 0 {
		return
	}
	msg := fmt.Sprintf("testhub: missing %s; install with: %s", strings.Join(missing, ", "), install)
	if os.Getenv(EnvRequire) == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

func writeFiles(dir string, files map[string][]byte) error {
	var errs []error
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			errs = append(errs, fmt.Errorf("write %s: %w", name, err))
		}
	}
	return errors.Join(errs...)
}

// logOnFailure prints the tail of each log when t failed.
func logOnFailure(t testing.TB, ps ...*process) {
	t.Helper()
	if !t.Failed() {
		return
	}
	var b bytes.Buffer
	for _, p := range ps {
		fmt.Fprintf(&b, "--- last lines of %s (%s):\n%s\n", p.name, p.logPath, p.tail(25))
	}
	t.Log(b.String())
}

// RequireServerModules skips (or, under $HUBFLEET_REQUIRE_TESTHUB=1, fails)
// t unless Debian's python3 has what a single-user server and the spawn
// probe's kernel need: jupyter_server, ipykernel and distributed.
func RequireServerModules(t testing.TB) {
	t.Helper()
	var missing []string
	for _, mod := range []string{"jupyter_server", "ipykernel", "distributed"} {
		if err := exec.Command("/usr/bin/python3", "-c", "import "+mod).Run(); err != nil {
			missing = append(missing, "python3 module "+mod)
		}
	}
	require(t, missing, "internal/testhub/install.sh")
}
