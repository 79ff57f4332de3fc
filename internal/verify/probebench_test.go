package verify_test

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hubfleet/hubfleet/internal/site"
	"github.com/hubfleet/hubfleet/internal/testhub"
	"github.com/hubfleet/hubfleet/internal/verify"
)

// BenchmarkSpawnProbe runs the spawn probe (verify --spawn) on Debian's
// JupyterHub with a local-process spawner: one site alone, a fleet of 20
// sites (one probe user each on the same hub), and the same fleet with one
// slow site (its server's command sleeps 20 s before it starts). It
// reports the wall time of each, the slowest of the 19 fast sites' probes
// beside the slow one, and the single site's stages. Everything runs on this machine, so 20 servers with a
// Dask LocalCluster each share its CPUs: the fleet's fast sites are slower
// than a site alone by that contention, not by waiting for the slow one.
//
//	go test ./internal/verify -run '^$' -bench BenchmarkSpawnProbe -benchtime 1x
func BenchmarkSpawnProbe(b *testing.B) {
	const host, slowUser, sites = "hub.bench.example.org", "probe-slow", 20
	if err := exec.Command("/usr/bin/python3", "-c", "import jupyter_server, ipykernel, distributed").Run(); err != nil {
		b.Skip("needs Debian's jupyter-server, ipykernel and dask distributed: internal/testhub/install.sh")
	}
	ca, err := testhub.NewCA("spawn bench CA")
	if err != nil {
		b.Fatal(err)
	}
	cert, err := ca.Issue(host)
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	wrapper := filepath.Join(dir, "singleuser.sh")
	script := fmt.Sprintf("#!/bin/sh\nif [ \"$JUPYTERHUB_USER\" = %s ]; then sleep 20; fi\nexec %s --ServerApp.allow_root=True \"$@\"\n", slowUser, testhub.DefaultSingleuser)
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		b.Fatal(err)
	}
	token, admin := benchToken(b), benchToken(b)
	var users []string
	var scopes []string
	for i := range sites - 1 {
		users = append(users, fmt.Sprintf("probe-%02d", i))
	}
	users = append(users, slowUser)
	// The same fleet with a fast site in the slow one's place.
	fastUsers := append(append([]string{}, users[:sites-1]...), fmt.Sprintf("probe-%02d", sites-1))
	for _, u := range append(users, fastUsers[sites-1]) {
		scopes = append(scopes, site.ProbeScopes(u)...)
	}
	ho := testhub.DefaultHubOptions()
	ho.Host, ho.Cert, ho.CA = host, cert, ca
	ho.Spawner = &testhub.SpawnerOptions{Cmd: []string{wrapper}, StartTimeout: 90 * time.Second, HTTPTimeout: 60 * time.Second}
	ho.Services = []testhub.Service{{Name: site.ProbeService, Token: token, Scopes: scopes}, {Name: "operator", Token: admin, Scopes: []string{"admin:users"}}}
	hub := testhub.StartHub(b, ho)

	dial := func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, hub.Addr())
	}
	client := &http.Client{Transport: &http.Transport{DialContext: dial, TLSClientConfig: &tls.Config{RootCAs: ca.Pool(), MinVersion: tls.VersionTLS12}}}
	for _, u := range append(users, fastUsers[sites-1]) {
		req, _ := http.NewRequest(http.MethodPost, hub.URL("hub/api/users/"+u), nil)
		req.Header.Set("Authorization", "token "+admin)
		resp, err := client.Do(req)
		if err != nil || resp.StatusCode != http.StatusCreated {
			b.Fatalf("create %s: %v %v", u, resp, err)
		}
		resp.Body.Close()
	}
	target := func(user string) verify.Target {
		return verify.Target{Site: "site-" + user, Host: host, TLS: verify.TLSSecret, Exposure: verify.ExposureIngress, Namespace: "bench",
			ExpectedAddresses: []string{"127.0.0.1"},
			Probe: &verify.Probe{User: user, Service: site.ProbeService, Token: token, Scopes: site.ProbeScopes(user),
				Imports: []string{"dask", "distributed"},
				Timeouts: verify.ProbeTimeouts{Spawn: 90 * time.Second, Kernel: 60 * time.Second, Code: 60 * time.Second,
					Dask: 180 * time.Second, Stop: 60 * time.Second}}}
	}
	opts := verify.DefaultOptions()
	opts.Dial, opts.RootCAs = dial, ca.Pool()
	opts.Resolver = fixedResolver{"127.0.0.1"}
	ctx := context.Background()

	var alone, fleet, fastFleet, fastMax time.Duration
	var stages string
	for b.Loop() {
		v := verify.New(opts)
		t0 := time.Now()
		rs := v.Verify(ctx, []verify.Target{target(users[0])})
		alone += time.Since(t0)
		wantProbePass(b, rs)
		stages = stageLine(rs)
		v.Close()

		var ts, fast []verify.Target
		for i, u := range users {
			ts = append(ts, target(u))
			fast = append(fast, target(fastUsers[i]))
		}
		v = verify.New(opts)
		t0 = time.Now()
		wantProbePass(b, v.Verify(ctx, fast))
		fastFleet += time.Since(t0)
		v.Close()

		v = verify.New(opts)
		t0 = time.Now()
		rs = v.Verify(ctx, ts)
		fleet += time.Since(t0)
		wantProbePass(b, rs)
		v.Close()
		per := map[string]time.Duration{}
		for _, r := range rs {
			if verify.CheckKind(r.Check) == verify.CheckSpawn {
				per[r.Site] += r.Duration
			}
		}
		for s, d := range per {
			if s != "site-"+slowUser && d > fastMax {
				fastMax = d
			}
		}
	}
	n := time.Duration(b.N)
	b.ReportMetric((alone / n).Seconds(), "s/one-site")
	b.ReportMetric((fleet / n).Seconds(), "s/20-sites-1-slow")
	b.ReportMetric((fastFleet / n).Seconds(), "s/20-sites-none-slow")
	b.ReportMetric((fastMax / n).Seconds(), "s/slowest-fast-site")
	b.Logf("one site alone, stage by stage: %s", stages)
}

func benchToken(b *testing.B) string {
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		b.Fatal(err)
	}
	return hex.EncodeToString(buf)
}

type fixedResolver struct{ addr string }

func (r fixedResolver) LookupHost(context.Context, string) ([]string, error) {
	return []string{r.addr}, nil
}

func wantProbePass(b *testing.B, rs []verify.Result) {
	b.Helper()
	for _, r := range rs {
		if verify.CheckKind(r.Check) == verify.CheckSpawn && r.Status != verify.Pass {
			b.Fatalf("%s %s: %s %s", r.Site, r.Check, r.Status, r.Detail)
		}
	}
}

func stageLine(rs []verify.Result) string {
	var parts []string
	for _, r := range rs {
		if verify.CheckKind(r.Check) == verify.CheckSpawn {
			parts = append(parts, fmt.Sprintf("%s %.1fs", strings.TrimPrefix(r.Check, "spawn/"), r.Duration.Seconds()))
		}
	}
	return strings.Join(parts, ", ")
}
