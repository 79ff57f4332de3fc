package chart_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hubfleet/hubfleet/internal/chart"
	"github.com/hubfleet/hubfleet/internal/chart/chartrepotest"
)

// fakeHost has no DNS entry: a request reaches it only through the proxy.
const fakeHost = "charts.hubfleet.test"

// countingProxy is a forward proxy on loopback that sends every request,
// plain or CONNECT, to target, and counts them.
type countingProxy struct {
	mu       sync.Mutex
	plain    []string
	connects []string
}

func startProxy(t *testing.T, target string) (*httptest.Server, *countingProxy) {
	t.Helper()
	p := &countingProxy{}
	tu, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(tu)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		if r.Method == http.MethodConnect {
			p.connects = append(p.connects, r.Host)
		} else {
			p.plain = append(p.plain, r.URL.String())
		}
		p.mu.Unlock()
		if r.Method != http.MethodConnect {
			rp.ServeHTTP(w, r)
			return
		}
		upstream, err := net.Dial("tcp", tu.Host)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusOK)
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			upstream.Close()
			return
		}
		go func() {
			io.Copy(upstream, buf)
			upstream.Close()
		}()
		io.Copy(conn, upstream)
		conn.Close()
	}))
	t.Cleanup(srv.Close)
	return srv, p
}

func TestResolveThroughHTTPProxy(t *testing.T) {
	srv := chartrepotest.Start(t, jupyterhub("4.0.0", ""))
	// The index names archives on the fake host too, so every request
	// must go through the proxy.
	if err := chartrepotest.WriteIndex(srv.Dir, "http://"+fakeHost); err != nil {
		t.Fatal(err)
	}
	proxy, seen := startProxy(t, srv.URL)
	t.Setenv("HTTP_PROXY", proxy.URL)
	t.Setenv("NO_PROXY", "")
	r := newResolver(t, t.TempDir(), nil)
	c, err := r.Resolve(context.Background(), chart.Ref{RepoURL: "http://" + fakeHost, Name: "jupyterhub", Version: "4.0.0"})
	if err != nil {
		t.Fatal(err)
	}
	if !c.Verified {
		t.Error("digest not verified")
	}
	want := []string{"http://" + fakeHost + "/index.yaml", "http://" + fakeHost + "/jupyterhub-4.0.0.tgz"}
	if strings.Join(seen.plain, " ") != strings.Join(want, " ") {
		t.Errorf("proxy saw %q, want %q", seen.plain, want)
	}

	t.Setenv("NO_PROXY", fakeHost)
	r = newResolver(t, t.TempDir(), nil)
	if _, err := r.Resolve(context.Background(), chart.Ref{RepoURL: "http://" + fakeHost, Name: "jupyterhub", Version: "4.0.0"}); err == nil {
		t.Error("NO_PROXY was ignored: the fake host resolved without the proxy")
	}
}

func TestResolveThroughHTTPSProxyWithCABundle(t *testing.T) {
	plain := chartrepotest.Start(t, jupyterhub("4.0.0", ""))
	if err := chartrepotest.WriteIndex(plain.Dir, "https://"+fakeHost); err != nil {
		t.Fatal(err)
	}
	certPEM, cert := selfSigned(t, fakeHost)
	pu, _ := url.Parse(plain.URL)
	backend := httptest.NewUnstartedServer(httputil.NewSingleHostReverseProxy(pu))
	backend.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	backend.StartTLS()
	t.Cleanup(backend.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, certPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	proxy, seen := startProxy(t, backend.URL)
	t.Setenv("HTTPS_PROXY", proxy.URL)
	t.Setenv("NO_PROXY", "")
	ref := chart.Ref{RepoURL: "https://" + fakeHost, Name: "jupyterhub", Version: "4.0.0"}

	r := newResolver(t, t.TempDir(), func(o *chart.ResolverOptions) { o.CAFile = ca })
	c, err := r.Resolve(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Verified || len(seen.connects) == 0 || seen.connects[0] != fakeHost+":443" {
		t.Errorf("verified=%v, proxy CONNECTs %q", c.Verified, seen.connects)
	}

	// Without the bundle the certificate is not trusted.
	r = newResolver(t, t.TempDir(), nil)
	var ue *chart.UnavailableError
	if _, err := r.Resolve(context.Background(), ref); !errors.As(err, &ue) || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("without the CA bundle: %v", err)
	}
}

func TestResolvePrivateRepository(t *testing.T) {
	t.Parallel()
	const user, password = "fleet-bot", "pa55-w0rd-not-printed"
	srv := chartrepotest.StartPrivate(t, user, password, jupyterhub("4.0.0", ""))
	withCreds := func(u, p string) string {
		pu, _ := url.Parse(srv.URL)
		pu.User = url.UserPassword(u, p)
		return pu.String()
	}
	r := newResolver(t, t.TempDir(), func(o *chart.ResolverOptions) { o.CAFile = srv.CAFile })
	c, err := r.Resolve(context.Background(), chart.Ref{RepoURL: withCreds(user, password), Name: "jupyterhub", Version: "4.0.0"})
	if err != nil {
		t.Fatal(err)
	}
	if !c.Verified {
		t.Error("digest not verified")
	}

	for name, repoURL := range map[string]string{"wrong password": withCreds(user, "nope-wrong"), "no credentials": srv.URL} {
		t.Run(name, func(t *testing.T) {
			r := newResolver(t, t.TempDir(), func(o *chart.ResolverOptions) { o.CAFile = srv.CAFile })
			_, err := r.Resolve(context.Background(), chart.Ref{RepoURL: repoURL, Name: "jupyterhub", Version: "4.0.0"})
			var ue *chart.UnavailableError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), "401") || !strings.Contains(err.Error(), "credentials") {
				t.Fatalf("err = %v, want an UnavailableError naming the 401 and the fix", err)
			}
			if strings.Contains(err.Error(), "nope-wrong") || strings.Contains(err.Error(), password) {
				t.Errorf("the error prints the password: %v", err)
			}
		})
	}
}

// TestCredentialsStayWithTheRepository: an index pointing archives at
// another host does not get the repository's password sent there.
func TestCredentialsStayWithTheRepository(t *testing.T) {
	t.Parallel()
	const user, password = "fleet-bot", "secret-pw"
	private := chartrepotest.StartPrivate(t, user, password, jupyterhub("4.0.0", ""))
	var mu sync.Mutex
	var auth []string
	files := http.FileServer(http.Dir(private.Dir))
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auth = append(auth, r.Header.Get("Authorization"))
		mu.Unlock()
		files.ServeHTTP(w, r)
	}))
	t.Cleanup(other.Close)
	if err := chartrepotest.WriteIndex(private.Dir, other.URL); err != nil {
		t.Fatal(err)
	}
	pu, _ := url.Parse(private.URL)
	pu.User = url.UserPassword(user, password)
	r := newResolver(t, t.TempDir(), func(o *chart.ResolverOptions) { o.CAFile = private.CAFile })
	if _, err := r.Resolve(context.Background(), chart.Ref{RepoURL: pu.String(), Name: "jupyterhub", Version: "4.0.0"}); err != nil {
		t.Fatal(err)
	}
	if len(auth) != 1 || auth[0] != "" {
		t.Errorf("the archive host got Authorization headers %q, want one request without", auth)
	}
}

func selfSigned(t *testing.T, host string) ([]byte, tls.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: host},
		DNSNames:              []string{host},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := tls.X509KeyPair(certPEM, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}))
	if err != nil {
		t.Fatal(err)
	}
	return certPEM, cert
}
