package gitserver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cgi"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Options configures a Server.
type Options struct {
	// Root is the directory whose subdirectories are served: a repository
	// at Root/<name> (bare, or a work tree with .git) is at URL()+"/<name>".
	Root string
	// Git is the git binary; empty means git on PATH.
	Git string
	// Addr is the listen address; empty means a free port on 127.0.0.1.
	Addr string
	// ReceivePack allows pushes over HTTP (http.receivepack). Off by
	// default: tests commit in the served directory.
	ReceivePack bool
	// Stderr receives git http-backend's messages; nil discards them.
	Stderr io.Writer
}

// DefaultOptions serves root from a free loopback port, read-only.
func DefaultOptions(root string) Options {
	return Options{Root: root, Addr: "127.0.0.1:0"}
}

// Server is a running git smart HTTP server.
type Server struct {
	url  string
	root string
	srv  *http.Server
	ln   net.Listener
	done chan struct{}

	mu     sync.Mutex
	closed bool
}

// New starts a server. Close stops it.
func New(opts Options) (*Server, error) {
	if opts.Root == "" {
		return nil, errors.New("gitserver: no root directory")
	}
	root, err := filepath.Abs(opts.Root)
	if err != nil {
		return nil, fmt.Errorf("gitserver: %w", err)
	}
	if fi, err := os.Stat(root); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("gitserver: root %s is not a directory", root)
	}
	git := opts.Git
	if git == "" {
		git, err = exec.LookPath("git")
		if err != nil {
			return nil, fmt.Errorf("gitserver: %w", err)
		}
	}
	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("gitserver: listen: %w", err)
	}
	env := []string{
		"GIT_PROJECT_ROOT=" + root,
		"GIT_HTTP_EXPORT_ALL=1",
		// No user or system configuration leaks into the backend.
		"GIT_CONFIG_NOSYSTEM=1",
		"HOME=" + root,
	}
	if opts.ReceivePack {
		env = append(env, "GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=http.receivepack", "GIT_CONFIG_VALUE_0=true")
	}
	s := &Server{
		url:  "http://" + ln.Addr().String(),
		root: root,
		ln:   ln,
		done: make(chan struct{}),
	}
	stderr := opts.Stderr
	if stderr == nil {
		stderr = io.Discard
	}
	s.srv = &http.Server{
		Handler: &cgi.Handler{
			Path:   git,
			Root:   "/",
			Dir:    root,
			Env:    env,
			Args:   []string{"http-backend"},
			Stderr: stderr,
		},
		ReadHeaderTimeout: 10 * time.Second,
	}
	go func() {
		defer close(s.done)
		_ = s.srv.Serve(ln) // returns http.ErrServerClosed after Close
	}()
	return s, nil
}

// Start starts a server for a test, serving root, and closes it in cleanup.
// git http-backend's messages go to the test log.
func Start(t testing.TB, root string) *Server {
	t.Helper()
	opts := DefaultOptions(root)
	opts.Stderr = testLog{t}
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// testLog writes each message to the test log.
type testLog struct{ t testing.TB }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Logf("git http-backend: %s", bytes.TrimRight(p, "\n"))
	return len(p), nil
}

// URL is the server's base URL, e.g. http://127.0.0.1:34567.
func (s *Server) URL() string { return s.url }

// RepoURL is the clone URL of the repository at Root/name.
func (s *Server) RepoURL(name string) string {
	return s.url + "/" + strings.TrimPrefix(filepath.ToSlash(name), "/")
}

// Close stops the server: the listener closes, so clients get "connection
// refused". Close is safe to call more than once.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if err != nil {
		err = errors.Join(err, s.srv.Close())
	}
	<-s.done
	return err
}

// Check asks the server for the refs of the repository at Root/name, as a
// clone would: nil when it answers with a git advertisement. A test harness
// uses it as the git server's health probe.
func (s *Server) Check(ctx context.Context, name string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.RepoURL(name)+"/info/refs?service=git-upload-pack", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("git server: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("git server: GET info/refs for %s: %s", name, resp.Status)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/x-git-upload-pack-advertisement" {
		return fmt.Errorf("git server: GET info/refs for %s: content type %q, want a smart HTTP advertisement", name, ct)
	}
	return nil
}
