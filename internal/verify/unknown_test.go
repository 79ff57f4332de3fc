package verify

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// TestWithoutDNSResultsAreUnknown: on a machine whose resolver answers "no
// such host" for every name (offline sandboxes do), the DNS check and the
// connections that need DNS are unknown, not failed; where the probe name
// resolves, a missing record is still a failure.
func TestWithoutDNSResultsAreUnknown(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		probeUp   bool
		wantDNS   Status
		wantHub   Status
		detail    string
		wantExit  int
		wantCount string
	}{
		{name: "no resolver", wantDNS: Unknown, wantHub: Unknown, detail: "not checked: no DNS resolver reachable (example.org does not resolve either)", wantExit: 0},
		{name: "a resolver, no record", probeUp: true, wantDNS: Fail, wantHub: Fail, detail: "has no DNS record", wantExit: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			site := egiSite("offline")
			site.Auth = Auth{Provider: ProviderNative}
			site.DaskGateway = false
			if tc.probeUp {
				w.setDNS("example.org", "192.0.2.1")
			}
			opts := w.options()
			opts.ResolverProbe = "example.org"
			v := New(opts)
			defer v.Close()
			rs := v.Verify(context.Background(), []Target{site})
			dns, hub := find(t, rs, CheckDNS), find(t, rs, CheckHubHealth)
			if dns.Status != tc.wantDNS || !strings.Contains(dns.Detail, tc.detail) {
				t.Errorf("dns = %s %q, want %s %q", dns.Status, dns.Detail, tc.wantDNS, tc.detail)
			}
			if hub.Status != tc.wantHub {
				t.Errorf("hub-health = %s %q, want %s", hub.Status, hub.Detail, tc.wantHub)
			}
			if tls := find(t, rs, CheckTLS); tls.Status != tc.wantHub {
				t.Errorf("tls = %s %q, want %s", tls.Status, tls.Detail, tc.wantHub)
			}
			if got := ExitCode(rs); got != tc.wantExit {
				t.Errorf("exit code %d, want %d (%s)", got, tc.wantExit, Summary(rs))
			}
		})
	}
}

func TestSkippedKubernetesChecksAreResults(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	site := egiSite("nokube")
	site.KubeSkipped = `no kube context "nokube": context was not found`
	w.addSite(site, "203.0.113.10")
	v := New(w.options())
	defer v.Close()
	rs := v.Verify(context.Background(), []Target{site})
	k := find(t, rs, CheckKubernetes)
	if k.Status != Unknown || !strings.Contains(k.Detail, `not checked: no kube context "nokube"`) || k.Fix == "" {
		t.Errorf("kubernetes = %+v", k)
	}
	var b bytes.Buffer
	if err := WriteJSON(&b, rs); err != nil {
		t.Fatal(err)
	}
	var doc Report
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range doc.Results {
		found = found || (r.Check == CheckKubernetes && r.Status == Unknown)
	}
	if !found {
		t.Errorf("the JSON lacks the unknown kubernetes result:\n%s", b.String())
	}
	if doc.Counts.Sites.Total != 1 || doc.Counts.Checks.Total != len(rs) || doc.Counts.Checks.Unknown != 1 {
		t.Errorf("counts = %+v", doc.Counts)
	}
}

func TestSummaryCountsSitesAndChecksApart(t *testing.T) {
	t.Parallel()
	rs := []Result{
		{Site: "a", Status: Pass}, {Site: "a", Status: Pass},
		{Site: "b", Status: Pass}, {Site: "b", Status: Warn}, {Site: "b", Status: Fail},
		{Site: "c", Status: Pass}, {Site: "c", Status: Unknown},
	}
	if got, want := Summary(rs), "3 site(s): 1 pass, 1 fail, 1 unknown; 7 check(s): 4 pass, 1 warn, 1 fail, 1 unknown"; got != want {
		t.Errorf("Summary = %q, want %q", got, want)
	}
	if Worst([]Result{{Status: Pass}, {Status: Unknown}}) != Unknown || Worst([]Result{{Status: Unknown}, {Status: Warn}}) != Warn {
		t.Error("unknown must rank above pass and below warn")
	}
}

func TestBlockedChecksAreUnknown(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   Result
		want Status
	}{
		{Result{Status: Fail, Detail: "cannot fetch the JWKS: the discovery document is unusable (not checked: no DNS resolver reachable)"}, Unknown},
		{Result{Status: Warn, Detail: "not checked: the hub gave no authorization redirect to follow (not checked: no kube context)"}, Unknown},
		{Result{Status: Fail, Detail: "cannot fetch the JWKS: the discovery document is unusable (HTTP 500)"}, Fail},
		{Result{Status: Pass, Detail: "fine (not checked: x)"}, Pass},
	} {
		if got := unknownIfBlocked(tc.in).Status; got != tc.want {
			t.Errorf("%q: %s, want %s", tc.in.Detail, got, tc.want)
		}
	}
}
