package chart

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"

	"golang.org/x/net/http/httpproxy"

	"github.com/hubfleet/hubfleet/internal/buildinfo"
)

// maxDownload bounds an index or archive download; Helm refuses charts
// that decompress to more than 100 MiB, and the largest public indexes
// are tens of MiB.
const maxDownload = 256 << 20

// fetcher downloads repository files over HTTP(S) the way Helm's HTTP
// getter does: proxies from HTTPS_PROXY/HTTP_PROXY/NO_PROXY, an optional
// CA bundle, and basic auth from the repository URL's user info, sent only
// to the repository's own scheme, host and port.
type fetcher struct {
	client *http.Client
}

func newFetcher(opts ResolverOptions) (*fetcher, error) {
	roots, err := x509.SystemCertPool()
	if err != nil || roots == nil {
		roots = x509.NewCertPool()
	}
	if opts.CAFile != "" {
		pem, err := os.ReadFile(opts.CAFile)
		if err != nil {
			return nil, fmt.Errorf("read CA bundle: %w", err)
		}
		if !roots.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("CA bundle %s holds no PEM certificate", opts.CAFile)
		}
	}
	proxy := httpproxy.FromEnvironment().ProxyFunc()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = func(r *http.Request) (*url.URL, error) { return proxy(r.URL) }
	tr.TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	return &fetcher{client: &http.Client{Transport: tr, Timeout: opts.Timeout}}, nil
}

// get downloads rawURL. repoURL is the repository it belongs to: its
// credentials go with the request only when rawURL is on the same origin.
func (f *fetcher) get(ctx context.Context, rawURL, repoURL string) ([]byte, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("invalid URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%s: only http and https repositories are supported", redact(rawURL))
	}
	var user *url.Userinfo
	if repo, err := url.Parse(repoURL); err == nil && repo.User != nil && repo.Scheme == u.Scheme && repo.Host == u.Host {
		user = repo.User
	}
	if u.User != nil {
		user = u.User
	}
	u.User = nil
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "hubfleet/"+buildinfo.Read().Version)
	if user != nil {
		pass, _ := user.Password()
		req.SetBasicAuth(user.Username(), pass)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return nil, fmt.Errorf("GET %s: %w", u.Redacted(), err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		hint := ""
		if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
			hint = " (a private repository needs its credentials in the repository URL, https://user:password@host/...)"
		}
		return nil, fmt.Errorf("GET %s: %s%s", u.Redacted(), resp.Status, hint)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxDownload+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u.Redacted(), err)
	}
	if len(data) > maxDownload {
		return nil, fmt.Errorf("GET %s: larger than %d MiB", u.Redacted(), maxDownload>>20)
	}
	return data, nil
}

// redact hides a password in a URL for messages.
func redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(unparsable URL)"
	}
	if u.User == nil {
		return rawURL
	}
	return u.Redacted()
}
