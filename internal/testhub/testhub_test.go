package testhub_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hubfleet/hubfleet/internal/testhub"
)

func client(ca *testhub.CA, addrs map[string]string) *http.Client {
	return &http.Client{Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport: &http.Transport{
			TLSClientConfig: &tls.Config{RootCAs: ca.Pool(), MinVersion: tls.VersionTLS12},
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				host, _, _ := net.SplitHostPort(addr)
				var d net.Dialer
				return d.DialContext(ctx, network, addrs[host])
			},
		}}
}

// TestHubAndIdP starts the real JupyterHub and oidc-provider and reads
// what the verifier relies on from them.
func TestHubAndIdP(t *testing.T) {
	ca, err := testhub.NewCA("testhub test CA")
	if err != nil {
		t.Fatal(err)
	}
	hubCert, err := ca.Issue("hub.test.example.org")
	if err != nil {
		t.Fatal(err)
	}
	idpCert, err := ca.Issue("idp.test.example.org")
	if err != nil {
		t.Fatal(err)
	}
	callback := "https://hub.test.example.org/jhub/hub/oauth_callback"
	io := testhub.DefaultIdPOptions()
	io.Issuer, io.Cert, io.CA, io.ClientID, io.RedirectURIs = "https://idp.test.example.org", idpCert, ca, "hub", []string{callback}
	idp := testhub.StartIdP(t, io)
	ho := testhub.DefaultHubOptions()
	ho.Host, ho.BaseURL, ho.Cert, ho.CA = "hub.test.example.org", "/jhub/", hubCert, ca
	ho.AuthorizeURL, ho.ClientID, ho.CallbackURL = "https://idp.test.example.org/auth", "hub", callback
	hub := testhub.StartHub(t, ho)
	c := client(ca, map[string]string{"hub.test.example.org": hub.Addr(), "idp.test.example.org": idp.Addr()})

	get := func(url string) (*http.Response, map[string]any) {
		t.Helper()
		resp, err := c.Get(url)
		if err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
		defer resp.Body.Close()
		var body map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&body) // not every answer is JSON
		return resp, body
	}
	if resp, body := get(hub.URL("hub/api/")); resp.StatusCode != 200 || body["version"] != "3.0.0" {
		t.Errorf("hub/api/ = %d %v, want 200 version 3.0.0", resp.StatusCode, body)
	}
	resp, _ := get(hub.URL("hub/oauth_login"))
	loc, err := resp.Location()
	if err != nil {
		t.Fatalf("oauth_login: %d without Location: %v", resp.StatusCode, err)
	}
	q := loc.Query()
	got := []string{loc.Host + loc.Path, q.Get("client_id"), q.Get("redirect_uri"), q.Get("response_type")}
	if diff := cmp.Diff([]string{"idp.test.example.org/auth", "hub", callback, "code"}, got); diff != "" {
		t.Errorf("oauth_login redirect (-want +got):\n%s", diff)
	}
	_, disc := get("https://idp.test.example.org/.well-known/openid-configuration")
	if disc["issuer"] != "https://idp.test.example.org" || disc["authorization_endpoint"] != "https://idp.test.example.org/auth" {
		t.Errorf("discovery = %v", disc)
	}
	// The provider refuses a redirect_uri it does not know.
	resp, _ = get("https://idp.test.example.org/auth?client_id=hub&response_type=code&scope=openid&redirect_uri=https://evil.example.org/cb")
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("authorize with an unregistered redirect_uri = %d, want 400", resp.StatusCode)
	}

	if err := hub.KillHub(); err != nil {
		t.Fatal(err)
	}
	if resp, _ := get(hub.URL("hub/health")); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("hub/health with the hub killed = %d, want 503 from the proxy", resp.StatusCode)
	}
	// The killed hub orphaned its proxy (JupyterHub starts it in a session
	// of its own): Stop must end it all the same.
	if left := hub.Processes(); len(left) != 1 || !strings.Contains(left[0], "configurable-http-proxy") {
		t.Errorf("with the hub killed, its processes are %q, want the orphaned configurable-http-proxy", left)
	}
	hub.Stop()
	if left := hub.Processes(); len(left) > 0 {
		t.Errorf("after Stop, still running: %q", left)
	}
}
