package verify

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// testCA is a certificate authority generated in the test.
type testCA struct {
	cert *x509.Certificate
	key  crypto.Signer
	pool *x509.CertPool
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("generate key: %v", err)
	}
	return k
}

func serial(t testing.TB) *big.Int {
	t.Helper()
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		t.Fatalf("serial: %v", err)
	}
	return n
}

func newTestCA(t testing.TB, name pkix.Name, now time.Time) *testCA {
	t.Helper()
	key := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber: serial(t), Subject: name,
		NotBefore: now.Add(-365 * 24 * time.Hour), NotAfter: now.Add(10 * 365 * 24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatalf("create CA: %v", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("parse CA: %v", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &testCA{cert: cert, key: key, pool: pool}
}

// leafSpec describes a served certificate.
type leafSpec struct {
	cn        string
	hosts     []string
	notBefore time.Time
	notAfter  time.Time
}

// issue signs a leaf; a nil CA makes it self-signed.
func (ca *testCA) issue(t testing.TB, s leafSpec) *tls.Certificate {
	t.Helper()
	key := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber: serial(t), Subject: pkix.Name{CommonName: s.cn}, DNSNames: s.hosts,
		NotBefore: s.notBefore, NotAfter: s.notAfter,
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	parent, signer := tmpl, crypto.Signer(key)
	if ca != nil {
		parent, signer = ca.cert, ca.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), signer)
	if err != nil {
		t.Fatalf("issue %v: %v", s.hosts, err)
	}
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// hubState is how one simulated hub behaves; tests mutate it to inject faults.
type hubState struct {
	healthCode  int
	version     string
	gatewayCode int
	gatewayBody string
	// login is the Location of /hub/oauth_login; empty answers 200.
	login string
	// hang makes these paths block until the client gives up.
	hang  map[string]bool
	delay time.Duration
	// base is the hub's base URL ("/" or "/prefix/").
	base string
	// healthFailures answers that many /hub/health requests with 503
	// before healthCode; healthHits counts the requests.
	healthFailures int
	healthHits     int
}

// idpState is how the simulated OpenID provider behaves.
type idpState struct {
	discovery map[string]any
	jwks      []byte
	// clients maps registered client ids to their redirect URIs.
	clients map[string][]string
}

// world is a set of HTTPS hosts served by one loopback TLS listener,
// chosen by SNI and Host, plus the DNS answers the verifier sees.
type world struct {
	t    testing.TB
	now  time.Time
	ca   *testCA
	addr string

	mu    sync.Mutex
	certs map[string]*tls.Certificate
	hubs  map[string]*hubState
	idps  map[string]*idpState // keyed by issuer URL
	dns   map[string][]string
	// accepted counts connections (TLS handshakes) served.
	accepted atomic.Int64
	// down hosts refuse connections; silent hosts accept and never answer.
	down, silent map[string]bool
	silentAddr   string
}

type countingListener struct {
	net.Listener
	n *atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.n.Add(1)
	}
	return c, err
}

func newWorld(t testing.TB) *world {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Second)
	w := &world{
		t: t, now: now, ca: newTestCA(t, pkix.Name{CommonName: "hubfleet test root", Organization: []string{"hubfleet tests"}}, now),
		certs: map[string]*tls.Certificate{}, hubs: map[string]*hubState{},
		idps: map[string]*idpState{}, dns: map[string][]string{},
		down: map[string]bool{}, silent: map[string]bool{},
	}
	// A listener that accepts and never says a word (a hung TLS terminator).
	hole, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	w.silentAddr = hole.Addr().String()
	var held []net.Conn
	go func() {
		for {
			c, err := hole.Accept()
			if err != nil {
				for _, c := range held {
					c.Close()
				}
				return
			}
			held = append(held, c)
		}
	}()
	t.Cleanup(func() { hole.Close() })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	w.addr = ln.Addr().String()
	ln = &countingListener{Listener: ln, n: &w.accepted}
	srv := &http.Server{
		Handler: w,
		TLSConfig: &tls.Config{GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
			w.mu.Lock()
			defer w.mu.Unlock()
			if c, ok := w.certs[hello.ServerName]; ok {
				return c, nil
			}
			return nil, fmt.Errorf("no certificate for %q", hello.ServerName)
		}},
		ReadHeaderTimeout: 10 * time.Second,
		// Handshakes the verifier aborts on purpose are not news.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	go srv.ServeTLS(ln, "", "") //nolint:errcheck // ends with Close
	t.Cleanup(func() { srv.Close() })
	return w
}

// goodCert is a 90-day certificate from the test CA, 10 days old.
func (w *world) goodCert(hosts ...string) *tls.Certificate {
	return w.ca.issue(w.t, leafSpec{cn: hosts[0], hosts: hosts,
		notBefore: w.now.Add(-10 * 24 * time.Hour), notAfter: w.now.Add(80 * 24 * time.Hour)})
}

func (w *world) setCert(host string, c *tls.Certificate) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.certs[host] = c
}

func (w *world) setDNS(host string, addrs ...string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.dns[host] = addrs
}

// hub runs fn on a hub's state under the lock.
func (w *world) hub(host string, fn func(*hubState)) {
	w.mu.Lock()
	defer w.mu.Unlock()
	fn(w.hubs[host])
}

func (w *world) idp(issuer string, fn func(*idpState)) {
	w.mu.Lock()
	defer w.mu.Unlock()
	fn(w.idps[issuer])
}

// addIdP serves a healthy OpenID provider for issuer with one EC key.
func (w *world) addIdP(issuer, authorizeEndpoint string) {
	u, err := url.Parse(issuer)
	if err != nil {
		w.t.Fatalf("issuer: %v", err)
	}
	base := strings.TrimSuffix(issuer, "/")
	if authorizeEndpoint == "" {
		authorizeEndpoint = base + "/protocol/openid-connect/auth"
	}
	jwk := jose.JSONWebKey{Key: newKey(w.t).Public(), KeyID: "k1", Algorithm: "ES256", Use: "sig"}
	jwks, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{jwk}})
	if err != nil {
		w.t.Fatalf("jwks: %v", err)
	}
	w.setCert(u.Host, w.goodCert(u.Host))
	w.mu.Lock()
	defer w.mu.Unlock()
	w.idps[issuer] = &idpState{
		discovery: map[string]any{
			"issuer":                                issuer,
			"authorization_endpoint":                authorizeEndpoint,
			"token_endpoint":                        base + "/protocol/openid-connect/token",
			"userinfo_endpoint":                     base + "/protocol/openid-connect/userinfo",
			"jwks_uri":                              base + "/protocol/openid-connect/certs",
			"response_types_supported":              []string{"code"},
			"subject_types_supported":               []string{"public"},
			"id_token_signing_alg_values_supported": []string{"ES256"},
		},
		jwks:    jwks,
		clients: map[string][]string{},
	}
}

// addSite serves a healthy hub for t (with its IdP when it uses OIDC) and
// points its DNS at addr.
func (w *world) addSite(t Target, addr string) {
	w.setCert(t.Host, w.goodCert(t.Host))
	w.setDNS(t.Host, addr)
	login := ""
	if t.usesOIDC() {
		if _, ok := w.idps[t.Auth.Issuer]; !ok {
			w.addIdP(t.Auth.Issuer, "")
		}
		w.mu.Lock()
		ae := w.idps[t.Auth.Issuer].discovery["authorization_endpoint"].(string)
		w.mu.Unlock()
		login = authorizeURL(ae, t.Auth.ClientID, t.CallbackURL())
		w.mu.Lock()
		c := w.idps[t.Auth.Issuer].clients
		c[t.Auth.ClientID] = append(c[t.Auth.ClientID], t.CallbackURL())
		w.mu.Unlock()
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.hubs[t.Host] = &hubState{
		healthCode: 200, version: t.JupyterHubVersion, gatewayCode: 200,
		gatewayBody: `{"status": "pass"}`, login: login, hang: map[string]bool{}, base: t.basePath(),
	}
}

func authorizeURL(endpoint, clientID, redirect string) string {
	q := url.Values{"client_id": {clientID}, "redirect_uri": {redirect},
		"response_type": {"code"}, "state": {"c2VjcmV0LXN0YXRl"}, "scope": {"openid email profile"}}
	return endpoint + "?" + q.Encode()
}

func (w *world) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	host := r.Host
	w.mu.Lock()
	hub := w.hubs[host]
	var hs hubState
	if hub != nil {
		if strings.HasSuffix(r.URL.Path, "/hub/health") {
			hub.healthHits++
			if hub.healthFailures > 0 {
				hub.healthFailures--
				w.mu.Unlock()
				rw.WriteHeader(http.StatusServiceUnavailable)
				return
			}
		}
		hs = *hub
	}
	var idp *idpState
	var issuer string
	for iss, st := range w.idps {
		u, _ := url.Parse(iss)
		if u.Host == host && strings.HasPrefix(r.URL.Path, strings.TrimSuffix(u.Path, "/")) {
			idp, issuer = st, iss
		}
	}
	var disc map[string]any
	var jwks []byte
	var registered []string
	var known bool
	if idp != nil {
		disc, jwks = idp.discovery, idp.jwks
		registered, known = idp.clients[r.URL.Query().Get("client_id")]
	}
	w.mu.Unlock()

	if hub != nil {
		if hs.delay > 0 {
			select {
			case <-time.After(hs.delay):
			case <-r.Context().Done():
				return
			}
		}
		p := "/" + strings.TrimPrefix(r.URL.Path, hs.base)
		if hs.hang[p] {
			<-r.Context().Done()
			return
		}
		switch p {
		case "/hub/health":
			rw.WriteHeader(hs.healthCode)
			return
		case "/hub/api/":
			rw.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(rw, `{"version": %q}`, hs.version)
			return
		case "/services/dask-gateway/api/health":
			rw.Header().Set("Content-Type", "application/json")
			rw.WriteHeader(hs.gatewayCode)
			fmt.Fprint(rw, hs.gatewayBody)
			return
		case "/hub/oauth_login":
			if hs.login == "" {
				fmt.Fprint(rw, "<html>login form</html>")
				return
			}
			http.Redirect(rw, r, hs.login, http.StatusFound)
			return
		}
	}
	if idp != nil {
		base := strings.TrimSuffix(issuer, "/")
		bu, _ := url.Parse(base)
		switch r.URL.Path {
		case bu.Path + "/.well-known/openid-configuration":
			rw.Header().Set("Content-Type", "application/json")
			json.NewEncoder(rw).Encode(disc) //nolint:errcheck // test server
			return
		case bu.Path + "/protocol/openid-connect/auth":
			// Keycloak's answers (EGI Check-in runs Keycloak).
			switch {
			case !known:
				rw.WriteHeader(http.StatusBadRequest)
				fmt.Fprint(rw, "<html><body>We are sorry... Client not found.</body></html>")
			case !slices.Contains(registered, r.URL.Query().Get("redirect_uri")):
				rw.WriteHeader(http.StatusBadRequest)
				fmt.Fprint(rw, "<html><body>We are sorry... Invalid parameter: redirect_uri</body></html>")
			default:
				fmt.Fprint(rw, "<html><body>Sign in to your account</body></html>")
			}
			return
		case bu.Path + "/protocol/openid-connect/certs":
			rw.Header().Set("Content-Type", "application/json")
			rw.Write(jwks) //nolint:errcheck // test server
			return
		}
	}
	http.NotFound(rw, r)
}

// dial sends every host the world serves to the loopback listener; other
// hosts do not exist.
func (w *world) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	w.mu.Lock()
	_, ok := w.certs[host]
	down, silent := w.down[host], w.silent[host]
	w.mu.Unlock()
	var d net.Dialer
	switch {
	case !ok:
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	case down:
		// Port 1 on loopback is closed: a real "connection refused".
		return d.DialContext(ctx, network, "127.0.0.1:1")
	case silent:
		return d.DialContext(ctx, network, w.silentAddr)
	}
	return d.DialContext(ctx, network, w.addr)
}

// LookupHost answers from the world's DNS table.
func (w *world) LookupHost(_ context.Context, host string) ([]string, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if a, ok := w.dns[host]; ok && len(a) > 0 {
		return append([]string(nil), a...), nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// fixedClock is a Clock whose After fires at once and advances time.
type fixedClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fixedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fixedClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch
}

func (w *world) options() Options {
	o := DefaultOptions()
	o.Clock = &fixedClock{now: w.now}
	o.Resolver = w
	o.Dial = w.dial
	o.RootCAs = w.ca.pool
	o.CheckTimeout = 5 * time.Second
	return o
}

// egiSite is a healthy EGI Check-in site without cluster access.
func egiSite(name string) Target {
	return Target{
		Site: name, Host: "hub." + name + ".example.org", TLS: TLSAutoHTTPS, Exposure: ExposureLoadBalancer,
		Namespace: "daskhub", JupyterHubVersion: "4.0.2", DaskGateway: true,
		Auth: Auth{Provider: ProviderEGICheckin, Issuer: "https://aai.egi.example.org/auth/realms/egi",
			ClientID: "hub-" + name},
		ExpectedAddresses: []string{"203.0.113.10"},
	}
}
