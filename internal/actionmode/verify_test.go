package actionmode_test

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hubfleet/hubfleet/internal/actionmode"
	"github.com/hubfleet/hubfleet/internal/gittest"
	"github.com/hubfleet/hubfleet/internal/report"
	"github.com/hubfleet/hubfleet/internal/report/reporttest"
	"github.com/hubfleet/hubfleet/internal/targets"
	"github.com/hubfleet/hubfleet/internal/verify"
)

// fixedVerifier stands in for the verifier wiring: it returns fixed
// results and records what it was asked.
type fixedVerifier struct {
	results    []verify.Result
	sites      *[]string
	kubeconfig *string
}

func (v fixedVerifier) Run(_ context.Context, req targets.Request) ([]verify.Result, error) {
	*v.sites = req.Sites
	*v.kubeconfig = string(req.Kubeconfig.Data)
	return v.results, nil
}

func TestVerifySetsOneStatusPerSite(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const kubeconfig = "apiVersion: v1\nkind: Config\nusers:\n- name: ci\n  user:\n    token: kube-secret-token\n"
	var gotSites []string
	var gotKube string
	v := fixedVerifier{sites: &gotSites, kubeconfig: &gotKube, results: []verify.Result{
		{Site: "egi-dev", Check: verify.CheckHubHealth, Status: verify.Pass, Detail: "GET /hub/health: 200"},
		{Site: "egi-dev", Check: verify.CheckTLS, Status: verify.Pass, Detail: "valid for 60 more days"},
		{Site: "egi-pangeo", Check: verify.CheckDNS, Status: verify.Fail, Detail: "pangeo-egi.example.org resolves to 192.0.2.1, not the load balancer 198.51.100.7",
			Fix: "point the A record of pangeo-egi.example.org at 198.51.100.7"},
		{Site: "heliocloud-aws", Check: verify.CheckTLS, Status: verify.Warn, Detail: "certificate expires in 9 days"},
	}}
	res := f.run("verify", "push", map[string]string{"HUBFLEET_KUBECONFIG": kubeconfig, "HUBFLEET_SITE": "egi-dev, egi-pangeo,heliocloud-aws"},
		func(o *actionmode.Options) { o.Verifier = v })
	var fe *actionmode.FailedError
	if !errors.As(res.err, &fe) || res.exit != 1 {
		t.Fatalf("verify err = %v (exit %d), want a failed check", res.err, res.exit)
	}
	if diff := cmp.Diff([]string{"egi-dev", "egi-pangeo", "heliocloud-aws"}, gotSites); diff != "" {
		t.Errorf("sites asked (-want +got):\n%s", diff)
	}
	if gotKube != kubeconfig {
		t.Errorf("kubeconfig not passed through")
	}
	// The runner masks the kubeconfig's secret values, not its every line
	// (GitHub would star "kind: Config" all over the log).
	if !strings.Contains(res.log, "::add-mask::kube-secret-token\n") {
		t.Errorf("the kubeconfig's token is not masked:\n%s", res.log)
	}
	for _, l := range []string{"apiVersion: v1", "kind: Config", "users:", "token: kube-secret-token"} {
		if strings.Contains(res.log, "::add-mask::"+l+"\n") {
			t.Errorf("the kubeconfig line %q is masked whole:\n%s", l, res.log)
		}
	}
	sha := gittest.Run(t, f.work, "rev-parse", "HEAD")
	type st struct{ Context, State, Description, TargetURL string }
	var got []st
	for _, s := range f.srv.Statuses(sha) {
		got = append(got, st{s.Context, s.State, s.Description, s.TargetURL})
	}
	run := "https://github.com/fleet/hubs/actions/runs/4242"
	want := []st{
		{"hubfleet/verify/egi-dev", "success", "2 checks pass", run},
		{"hubfleet/verify/egi-pangeo", "failure", "failing: dns", run},
		{"hubfleet/verify/heliocloud-aws", "success", "1 checks pass with warnings", run},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("commit statuses (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"sites": "egi-dev\negi-pangeo\nheliocloud-aws", "failed-sites": "egi-pangeo", "unknown-sites": "", "changed": "false"}, res.outputs); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}
	a := res.annotated(report.LevelError, "clusters/egi-pangeo/site.yaml", "hubfleet: egi-pangeo dns")
	if a == nil || a.Message != "pangeo-egi.example.org resolves to 192.0.2.1, not the load balancer 198.51.100.7 (fix: point the A record of pangeo-egi.example.org at 198.51.100.7)" {
		t.Errorf("dns annotation = %+v", a)
	}
	if res.annotated(report.LevelWarning, "clusters/heliocloud-aws/site.yaml", "hubfleet: heliocloud-aws tls") == nil {
		t.Errorf("no tls warning: %+v", res.annotations)
	}
	for _, want := range []string{"| `egi-pangeo` | ❌ fail | dns |", "| `egi-dev` | ✅ pass | — |"} {
		if !contains(res.summary, want) {
			t.Errorf("summary lacks %q:\n%s", want, res.summary)
		}
	}
	if !slices.Contains(reporttest.Masks(res.log), "kube-secret-token") {
		t.Errorf("the kubeconfig's token is not masked: %q", reporttest.Masks(res.log))
	}
	if n := strings.Count(res.log, "kube-secret-token"); n != 1 {
		t.Errorf("kubeconfig token appears %d times in the log, want once (in ::add-mask::)", n)
	}
}

// TestVerifyUnknownIsNotAPass: a site whose checks could not run is
// reported unknown with the reason, in the summary and its commit status
// ("pending", never "success", so no canary is promoted on it); the job does
// not fail on it. With the strict input it fails: status "failure", exit 1.
func TestVerifyUnknownIsNotAPass(t *testing.T) {
	t.Parallel()
	const noKube = "not checked: no cluster credentials"
	results := []verify.Result{
		{Site: "egi-dev", Check: verify.CheckHubHealth, Status: verify.Pass, Detail: "GET /hub/health: 200"},
		{Site: "egi-dev", Check: "kubernetes", Status: verify.Unknown, Detail: noKube},
		{Site: "egi-pangeo", Check: verify.CheckTLS, Status: verify.Warn, Detail: "certificate expires in 9 days"},
		{Site: "egi-pangeo", Check: verify.CheckDNS, Status: verify.Unknown, Detail: "no DNS resolver reachable"},
		{Site: "heliocloud-aws", Check: verify.CheckHubHealth, Status: verify.Pass, Detail: "GET /hub/health: 200"},
	}
	for _, strict := range []bool{false, true} {
		f := newFixture(t)
		var sites []string
		var kube string
		inputs := map[string]string{}
		if strict {
			inputs["HUBFLEET_STRICT"] = "true"
		}
		res := f.run("verify", "push", inputs, func(o *actionmode.Options) {
			o.Verifier = fixedVerifier{results: results, sites: &sites, kubeconfig: &kube}
		})
		wantExit, wantFailed := 0, ""
		if strict {
			wantExit, wantFailed = 1, "egi-dev\negi-pangeo"
		}
		if res.exit != wantExit {
			t.Errorf("strict=%v: exit %d (%v), want %d", strict, res.exit, res.err, wantExit)
		}
		want := map[string]string{"sites": "egi-dev\negi-pangeo\nheliocloud-aws", "failed-sites": wantFailed, "unknown-sites": "egi-dev\negi-pangeo", "changed": "false"}
		if diff := cmp.Diff(want, res.outputs); diff != "" {
			t.Errorf("strict=%v: outputs (-want +got):\n%s", strict, diff)
		}
		sha := gittest.Run(t, f.work, "rev-parse", "HEAD")
		var got []string
		for _, s := range f.srv.Statuses(sha) {
			got = append(got, s.Context+"="+s.State+": "+s.Description)
		}
		state := "pending"
		if strict {
			state = "failure"
		}
		wantStatuses := []string{
			"hubfleet/verify/egi-dev=" + state + ": not verified: kubernetes: " + noKube,
			"hubfleet/verify/egi-pangeo=" + state + ": not verified: dns: no DNS resolver reachable",
			"hubfleet/verify/heliocloud-aws=success: 1 checks pass",
		}
		if diff := cmp.Diff(wantStatuses, got); diff != "" {
			t.Errorf("strict=%v: statuses (-want +got):\n%s", strict, diff)
		}
		for _, row := range []string{"| `egi-dev` | ❔ unknown | not checked: kubernetes: " + noKube + " |", "| `heliocloud-aws` | ✅ pass | — |"} {
			if !contains(res.summary, row) {
				t.Errorf("strict=%v: summary lacks %q:\n%s", strict, row, res.summary)
			}
		}
		if contains(res.summary, "| `egi-dev` | ✅ pass") || contains(res.summary, "| `egi-pangeo` | ⚠️ warn") {
			t.Errorf("strict=%v: an unknown site is reported as passing:\n%s", strict, res.summary)
		}
	}
}

// nxdomain answers every lookup with "no such host": no test leaves
// loopback.
type nxdomain struct{}

func (nxdomain) LookupHost(_ context.Context, host string) ([]string, error) {
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

func TestVerifyWithTheFleetVerifier(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	opts := verify.DefaultOptions()
	opts.Resolver = nxdomain{}
	opts.Dial = func(_ context.Context, _, addr string) (net.Conn, error) {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused (test: no network)")}
	}
	opts.CheckTimeout = 5 * time.Second
	res := f.run("verify", "schedule", map[string]string{"HUBFLEET_SITE": "egi-dev,pangeo-azure"},
		func(o *actionmode.Options) { o.Verifier = targets.Verifier{Options: opts} })
	if res.exit != 1 {
		t.Fatalf("verify exit %d (%v), want 1:\n%s", res.exit, res.err, res.log)
	}
	sha := gittest.Run(t, f.work, "rev-parse", "HEAD")
	var contexts []string
	for _, s := range f.srv.Statuses(sha) {
		contexts = append(contexts, s.Context+"="+s.State)
	}
	if diff := cmp.Diff([]string{"hubfleet/verify/egi-dev=failure", "hubfleet/verify/pangeo-azure=failure"}, contexts); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	a := res.annotated(report.LevelError, "clusters/egi-dev/site.yaml", "hubfleet: egi-dev tls")
	if a == nil || !strings.Contains(a.Message, "cannot reach pangeo-dev.vm.fedcloud.eu:443") || a.Line != 17 {
		t.Errorf("tls annotation for egi-dev = %+v, want it at the host line 17\nall: %+v", a, res.annotations)
	}
	if a := res.annotated(report.LevelError, "clusters/pangeo-azure/site.yaml", "hubfleet: pangeo-azure oidc-discovery"); a == nil || a.Line == 0 {
		t.Errorf("oidc-discovery annotation = %+v, want it at the auth line", a)
	}
	if diff := cmp.Diff([]string{"site egi-dev", "site pangeo-azure"}, reporttest.Groups(res.log)); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
}

// spawnVerifier records the spawn request of the verify mode.
type spawnVerifier struct {
	results []verify.Result
	spawn   **targets.Spawn
}

func (v spawnVerifier) Run(_ context.Context, req targets.Request) ([]verify.Result, error) {
	*v.spawn = req.Spawn
	return v.results, nil
}

// The spawn input runs the probe and sets a spawn status per site, which
// the canary gate reads: the server's time and the Dask result, or the
// failing stage.
func TestVerifySpawnSetsSpawnStatuses(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var got *targets.Spawn
	stage := func(site, check string, st verify.Status, d time.Duration, detail string) verify.Result {
		return verify.Result{Site: site, Check: check, Status: st, Duration: d, Detail: detail, Fix: "a fix"}
	}
	v := spawnVerifier{spawn: &got, results: []verify.Result{
		stage("egi-dev", verify.CheckHubHealth, verify.Pass, time.Second, "GET /hub/health: 200"),
		stage("egi-dev", verify.CheckSpawnToken, verify.Pass, time.Second, "ok"),
		stage("egi-dev", verify.CheckSpawnServer, verify.Pass, 42*time.Second, "ready in 42.0s"),
		stage("egi-dev", verify.CheckSpawnDask, verify.Pass, 8*time.Second, "dask sum of 1..100 = 5050 on 1 worker(s) of a LocalCluster"),
		stage("egi-dev", verify.CheckSpawnStop, verify.Pass, 4*time.Second, "server stopped in 4.0s"),
		stage("egi-pangeo", verify.CheckHubHealth, verify.Pass, time.Second, "GET /hub/health: 200"),
		stage("egi-pangeo", verify.CheckSpawnServer, verify.Fail, 300*time.Second, "the server (image pangeo/pangeo-notebook:2026.01.15) was not ready within 5m0s"),
		stage("egi-pangeo", verify.CheckSpawnStop, verify.Pass, 4*time.Second, "server stopped in 4.0s"),
	}}
	res := f.run("verify", "push", map[string]string{"HUBFLEET_SITE": "egi-dev,egi-pangeo", "HUBFLEET_SPAWN": "dask-gateway"},
		func(o *actionmode.Options) { o.Verifier = v })
	if res.exit != 1 {
		t.Fatalf("verify err = %v (exit %d), want a failed check", res.err, res.exit)
	}
	if got == nil || !got.DaskGateway || got.Root == "" {
		t.Fatalf("spawn request = %+v, want the probe on a dask-gateway cluster", got)
	}
	sha := gittest.Run(t, f.work, "rev-parse", "HEAD")
	spawn := map[string][2]string{}
	for _, s := range f.srv.Statuses(sha) {
		if strings.HasPrefix(s.Context, "hubfleet/verify-spawn/") {
			spawn[s.Context] = [2]string{s.State, s.Description}
		}
	}
	want := map[string][2]string{
		"hubfleet/verify-spawn/egi-dev":    {"success", "server ready in 42.0s, dask sum of 1..100 = 5050 on 1 worker(s) of a LocalCluster; probe 55.0s"},
		"hubfleet/verify-spawn/egi-pangeo": {"failure", "fail spawn/server: the server (image pangeo/pangeo-notebook:2026.01.15) was not ready within 5m0s"},
	}
	if diff := cmp.Diff(want, spawn); diff != "" {
		t.Errorf("spawn statuses (-want +got):\n%s", diff)
	}

	bad := f.run("verify", "push", map[string]string{"HUBFLEET_SPAWN": "yes"}, func(o *actionmode.Options) { o.Verifier = v })
	if bad.err == nil || !strings.Contains(bad.err.Error(), `spawn "yes" is not false, true or dask-gateway`) {
		t.Errorf("spawn yes: %v", bad.err)
	}
}
