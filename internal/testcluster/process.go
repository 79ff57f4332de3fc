package testcluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ComponentError reports that a component of the test cluster (etcd,
// kube-apiserver, a controller, or a check added with AddCheck such as the
// git server) stopped or is not healthy. Its message always starts with the
// component's name.
type ComponentError struct {
	Component string
	Err       error
}

func (e *ComponentError) Error() string { return e.Component + ": " + e.Err.Error() }

func (e *ComponentError) Unwrap() error { return e.Err }

// errExited is wrapped by a ComponentError for a process that is no longer
// running.
var errExited = errors.New("process exited")

// process is one child process of the cluster, run in its own process group
// so that stopping it also stops anything it started.
type process struct {
	name    string
	logPath string
	cmd     *exec.Cmd
	done    chan struct{} // closed once the process has been reaped

	mu       sync.Mutex
	waitErr  error
	stopping bool // set when the harness itself stops the process
}

// startProcess starts bin with args and env (added to a minimal environment),
// writing its combined output to logDir/<name>.log.
func startProcess(name, bin string, args, env []string, logDir string) (*process, error) {
	logPath := filepath.Join(logDir, name+".log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("%s: open log: %w", name, err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(baseEnv(), env...)
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Setpgid: true,
		// If the test binary dies without running its cleanups, the
		// kernel kills the component instead of leaking it.
		Pdeathsig: syscall.SIGKILL,
	}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("%s: start %s: %w", name, bin, err)
	}
	p := &process{name: name, logPath: logPath, cmd: cmd, done: make(chan struct{})}
	go func() {
		err := cmd.Wait()
		logFile.Close()
		p.mu.Lock()
		p.waitErr = err
		p.mu.Unlock()
		close(p.done)
	}()
	return p, nil
}

// baseEnv is the environment a component sees: enough to find programs and a
// home, nothing of the test's own configuration (no KUBECONFIG leaks in).
func baseEnv() []string {
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "TZ=UTC"}
	return env
}

// exited returns a ComponentError if the process is no longer running.
func (p *process) exited() error {
	select {
	case <-p.done:
	default:
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	state := "exit status 0"
	if p.waitErr != nil {
		state = p.waitErr.Error()
	}
	return &ComponentError{Component: p.name, Err: fmt.Errorf("%w (%s)", errExited, state)}
}

// stop sends SIGTERM to the process group, waits up to grace, then SIGKILLs
// it and waits for it to be reaped. It is safe to call more than once.
func (p *process) stop(grace time.Duration, silent bool) {
	p.mu.Lock()
	if silent {
		p.stopping = true
	}
	p.mu.Unlock()
	pgid := p.cmd.Process.Pid
	select {
	case <-p.done:
		return
	default:
	}
	if grace > 0 {
		_ = syscall.Kill(-pgid, syscall.SIGTERM) // ESRCH: already gone
		select {
		case <-p.done:
			return
		case <-time.After(grace):
		}
	}
	_ = syscall.Kill(-pgid, syscall.SIGKILL) // ESRCH: already gone
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		// A process that survives SIGKILL for 10s is stuck in the
		// kernel; there is nothing more to do than to stop waiting.
	}
}

// tail returns the last n lines of the process log.
func (p *process) tail(n int) string {
	data, err := os.ReadFile(p.logPath)
	if err != nil {
		return fmt.Sprintf("(cannot read %s: %v)", p.logPath, err)
	}
	lines := bytes.Split(bytes.TrimRight(data, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}

// httpProbe returns a check that GETs url with client and expects 200.
func httpProbe(client *http.Client, url string) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			var body bytes.Buffer
			_, _ = body.ReadFrom(io.LimitReader(resp.Body, 4096)) // best effort: the status is the error
			return fmt.Errorf("GET %s: %s: %s", url, resp.Status, strings.TrimSpace(body.String()))
		}
		return nil
	}
}
