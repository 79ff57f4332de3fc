package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hubfleet/hubfleet/internal/verify"
)

// TestVerifyKubeconfigAndContext: --kubeconfig names the file and
// --context the context in it that every site is checked with. The
// kubeconfig's contexts point at loopback servers that answer like an API
// server without the objects (404) and count the requests they get.
func TestVerifyKubeconfigAndContext(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	calls := map[string]int{} // server -> requests
	api := func(name string) *httptest.Server {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			calls[name]++
			mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}`))
		}))
		t.Cleanup(srv.Close)
		return srv
	}
	admin, other := api("admin"), api("other")
	kubeconfig := filepath.Join(t.TempDir(), "fleet.kubeconfig")
	kc := `apiVersion: v1
kind: Config
current-context: other
clusters:
- name: admin
  cluster: {server: "` + admin.URL + `"}
- name: other
  cluster: {server: "` + other.URL + `"}
users:
- name: admin
  user: {token: admin-token}
- name: other
  user: {token: other-token}
contexts:
- name: hubs-admin
  context: {cluster: admin, user: admin}
- name: other
  context: {cluster: other, user: other}
`
	if err := os.WriteFile(kubeconfig, []byte(kc), 0o600); err != nil {
		t.Fatal(err)
	}
	root := fleetCopy(t)
	const host = "pangeo-dev.vm.fedcloud.eu"
	base := []string{"verify", "--root", root, "--site", "egi-dev", "--kubeconfig", kubeconfig, "--timeout", "10s", "--dns-probe", "",
		"--resolve", host + "=127.0.0.1", "--connect-to", host + "=127.0.0.1:1", "-o", "json"}
	kubeResults := func(stdout string) map[string]verify.Result {
		t.Helper()
		var rep struct {
			Results []verify.Result `json:"results"`
		}
		if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
			t.Fatalf("not the JSON report: %v\n%s", err, stdout)
		}
		out := map[string]verify.Result{}
		for _, r := range rep.Results {
			switch verify.CheckKind(r.Check) {
			case verify.CheckHelmRelease, verify.CheckProxyPublic, verify.CheckDeployment, verify.CheckCertificate, "kubernetes":
				out[r.Check] = r
			}
		}
		return out
	}

	// --context: the Kubernetes checks ask the admin context's server, not
	// the kubeconfig's current context.
	r := hubfleet(t, "", append(base, "--context", "hubs-admin")...)
	got := kubeResults(r.stdout)
	if hr, ok := got["helmrelease/daskhub"]; !ok || hr.Status != verify.Fail {
		t.Errorf("--context hubs-admin: helmrelease/daskhub = %+v, want a failure (the server has no HelmRelease)\nall: %+v", hr, got)
	}
	if u, ok := got["kubernetes"]; ok {
		t.Errorf("--context hubs-admin: the Kubernetes checks did not run: %+v", u)
	}
	mu.Lock()
	if calls["admin"] == 0 || len(calls) != 1 {
		t.Errorf("--context hubs-admin: API calls per server %v, want only to admin's", calls)
	}
	clear(calls)
	mu.Unlock()

	// Without --context a site is checked with its own context (its name
	// here), which this kubeconfig lacks: unknown, with the reason, and no
	// call to any server.
	r = hubfleet(t, "", base...)
	got = kubeResults(r.stdout)
	if u := got["kubernetes"]; u.Status != verify.Unknown || !strings.Contains(u.Detail, `"egi-dev"`) {
		t.Errorf("without --context: kubernetes = %+v, want unknown naming the missing context egi-dev\n%s", u, r.stdout)
	}
	mu.Lock()
	if len(calls) != 0 {
		t.Errorf("without --context: API calls %v, want none", calls)
	}
	mu.Unlock()
}
