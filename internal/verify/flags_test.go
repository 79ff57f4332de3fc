package verify

import (
	"context"
	"errors"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/pflag"
)

func TestParseStaticHosts(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		specs   []string
		want    StaticHosts
		wantErr []string
	}{
		{name: "one host", specs: []string{"hub.example.org=203.0.113.10"},
			want: StaticHosts{"hub.example.org": {"203.0.113.10"}}},
		{name: "comma-split addresses continue the host before",
			specs: []string{"hub.example.org=203.0.113.10", "2001:db8::1", "idp.example.org=[::1]"},
			want:  StaticHosts{"hub.example.org": {"203.0.113.10", "2001:db8::1"}, "idp.example.org": {"::1"}}},
		{name: "a host given twice, names compared without case or trailing dot",
			specs: []string{"Hub.Example.org.=203.0.113.10", "hub.example.org=203.0.113.11"},
			want:  StaticHosts{"hub.example.org": {"203.0.113.10", "203.0.113.11"}}},
		{name: "errors", specs: []string{"203.0.113.10", "=203.0.113.10", "hub.example.org=lb.example.net", "hub.example.org=203.0.113.10:443"},
			wantErr: []string{`resolve "203.0.113.10": want host=ip`, `resolve "=203.0.113.10": want host=ip`,
				`"lb.example.net" is not an IP address`, `"203.0.113.10:443" is not an IP address`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseStaticHosts(tc.specs)
			if len(tc.wantErr) > 0 {
				for _, w := range tc.wantErr {
					if err == nil || !strings.Contains(err.Error(), w) {
						t.Errorf("error %v lacks %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestStaticHostsDial connects to a static host's addresses in turn on the
// port asked for, and leaves other names to the next dialer.
func TestStaticHostsDial(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	// 127.0.0.2 is loopback too, but nothing listens there: refused first.
	h, err := ParseStaticHosts([]string{"hub.example.org=127.0.0.2", "127.0.0.1", "down.example.org=127.0.0.2"})
	if err != nil {
		t.Fatal(err)
	}
	var passed []string
	next := func(ctx context.Context, network, addr string) (net.Conn, error) {
		passed = append(passed, addr)
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}
	dial := h.Dial(next)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := dial(ctx, "tcp", "HUB.example.org:"+port)
	if err != nil {
		t.Fatalf("dial hub.example.org: %v", err)
	}
	if got := c.RemoteAddr().String(); got != ln.Addr().String() {
		t.Errorf("connected to %s, want %s", got, ln.Addr())
	}
	c.Close()
	if _, err := dial(ctx, "tcp", "down.example.org:"+port); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("dial down.example.org = %v, want connection refused", err)
	}
	if c, err := dial(ctx, "tcp", ln.Addr().String()); err != nil {
		t.Errorf("dial %s (not a static host): %v", ln.Addr(), err)
	} else {
		c.Close()
	}
	want := []string{"127.0.0.2:" + port, "127.0.0.1:" + port, "127.0.0.2:" + port, ln.Addr().String()}
	if diff := cmp.Diff(want, passed); diff != "" {
		t.Errorf("addresses dialed (-want +got):\n%s", diff)
	}
}

// TestResolveFlag runs the DNS check with --resolve: it answers the site's
// host (before a DNS cut-over, or against a harness) and leaves every
// other name to the resolver underneath; --connect-to wins for connections.
func TestResolveFlag(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		args     func(site Target) []string
		worldDNS bool
		// noConnectTo leaves the site's host without --connect-to.
		noConnectTo bool
		// want lists the checks that must not pass; the others must.
		want map[string]string
	}{
		{name: "no flag: the resolver underneath answers", worldDNS: true},
		{name: "no DNS record yet", want: map[string]string{CheckDNS: "has no DNS record"}},
		{name: "no DNS record yet, --resolve to the LoadBalancer address",
			args: func(site Target) []string { return []string{"--resolve", site.Host + "=" + site.ExpectedAddresses[0]} }},
		{name: "--resolve to another address than the LoadBalancer's", worldDNS: true,
			args: func(site Target) []string { return []string{"--resolve", site.Host + "=198.51.100.7,198.51.100.8"} },
			want: map[string]string{CheckDNS: "resolves to 198.51.100.7, 198.51.100.8, but proxy-public is reachable at 203.0.113.10"}},
		{name: "--resolve alone also sends connections there", worldDNS: true, noConnectTo: true,
			// Loopback, where nothing listens on 443.
			args: func(site Target) []string { return []string{"--resolve", site.Host + "=127.0.0.3"} },
			want: map[string]string{
				CheckDNS:       "resolves to 127.0.0.3, but proxy-public is reachable at 203.0.113.10",
				CheckHubHealth: "refused", CheckTLS: "", CheckHubVersion: "", CheckDaskGateway: "", CheckOAuthLogin: "", CheckOAuthAuthorize: "",
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			site := egiSite("alpha")
			w.addSite(site, site.ExpectedAddresses[0])
			if !tc.worldDNS {
				w.setDNS(site.Host)
			}
			var f NetFlags
			fs := pflag.NewFlagSet("verify", pflag.ContinueOnError)
			f.AddFlags(fs)
			// A plain dialer underneath: --connect-to sends the hosts to
			// the world's loopback listener.
			args := []string{"--connect-to", "aai.egi.example.org=" + w.addr}
			if !tc.noConnectTo {
				args = append(args, "--connect-to", site.Host+"="+w.addr)
			}
			if tc.args != nil {
				args = append(args, tc.args(site)...)
			}
			if err := fs.Parse(args); err != nil {
				t.Fatal(err)
			}
			opts := w.options()
			opts.Dial = nil
			if err := f.Apply(&opts); err != nil {
				t.Fatal(err)
			}
			// Names --resolve does not give still reach the resolver underneath.
			w.setDNS("aai.egi.example.org", "192.0.2.53")
			if got, err := opts.Resolver.LookupHost(context.Background(), "aai.egi.example.org"); err != nil || len(got) != 1 || got[0] != "192.0.2.53" {
				t.Errorf("LookupHost(another name) = %v, %v: want the resolver underneath's answer", got, err)
			}
			v := New(opts)
			defer v.Close()
			for _, r := range v.VerifySite(context.Background(), site) {
				detail, listed := tc.want[r.Check]
				switch {
				case !listed && r.Status != Pass:
					t.Errorf("%s = %s %q (%v), want pass", r.Check, r.Status, r.Detail, r.Err)
				case listed && (r.Status == Pass || !strings.Contains(r.Detail, detail)):
					t.Errorf("%s = %s %q, want a failure containing %q", r.Check, r.Status, r.Detail, detail)
				}
			}
		})
	}
}
