package testcluster_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/hubfleet/hubfleet/internal/testcluster"
)

// recordingTB is a testing.TB whose Fatal and Skip record the message and
// end the calling goroutine (runtime.Goexit, as FailNow does), so a test can
// check how Start fails. Start must run in a goroutine of its own.
type recordingTB struct {
	testing.TB // the real test: TempDir, Cleanup, Context, Name, Logf
	mu         sync.Mutex
	fatal      string
	skip       string
}

func (r *recordingTB) Helper() {}

func (r *recordingTB) Fatal(args ...any) { r.Fatalf("%s", fmt.Sprint(args...)) }

func (r *recordingTB) Fatalf(format string, args ...any) {
	r.mu.Lock()
	r.fatal = fmt.Sprintf(format, args...)
	r.mu.Unlock()
	runtime.Goexit()
}

func (r *recordingTB) Skip(args ...any) {
	r.mu.Lock()
	r.skip = fmt.Sprint(args...)
	r.mu.Unlock()
	runtime.Goexit()
}

func (r *recordingTB) Failed() bool { return false }

// fakeCache is a cache dir whose kube-apiserver is a script that fails at
// once, with CRDs present (the generated ones and helm-controller's), so
// Start gets as far as the API server.
func fakeCache(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	crds := filepath.Join(dir, "crds", "flux-source-"+testcluster.FluxSourceAPIVersion+"-kustomize-"+testcluster.FluxKustomizeAPIVersion)
	helmCRDs := filepath.Join(dir, "src", "helm-controller-"+testcluster.FluxHelmVersion, "config", "crd", "bases")
	for _, d := range []string{bin, crds, helmCRDs} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	script := "#!/bin/sh\necho 'fake kube-apiserver: cannot start' >&2\nexit 3\n"
	if err := os.WriteFile(filepath.Join(bin, "kube-apiserver-"+testcluster.KubernetesVersion), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(crds, ".complete"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(helmCRDs, "helm.toolkit.fluxcd.io_helmreleases.yaml"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestStartFailureNamesComponent(t *testing.T) {
	t.Parallel()
	real := testcluster.DefaultOptions()
	if _, err := os.Stat(real.EtcdPath); err != nil {
		t.Skipf("etcd not installed (%v): install Debian's etcd-server (tools/ci-install.sh)", err)
	}
	tests := []struct {
		name     string
		opts     func(t *testing.T) testcluster.Options
		wantText []string
	}{
		{
			name: "etcd exits",
			opts: func(t *testing.T) testcluster.Options {
				o := testcluster.DefaultOptions()
				o.CacheDir = fakeCache(t)
				o.EtcdPath = "/bin/false"
				return o
			},
			wantText: []string{"etcd: process exited", "exit status 1"},
		},
		{
			name: "kube-apiserver exits",
			opts: func(t *testing.T) testcluster.Options {
				o := testcluster.DefaultOptions()
				o.CacheDir = fakeCache(t)
				return o
			},
			wantText: []string{"kube-apiserver: process exited", "exit status 3", "fake kube-apiserver: cannot start"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := &recordingTB{TB: t}
			opts := tt.opts(t)
			done := make(chan struct{})
			go func() {
				defer close(done)
				testcluster.Start(rec, opts)
			}()
			<-done
			rec.mu.Lock()
			defer rec.mu.Unlock()
			if rec.skip != "" {
				t.Fatalf("Start skipped: %s", rec.skip)
			}
			for _, want := range tt.wantText {
				if !strings.Contains(rec.fatal, want) {
					t.Errorf("Start failure = %q, want it to contain %q", rec.fatal, want)
				}
			}
		})
	}
}
