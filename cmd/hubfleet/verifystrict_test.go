package main

import (
	"crypto/tls"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubfleet/hubfleet/internal/testhub"
)

// TestVerifyStrict: a site whose checks pass except those that could not
// run (no cluster credentials) passes verify, exit 0, and fails it with
// --strict, exit 1. Its hub is a loopback HTTPS server with a certificate
// from a test CA for the site's host.
func TestVerifyStrict(t *testing.T) {
	t.Parallel()
	const host = "strict.example.org"
	root := filepath.Join(t.TempDir(), "fleet")
	for _, args := range [][]string{
		{"init", root, "--action-ref", testActionSHA},
		{"site", "new", "strict", "--root", root, "--provider", "native", "--host", host, "--tls", "autohttps", "--contact-email", "ops@example.org"},
		{"secret", "keygen", "--root", root, "--site", "strict", "--out", filepath.Join(t.TempDir(), "k.agekey")},
		{"render", "--root", root},
	} {
		if r := hubfleet(t, "", args...); r.code != exitOK {
			t.Fatalf("%v: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
		}
	}
	ca, err := testhub.NewCA("hubfleet verify --strict test CA")
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Issue(host)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := tls.X509KeyPair(leaf.CertPEM, leaf.KeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	hub := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/hub/health":
			w.WriteHeader(http.StatusOK)
		case "/hub/api/", "/hub/api":
			_, _ = w.Write([]byte(`{"version": "4.0.2"}`))
		case "/services/dask-gateway/api/health":
			_, _ = w.Write([]byte(`{"status": "pass"}`))
		default:
			http.NotFound(w, r)
		}
	}))
	hub.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	hub.Config.ErrorLog = log.New(io.Discard, "", 0)
	hub.StartTLS()
	t.Cleanup(hub.Close)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, ca.CertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"verify", "--root", root, "--no-kube", "--timeout", "30s", "--dns-probe", "", "--cacert", caFile, // the timeout is a hang guard
		"--resolve", host + "=127.0.0.1", "--connect-to", host + "=" + hub.Listener.Addr().String()}
	r := hubfleet(t, "", args...)
	if r.code != exitOK || !strings.Contains(r.stdout, "1 unknown") || strings.Contains(r.stdout, "FAIL") {
		t.Fatalf("verify with only unknowns besides passes: exit %d, want 0\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = hubfleet(t, "", append(args, "--strict")...)
	if r.code != exitProblems || !strings.Contains(r.stderr, "1 unknown") {
		t.Errorf("verify --strict with an unknown: exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
	}
}
