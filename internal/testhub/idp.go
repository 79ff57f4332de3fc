package testhub

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	_ "embed" // the provider script
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

//go:embed idp.mjs
var idpScript []byte

// OIDCProviderVersion is the npm oidc-provider the harness expects.
const OIDCProviderVersion = "9.13.3"

// EnvOIDCProviderDir overrides where oidc-provider is installed.
const EnvOIDCProviderDir = "HUBFLEET_OIDC_PROVIDER_DIR"

// IdPOptions configure an OpenID provider.
type IdPOptions struct {
	// Issuer is the provider's issuer URL (https, no path).
	Issuer string
	Cert   Leaf
	CA     *CA
	// ClientID is the one registered client; RedirectURIs its callbacks.
	ClientID     string
	RedirectURIs []string
	// Dir holds node_modules/oidc-provider ($HUBFLEET_OIDC_PROVIDER_DIR, or
	// $HUBFLEET_CACHE (default $HOME/.cache/hubfleet)/oidc-provider-<version>).
	Dir          string
	Node         string
	StartTimeout time.Duration
}

// DefaultIdPOptions returns options for the cached oidc-provider install.
func DefaultIdPOptions() IdPOptions {
	dir := os.Getenv(EnvOIDCProviderDir)
	if dir == "" {
		cache := os.Getenv("HUBFLEET_CACHE")
		if cache == "" {
			home, err := os.UserHomeDir()
			if err != nil {
				home = os.TempDir()
			}
			cache = filepath.Join(home, ".cache", "hubfleet")
		}
		dir = filepath.Join(cache, "oidc-provider-"+OIDCProviderVersion)
	}
	return IdPOptions{Dir: dir, Node: "node", StartTimeout: 60 * time.Second}
}

// IdP is a running oidc-provider.
type IdP struct {
	opts IdPOptions
	addr string
	proc *process
}

// StartIdP starts the provider and waits for its discovery document.
func StartIdP(t testing.TB, opts IdPOptions) *IdP {
	t.Helper()
	var missing []string
	if p, err := exec.LookPath(opts.Node); err != nil {
		missing = append(missing, "node")
	} else {
		opts.Node = p
	}
	if _, err := os.Stat(filepath.Join(opts.Dir, "node_modules", "oidc-provider", "package.json")); err != nil {
		missing = append(missing, filepath.Join(opts.Dir, "node_modules", "oidc-provider"))
	}
	require(t, missing, fmt.Sprintf("npm install --prefix %s oidc-provider@%s", opts.Dir, OIDCProviderVersion))
	p, err := startIdP(t, opts)
	if err != nil {
		t.Fatalf("testhub: %v", err)
	}
	return p
}

func startIdP(t testing.TB, opts IdPOptions) (*IdP, error) {
	u, err := url.Parse(opts.Issuer)
	if err != nil || u.Scheme != "https" || (u.Path != "" && u.Path != "/") {
		return nil, fmt.Errorf("issuer %q: want https://<host> without a path", opts.Issuer)
	}
	dir := t.TempDir()
	// The script imports oidc-provider relative to itself (ES modules
	// ignore NODE_PATH): give it the install's node_modules.
	if err := os.Symlink(filepath.Join(opts.Dir, "node_modules"), filepath.Join(dir, "node_modules")); err != nil {
		return nil, fmt.Errorf("link node_modules: %w", err)
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("generate signing key: %w", err)
	}
	jwks, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: key, KeyID: "testhub-rs256", Algorithm: "RS256", Use: "sig"}}})
	if err != nil {
		return nil, fmt.Errorf("encode signing key: %w", err)
	}
	redirects, err := json.Marshal(opts.RedirectURIs)
	if err != nil {
		return nil, fmt.Errorf("encode redirect URIs: %w", err)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	secret := rand.Text()
	cookieKey := rand.Text()
	if err := writeFiles(dir, map[string][]byte{"idp.mjs": idpScript, "idp.crt": opts.Cert.CertPEM, "idp.key": opts.Cert.KeyPEM}); err != nil {
		return nil, err
	}
	// Secrets reach the provider through its environment, never argv.
	env := append(os.Environ(),
		"IDP_ISSUER="+opts.Issuer, "IDP_CLIENT_ID="+opts.ClientID, "IDP_CLIENT_SECRET="+secret,
		"IDP_REDIRECT_URIS="+string(redirects), "IDP_JWKS="+string(jwks), "IDP_COOKIE_KEY="+cookieKey,
		"IDP_CERT="+filepath.Join(dir, "idp.crt"), "IDP_KEY="+filepath.Join(dir, "idp.key"),
		"IDP_PORT="+strconv.Itoa(port), "NODE_ENV=test")
	proc, err := startProcess("oidc-provider", dir, env, opts.Node, filepath.Join(dir, "idp.mjs"))
	if err != nil {
		return nil, err
	}
	p := &IdP{opts: opts, addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), proc: proc}
	t.Cleanup(func() {
		logOnFailure(t, proc)
		proc.stop(5 * time.Second)
		checkNoneOutlive(t, proc.mark, proc.dir)
	})
	ctx, cancel := context.WithTimeout(context.Background(), opts.StartTimeout)
	defer cancel()
	if err := proc.waitHTTPS(ctx, opts.CA.Pool(), p.addr, p.opts.Issuer+"/.well-known/openid-configuration"); err != nil {
		return nil, err
	}
	return p, nil
}

// Addr is the provider's TLS address on loopback; dial it for the issuer's host.
func (p *IdP) Addr() string { return p.addr }

// Stop stops the provider.
func (p *IdP) Stop() { p.proc.stop(5 * time.Second) }
